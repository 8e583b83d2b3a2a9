import { describe, expect, it } from 'vitest';
import { fitData, FitDataError, isoDateToDay, referencePoints, seasonalLevels, type SeriesView } from './fit-data.ts';

function undated(n: number, freq = 52): SeriesView {
  return { observed: new Float64Array(n).fill(1), days: null, freq, dayIndex: null };
}

function weeklyFrom(firstIso: string, n: number): SeriesView {
  const first = isoDateToDay(firstIso);
  const days = new Int32Array(n);
  const dayIndex = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    days[i] = first + 7 * i;
    dayIndex.set(days[i]!, i + 1);
  }
  return { observed: new Float64Array(n).fill(1), days, freq: 52, dayIndex };
}

describe('referencePoints', () => {
  it('is k − i·freq for undated series', () => {
    expect(referencePoints(undated(300), 264, 5)).toEqual([264, 212, 160, 108, 56, 4]);
    expect(() => referencePoints(undated(300), 100, 5)).toThrow(FitDataError);
  });

  it('goes back by calendar year and keeps the weekday for dated weekly series', () => {
    // Mondays from 2002-01-07 (campyDE's dates). 2007-01-15 is t = 263.
    const view = weeklyFrom('2002-01-07', 400);
    const k = 263;
    const refs = referencePoints(view, k, 5);
    // One year back is a Sunday or a Tuesday…; the nearest Monday is 52 weeks back, except once a
    // 53-week gap shows up (the weekday drifts by one day a year, two in leap years).
    const back = refs.slice(1).map((r, i) => refs[i]! - r);
    expect(back.every((d) => d === 52 || d === 53)).toBe(true);
    for (const r of refs) expect((((view.days![r - 1]! + 4) % 7) + 7) % 7).toBe(1);
  });
});

describe('seasonalLevels', () => {
  it('marks only the windows when noPeriods = 1', () => {
    const levels = seasonalLevels([120, 68, 16], 120, 2, 3, 1);
    const marked = [...levels.keys()].filter((i) => levels[i] === 1);
    expect(marked).toEqual([13, 14, 15, 16, 17, 18, 19, 65, 66, 67, 68, 69, 70, 71, 117, 118, 119, 120]);
  });

  it('cuts each gap into p − 1 blocks, the first (gap mod (p − 1)) one longer', () => {
    // Windows 16±3 and 68±3: the gap 20..64 has 45 points; p = 10: 9 blocks of 5.
    // Gap 72..116 before the current window 117..120: also 45 points.
    const levels = seasonalLevels([120, 68, 16], 120, 2, 3, 10);
    expect(Array.from(levels.slice(20, 25))).toEqual([1, 1, 1, 1, 1]);
    expect(levels[25]).toBe(2);
    expect(levels[64]).toBe(9);
    expect(levels[65]).toBe(10);
    // p = 8: 45 = 7·6 + 3, so blocks 1–3 have 7 points and 4–7 have 6.
    const eight = seasonalLevels([120, 68, 16], 120, 2, 3, 8);
    const size = (lvl: number) => Array.from(eight.slice(20, 65)).filter((l) => l === lvl).length;
    expect([1, 2, 3, 4, 5, 6, 7].map(size)).toEqual([7, 7, 7, 6, 6, 6, 6]);
  });

  it("refuses too many levels as R ('Number of factors too big!')", () => {
    // gap 20 − 7 − 10 = 3 points for p − 1 = 11 blocks: R stops when gap < p − (2w + 1).
    expect(() => seasonalLevels([20, 10], 20, 1, 3, 12)).toThrow(FitDataError);
  });
});

describe('fitData', () => {
  it('drops k − pastWeeksNotIncluded .. k and missing counts, wtime = index when undated', () => {
    const view = undated(130);
    view.observed[66] = NaN; // t = 67 missing
    const data = fitData(view, 120, 2, 3, 1, 3);
    expect(Array.from(data.index)).toEqual([13, 14, 15, 16, 17, 18, 19, 65, 66, 68, 69, 70, 71]);
    expect(Array.from(data.wtime)).toEqual(Array.from(data.index));
    expect(data.wtimeNow).toBe(120);
  });

  it('keeps k − w .. k − pastWeeksNotIncluded − 1 of the current year when pastWeeksNotIncluded < w', () => {
    const data = fitData(undated(130), 120, 2, 3, 1, 1);
    expect(Array.from(data.index).slice(-2)).toEqual([117, 118]);
  });

  it('counts dated wtime in periods from the first block point, and predicts from the first fitted one', () => {
    const view = weeklyFrom('2002-01-07', 400);
    const k = 270;
    const data = fitData(view, k, 5, 3, 1, 3);
    expect(data.wtime[0]).toBe(0);
    expect(data.wtimeNow).toBe(k - data.index[0]!);
    view.observed[data.index[0]! - 1] = NaN; // the first block point missing: R's prediction shifts by one
    const shifted = fitData(view, k, 5, 3, 1, 3);
    expect(shifted.wtime[0]).toBe(1);
    expect(shifted.wtimeNow).toBe(k - shifted.index[0]!);
  });
});
