import { describe, expect, it } from 'vitest';
import { ppois, ppoisUpper, qpois } from './poisson.ts';

// References: ppois(x, λ) = Q(x + 1, λ) by mpmath 1.3 at 50 digits; quantiles by exact search.
const table: [x: number, lambda: number, lower: number, upper: number][] = [
  [3, 2.5, 0.75757613313306596, 0.24242386686693404],
  [10, 2.5, 0.99993837308987502, 6.1626910124984372e-5],
  [0, 0.7, 0.49658530379140951, 0.50341469620859049],
  [5200, 5000.3, 0.99756059420152948, 0.0024394057984705201],
];

describe('Poisson', () => {
  it.each(table)('ppois(%d, %d)', (x, lambda, lower, upper) => {
    expect(Math.abs(ppois(x, lambda) - lower) / lower).toBeLessThan(1e-12);
    expect(Math.abs(ppoisUpper(x, lambda) - upper) / upper).toBeLessThan(1e-12);
  });

  it('sums the probability mass', () => {
    let mass = 0;
    let term = Math.exp(-3.3);
    for (let k = 0; k <= 6; k++) {
      mass += term;
      term *= 3.3 / (k + 1);
    }
    expect(ppois(6, 3.3)).toBeCloseTo(mass, 15);
    expect(ppois(6.5, 3.3)).toBe(ppois(6, 3.3));
    expect(ppois(-1, 3.3)).toBe(0);
    expect(ppoisUpper(-1, 3.3)).toBe(1);
  });

  it('qpois is the smallest y with P(X ≤ y) ≥ p', () => {
    expect(qpois(0.95, 2.5)).toBe(5);
    expect(qpois(0.05, 2.5)).toBe(0);
    expect(qpois(0.5, 0.01)).toBe(0);
    expect(qpois(0.95, 0)).toBe(0);
    expect(qpois(1, 2)).toBe(Infinity);
    for (const lambda of [0.3, 4.2, 37.9, 812.5, 9000.1]) {
      for (const p of [0.01, 0.5, 0.95, 0.999]) {
        const q = qpois(p, lambda);
        expect(ppois(q, lambda)).toBeGreaterThanOrEqual(p * (1 - 8 * Number.EPSILON));
        if (q > 0) expect(ppois(q - 1, lambda)).toBeLessThan(p * (1 - 8 * Number.EPSILON));
      }
    }
  });
});
