import { TocsinError } from '../kernel/errors.ts';
import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { qnorm } from './stats/normal.ts';

/**
 * EARS C1, C2 and C3 (Hutwagner et al. 2003, "The bioterrorism preparedness and response Early
 * Aberration Reporting System (EARS)", J. Urban Health 80(2 Suppl 1):i89–i96), over period counts.
 *
 * Mode `r` reproduces R `surveillance::earsC` (1.20.3) operation for operation, including its C3
 * (see the conformance README, "QUIRK"): R puts the observed value itself into the C3 upper bound,
 * `U = max(0, y[t] + σ₂(t)·(z − P))` with `P = max(0, C2(t−2) − 1) + max(0, C2(t−1) − 1)`, so its
 * C3 alarms on the periods *after* a jump. Mode `cdc` computes the published C3 instead:
 * `C3(t) = Σ_{i=t−2..t} max(0, C2(i) − 1)`, alarm when C3(t) > 2 — the fixed EARS threshold of
 * 2 (Hutwagner et al. 2003; Fricker, Hegler & Dunfee 2008, Stat. Med. 27:3407–3429). C1 and C2
 * are the same in both modes (`U = mean + z·max(sd, minSigma)`, z = qnorm(1 − alpha)).
 *
 * Missing counts (null in a series, a non-finite value in a stream) behave like R's NA: a window
 * holding one gives no upper bound, and the alarm is unknown (null).
 */

/** EARS parameters, with R's control names (`method`, `baseline`, `alpha`, `minSigma`). */
export interface EarsParams {
  method: 'C1' | 'C2' | 'C3';
  /** Length n of the reference window (R: ≥ 3). */
  baseline: number;
  /** One-sided error rate of the C1/C2 and R-mode C3 threshold; unused by the CDC C3. */
  alpha: number;
  /** Floor of the reference standard deviation (R's `minSigma`). */
  minSigma: number;
  /** `r`: as surveillance::earsC; `cdc`: the published C3 (C1 and C2 are the same in both). */
  mode: 'r' | 'cdc';
}

/** The last `lookback(params)` period counts, oldest first; null for a missing count. */
export interface EarsState {
  recent: (number | null)[];
}

/** The CDC C3 flags a period when its C3 statistic exceeds 2 (Hutwagner et al. 2003). */
export const cdcC3Threshold = 2;

/** Periods of history each method needs before the current one (R's `maxLag`). */
export function lookback(params: Pick<EarsParams, 'method' | 'baseline'>): number {
  return params.method === 'C1' ? params.baseline : params.method === 'C2' ? params.baseline + 2 : params.baseline + 4;
}

const earsKeys = new Set(['method', 'baseline', 'alpha', 'minSigma', 'mode']);

/** Reads EARS parameters; R's defaults: baseline 7, alpha 0.001 (C1, C2) or 0.025 (C3), minSigma 0. */
export function parseEarsParams(raw: Record<string, unknown>): { params: EarsParams } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!earsKeys.has(key)) problems.push({ field: key, message: `unknown parameter (known: ${[...earsKeys].join(', ')})` });
  }
  const method = raw['method'] ?? 'C1';
  if (method !== 'C1' && method !== 'C2' && method !== 'C3') {
    problems.push({ field: 'method', message: `must be "C1", "C2" or "C3", not ${JSON.stringify(method)}` });
  }
  const mode = raw['mode'] ?? 'r';
  if (mode !== 'r' && mode !== 'cdc') problems.push({ field: 'mode', message: `must be "r" or "cdc", not ${JSON.stringify(mode)}` });
  const baseline = raw['baseline'] ?? 7;
  // R stops below 3 ("Minimum baseline to use is 3"); a window of 2 has a meaningless SD.
  if (typeof baseline !== 'number' || !Number.isInteger(baseline) || baseline < 3) {
    problems.push({ field: 'baseline', message: `must be an integer of at least 3, not ${JSON.stringify(baseline)}` });
  }
  const minSigma = raw['minSigma'] ?? 0;
  if (typeof minSigma !== 'number' || !Number.isFinite(minSigma) || minSigma < 0) {
    problems.push({ field: 'minSigma', message: `must be a number of at least 0, not ${JSON.stringify(minSigma)}` });
  }
  const cdcC3 = mode === 'cdc' && method === 'C3';
  if (cdcC3 && raw['alpha'] !== undefined) {
    problems.push({ field: 'alpha', message: `not used by the CDC C3, which flags when C3 > ${cdcC3Threshold}; leave it out or use mode "r"` });
  }
  const alpha = raw['alpha'] ?? (method === 'C3' ? 0.025 : 0.001);
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) {
    problems.push({ field: 'alpha', message: `must be a number between 0 and 1 (exclusive), not ${JSON.stringify(alpha)}` });
  }
  if (problems.length > 0) return { problems };
  return {
    params: {
      method: method as EarsParams['method'],
      baseline: baseline as number,
      alpha: alpha as number,
      minSigma: minSigma as number,
      mode: mode as EarsParams['mode'],
    },
  };
}

const rControlNames = new Set(['method', 'baseline', 'minSigma', 'alpha', 'range']);

/**
 * EARS parameters from an R `earsC` control list (R's names; length-1 vectors unboxed), in mode
 * `r`. R ignores a misspelt name silently (`modifyList`); here an unknown name is a problem, by
 * name. `range` is R's too but belongs to the series, not the detector: it is answered apart.
 */
export function earsParamsFromR(
  control: Record<string, unknown>,
): { params: EarsParams; range: [number, number] | null } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const raw: Record<string, unknown> = {};
  let range: [number, number] | null = null;
  for (const [key, value] of Object.entries(control)) {
    const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (!rControlNames.has(key)) {
      problems.push({ field: key, message: `not an argument of surveillance::earsC (known: ${[...rControlNames].join(', ')})` });
    } else if (key === 'range') {
      const r = Array.isArray(v) ? v : [v];
      if (r.length === 0 || !r.every((x) => Number.isInteger(x))) problems.push({ field: 'range', message: 'must be integers' });
      else range = [Math.min(...(r as number[])), Math.max(...(r as number[]))];
    } else {
      raw[key] = v;
    }
  }
  const parsed = parseEarsParams(raw);
  if ('problems' in parsed) problems.push(...parsed.problems);
  if (problems.length > 0 || !('params' in parsed)) return { problems };
  return { params: parsed.params, range };
}

// The core writes its numbers into these scratch slots rather than into new objects, so that a
// step allocates only its output. JavaScript is single-threaded and nothing is kept between
// calls, so this stays pure. Typed slots: a write to them is a plain store.
/** Mean and SD of the last window computed. */
const win = new Float64Array(2);
/** Upper bound and CDC C3 statistic (NaN when not CDC C3) of the last period judged. */
const judged = new Float64Array(2);

/**
 * The largest count whose window of n takes the exact route: with every |x| at most this,
 * `s2 = Σx²` and `n·s2` stay below 2⁵³, so running sums of such counts are exact integers however
 * many have entered and left. About 13 million for R's default window of 7.
 */
function exactCountLimit(n: number): number {
  return Math.floor(Math.sqrt(Number.MAX_SAFE_INTEGER / (n * n)));
}

/**
 * Mean and sample SD (divisor n − 1) from the exact sums `s1 = Σx` and `s2 = Σx²` of n counts
 * within `exactCountLimit(n)`: numerator and denominator of the variance are exact integers, so
 * each result is rounded once — the correctly rounded value, which R's long-double two-pass
 * computation reaches too (it carries 11 more bits than a double).
 */
function statsFromExactSums(n: number, s1: number, s2: number): void {
  win[0] = s1 / n;
  win[1] = Math.sqrt((n * s2 - s1 * s1) / (n * (n - 1)));
}

/**
 * Mean and sample SD (divisor n − 1) of `hist[end−hi .. end−lo]`, as R computes them. Counts are
 * integers, whose sums are exact (`statsFromExactSums`). Any other window takes R's own route: the
 * mean refined by a second pass (R's summary.c and cov.c add Σ(x − mean)/n), the sum of squares
 * accumulated with compensation (R uses long double), so that the last bits agree with R.
 */
function windowStats(hist: ArrayLike<number | null>, end: number, hi: number, lo: number): void {
  const n = hi - lo + 1;
  const limit = exactCountLimit(n);
  let s1 = 0;
  let s2 = 0;
  for (let j = hi; j >= lo; j--) {
    const x = hist[end - j] ?? NaN;
    if (!(Number.isInteger(x) && Math.abs(x) <= limit)) {
      compensatedWindowStats(hist, end, hi, lo);
      return;
    }
    s1 += x;
    s2 += x * x;
  }
  statsFromExactSums(n, s1, s2);
}

function compensatedWindowStats(hist: ArrayLike<number | null>, end: number, hi: number, lo: number): void {
  const n = hi - lo + 1;
  let sum = 0;
  let comp = 0;
  for (let j = hi; j >= lo; j--) {
    const x = hist[end - j] ?? NaN;
    const t = sum + x;
    comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  let mean = (sum + comp) / n;
  if (Number.isFinite(mean)) {
    let corr = 0;
    for (let j = hi; j >= lo; j--) corr += (hist[end - j] ?? NaN) - mean;
    mean += corr / n;
  }
  let ss = 0;
  comp = 0;
  for (let j = hi; j >= lo; j--) {
    const d = (hist[end - j] ?? NaN) - mean;
    const x = d * d;
    const t = ss + x;
    comp += ss >= x ? ss - t + x : x - t + ss;
    ss = t;
  }
  win[0] = mean;
  win[1] = Math.sqrt((ss + comp) / (n - 1));
}

/** The reference window of a method, as lags: periods `end − hi … end − lo` before period `end`. */
function windowOf(params: EarsParams): { hi: number; lo: number } {
  return params.method === 'C1' ? { hi: params.baseline, lo: 1 } : { hi: params.baseline + 2, lo: 3 };
}

/**
 * Judges one period whose count is `y`, from the reference mean and SD of its window and, for
 * C3, `partial` = Σ max(0, C2 − 1) over the two periods before. Answers the alarm (null for R's
 * NA) and writes the upper bound and the CDC C3 statistic to `judged`. Every NaN is R's NA; the
 * order of operations is R's.
 */
function judge(y: number, mean: number, sd: number, params: EarsParams, z: number, partial: number): boolean | null {
  const sigma = Math.max(sd, params.minSigma);
  judged[1] = NaN;
  let upper: number;
  if (params.method !== 'C3') {
    upper = mean + z * sigma;
  } else if (params.mode === 'r') {
    // surveillance::earsC, verbatim: the observed count is part of its own bound (the QUIRK).
    upper = Math.max(0, y + sigma * (z - partial));
  } else {
    const stat = partial + Math.max(0, (y - mean) / sigma - 1);
    judged[1] = stat;
    // The count at which C3 would exceed the threshold: C2(t) − 1 > h − P. When P alone already
    // exceeds h, every count alarms and there is no bound to show.
    judged[0] = partial <= cdcC3Threshold ? mean + sigma * (1 + cdcC3Threshold - partial) : NaN;
    return Number.isNaN(stat) ? null : stat > cdcC3Threshold;
  }
  judged[0] = upper;
  // R: alarm <- observed > upperbound, NA when either is NA.
  return Number.isNaN(upper) || Number.isNaN(y) ? null : y > upper;
}

/** C2 statistic of a period whose count is `y`, from its reference mean and SD. */
function c2Of(y: number, mean: number, sd: number, params: EarsParams): number {
  return (y - mean) / Math.max(sd, params.minSigma);
}

/** C3's part from the two previous periods: R evaluates max(0, C2 − 1) of each from its own window. */
function c3Partial(c2Lag2: number, c2Lag1: number): number {
  return Math.max(0, c2Lag2 - 1) + Math.max(0, c2Lag1 - 1);
}

/**
 * Evaluates one period of a stream: `y` is its count and `hist[end − j]` the count j periods
 * earlier (j ≥ 1, back to `lookback(params)`). Answers the alarm; the numbers are in `judged`
 * (bound, statistic) and `win` (reference mean and SD).
 */
function evaluate(hist: ArrayLike<number | null>, end: number, y: number, params: EarsParams, z: number): boolean | null {
  const { hi, lo } = windowOf(params);
  let partial = NaN;
  if (params.method === 'C3') {
    windowStats(hist, end - 2, hi, lo);
    const lag2 = c2Of(hist[end - 2] ?? NaN, win[0]!, win[1]!, params);
    windowStats(hist, end - 1, hi, lo);
    partial = c3Partial(lag2, c2Of(hist[end - 1] ?? NaN, win[0]!, win[1]!, params));
  }
  windowStats(hist, end, hi, lo);
  return judge(y, win[0]!, win[1]!, params, z, partial);
}

function orNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

/**
 * What `earsSeries` answers: one entry per period of the range, in order. Numbers come in typed
 * arrays with NaN for R's NA: a series of thousands of periods then costs no object per value.
 */
export interface EarsSeriesResult {
  upperbound: Float64Array;
  /** null where R answers NA (a missing count, or a bound that is NaN). */
  alarm: (boolean | null)[];
  /** Mean and SD of the C1 reference window (C2's for C2 and C3), as the conformance files give them. */
  refMean: Float64Array;
  refSd: Float64Array;
  /** The CDC C3 statistic (mode `cdc`, method C3), else NaN. */
  c3: Float64Array;
}

/**
 * EARS over a whole series, as `surveillance::earsC(sts, control = list(range = from:to, …))`:
 * `range` is 1-based and inclusive, and must leave `lookback(params)` earlier periods.
 */
export function earsSeries(observed: readonly (number | null)[], range: [from: number, to: number], params: EarsParams): EarsSeriesResult {
  const [from, to] = range;
  const need = lookback(params);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) {
    throw new TocsinError('TOCSIN_VALIDATION', `range: must be two integers from ≤ to, not [${from}, ${to}]`, { field: 'range' });
  }
  if (from - need < 1) {
    throw new TocsinError('TOCSIN_VALIDATION', `range: starts at ${from} but method ${params.method} with baseline ${params.baseline} needs ${need} earlier periods (start at ${need + 1} or later)`, { field: 'range' });
  }
  if (to > observed.length) {
    throw new TocsinError('TOCSIN_VALIDATION', `range: ends at ${to} but the series has ${observed.length} periods`, { field: 'range' });
  }
  const z = qnorm(1 - params.alpha);
  // One typed copy (NaN = NA) so the windows read plain doubles, and outputs sized once.
  const hist = new Float64Array(to);
  for (let i = 0; i < to; i++) hist[i] = observed[i] ?? NaN;
  const length = to - from + 1;
  const out: EarsSeriesResult = {
    upperbound: new Float64Array(length),
    alarm: new Array<boolean | null>(length),
    refMean: new Float64Array(length),
    refSd: new Float64Array(length),
    c3: new Float64Array(length),
  };
  // One sliding pass: integer counts enter and leave exact running sums (see windowStats), so a
  // period costs a few operations; a window holding a non-integer, a missing count or a count
  // too large to be summed exactly is computed on its own, as the stream computes it. C3 starts two periods early for the C2 statistics.
  const { hi, lo } = windowOf(params);
  const n = hi - lo + 1;
  const c3 = params.method === 'C3';
  const limit = exactCountLimit(n);
  let s1 = 0;
  let s2 = 0;
  let inexact = 0; // values in the window the exact route cannot take (NaN included)
  const first = from - 1 - (c3 ? 2 : 0);
  for (let j = first - hi; j <= first - lo; j++) {
    const x = hist[j]!;
    if (Number.isInteger(x) && Math.abs(x) <= limit) {
      s1 += x;
      s2 += x * x;
    } else inexact++;
  }
  let c2Lag2 = NaN;
  let c2Lag1 = NaN;
  for (let i = first; i < to; i++) {
    if (inexact === 0) statsFromExactSums(n, s1, s2);
    else compensatedWindowStats(hist, i, hi, lo);
    const mean = win[0]!;
    const sd = win[1]!;
    const y = hist[i]!;
    const k = i - (from - 1);
    if (k >= 0) {
      out.alarm[k] = judge(y, mean, sd, params, z, c3 ? c3Partial(c2Lag2, c2Lag1) : NaN);
      out.upperbound[k] = judged[0]!;
      out.c3[k] = judged[1]!;
      out.refMean[k] = mean;
      out.refSd[k] = sd;
    }
    if (c3) {
      c2Lag2 = c2Lag1;
      c2Lag1 = c2Of(y, mean, sd, params);
    }
    if (i + 1 === to) break;
    const leaving = hist[i - hi]!;
    const entering = hist[i + 1 - lo]!;
    if (Number.isInteger(leaving) && Math.abs(leaving) <= limit) {
      s1 -= leaving;
      s2 -= leaving * leaving;
    } else inexact--;
    if (Number.isInteger(entering) && Math.abs(entering) <= limit) {
      s1 += entering;
      s2 += entering * entering;
    } else inexact++;
  }
  return out;
}

const warmingUp: DetectorOutput = Object.freeze({ level: null, upperbound: null });

/** EARS C1/C2/C3 over a stream of period counts; an alarm is level `yellow` until rules map levels. */
export const earsDetector: DetectorDefinition<EarsParams, EarsState> = {
  type: 'ears',
  summary: 'EARS C1, C2 or C3 (CDC): a count above the mean of the previous periods plus z standard deviations.',
  parseParams: parseEarsParams,
  init: () => ({ recent: [] }),
  step(params, state, input) {
    // The caller feeds one count per period, in order, zero for an empty period; a missing
    // period must be fed as NaN (R's NA), not skipped, or the windows would slide wrongly.
    const y = Number.isFinite(input.v) ? input.v : NaN;
    const prev = state.recent;
    const len = prev.length;
    const keep = lookback(params);
    const full = len >= keep;
    // The next window: the last `keep` counts including this one (one short array per step).
    const start = full ? len - keep + 1 : 0;
    const recent = new Array<number | null>(len - start + 1);
    for (let k = start; k < len; k++) recent[k - start] = prev[k] ?? null;
    recent[len - start] = Number.isNaN(y) ? null : y;
    if (!full) return { state: { recent }, output: warmingUp };
    const alarm = evaluate(prev, len, y, params, qnorm(1 - params.alpha));
    const refMean = orNull(win[0]!);
    const refSd = orNull(win[1]!);
    const output: DetectorOutput = {
      // Levels are the rule's business; until a rule maps them, an EARS alarm is a yellow.
      level: alarm === true ? 'yellow' : null,
      upperbound: orNull(judged[0]!),
      extras:
        params.mode === 'cdc' && params.method === 'C3'
          ? { ref_mean: refMean, ref_sd: refSd, c3: orNull(judged[1]!) }
          : { ref_mean: refMean, ref_sd: refSd },
    };
    return { state: { recent }, output };
  },
};
