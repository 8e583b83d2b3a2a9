/**
 * Which past periods farringtonFlexible fits at time point k, and how (surveillance 1.20,
 * `algo.farrington.referencetimepoints`, `blocks`, `algo.farrington.data.glm`). Indices are
 * 1-based, as R's, throughout this file.
 */

/** The series as the algorithm sees it. */
export interface SeriesView {
  /** Counts; NaN where missing. Index 0 is t = 1. */
  observed: Float64Array;
  /** Days since 1970-01-01 of each point when the series is dated (R's epochAsDate), else null. */
  days: Int32Array | null;
  /** Periods per year: 52, 12 or 365. */
  freq: number;
  /** Index (1-based) of each day, for dated series. */
  dayIndex: Map<number, number> | null;
  /**
   * Room for the seasonal levels (at least length + 1), reused by every time point evaluated: a
   * fresh array per point would cost more than filling it.
   */
  levelScratch?: Int32Array;
}

/** The rows of one fit. */
export interface FitData {
  /** 1-based indices of the rows (missing counts already dropped), ascending. */
  index: Int32Array;
  response: Float64Array;
  /** R's `wtime`: the index, or periods since the first fitted point for dated series. */
  wtime: Float64Array;
  /** Seasonal level 1..noPeriods of each row. */
  level: Int32Array;
  /** The `wtime` of the evaluated point k, as R's prediction computes it. */
  wtimeNow: number;
}

/** Why no fit data can be built at k (R stops with these). */
export class FitDataError extends Error {}

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of an ISO date `YYYY-MM-DD`, or NaN. */
export function isoDateToDay(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY;
}

/**
 * The reference points k, "one year back", …, "b years back", as 1-based indices, newest first.
 * Undated: k − i·freq. Dated: `seq(date, by = "-1 year")` (29 February becomes 1 March, as R's
 * mktime normalisation), and for weekly data the nearest date with date[k]'s weekday.
 */
export function referencePoints(view: SeriesView, k: number, b: number): number[] {
  const refs: number[] = [];
  if (view.days === null) {
    for (let i = 0; i <= b; i++) refs.push(k - i * view.freq);
    if (refs[b]! < 1) throw new FitDataError(`time point ${k}: some reference time points did not exist; decrease 'b' or postpone 'range'`);
    return refs;
  }
  const day = view.days[k - 1]!;
  const date = new Date(day * MS_PER_DAY);
  const y = date.getUTCFullYear();
  const mo = date.getUTCMonth();
  const d = date.getUTCDate();
  const weekdayK = weekday(day);
  for (let i = 0; i <= b; i++) {
    let ref = Date.UTC(y - i, mo, d) / MS_PER_DAY;
    if (view.freq === 52) {
      // R: A = ref − (weekday(ref) − weekday(k)); B = A ∓ 7; keep the nearer (A on a tie, impossible).
      const a = ref - (weekday(ref) - weekdayK);
      const bb = a + (a > ref ? -7 : 7);
      ref = Math.abs(a - ref) > Math.abs(bb - ref) ? bb : a;
    }
    const index = view.dayIndex!.get(ref);
    if (index === undefined) {
      throw new FitDataError(`time point ${k}: some reference time points did not exist; decrease 'b' or postpone 'range'`);
    }
    refs.push(index);
  }
  return refs.sort((p, q) => q - p);
}

/** R's %w: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/**
 * R's `blocks()`: the seasonal level of each index 1..k (0 = not in the fit). The windows
 * ref ± w (and k − w .. k) get level p; each gap between consecutive windows is cut into p − 1
 * blocks, the first (gap mod (p − 1)) one longer, levels 1..p − 1. Assignments happen in R's
 * order, with R's `a:b` (descending when b < a), so odd settings give R's odd answers.
 */
export function seasonalLevels(refs: number[], k: number, b: number, w: number, p: number, into?: Int32Array): Int32Array {
  const levels = into && into.length > k ? into.fill(0, 0, k + 1) : new Int32Array(k + 1);
  const assign = (from: number, to: number, value: number) => {
    const lo = Math.min(from, to);
    const hi = Math.max(from, to);
    if (lo < 0 && hi > 0) throw new FitDataError(`time point ${k}: the windows reach before the start of the series (R: "can't mix positive and negative subscripts")`);
    for (let i = Math.max(lo, 1); i <= Math.min(hi, k); i++) levels[i] = value;
  };
  assign(k - w, k, p);
  for (let i = 1; i <= b; i++) {
    const refWeek = refs[i]!;
    assign(refWeek - w, refWeek + w, p);
    if (p !== 1) {
      const period = refs[i - 1]! - 2 * w - 1 - refWeek;
      if (period < p - (2 * w + 1)) throw new FitDataError(`time point ${k}: number of factors too big (noPeriods = ${p})`);
      const length = Math.floor(period / (p - 1));
      const rest = period - length * (p - 1); // R's %% (sign of the divisor)
      let start = 0;
      for (let j = 1; j <= p - 1; j++) {
        const len = length + (j <= rest ? 1 : 0);
        assign(refWeek + w + 1 + start, refWeek + w + 1 + start + len - 1, j);
        start += len;
      }
    }
  }
  return levels;
}

/**
 * R's `algo.farrington.data.glm`: the levels with k − pastWeeksNotIncluded .. k removed, the
 * time covariate, and missing counts dropped (after `wtime` was computed, as in R).
 */
export function fitData(view: SeriesView, k: number, b: number, w: number, noPeriods: number, pastWeeksNotIncluded: number): FitData {
  const refs = referencePoints(view, k, b);
  const levels = seasonalLevels(refs, k, b, w, noPeriods, view.levelScratch);
  const cutFrom = Math.max(k - pastWeeksNotIncluded, 1);
  let count = 0;
  let firstIndex = 0;
  for (let i = 1; i < cutFrom; i++) {
    if (levels[i] === 0) continue;
    if (firstIndex === 0) firstIndex = i;
    if (!Number.isNaN(view.observed[i - 1]!)) count++;
  }
  // Two buffers rather than four (see SeriesView.levelScratch).
  const ints = new Int32Array(2 * count);
  const doubles = new Float64Array(2 * count);
  const index = ints.subarray(0, count);
  const level = ints.subarray(count);
  const response = doubles.subarray(0, count);
  const wtime = doubles.subarray(count);
  const days = view.days;
  const step = days !== null ? days[1]! - days[0]! : 1;
  let r = 0;
  for (let i = firstIndex; i > 0 && i < cutFrom; i++) {
    if (levels[i] === 0) continue;
    const y = view.observed[i - 1]!;
    if (Number.isNaN(y)) continue;
    index[r] = i;
    response[r] = y;
    // Dated: periods since the first *block* point (before dropping missing counts), as R.
    wtime[r] = days !== null ? (days[i - 1]! - days[firstIndex - 1]!) / step : i;
    level[r] = levels[i]!;
    r++;
  }
  // R's prediction: dated series count from the first *fitted* (non-missing) point.
  const wtimeNow = days !== null ? (count > 0 ? (days[k - 1]! - days[index[0]! - 1]!) / step : NaN) : k;
  return { index, response, wtime, level, wtimeNow };
}
