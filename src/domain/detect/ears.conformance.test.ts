import { describe, expect, it } from 'vitest';
import { readConformanceFolder, sharedDetectionFolder, type LoadedCase } from '../../app/detection-conformance/read-cases.ts';
import { earsParamsFromR, earsSeries } from './ears.ts';

/**
 * Every `earsC` case of the shared conformance folder (R surveillance 1.20.3 outputs), one test
 * each: a case added to the folder is a test added here. Acceptance (issue 3): alarms agree at
 * ≥ 99.5 % of the evaluated points, upper bounds within 1e-6 relative where both are defined.
 */

const folder = sharedDetectionFolder();
const earsCases: LoadedCase[] = folder === null ? [] : readConformanceFolder(folder).cases.filter((c) => c.algorithm === 'earsC');

const minAgreement = 0.995;
const boundTolerance = 1e-6;

function relativeError(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

describe('EARS conformance with surveillance::earsC', () => {
  if (folder === null) {
    it('skips: the shared conformance folder (../shared/conformance/detection/) is absent, so no earsC case was checked', () => {
      expect(folder).toBeNull();
    });
    return;
  }

  it('finds earsC cases in the shared folder', () => {
    expect(earsCases.length).toBeGreaterThan(0);
  });

  it.each(earsCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const parsed = earsParamsFromR({ ...c.control, range: c.range });
    if ('problems' in parsed) throw new Error(`${c.id}: control rejected: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    const [from, to] = parsed.range ?? c.range;
    const result = earsSeries(
      c.rows.map((r) => r.observed),
      [from, to],
      parsed.params,
    );
    const evaluated = c.rows.filter((r) => r.inRange);
    expect(evaluated.map((r) => r.t)).toEqual(Array.from({ length: to - from + 1 }, (_, k) => from + k));

    const disagreements: string[] = [];
    let alarmsAgree = 0;
    let maxRelError = 0;
    evaluated.forEach((row, k) => {
      const alarm = result.alarm[k] ?? null;
      const ours = alarm === null ? null : alarm ? 1 : 0;
      const bound = result.upperbound[k]!;
      const upper = Number.isNaN(bound) ? null : bound;
      if (ours === row.alarm) alarmsAgree++;
      else disagreements.push(`t=${row.t}: alarm R=${row.alarm ?? 'NA'} ours=${ours ?? 'NA'} (observed ${row.observed}, upperbound R=${row.upperbound ?? 'NA'} ours=${upper ?? 'NA'})`);
      if ((upper === null) !== (row.upperbound === null)) {
        disagreements.push(`t=${row.t}: upperbound R=${row.upperbound ?? 'NA'} ours=${upper ?? 'NA'}`);
      } else if (upper !== null && row.upperbound !== null) {
        const err = relativeError(upper, row.upperbound);
        maxRelError = Math.max(maxRelError, err);
        if (err > boundTolerance) disagreements.push(`t=${row.t}: upperbound R=${row.upperbound} ours=${upper} (relative error ${err.toExponential(2)})`);
      }
    });
    const agreement = alarmsAgree / evaluated.length;
    const summary = `${c.id}: alarms agree at ${(agreement * 100).toFixed(2)}% of ${evaluated.length} points, max relative error of upperbound ${maxRelError.toExponential(2)}`;
    const message = disagreements.length === 0 ? summary : `${summary}\n${disagreements.join('\n')}`;
    expect(agreement, message).toBeGreaterThanOrEqual(minAgreement);
    expect(maxRelError, message).toBeLessThanOrEqual(boundTolerance);
    // The target is exact agreement: any disagreement at all fails, listed.
    expect(disagreements, message).toEqual([]);
    // The manifest's alarm count is R's sum(alarms, na.rm = TRUE).
    expect(result.alarm.filter((a) => a === true).length).toBe(c.alarms);
  });
});

describe('R control lists for earsC', () => {
  it.each([
    [{ method: 'C1', baseline: 7, minSigma: 0, alpha: 0.001 }, null],
    [{ method: ['C2'], baseline: [5], range: [10, 20] }, null],
    [{ method: 'C3', minsigma: 1 }, 'minsigma'],
    [{ method: 'C1', thresholdMethod: 'delta' }, 'thresholdMethod'],
    [{ method: 'C1', mode: 'cdc' }, 'mode'],
    [{ method: 'C4' }, 'method'],
    [{ baseline: 2 }, 'baseline'],
  ])('%j → problem named: %s', (control, field) => {
    const parsed = earsParamsFromR(control);
    if (field === null) expect(parsed).toHaveProperty('params');
    else expect('problems' in parsed ? parsed.problems.map((p) => p.field) : []).toContain(field);
  });

  it('answers the range apart from the parameters', () => {
    expect(earsParamsFromR({ method: 'C2', range: [12, 40] })).toEqual({
      params: { method: 'C2', baseline: 7, alpha: 0.001, minSigma: 0, mode: 'r' },
      range: [12, 40],
    });
  });
});
