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

// The core writes its results here rather than into a new object: one step allocates only its
// output. JavaScript is single-threaded and nothing is kept between calls, so this stays pure.
let resUpper = NaN;
let resAlarm: boolean | null = null;
let resMean = NaN;
let resSd = NaN;
let resStat = NaN;

// Window statistics, likewise.
let winMean = NaN;
let winSd = NaN;

/**
 * Mean and sample SD (divisor n − 1) of `hist[end−hi .. end−lo]`, computed as R does: the mean is
 * refined by a second pass (R's summary.c and cov.c add Σ(x − mean)/n), the sum of squares is
 * accumulated with compensation (R uses long double) so that the last bits agree with R.
 */
function windowStats(hist: ArrayLike<number | null>, end: number, hi: number, lo: number): void {
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
  winMean = mean;
  winSd = Math.sqrt((ss + comp) / (n - 1));
}

/** C2 statistic of a period whose count is `y` and whose earlier counts end at `hist[end − 1]`. */
function c2At(hist: ArrayLike<number | null>, end: number, y: number, params: EarsParams): number {
  windowStats(hist, end, params.baseline + 2, 3);
  return (y - winMean) / Math.max(winSd, params.minSigma);
}

/**
 * Evaluates one period: `y` is its count and `hist[end − j]` the count j periods earlier (j ≥ 1,
 * back to `lookback(params)`). Writes the upper bound, alarm, reference mean and SD to the result
 * slots. Every NaN is R's NA; the order of operations is R's, so results agree to the bit.
 */
function evaluate(hist: ArrayLike<number | null>, end: number, y: number, params: EarsParams, z: number, c2s?: Float64Array): void {
  const n = params.baseline;
  if (params.method === 'C1') {
    windowStats(hist, end, n, 1);
    resUpper = winMean + z * Math.max(winSd, params.minSigma);
    resStat = NaN;
  } else if (params.method === 'C2') {
    windowStats(hist, end, n + 2, 3);
    resUpper = winMean + z * Math.max(winSd, params.minSigma);
    resStat = NaN;
  } else {
    // R evaluates max(0, C2 − 1) of the two previous periods from their own reference windows.
    // A whole series passes the C2 statistics it already computed (`c2s[i]`, the same arithmetic).
    const lag2 = Math.max(0, (c2s ? c2s[end - 2]! : c2At(hist, end - 2, hist[end - 2] ?? NaN, params)) - 1);
    const lag1 = Math.max(0, (c2s ? c2s[end - 1]! : c2At(hist, end - 1, hist[end - 1] ?? NaN, params)) - 1);
    windowStats(hist, end, n + 2, 3);
    const sigma = Math.max(winSd, params.minSigma);
    if (params.mode === 'r') {
      // surveillance::earsC, verbatim: the observed count is part of its own bound (the QUIRK).
      resUpper = Math.max(0, y + sigma * (z - (lag2 + lag1)));
      resStat = NaN;
    } else {
      const partial = lag2 + lag1;
      const stat = partial + Math.max(0, (y - winMean) / sigma - 1);
      resStat = stat;
      // The count at which C3 would exceed the threshold: C2(t) − 1 > h − P. When P alone already
      // exceeds h, every count alarms and there is no bound to show.
      resUpper = partial <= cdcC3Threshold ? winMean + sigma * (1 + cdcC3Threshold - partial) : NaN;
      resMean = winMean;
      resSd = winSd;
      resAlarm = Number.isNaN(stat) ? null : stat > cdcC3Threshold;
      return;
    }
  }
  resMean = winMean;
  resSd = winSd;
  // R: alarm <- observed > upperbound, NA when either is NA.
  resAlarm = Number.isNaN(resUpper) || Number.isNaN(y) ? null : y > resUpper;
}

function orNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

/** What `earsSeries` answers: one entry per period of the range, in order. */
export interface EarsSeriesResult {
  upperbound: (number | null)[];
  /** null where R answers NA (a missing count, or a bound that is NaN). */
  alarm: (boolean | null)[];
  /** Mean and SD of the C1 reference window (C2's for C2 and C3), as the conformance files give them. */
  refMean: (number | null)[];
  refSd: (number | null)[];
  /** The CDC C3 statistic (mode `cdc`, method C3), else null. */
  c3: (number | null)[];
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
    upperbound: new Array<number | null>(length),
    alarm: new Array<boolean | null>(length),
    refMean: new Array<number | null>(length),
    refSd: new Array<number | null>(length),
    c3: new Array<number | null>(length),
  };
  // C3 sums the C2 statistics of the two periods before: compute each period's once, not three times.
  let c2s: Float64Array | undefined;
  if (params.method === 'C3') {
    c2s = new Float64Array(to);
    for (let i = from - 3; i < to - 1; i++) c2s[i] = c2At(hist, i, hist[i]!, params);
  }
  for (let k = 0; k < length; k++) {
    const i = from - 1 + k;
    evaluate(hist, i, hist[i]!, params, z, c2s);
    out.upperbound[k] = orNull(resUpper);
    out.alarm[k] = resAlarm;
    out.refMean[k] = orNull(resMean);
    out.refSd[k] = orNull(resSd);
    out.c3[k] = orNull(resStat);
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
    evaluate(prev, len, y, params, qnorm(1 - params.alpha));
    const output: DetectorOutput = {
      // Levels are the rule's business; until a rule maps them, an EARS alarm is a yellow.
      level: resAlarm === true ? 'yellow' : null,
      upperbound: orNull(resUpper),
      extras:
        params.mode === 'cdc' && params.method === 'C3'
          ? { ref_mean: orNull(resMean), ref_sd: orNull(resSd), c3: orNull(resStat) }
          : { ref_mean: orNull(resMean), ref_sd: orNull(resSd) },
    };
    return { state: { recent }, output };
  },
};
