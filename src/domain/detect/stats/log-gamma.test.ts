import { describe, expect, it } from 'vitest';
import { logBeta, logGamma } from './log-gamma.ts';

// References: mpmath 1.3 `loggamma` at 50 significant digits, rounded to 17.
const table: [number, number][] = [
  [0.5, 0.57236494292470009], // log √π
  [0.001, 6.9071788853838537],
  [3.7, 1.4280723266653879],
  [14.9, 24.924132002217277],
  [20.25, 40.084110597917349],
  [100.5, 361.43554046777762],
  [10000.3, 82102.4805880539],
  [-2.3, 0.36956666345500745],
];

describe('logGamma', () => {
  it.each(table)('log Γ(%d)', (x, expected) => {
    expect(Math.abs(logGamma(x) - expected) / Math.abs(expected)).toBeLessThan(2e-14);
  });

  it('is log((n−1)!) at the integers and 0 at 1 and 2', () => {
    let factorial = 1;
    for (let n = 1; n <= 30; n++) {
      if (n > 1) factorial *= n - 1;
      expect(logGamma(n)).toBeCloseTo(Math.log(factorial), 12);
    }
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-14);
    expect(Math.abs(logGamma(2))).toBeLessThan(1e-14);
  });

  it('is +∞ at the poles, as R', () => {
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
    expect(logGamma(Number.NaN)).toBeNaN();
  });

  it('gives log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b)', () => {
    expect(logBeta(1, 1)).toBeCloseTo(0, 14);
    expect(logBeta(0.5, 0.5)).toBeCloseTo(Math.log(Math.PI), 14);
    expect(logBeta(3, 4)).toBeCloseTo(Math.log(1 / 60), 14);
  });
});
