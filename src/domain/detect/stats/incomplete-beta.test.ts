import { describe, expect, it } from 'vitest';
import { regularizedBeta } from './incomplete-beta.ts';

// References: mpmath 1.3 `betainc(a, b, 0, x, regularized=True)` at 50 digits (the last row by
// mpmath quadrature of the density at 60 digits), lower and upper tails.
const table: [x: number, a: number, b: number, lower: number, upper: number][] = [
  [0.3, 2.5, 7.1, 0.64902257902101303, 0.35097742097898697],
  [0.4, 300.5, 500.25, 0.9249444213484508, 0.075055578651549203],
  [0.001, 0.5, 20, 0.15758381398363849, 0.84241618601636151],
  [0.999, 40, 3, 0.99998885073804765, 1.1149261952348718e-5],
  [0.201, 1e4, 4e4, 0.71244891979060397, 0.28755108020939603],
];

describe('regularizedBeta', () => {
  it.each(table)('I_%d(%d, %d)', (x, a, b, lower, upper) => {
    expect(Math.abs(regularizedBeta(x, a, b) - lower) / lower).toBeLessThan(1e-12);
    expect(Math.abs(regularizedBeta(x, a, b, true) - upper) / upper).toBeLessThan(1e-12);
  });

  it('has the closed forms I_x(1, 1) = x, I_x(a, 1) = x^a, I_x(1, b) = 1 − (1−x)^b', () => {
    for (const x of [0.01, 0.3, 0.77]) {
      expect(regularizedBeta(x, 1, 1)).toBeCloseTo(x, 14);
      expect(regularizedBeta(x, 3.5, 1)).toBeCloseTo(x ** 3.5, 14);
      expect(regularizedBeta(x, 1, 2.5, true)).toBeCloseTo((1 - x) ** 2.5, 14);
    }
  });

  it('is symmetric: I_x(a, b) = 1 − I_{1−x}(b, a)', () => {
    expect(regularizedBeta(0.35, 4.2, 9.9)).toBeCloseTo(regularizedBeta(0.65, 9.9, 4.2, true), 15);
  });

  it('keeps a tiny upper tail accurate when 1 − x is passed separately', () => {
    // x = 1 − 1e-20 is 1 in doubles; with y given, the tail I_{1−x}… stays defined.
    expect(regularizedBeta(1, 2, 0.5, true, 1e-20)).toBeGreaterThan(0);
  });

  it('handles the bounds as R', () => {
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
    expect(regularizedBeta(0.5, 0, 3)).toBe(1);
    expect(regularizedBeta(0.5, -1, 3)).toBeNaN();
  });
});
