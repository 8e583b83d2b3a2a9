import { describe, expect, it } from 'vitest';
import { readConformanceFolder, sharedDetectionFolder } from '../../app/detection-conformance/read-cases.ts';
import { countCusumSeries, parseCountCusumControl } from './count-cusum.ts';

/**
 * Every `cusum` case of the shared conformance folder (R surveillance 1.20.3) is one test. The
 * "standard" bound is an integer (ceiling) and must match exactly; other bounds, the reference
 * mean and the CUSUM to 1e-6 relative (the limit is 0.1 %); alarms exactly at ≥ 99.5 %.
 * Every disagreement is listed in the failure message.
 */

const folder = sharedDetectionFolder();
const cases = folder ? readConformanceFolder(folder).cases.filter((c) => c.algorithm === 'cusum') : [];

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE));

describe('cusum conformance with R surveillance', () => {
  if (cases.length === 0) {
    it('skipped: the shared conformance folder is absent or has no cusum case, no case was run', () => {
      expect(cases).toHaveLength(0);
    });
    return;
  }

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const [from, to] = c.range;
    const control = parseCountCusumControl({ ...c.control, range: Array.from({ length: to - from + 1 }, (_, i) => from + i) });
    // R's sts start period is the period of the first row (undated: (start[2] − 1 + t − 1) %% freq + 1).
    const first = c.rows[0]!;
    const ours = countCusumSeries({ observed: c.rows.map((r) => r.observed), freq: c.freq, start: [first.year, first.period] }, control);
    const problems: string[] = [];
    let evaluated = 0;
    let agreeing = 0;
    let maxUpper = 0;
    const tolerance = control.trans === 'standard' ? 0 : 1e-6;
    for (const row of c.rows) {
      if (!row.inRange) continue;
      evaluated++;
      const i = row.t - 1;
      if (ours.alarm[i] === row.alarm) agreeing++;
      else problems.push(`alarm t=${row.t}: ours ${ours.alarm[i]}, R ${row.alarm}`);
      const pairs: [string, number | null, number | null, number][] = [
        ['upperbound', ours.upperbound[i]!, row.upperbound, tolerance],
        ['reference_mean', ours.referenceMean[i]!, row.columns['reference_mean'] ?? null, 1e-6],
        ['cusum', ours.cusum[i]!, row.columns['cusum'] ?? null, 1e-6],
      ];
      for (const [name, mine, theirs, tol] of pairs) {
        if ((mine === null) !== (theirs === null)) problems.push(`${name} t=${row.t}: ours ${mine}, R ${theirs}`);
        else if (mine !== null && theirs !== null) {
          // The CUSUM is 0 at many points: compare absolutely near zero.
          const e = Math.abs(theirs) < 1e-9 ? Math.abs(mine - theirs) : rel(mine, theirs);
          if (name === 'upperbound') maxUpper = Math.max(maxUpper, e);
          if (e > tol) problems.push(`${name} t=${row.t}: ours ${mine}, R ${theirs}`);
        }
      }
    }
    const summary = `${c.id}: alarms agree at ${((100 * agreeing) / evaluated).toFixed(2)}% of ${evaluated}, largest relative error of the upper bound ${maxUpper.toExponential(2)}`;
    expect(agreeing / evaluated >= 0.995 && problems.length === 0, `${summary}\n${problems.join('\n')}`).toBe(true);
  });
});
