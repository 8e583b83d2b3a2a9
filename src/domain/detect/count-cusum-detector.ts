import { parseCountCusumControl, standardise, upperBound, type CountCusumMode, type CusumTransform } from './count-cusum.ts';
import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { arrival, checkedControl, countOf, periodOfYear, rControl, readFreq, type PeriodFreq } from './period-counts.ts';
import { fitPoissonGlm } from './stats/poisson-glm.ts';

/**
 * The count CUSUM of R's `surveillance::cusum` (see count-cusum.ts) as a streaming detector over
 * period counts (`t` = start of the period). Each new period is evaluated as `countCusumSeries`
 * evaluates the same point of the whole history: S_t = max(0, S_{t−1} + z_t − k), alarm when
 * S_t ≥ h, never reset (as R), and R's upper bound — the count that would bring S_t to h (with
 * `mode: textbook`, exactly so where R's back-transformation is not the inverse of its z_t).
 *
 * The reference mean m: a given number, and then every period is monitored from the first; or,
 * as R's m = NULL and m = "glm" estimate it from the periods before `range`, estimated once from
 * the first `training` counts seen (default `freq`, one year): their mean (`m: null`), or R's
 * Poisson GLM with one harmonic on them (`m: "glm"`, t = the first period's week, month or day of
 * year + index − 1, as R's sts `start`). Those periods are the warm-up (no level, no bound);
 * monitoring starts at the next period with S = 0 — so a stream gives exactly what R gives with
 * `range` starting after the training counts.
 *
 * Missing periods (non-finite or negative values, skipped periods): R's S is NA from the first
 * NA on, which would silence a stream for good; here a missing period answers R's bound from
 * S_{t−1} and no alarm, and leaves S unchanged. Training counts only count when present. A
 * reference mean of 0 (only zeros in training) makes every standardisation divide by zero (R
 * answers NaN): no level then; give `m`.
 *
 * State: the training counts until m is estimated, then m (or the GLM's three coefficients) and
 * S before and after the newest period, so a revised newest count is evaluated again.
 */

/** Parameters: R's control list (k, h, m, trans, alpha), the period, the training length and R's or the textbook bound. */
export interface CountCusumParams {
  k: number;
  h: number;
  /** The reference mean: given, or estimated after training by the mean (R's NULL) or by the GLM. */
  m: number | 'mean' | 'glm';
  trans: CusumTransform;
  /** Overdispersion of "pearsonNegBin". */
  alpha: number;
  freq: PeriodFreq;
  /** Counts m is estimated from; 0 when m is given. */
  training: number;
  /** `r` (default): R's upper bound; `textbook`: the exact inverse of the standardisation (see `CountCusumMode`). */
  mode: CountCusumMode;
}

/** Everything the evaluation of a period needs from the periods before it. */
interface Before {
  /** Place in its year of the first period seen (R's start[2], used by m = "glm"). */
  start: number;
  /** Training counts seen so far and their row indices, until m is estimated. */
  training: number[];
  trainingIndex: number[];
  /** Estimated m, or the GLM's [intercept, cos, sin] (null where R's coefficient is NA); null until estimated. */
  reference: (number | null)[] | null;
  /** S_{t−1}: 0 when monitoring starts. */
  previous: number;
}

/** The newest period and what came before it. */
export interface CountCusumState extends Before {
  /** Start of the newest period (epoch ms); null before the first input. */
  t: number | null;
  /** R's row index of the newest period: 1 for the first period seen. */
  index: number;
  /** The newest count; null when missing. */
  v: number | null;
  /** S_t after the newest period (S_{t−1} when it is missing or not monitored). */
  cusum: number;
}

const R_NAMES = ['k', 'h', 'm', 'trans', 'alpha'];
const OWN_NAMES = ['freq', 'training', 'mode'];
const WARMING_UP: DetectorOutput = Object.freeze({ level: null });

/** R's count CUSUM (surveillance::cusum) on weekly, monthly or daily counts. */
export const countCusumDetector: DetectorDefinition<CountCusumParams, CountCusumState> = {
  type: 'count-cusum',
  summary: 'Count CUSUM (as surveillance::cusum): standardised counts accumulate above k; alarm when the sum reaches h',

  parseParams(raw) {
    const problems: ParamProblem[] = [];
    const control = rControl(raw, 'count-cusum', R_NAMES, OWN_NAMES, problems);
    const freq = readFreq(raw, problems);
    const checked = checkedControl(() => parseCountCusumControl({ ...control, range: [2] }), problems);
    const m = raw['m'] ?? null;
    let training = 0;
    if (typeof m === 'number') {
      if (raw['training'] !== undefined) problems.push({ field: 'detector.training', message: 'not used: m is given, so every period is monitored' });
    } else {
      // The GLM has three coefficients; fewer counts leave some of them undetermined.
      const least = m === 'glm' ? 3 : 1;
      const given = raw['training'] ?? freq;
      if (typeof given !== 'number' || !Number.isInteger(given) || given < least) {
        problems.push({ field: 'detector.training', message: `must be an integer ≥ ${least} (counts m is estimated from), got ${JSON.stringify(given)}` });
      }
      training = given as number;
    }
    const mode = raw['mode'] ?? 'r';
    if (mode !== 'r' && mode !== 'textbook') problems.push({ field: 'detector.mode', message: `must be "r" or "textbook", got ${JSON.stringify(mode)}` });
    if (problems.length > 0 || checked === null) return { problems };
    return {
      params: { k: checked.k, h: checked.h, m: checked.m ?? 'mean', trans: checked.trans, alpha: checked.alpha, freq, training, mode: mode as CountCusumMode },
    };
  },

  init() {
    return { t: null, index: 0, v: null, start: 0, training: [], trainingIndex: [], reference: null, previous: 0, cusum: 0 };
  },

  step(params, state, input) {
    const a = arrival(state.t, input.t, params.freq);
    if (a.kind === 'older') return { state, output: { level: null } };
    const v = countOf(input.v);
    let before: Before;
    let index: number;
    let t = input.t;
    if (a.kind === 'first') {
      before = { start: periodOfYear(input.t, params.freq), training: [], trainingIndex: [], reference: null, previous: 0 };
      index = 1;
    } else if (a.kind === 'same') {
      before = { start: state.start, training: state.training, trainingIndex: state.trainingIndex, reference: state.reference, previous: state.previous };
      index = state.index;
      t = state.t!;
    } else {
      // Skipped periods are missing: they leave S and the training counts as they are.
      before = commit(params, state);
      index = state.index + a.skipped + 1;
    }
    const { output, cusum } = evaluate(params, before, index, v);
    return { state: { t, index, v, ...before, cusum }, output };
  },
};

function monitoring(params: CountCusumParams, before: Before): boolean {
  return typeof params.m === 'number' || before.reference !== null;
}

/** What the period after the newest one starts from. */
function commit(params: CountCusumParams, s: CountCusumState): Before {
  const kept = { start: s.start, training: s.training, trainingIndex: s.trainingIndex, reference: s.reference };
  if (monitoring(params, s)) return { ...kept, previous: s.cusum };
  if (s.v === null) return { ...kept, previous: 0 };
  const training = [...s.training, s.v];
  const trainingIndex = [...s.trainingIndex, s.index];
  if (training.length < params.training) return { ...kept, training, trainingIndex, previous: 0 };
  return { start: s.start, training: [], trainingIndex: [], reference: estimate(params, training, trainingIndex, s.start), previous: 0 };
}

/** m from the training counts, computed as countCusumSeries computes it from the points before the range. */
function estimate(params: CountCusumParams, y: number[], index: number[], start: number): (number | null)[] {
  if (params.m === 'mean') {
    let sum = 0;
    for (const x of y) sum += x;
    return [sum / y.length];
  }
  const rows = y.length;
  const cos = new Float64Array(rows);
  const sin = new Float64Array(rows);
  index.forEach((i, r) => {
    const t = start + i - 1;
    cos[r] = Math.cos(((2 * Math.PI) / params.freq) * t);
    sin[r] = Math.sin(((2 * Math.PI) / params.freq) * t);
  });
  const fit = fitPoissonGlm(y, { n: rows, groups: { level: new Int32Array(rows), count: 1 }, columns: [cos, sin] });
  return Array.from(fit.coefficients, (c) => (Number.isNaN(c) ? null : c));
}

/** m at the period of row `index`. */
function referenceMean(params: CountCusumParams, before: Before, index: number): number {
  if (typeof params.m === 'number') return params.m;
  const r = before.reference!;
  if (params.m === 'mean') return r[0] ?? NaN;
  const t = before.start + index - 1;
  // predictLink's order of operations, so that m agrees with the batch to the bit.
  let eta = 0;
  eta += r[0] ?? NaN;
  eta += (r[1] ?? NaN) * Math.cos(((2 * Math.PI) / params.freq) * t);
  eta += (r[2] ?? NaN) * Math.sin(((2 * Math.PI) / params.freq) * t);
  return Math.exp(eta);
}

function evaluate(params: CountCusumParams, before: Before, index: number, v: number | null): { output: DetectorOutput; cusum: number } {
  if (!monitoring(params, before)) return { output: WARMING_UP, cusum: 0 };
  const m = referenceMean(params, before, index);
  const previous = before.previous;
  if (!(m > 0 && Number.isFinite(m))) {
    return { output: { level: null, upperbound: null, extras: { cusum: null, m: Number.isFinite(m) ? m : null, alarm: null } }, cusum: previous };
  }
  const { k, h, trans, alpha, mode } = params;
  const s = Math.max(0, previous + standardise(v ?? NaN, m, trans, alpha) - k);
  let bound = upperBound(m, previous, trans, h, k, alpha, s, mode);
  if (Number.isNaN(bound) || bound < 0) bound = 0; // R: "ensure upper bound is positive and not NaN"
  const alarm = Number.isNaN(s) ? null : s >= h ? 1 : 0;
  return {
    output: { level: alarm === 1 ? 'yellow' : null, upperbound: bound, extras: { cusum: Number.isNaN(s) ? null : s, m, alarm } },
    // JSON cannot carry Infinity: an unbounded sum is held at the largest double, which still alarms.
    cusum: Number.isNaN(s) ? previous : Math.min(s, Number.MAX_VALUE),
  };
}
