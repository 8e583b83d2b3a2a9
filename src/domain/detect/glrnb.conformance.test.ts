import { describe, expect, it } from 'vitest';
import { readConformanceFolder, sharedDetectionFolder } from '../../app/detection-conformance/read-cases.ts';
import { glrnbSeries, parseGlrnbControl } from './glrnb.ts';

/**
 * Every `glrnb` case of the shared conformance folder (R surveillance 1.20.3) is one test. R fitted
 * mu0 by MASS::glm.nb; the case file carries mu0 and the manifest the dispersion (alpha_used), so
 * the GLR recursion is tested on its own. The statistic (R's upperbound) to 1e-6 relative (the
 * issue's limit is 0.1 %), alarms exactly; every disagreement is listed in the failure message.
 */

const folder = sharedDetectionFolder();
const cases = folder ? readConformanceFolder(folder).cases.filter((c) => c.algorithm === 'glrnb') : [];

describe('glrnb conformance with R surveillance', () => {
  if (cases.length === 0) {
    it('skipped: the shared conformance folder is absent or has no glrnb case, no case was run', () => {
      expect(cases).toHaveLength(0);
    });
    return;
  }

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const [from, to] = c.range;
    const inRange = c.rows.filter((r) => r.inRange);
    const control = parseGlrnbControl({
      ...c.control,
      range: Array.from({ length: to - from + 1 }, (_, i) => from + i),
      mu0: inRange.map((r) => r.columns['mu0']!), // R's fitted in-control means
      alpha: c.extra['alpha_used'],
    });
    const ours = glrnbSeries({ observed: c.rows.map((r) => r.observed) }, control);
    const problems: string[] = [];
    let agreeing = 0;
    let maxUpper = 0;
    for (const row of inRange) {
      const i = row.t - 1;
      if (ours.alarm[i] === row.alarm) agreeing++;
      else problems.push(`alarm t=${row.t}: ours ${ours.alarm[i]}, R ${row.alarm}`);
      const mine = ours.upperbound[i]!;
      const theirs = row.upperbound!;
      const e = theirs === 0 ? Math.abs(mine) : Math.abs(mine - theirs) / Math.abs(theirs);
      maxUpper = Math.max(maxUpper, e);
      if (e > 1e-6) problems.push(`upperbound t=${row.t}: ours ${mine}, R ${theirs}`);
    }
    const summary = `${c.id}: alarms agree at ${((100 * agreeing) / inRange.length).toFixed(2)}% of ${inRange.length}, largest relative error of the statistic ${maxUpper.toExponential(2)}`;
    expect(agreeing / inRange.length >= 0.995 && problems.length === 0, `${summary}\n${problems.join('\n')}`).toBe(true);
  });
});
