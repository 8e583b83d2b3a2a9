import { describe, expect, it } from 'vitest';
import { TocsinError } from '../kernel/errors.ts';
import { countCusumSeries, parseCountCusumControl, standardise, type CusumTransform } from './count-cusum.ts';

const observed = [4, 4, 4, 4, 4, 4, 4, 4, 9, 12, 3, 4, 4];
const range = [9, 10, 11, 12, 13];

describe('countCusumSeries', () => {
  it('accumulates (x − m)/√m − k without reset, alarms at S ≥ h (standard, m = mean before range)', () => {
    const r = countCusumSeries({ observed, freq: 52 }, parseCountCusumControl({ range, k: 1, h: 2 }));
    // m = 4: z = 2.5, 4, −0.5, 0, 0 → S = 1.5, 4.5, 3, 2, 1
    expect(r.cusum.slice(8)).toEqual([1.5, 4.5, 3, 2, 1]);
    expect(r.alarm.slice(8)).toEqual([0, 1, 1, 1, 0]);
    // U = ceil(√m (h + k − S_{t−1}) + m)
    expect(r.upperbound.slice(8)).toEqual([10, 7, 1, 4, 6]);
    expect(r.referenceMean[8]).toBe(4);
    expect(r.alarm[0]).toBeNull();
  });

  it("each transformation's bound brings S exactly to h", () => {
    for (const trans of ['rossi', 'anscombe', 'anscombe2nd', 'pearsonNegBin'] as CusumTransform[]) {
      const r = countCusumSeries({ observed, freq: 52 }, parseCountCusumControl({ range: [9], k: 0.5, h: 3, trans, m: 6 }));
      const u = r.upperbound[8]!;
      const z = standardise(u, 6, trans, 0.1);
      // anscombe2nd's bound uses m^(1/3)/9 where its standardisation uses m^(−1/3)/9 (R's quirk).
      if (trans === 'anscombe2nd') expect(z - 0.5).not.toBeCloseTo(3, 6);
      else expect(z - 0.5).toBeCloseTo(3, 9);
    }
  });

  it('answers h − S_t for trans "none", and 0 for a NaN or negative bound', () => {
    const r = countCusumSeries({ observed, freq: 52 }, parseCountCusumControl({ range, k: 4, h: 10, trans: 'none', m: 1 }));
    expect(r.cusum[8]).toBe(5);
    expect(r.upperbound[8]).toBe(5);
    const neg = countCusumSeries({ observed, freq: 52 }, parseCountCusumControl({ range, k: 0, h: 0.1, m: 4 }));
    expect(neg.upperbound.slice(9).every((u) => u !== null && u >= 0)).toBe(true);
  });

  it('fits one harmonic for m = "glm" (a constant series gives its level)', () => {
    const flat = new Array(60).fill(5);
    const r = countCusumSeries({ observed: flat, freq: 52, start: [2001, 1] }, parseCountCusumControl({ range: [53, 54], m: 'glm' }));
    expect(r.referenceMean[52]).toBeCloseTo(5, 8);
  });

  it('propagates a missing count as R (NA from then on)', () => {
    const gap = [...observed];
    gap[9] = null as unknown as number;
    const r = countCusumSeries({ observed: gap, freq: 52 }, parseCountCusumControl({ range }));
    expect(r.cusum[9]).toBeNull();
    expect(r.alarm[12]).toBeNull();
    expect(r.upperbound[12]).toBe(0);
  });

  it('rejects unknown names and the unsupported anscombeNegBin', () => {
    expect(() => parseCountCusumControl({ range, kk: 1 })).toThrow(/kk/);
    expect(() => parseCountCusumControl({ range, trans: 'anscombeNegBin' })).toThrow(TocsinError);
    expect(() => parseCountCusumControl({ k: 1 })).toThrow(/range/);
  });
});
