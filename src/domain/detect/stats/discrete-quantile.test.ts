import { describe, expect, it } from 'vitest';
import { discreteQuantile, roundHalfEven } from './discrete-quantile.ts';

describe('discreteQuantile', () => {
  // A distribution on 0..9 with P(Y ≤ y) = (y + 1)/10.
  const cdf = (y: number) => Math.min(1, Math.max(0, Math.floor(y) + 1) / 10);

  it('finds the smallest y with P(Y ≤ y) ≥ p from any start', () => {
    for (const start of [0, 3, 9, 50]) {
      expect(discreteQuantile(0.35, start, 0, 0, cdf)).toBe(3);
      expect(discreteQuantile(0.05, start, 0, 0, cdf)).toBe(0);
    }
  });

  it("applies R's left-continuity fuzz p·(1 − 8ε): a p a hair above a jump still lands on it", () => {
    expect(discreteQuantile(0.4 * (1 + 2 * Number.EPSILON), 0, 0, 0, cdf)).toBe(3);
  });

  it('searches large quantiles with shrinking steps', () => {
    const big = (y: number) => Math.min(1, Math.max(0, Math.floor(y) + 1) / 1e6);
    expect(discreteQuantile(0.7, 5000, 0, 0, big)).toBe(699_999);
  });
});

describe('roundHalfEven', () => {
  it("rounds as C's nearbyint", () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(-2.5)).toBe(-2);
    expect(roundHalfEven(2.4)).toBe(2);
  });
});
