import { describe, expect, it } from 'vitest';
import { regularizedGamma } from './incomplete-gamma.ts';

// References: mpmath 1.3 `gammainc(a, 0, x, regularized=True)` at 50 digits.
const table: [a: number, x: number, lower: number, upper: number][] = [
  [5, 3.2, 0.21938748893269563, 0.78061251106730437],
  [300, 250, 0.0011623936310546183, 0.99883760636894538],
  [300, 350, 0.99710422746817773, 0.0028957725318222718],
  [0.7, 2.5, 0.95602689146088511, 0.043973108539114886],
  [50.5, 10, 8.2138749150590279e-20, 1],
];

describe('regularizedGamma', () => {
  it.each(table)('P(%d, %d)', (a, x, lower, upper) => {
    expect(Math.abs(regularizedGamma(a, x) - lower) / lower).toBeLessThan(1e-12);
    expect(Math.abs(regularizedGamma(a, x, true) - upper) / upper).toBeLessThan(1e-12);
  });

  it('is 1 − e^−x at a = 1', () => {
    for (const x of [0.1, 1, 7.5]) expect(regularizedGamma(1, x)).toBeCloseTo(-Math.expm1(-x), 14);
  });

  it('handles the bounds', () => {
    expect(regularizedGamma(2, 0)).toBe(0);
    expect(regularizedGamma(2, Infinity)).toBe(1);
    expect(regularizedGamma(-1, 1)).toBeNaN();
  });
});
