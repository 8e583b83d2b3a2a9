import { describe, expect, it } from 'vitest';
import { readConformanceFolder, sharedDetectionFolder, type LoadedCase } from '../../../app/detection-conformance/read-cases.ts';
import { parseFarringtonControl } from './control.ts';
import { farringtonFlexibleSeries, type FarringtonSeriesResult } from './farrington-flexible.ts';

/**
 * Every farringtonFlexible case of the shared conformance folder (R surveillance 1.20.3 output)
 * is one test: a new case in the folder is a new test. Acceptance (issue 3): alarms agree at
 * ≥ 99.5 % of the evaluated points and the upper bound within 0.1 % relative wherever both are
 * defined. We also hold expected, score, pvalue, mu0, phi and trendCoef to the README's 1e-6
 * relative and `trend` exactly, and require NA where R has NA. At the time of writing every case
 * agrees on every alarm and every column to ~1e-11 relative.
 *
 * No disagreement is silent. An alarm may differ only where the count lies within 1e-6 (relative)
 * of R's bound — the README's "tolerance issue, not a bug": such points are counted against the
 * 99.5 % and reported in the test's output; any other disagreement fails the test and is listed
 * in the failure message (case, t, ours, R's).
 */

const folder = sharedDetectionFolder();
const cases = folder ? readConformanceFolder(folder).cases.filter((c) => c.algorithm === 'farringtonFlexible') : [];

const ALARM_AGREEMENT = 0.995;
const UPPERBOUND_REL = 1e-3;
const COLUMN_REL = 1e-6;
const COLUMNS = ['expected', 'score', 'pvalue', 'mu0', 'phi', 'trendCoef'] as const;

function relative(ours: number, theirs: number): number {
  if (ours === theirs) return 0;
  return Math.abs(ours - theirs) / Math.max(Math.abs(theirs), Number.MIN_VALUE);
}

function run(c: LoadedCase): FarringtonSeriesResult {
  const [from, to] = c.range;
  const range = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const control = parseFarringtonControl({ ...c.control, range });
  return farringtonFlexibleSeries(
    { observed: c.rows.map((r) => r.observed), dates: c.rows.map((r) => r.date), freq: c.freq, epochAsDate: c.epochAsDate },
    control,
  );
}

describe('farringtonFlexible conformance with R surveillance', () => {
  if (cases.length === 0) {
    it('skipped: the shared conformance folder (../shared/conformance/detection) is absent, no case was run', () => {
      expect(folder === null || cases.length === 0).toBe(true);
    });
    return;
  }

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const ours = run(c);
    const problems: string[] = [];
    let evaluated = 0;
    let agreeing = 0;
    let maxUpperRel = 0;
    for (const row of c.rows) {
      if (!row.inRange) continue;
      evaluated++;
      const i = row.t - 1;
      const alarm = ours.alarm[i] ?? null;
      if (alarm === row.alarm) agreeing++;
      else if (row.observed !== null && row.upperbound !== null && relative(row.observed, row.upperbound) <= 1e-6) {
        console.warn(`${c.id} t=${row.t}: alarm ours ${alarm}, R ${row.alarm}, but the count ${row.observed} is within 1e-6 of R's bound ${row.upperbound}`);
      } else problems.push(`alarm t=${row.t}: ours ${alarm}, R ${row.alarm} (observed ${row.observed}, bound ours ${ours.upperbound[i]}, R ${row.upperbound})`);

      const u = ours.upperbound[i] ?? null;
      if (u !== null && row.upperbound !== null) {
        const rel = relative(u, row.upperbound);
        maxUpperRel = Math.max(maxUpperRel, rel);
        if (rel > UPPERBOUND_REL) problems.push(`upperbound t=${row.t}: ours ${u}, R ${row.upperbound} (relative ${rel.toExponential(2)})`);
      } else if ((u === null) !== (row.upperbound === null)) {
        problems.push(`upperbound t=${row.t}: ours ${u}, R ${row.upperbound} (NA in one only)`);
      }

      for (const col of COLUMNS) {
        if (!(col in row.columns)) continue; // e.g. mu0 is only written for the NB methods
        const theirs = row.columns[col] ?? null;
        const mine = ours[col][i] ?? null;
        if ((mine === null) !== (theirs === null)) problems.push(`${col} t=${row.t}: ours ${mine}, R ${theirs} (NA in one only)`);
        else if (mine !== null && theirs !== null && relative(mine, theirs) > COLUMN_REL) {
          problems.push(`${col} t=${row.t}: ours ${mine}, R ${theirs} (relative ${relative(mine, theirs).toExponential(2)})`);
        }
      }
      const trend = row.columns['trend'] ?? null;
      if ((ours.trend[i] ?? null) !== trend) problems.push(`trend t=${row.t}: ours ${ours.trend[i]}, R ${trend}`);
    }
    const agreement = agreeing / evaluated;
    const summary = `${c.id}: alarms agree at ${(100 * agreement).toFixed(2)}% of ${evaluated} points, largest relative error of the upper bound ${maxUpperRel.toExponential(2)}`;
    expect(evaluated, `${c.id}: no point in range`).toBeGreaterThan(0);
    expect(agreement >= ALARM_AGREEMENT && problems.length === 0, `${summary}\n${problems.join('\n')}`).toBe(true);
  });
});
