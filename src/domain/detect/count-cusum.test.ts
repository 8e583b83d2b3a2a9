import { describe, expect, it } from 'vitest';
import { TocsinError } from '../kernel/errors.ts';
import { countCusumSeries, parseCountCusumControl, standardise, upperBound, type CusumTransform } from './count-cusum.ts';
import { seededRandom } from './testing/seeded-random.ts';

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

  it('in textbook mode, the continuous bound fed back as the count brings S_t exactly to h (anscombe2nd, none, and the exact ones)', () => {
    const rnd = seededRandom(20240611);
    const tested: Record<string, number> = {};
    for (let run = 0; run < 2000; run++) {
      const m = Math.exp(-3 + 9 * rnd()); // 0.05 … 400
      const h = 0.5 + 6 * rnd();
      const k = 2 * rnd();
      const c = (h + k) * 1.5 * rnd(); // S_{t−1}, also past h (no reset)
      const alpha = 0.5 * rnd();
      for (const trans of ['anscombe2nd', 'none', 'anscombe', 'rossi', 'pearsonNegBin'] as CusumTransform[]) {
        const u = upperBound(m, c, trans, h, k, alpha, NaN, 'textbook');
        if (!(u > 0)) continue; // no count is low enough (a negative base): R's and our bound are 0
        const s = Math.max(0, c + standardise(u, m, trans, alpha) - k);
        expect(Math.abs(s - h), `${trans} m=${m} C=${c} h=${h} k=${k}`).toBeLessThan(1e-9 * Math.max(1, h));
        tested[trans] = (tested[trans] ?? 0) + 1;
      }
    }
    for (const trans of ['anscombe2nd', 'none', 'anscombe', 'rossi', 'pearsonNegBin']) expect(tested[trans]).toBeGreaterThan(1000);
  });

  it('in mode r keeps the quirks: anscombe2nd misses h, "none" answers h − S_t; S and alarms do not depend on the mode', () => {
    const control = parseCountCusumControl({ range, k: 0.5, h: 3, trans: 'anscombe2nd', m: 6 });
    const r = countCusumSeries({ observed, freq: 52 }, control);
    const textbook = countCusumSeries({ observed, freq: 52 }, control, 'textbook');
    expect(textbook.cusum).toEqual(r.cusum);
    expect(textbook.alarm).toEqual(r.alarm);
    expect(countCusumSeries({ observed, freq: 52 }, control, 'r')).toEqual(r);
    range.forEach((t, i) => {
      const c = i === 0 ? 0 : r.cusum[t - 2]!;
      // R: (⅔ m^⅙ (h + k − C) + m^⅔ − m^⅓/9)^(3/2).
      expect(r.upperbound[t - 1]).toBeCloseTo(Math.pow((2 / 3) * Math.pow(6, 1 / 6) * (3.5 - c) + Math.pow(6, 2 / 3) - Math.pow(6, 1 / 3) / 9, 1.5), 12);
      expect(textbook.upperbound[t - 1]).toBeCloseTo(Math.pow((2 / 3) * Math.pow(6, 1 / 6) * (3.5 - c) + Math.pow(6, 2 / 3) - Math.pow(6, -1 / 3) / 9, 1.5), 12);
    });
    const none = parseCountCusumControl({ range, k: 4, h: 10, trans: 'none', m: 1 });
    expect(countCusumSeries({ observed, freq: 52 }, none).upperbound[8]).toBe(10 - 5); // h − S_t
    expect(countCusumSeries({ observed, freq: 52 }, none, 'textbook').upperbound[8]).toBe(10 + 4 - 0); // h + k − S_{t−1}
  });

  it('rossi: R answers a positive bound where every count alarms, textbook 0', () => {
    // R 4.2, surveillance 1.20.3: algo.cusum(m = 1, k = 1.04, h = 2.26, trans = "rossi") on
    // 1 × 20, 9, 0 with range 21:22 gives S = 4.96, 2.42 (alarm, alarm) and U = 5.08847176, 0.03075775.
    const ys = [...new Array<number>(20).fill(1), 9, 0];
    const control = parseCountCusumControl({ range: [21, 22], m: 1, trans: 'rossi' });
    const r = countCusumSeries({ observed: ys, freq: 52 }, control);
    expect(r.alarm.slice(20)).toEqual([1, 1]);
    expect(r.upperbound[20]).toBeCloseTo(5.08847176, 8);
    expect(r.upperbound[21]).toBeCloseTo(0.03075775, 8);
    const textbook = countCusumSeries({ observed: ys, freq: 52 }, control, 'textbook');
    expect(textbook.upperbound[20]).toBe(r.upperbound[20]);
    expect(textbook.upperbound[21]).toBe(0);
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
    // `mode` is ours (countCusumSeries' third argument, the detector's parameter), not one of R's.
    expect(() => parseCountCusumControl({ range, mode: 'textbook' })).toThrow(/unknown control "mode"/);
    expect(() => parseCountCusumControl({ range, trans: 'anscombeNegBin' })).toThrow(TocsinError);
    expect(() => parseCountCusumControl({ k: 1 })).toThrow(/range/);
  });
});
