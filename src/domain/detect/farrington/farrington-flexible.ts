import { TocsinError } from '../../kernel/errors.ts';
import type { FarringtonControl } from './control.ts';
import { FitDataError, fitData, isoDateToDay, type SeriesView } from './fit-data.ts';
import { fitAndPredict } from './fit-model.ts';
import { deltaThreshold, negativeBinomialThreshold } from './threshold.ts';

/**
 * R's `surveillance::farringtonFlexible` (1.20.3) for one series: at each time point of the range,
 * a quasi-Poisson GLM on the comparable periods of the b previous years, optional trend,
 * down-weighting of past outbreaks, and an upper bound by the chosen threshold method. The
 * quirks surveillance has (and which a port must copy to agree with it) are named QUIRK where
 * they happen; see ../../../../../shared/conformance/detection/README.md.
 */

/**
 * `r` (default) copies surveillance's quirks; `textbook` follows the published method
 * (Farrington et al. 1996; Noufaily et al. 2013) where surveillance departs from it:
 * - after reweighting, the trend test and the prediction's standard error (used by "delta" and
 *   "muan") use the reweighted fit's own dispersion, not Σ ω((y − μ)/μ)² / (n − p) — this moves
 *   bounds and trend decisions, hence alarms;
 * - the NB methods' score is (y − expected)/(U − expected) on the count scale, as the delta
 *   score, not on the link scale, and the alarm is y > U (the published rule; R's score > 1 is the
 *   same whenever U lies above the fit, i.e. outside pathological overdispersion);
 * - a point where no model converges has no `expected` (R leaves it at 0).
 * Our own option: R's control list has no such name.
 */
export type FarringtonMode = 'r' | 'textbook';

/** One evaluated time point: R's columns, NaN for NA. */
export interface FarringtonPoint {
  upperbound: number;
  /** 1 alarm, 0 none, NaN when no model converged (R's NA). */
  alarm: number;
  expected: number;
  score: number;
  pvalue: number;
  /** The NB methods' mean (R's mu0Vector); NaN for "delta". */
  mu0: number;
  phi: number;
  /** 1 when a trend was kept, 0 otherwise, NaN when no model converged. */
  trend: number;
  trendCoef: number;
}

/** The input series of `farringtonFlexibleSeries`. */
export interface FarringtonSeriesInput {
  /** Counts in time order; null where missing. */
  observed: (number | null)[];
  /** ISO dates (YYYY-MM-DD) of the points, required when `epochAsDate`. */
  dates?: (string | null)[];
  /** Periods per year: 52 (weekly), 12 (monthly) or 365 (daily). */
  freq: number;
  /** Find reference periods by calendar (R's epochAsDate = TRUE) rather than by index. */
  epochAsDate: boolean;
  /** Population per point, used only with `populationOffset` (R's population(sts)); default 1. */
  population?: (number | null)[];
}

/** Per-row results, one entry per input point; null outside the range and where R gives NA. */
export interface FarringtonSeriesResult {
  upperbound: (number | null)[];
  alarm: (number | null)[];
  expected: (number | null)[];
  score: (number | null)[];
  pvalue: (number | null)[];
  /** Only meaningful for "nbPlugin" and "muan"; null throughout for "delta". */
  mu0: (number | null)[];
  phi: (number | null)[];
  trend: (number | null)[];
  trendCoef: (number | null)[];
}

/** A series prepared for repeated evaluation (see `prepareSeries`). */
export interface PreparedSeries extends SeriesView {
  /** log(population) per point. */
  logPopulation: Float64Array | null;
}

/** Checks and converts a series once, for evaluating many time points. Throws TOCSIN_VALIDATION. */
export function prepareSeries(input: FarringtonSeriesInput): PreparedSeries {
  const n = input.observed.length;
  const observed = new Float64Array(n);
  input.observed.forEach((v, i) => {
    if (v !== null && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))) {
      throw new TocsinError('TOCSIN_VALIDATION', `observed[${i}] = ${String(v)}: counts must be non-negative numbers or null`);
    }
    observed[i] = v === null ? NaN : v;
  });
  if (![52, 12, 365].includes(input.freq) && input.epochAsDate) {
    throw new TocsinError('TOCSIN_VALIDATION', `freq = ${input.freq}: dated series must be weekly (52), monthly (12) or daily (365)`);
  }
  if (!(Number.isInteger(input.freq) && input.freq >= 1)) {
    throw new TocsinError('TOCSIN_VALIDATION', `freq = ${input.freq}: must be a positive integer`);
  }
  let days: Int32Array | null = null;
  let dayIndex: Map<number, number> | null = null;
  if (input.epochAsDate) {
    if (!input.dates || input.dates.length !== n) {
      throw new TocsinError('TOCSIN_VALIDATION', `epochAsDate needs one date per point (${n}), got ${input.dates?.length ?? 0}`);
    }
    days = new Int32Array(n);
    dayIndex = new Map();
    for (let i = 0; i < n; i++) {
      const date = input.dates[i];
      const day = date ? isoDateToDay(date) : NaN;
      if (!Number.isInteger(day)) throw new TocsinError('TOCSIN_VALIDATION', `dates[${i}] = ${String(date)}: not an ISO date`);
      days[i] = day;
      if (!dayIndex.has(day)) dayIndex.set(day, i + 1);
    }
  }
  let logPopulation: Float64Array | null = null;
  if (input.population) {
    logPopulation = new Float64Array(n);
    for (let i = 0; i < n; i++) logPopulation[i] = Math.log(input.population[i] ?? NaN);
  }
  return { observed, days, dayIndex, freq: input.freq, logPopulation, levelScratch: new Int32Array(n + 1) };
}

/**
 * Evaluates time point k (1-based) as farringtonFlexible does (mode `r`) or as the published
 * method does (mode `textbook`). Throws FitDataError when the reference periods do not exist (R
 * stops the whole call then).
 */
export function evaluateFarringtonAt(series: PreparedSeries, k: number, control: FarringtonControl, mode: FarringtonMode = 'r'): FarringtonPoint {
  const data = fitData(series, k, control.b, control.w, control.noPeriods, control.pastWeeksNotIncluded);
  let offset: { rows: Float64Array; now: number } | null = null;
  if (control.populationOffset) {
    const rows = new Float64Array(data.index.length);
    for (let i = 0; i < rows.length; i++) rows[i] = series.logPopulation ? series.logPopulation[data.index[i]! - 1]! : 0;
    offset = { rows, now: series.logPopulation ? series.logPopulation[k - 1]! : 0 };
  }
  const delta = control.thresholdMethod === 'delta';
  const prediction = fitAndPredict(
    data,
    {
      trend: control.trend,
      reweight: control.reweight,
      weightsThreshold: control.weightsThreshold,
      pThresholdTrend: control.pThresholdTrend,
      b: control.b,
      noPeriods: control.noPeriods,
      offset,
      mode,
    },
    delta ? 'response' : 'link',
  );
  if (prediction === null) {
    // QUIRK (R): `expected` is not reset on this path and keeps its initial 0.
    return { upperbound: NaN, alarm: NaN, expected: mode === 'r' ? 0 : NaN, score: NaN, pvalue: NaN, mu0: NaN, phi: NaN, trend: NaN, trendCoef: NaN };
  }
  const y = series.observed[k - 1]!;
  const lu = delta
    ? deltaThreshold(prediction.fit, prediction.seFit, prediction.phi, control.powertrans, control.alpha, y)
    : negativeBinomialThreshold(prediction.fit, prediction.seFit, prediction.phi, control.thresholdMethod as 'nbPlugin' | 'muan', control.alpha, y, mode);

  // limit54: cases in the last limit54[2] periods, the current one included (NaN if any is missing).
  let cases = 0;
  for (let i = Math.max(k - control.limit54[1] + 1, 1); i <= k; i++) cases += series.observed[i - 1]!;
  const enough = Number.isNaN(cases) ? NaN : cases >= control.limit54[0] ? 1 : 0;
  const gatedScore = enough === 1 ? lu.score : NaN;
  // R: score > 1 and y ≠ 0. Textbook: y > U, the published rule; the two agree wherever U lies
  // above the fit, which a 1 − alpha quantile does unless the overdispersion is pathological.
  const exceeds = mode === 'r' ? !Number.isNaN(gatedScore) && gatedScore > 1 && y !== 0 : enough === 1 && y > lu.upper;
  const alarm = exceeds ? 1 : 0;
  const upperbound = enough === 1 ? lu.upper : NaN;
  const expected = Number.isNaN(lu.upper) || enough !== 1 ? NaN : delta ? prediction.fit : Math.exp(prediction.fit);
  return {
    upperbound,
    alarm,
    expected,
    score: lu.score,
    pvalue: lu.pvalue,
    mu0: lu.mu0,
    phi: prediction.phi,
    trend: prediction.doTrend ? 1 : 0,
    trendCoef: prediction.trendCoef,
  };
}

/**
 * farringtonFlexible over a whole series: per-row columns like R's output (null outside
 * `control.range` and where R gives NA), in mode `r` or `textbook` (see `FarringtonMode`).
 * Throws TOCSIN_VALIDATION when a time point of the range lacks its reference periods, as R stops.
 */
export function farringtonFlexibleSeries(input: FarringtonSeriesInput, control: FarringtonControl, mode: FarringtonMode = 'r'): FarringtonSeriesResult {
  const series = prepareSeries(input);
  const n = series.observed.length;
  const range = control.range ?? defaultRange(n, input.freq, control);
  const result: FarringtonSeriesResult = {
    upperbound: new Array<number | null>(n).fill(null),
    alarm: new Array<number | null>(n).fill(null),
    expected: new Array<number | null>(n).fill(null),
    score: new Array<number | null>(n).fill(null),
    pvalue: new Array<number | null>(n).fill(null),
    mu0: new Array<number | null>(n).fill(null),
    phi: new Array<number | null>(n).fill(null),
    trend: new Array<number | null>(n).fill(null),
    trendCoef: new Array<number | null>(n).fill(null),
  };
  const nb = control.thresholdMethod !== 'delta';
  for (const k of range) {
    if (k > n) throw new TocsinError('TOCSIN_VALIDATION', `range: time point ${k} is beyond the series (${n} points)`);
    let point: FarringtonPoint;
    try {
      point = evaluateFarringtonAt(series, k, control, mode);
    } catch (err) {
      if (err instanceof FitDataError) throw new TocsinError('TOCSIN_VALIDATION', `farringtonFlexible: ${err.message}`);
      throw err;
    }
    const i = k - 1;
    result.upperbound[i] = na(point.upperbound);
    result.alarm[i] = na(point.alarm);
    result.expected[i] = na(point.expected);
    result.score[i] = na(point.score);
    result.pvalue[i] = na(point.pvalue);
    result.mu0[i] = nb ? na(point.mu0) : null;
    result.phi[i] = na(point.phi);
    result.trend[i] = na(point.trend);
    result.trendCoef[i] = na(point.trendCoef);
  }
  return result;
}

/** R's default range: freq·b + w + 1 … n. */
export function defaultRange(n: number, freq: number, control: FarringtonControl): number[] {
  const out: number[] = [];
  for (let k = freq * control.b + control.w + 1; k <= n; k++) out.push(k);
  return out;
}

function na(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
