import { describe, expect, it } from 'vitest';
import { pnbinom, pnbinomUpper, qnbinom } from './negative-binomial.ts';

// References: pnbinom(x, size, prob) = I_prob(size, x + 1) by mpmath 1.3 at 50 digits.
const table: [x: number, size: number, prob: number, lower: number, upper: number][] = [
  [7, 2.3, 0.4, 0.90473341714753652, 0.095266582852463476],
  [30, 2.3, 0.4, 0.99999666002893554, 3.3399710644608901e-6],
  [0, 5, 0.5, 0.03125, 0.96875],
  [1000, 27.3, 0.03, 0.76484197261144969, 0.23515802738855031],
];

describe('negative binomial', () => {
  it.each(table)('pnbinom(%d, %d, %d)', (x, size, prob, lower, upper) => {
    expect(Math.abs(pnbinom(x, size, prob) - lower) / lower).toBeLessThan(1e-12);
    expect(Math.abs(pnbinomUpper(x, size, prob) - upper) / upper).toBeLessThan(1e-12);
  });

  it('is geometric at size 1: P(X ≤ x) = 1 − (1 − p)^(x+1)', () => {
    for (const x of [0, 3, 17]) expect(pnbinom(x, 1, 0.3)).toBeCloseTo(1 - 0.7 ** (x + 1), 14);
  });

  it("qnbinom agrees with an exact search (the agona t = 264 Noufaily bound is R's 4)", () => {
    expect(qnbinom(0.95, 2.3, 0.4)).toBe(9);
    // mu0 = 1.0884197273991163, phi = 1.6051507408320189 (agona_noufaily2013.csv, t = 264): U = 4.
    expect(qnbinom(0.95, 1.0884197273991163 / 0.6051507408320189, 1 / 1.6051507408320189)).toBe(4);
    expect(qnbinom(0.5, 3, 0.5)).toBe(2);
    for (const [size, prob] of [[0.4, 0.2], [27.3, 0.03], [500, 0.6], [2e4, 0.999]] as const) {
      for (const p of [0.05, 0.5, 0.95]) {
        const q = qnbinom(p, size, prob);
        expect(pnbinom(q, size, prob)).toBeGreaterThanOrEqual(p * (1 - 8 * Number.EPSILON));
        if (q > 0) expect(pnbinom(q - 1, size, prob)).toBeLessThan(p * (1 - 8 * Number.EPSILON));
      }
    }
  });

  it('handles the degenerate cases as R', () => {
    expect(qnbinom(0.95, 3, 1)).toBe(0);
    expect(qnbinom(0.95, 0, 0.5)).toBe(0);
    expect(qnbinom(1, 3, 0.5)).toBe(Infinity);
    expect(qnbinom(0.5, 3, 0)).toBeNaN();
    expect(pnbinom(-1, 3, 0.5)).toBe(0);
  });
});
