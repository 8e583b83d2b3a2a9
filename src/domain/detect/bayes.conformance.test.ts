import { describe, expect, it } from 'vitest';
import { readConformanceFolder, sharedDetectionFolder } from '../../app/detection-conformance/read-cases.ts';
import { bayesSeries, parseBayesControl } from './bayes.ts';

/**
 * Every `bayes` case of the shared conformance folder (R surveillance 1.20.3) is one test. The
 * bound is an integer quantile and must match exactly; alarms must agree everywhere (the issue
 * asks ≥ 99.5 %). Every disagreement is listed in the failure message.
 */

const folder = sharedDetectionFolder();
const cases = folder ? readConformanceFolder(folder).cases.filter((c) => c.algorithm === 'bayes') : [];

describe('bayes conformance with R surveillance', () => {
  if (cases.length === 0) {
    it('skipped: the shared conformance folder is absent or has no bayes case, no case was run', () => {
      expect(cases).toHaveLength(0);
    });
    return;
  }

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const [from, to] = c.range;
    const control = parseBayesControl({ ...c.control, range: Array.from({ length: to - from + 1 }, (_, i) => from + i) });
    const ours = bayesSeries({ observed: c.rows.map((r) => r.observed), freq: c.freq }, control);
    const problems: string[] = [];
    let evaluated = 0;
    let agreeing = 0;
    for (const row of c.rows) {
      if (!row.inRange) continue;
      evaluated++;
      const i = row.t - 1;
      if (ours.alarm[i] === row.alarm) agreeing++;
      else problems.push(`alarm t=${row.t}: ours ${ours.alarm[i]}, R ${row.alarm} (observed ${row.observed})`);
      if (ours.upperbound[i] !== row.upperbound) problems.push(`upperbound t=${row.t}: ours ${ours.upperbound[i]}, R ${row.upperbound}`);
    }
    const summary = `${c.id}: alarms agree at ${((100 * agreeing) / evaluated).toFixed(2)}% of ${evaluated}`;
    expect(agreeing / evaluated >= 0.995 && problems.length === 0, `${summary}\n${problems.join('\n')}`).toBe(true);
  });
});
