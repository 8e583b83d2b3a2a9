import { describe, expect, it } from 'vitest';
import { bayesAt, bayesSeries, parseBayesControl } from './bayes.ts';
import { qnbinom } from './stats/negative-binomial.ts';

describe('bayes', () => {
  const observed = Float64Array.from([2, 3, 1, 4, 2, 3, 2, 9, 1, 2, 3, 2, 1, 2, 20]);

  it('uses the w previous counts (actY) and windows of the b past years', () => {
    const r = bayesAt(observed, 8, 4, { b: 0, w: 6, actY: true, alpha: 0.05 });
    // reference 3,1,4,2,3,2: sum 15, n 6 → qnbinom(0.95, 15.5, 6/7)
    expect(r.upperbound).toBe(qnbinom(0.95, 15.5, 6 / 7));
    expect(r.alarm).toBe(9 > r.upperbound ? 1 : 0);
    const withYears = bayesAt(observed, 15, 4, { b: 2, w: 1, actY: false, alpha: 0.05 });
    // windows 10..12 and 6..8: 2,3,2 and 3,2,9 → sum 21, n 6
    expect(withYears.upperbound).toBe(qnbinom(0.95, 21.5, 6 / 7));
  });

  it('alarms strictly above the bound (surveillance 1.20.3)', () => {
    const flat = Float64Array.from([3, 3, 3, 3, 3, 3, 3]);
    const u = bayesAt(flat, 7, 52, { b: 0, w: 6, actY: true, alpha: 0.5 }).upperbound;
    const same = Float64Array.from([3, 3, 3, 3, 3, 3, u]);
    expect(bayesAt(same, 7, 52, { b: 0, w: 6, actY: true, alpha: 0.5 }).alarm).toBe(0);
  });

  it('refuses too short a history, and unknown names', () => {
    expect(() => bayesAt(observed, 6, 52, { b: 0, w: 6, actY: true, alpha: 0.05 })).toThrow(/too short/);
    expect(() => parseBayesControl({ range: [8], window: 3 })).toThrow(/window/);
  });

  it('fills only the range', () => {
    const r = bayesSeries({ observed: Array.from(observed), freq: 52 }, parseBayesControl({ range: [8, 9] }));
    expect(r.upperbound[6]).toBeNull();
    expect(r.upperbound[7]).not.toBeNull();
  });
});
