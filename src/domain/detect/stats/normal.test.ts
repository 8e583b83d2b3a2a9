import { describe, expect, it } from 'vitest';
import { pnorm, pnormUpper, qnorm } from './normal.ts';

// Reference values from mpmath at 50 digits (the exact standard normal, not R), for double inputs.
const quantiles: [p: number, x: number][] = [
  [0.975, 1.9599639845400539],
  [0.999, 3.0902323061678133],
  [0.001, -3.0902323061678135],
  [1e-10, -6.3613409024040562],
  [0.9, 1.2815515655446006],
  [0.05, -1.6448536269514727],
  [0.4, -0.25334710313579974],
  [0.3, -0.52440051270804082],
  [0.02425, -1.9729610513118848],
  [1e-20, -9.2623400897984076],
  [1e-300, -37.047096299361199],
  [0.999999, 4.7534243088170878],
  [0.99999999, 5.612001243305505],
];

const cdf: [x: number, lower: number, upper: number][] = [
  [-8, 6.2209605742717841e-16, 0.99999999999999938],
  [8, 0.99999999999999938, 6.2209605742717841e-16],
  [-1, 0.15865525393145705, 0.84134474606854295],
  [1.96, 0.97500210485177956, 0.024997895148220436],
  [0, 0.5, 0.5],
  [1e-20, 0.5, 0.5],
  [0.01, 0.5039893563146316, 0.4960106436853684],
  [0.5, 0.6914624612740131, 0.3085375387259869],
  [-0.67, 0.2514288950953101, 0.7485711049046899],
  [0.7, 0.75803634777692697, 0.24196365222307303],
  [2.5, 0.99379033467422386, 0.0062096653257761352],
  [-3, 0.0013498980316300945, 0.99865010196836991],
  [3, 0.99865010196836991, 0.0013498980316300945],
  [5, 0.99999971334842812, 2.8665157187919391e-7],
  [-5.6, 1.0717590258310929e-8, 0.99999998928240974],
  [-6, 9.8658764503769814e-10, 0.99999999901341235],
  [-10, 7.6198530241605261e-24, 1],
  [-20, 2.7536241186062337e-89, 1],
  [-37, 5.7255712225245768e-300, 1],
  [8.5, 1, 9.4795348222033184e-18],
];

function relErr(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

describe('qnorm (AS 241)', () => {
  it.each(quantiles)('qnorm(%s) = %s', (p, x) => {
    expect(relErr(qnorm(p), x)).toBeLessThan(2e-15);
  });

  it.each([
    [0, -Infinity],
    [1, Infinity],
    [0.5, 0],
    [-0.1, NaN],
    [1.1, NaN],
    [NaN, NaN],
  ])('qnorm(%s) = %s at the edges', (p, x) => {
    expect(qnorm(p)).toBe(x);
  });

  it('is antisymmetric about 0.5', () => {
    for (const p of [1e-5, 0.01, 0.1, 0.25, 0.49]) expect(qnorm(1 - p)).toBeCloseTo(-qnorm(p), 10);
  });
});

describe('pnorm / pnormUpper (Cody)', () => {
  it.each(cdf)('pnorm(%s) = %s, upper %s', (x, lower, upper) => {
    expect(relErr(pnorm(x), lower)).toBeLessThan(2e-15);
    expect(relErr(pnormUpper(x), upper)).toBeLessThan(2e-15);
  });

  it.each([
    [-Infinity, 0, 1],
    [Infinity, 1, 0],
    [-40, 0, 1],
  ])('pnorm(%s) = %s, upper %s in the limits', (x, lower, upper) => {
    expect(pnorm(x)).toBeCloseTo(lower, 300);
    expect(pnormUpper(x)).toBe(upper);
  });

  it('answers NaN for NaN', () => {
    expect(pnorm(NaN)).toBeNaN();
    expect(pnormUpper(NaN)).toBeNaN();
  });

  it('round-trips with qnorm to ~1e-15 across the range', () => {
    for (let i = 1; i < 1000; i++) {
      const p = i / 1000;
      expect(relErr(pnorm(qnorm(p)), p)).toBeLessThan(4e-15);
    }
    // In the far tail dp/p ≈ x²·dx/x, so a last-bit error in x grows by x² in p.
    for (let e = 1; e <= 300; e += 7) {
      const p = 10 ** -e;
      const x = qnorm(p);
      expect(relErr(pnorm(x), p)).toBeLessThan(4e-15 * (1 + x * x));
    }
  });
});
