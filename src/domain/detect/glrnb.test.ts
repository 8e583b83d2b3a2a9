import { describe, expect, it } from 'vitest';
import { glrnbSeries, parseGlrnbControl } from './glrnb.ts';

const alpha = 0.2;

/** l(n, k) at a given κ, straight from the definition. */
function lnk(x: number[], mu0: number[], k: number, n: number, kappa: number): number {
  let s = 0;
  for (let i = k; i <= n; i++) s += kappa * x[i]! + (x[i]! + 1 / alpha) * Math.log((1 + alpha * mu0[i]!) / (1 + alpha * mu0[i]! * Math.exp(kappa)));
  return s;
}

describe('glrnb', () => {
  const x = [2, 3, 1, 2, 8, 9, 10, 2, 1];
  const mu0 = x.map(() => 2);
  const range = x.map((_, i) => i + 1);

  it('is the maximum over change points of the profile likelihood ratio, 0 while in control', () => {
    const r = glrnbSeries({ observed: x }, parseGlrnbControl({ range, mu0, alpha, 'c.ARL': 1e9 }));
    expect(r.upperbound[0]).toBe(0);
    // At n = 5 the best change point is k = 4 (the jump); compare with a brute-force maximum.
    let best = -Infinity;
    for (let k = 0; k <= 5; k++) for (let kappa = 0; kappa <= 3; kappa += 0.0005) best = Math.max(best, lnk(x, mu0, k, 5, kappa));
    expect(r.upperbound[5]!).toBeCloseTo(best, 5);
    expect(r.alarm.every((a) => a === 0)).toBe(true);
  });

  it('alarms when the statistic reaches c.ARL and restarts after it', () => {
    const r = glrnbSeries({ observed: x }, parseGlrnbControl({ range, mu0, alpha, 'c.ARL': 3 }));
    const first = r.alarm.indexOf(1);
    expect(first).toBeGreaterThan(3);
    expect(r.upperbound[first]!).toBeGreaterThanOrEqual(3);
    // After the restart the next point is a one-point chart.
    const next = glrnbSeries({ observed: x.slice(first + 1) }, parseGlrnbControl({ range: x.slice(first + 1).map((_, i) => i + 1), mu0: mu0.slice(first + 1), alpha, 'c.ARL': 3 }));
    expect(r.upperbound[first + 1]).toBeCloseTo(next.upperbound[0]!, 12);
  });

  it('runs the LR CUSUM for a known change theta', () => {
    const r = glrnbSeries({ observed: x }, parseGlrnbControl({ range, mu0, alpha, theta: Math.log(2), 'c.ARL': 100 }));
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      s = Math.max(0, s + lnk(x, mu0, i, i, Math.log(2)));
      expect(r.upperbound[i]).toBeCloseTo(s, 12);
    }
  });

  it('asks for mu0 and alpha, and rejects what is not ported', () => {
    expect(() => parseGlrnbControl({ range, alpha })).toThrow(/mu0/);
    expect(() => parseGlrnbControl({ range, mu0, alpha: 0 })).toThrow(/Poisson/);
    expect(() => parseGlrnbControl({ range, mu0, alpha, change: 'epi' })).toThrow(/change/);
    expect(() => parseGlrnbControl({ range, mu0, alpha, ret: 'cases' })).toThrow(/cases/);
    expect(() => parseGlrnbControl({ range, mu0, alpha, cARL: 3 })).toThrow(/cARL/);
  });
});
