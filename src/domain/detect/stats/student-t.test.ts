import { describe, expect, it } from 'vitest';
import { pt, ptTwoSided, ptUpper } from './student-t.ts';

// References: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, ½) by mpmath 1.3 at 50 digits.
const table: [t: number, df: number, twoSided: number, lower: number][] = [
  [2, 10, 0.073388034770740366, 0.96330598261462982],
  [-3.5, 4.5, 0.020541689969385574, 0.010270844984692787],
  [0.01, 200, 0.99203125515328112, 0.50398437242335944],
  [12, 30, 5.5801854151992561e-13, 0.99999999999972099],
];

describe('Student t', () => {
  it.each(table)('t = %d, df = %d', (t, df, twoSided, lower) => {
    expect(Math.abs(ptTwoSided(t, df) - twoSided) / twoSided).toBeLessThan(1e-12);
    expect(Math.abs(pt(t, df) - lower) / lower).toBeLessThan(1e-14);
  });

  it("meets R's documented qt(0.975, 10) = 2.228139 (more digits: 2.228138851986)", () => {
    expect(pt(2.228138851986, 10)).toBeCloseTo(0.975, 12);
  });

  it('is the Cauchy distribution at df = 1', () => {
    for (const t of [-3, -0.5, 0.2, 4]) expect(pt(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 14);
  });

  it('is symmetric', () => {
    expect(ptUpper(1.7, 8)).toBeCloseTo(pt(-1.7, 8), 16);
    expect(pt(0, 5)).toBe(0.5);
  });
});
