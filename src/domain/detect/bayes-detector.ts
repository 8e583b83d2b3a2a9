import { bayesAt, parseBayesControl } from './bayes.ts';
import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { arrival, checkedControl, countOf, rControl, readFreq, type PeriodFreq } from './period-counts.ts';

/**
 * Bayes system of R's `surveillance::bayes` (see bayes.ts) as a streaming detector over period
 * counts (`t` = start of the period). The state keeps the last b·freq + w + 1 periods, and each
 * step evaluates the newest one with `bayesAt`, the batch code itself: the bound is the
 * negative binomial (1 − alpha) quantile of the posterior predictive from the w previous periods
 * (actY) and the 2w + 1 periods around the same week b years back; alarm when the count is above
 * it. There is no training: until the window is full the detector warms up (no level, no bound),
 * where R stops ("the vector of observed is too short").
 *
 * Missing periods (non-finite or negative values, skipped periods) are R's NA: a missing count
 * has no alarm, and a missing reference count leaves no bound (R's sum is NA) for the periods
 * whose reference windows hold it.
 */

/** Parameters: R's control list (b, w, actY, alpha), the period, and the periods kept. */
export interface BayesParams {
  b: number;
  w: number;
  actY: boolean;
  alpha: number;
  freq: PeriodFreq;
  /** Periods of history kept, the newest included. */
  capacity: number;
}

/** The newest period's start and the last `capacity` counts, oldest first (null = missing). */
export interface BayesState {
  t: number | null;
  v: (number | null)[];
}

const R_NAMES = ['b', 'w', 'actY', 'alpha'];
const OWN_NAMES = ['freq'];
const WARMING_UP: DetectorOutput = Object.freeze({ level: null });

/** R's Bayes system (surveillance::bayes) on weekly, monthly or daily counts. */
export const bayesDetector: DetectorDefinition<BayesParams, BayesState> = {
  type: 'bayes',
  summary: 'Bayes system (as surveillance::bayes): alarm above the negative binomial quantile predicted from recent weeks and the same weeks of past years',

  parseParams(raw) {
    const problems: ParamProblem[] = [];
    const control = rControl(raw, 'bayes', R_NAMES, OWN_NAMES, problems);
    const freq = readFreq(raw, problems);
    const checked = checkedControl(() => parseBayesControl({ ...control, range: [1] }), problems);
    if (checked !== null && checked.b === 0 && !checked.actY) {
      problems.push({ field: 'detector.actY', message: 'false with b = 0 leaves no reference periods: set b ≥ 1 or actY true' });
    }
    if (problems.length > 0 || checked === null) return { problems };
    const { b, w, actY, alpha } = checked;
    // R's (t − w):(t − 1) with w = 0 is t:(t − 1), which reaches one period back.
    const capacity = Math.max(b * freq + w + 1, actY && w === 0 ? 2 : 1);
    return { params: { b, w, actY, alpha, freq, capacity } };
  },

  init() {
    return { t: null, v: [] };
  },

  step(params, state, input) {
    const a = arrival(state.t, input.t, params.freq);
    if (a.kind === 'older') return { state, output: { level: null } };
    const count = countOf(input.v);
    let v: (number | null)[];
    let t = input.t;
    if (a.kind === 'first') v = [count];
    else if (a.kind === 'same') {
      v = state.v.slice();
      v[v.length - 1] = count;
      t = state.t!;
    } else {
      v = state.v.slice();
      for (let i = 0; i < Math.min(a.skipped, params.capacity); i++) v.push(null);
      v.push(count);
      if (v.length > params.capacity) v = v.slice(v.length - params.capacity);
    }
    return { state: { t, v }, output: v.length < params.capacity ? WARMING_UP : evaluateNewest(params, v) };
  },
};

function evaluateNewest(params: BayesParams, v: (number | null)[]): DetectorOutput {
  const observed = Float64Array.from(v, (x) => x ?? NaN);
  const n = observed.length;
  const r = bayesAt(observed, n, params.freq, params);
  const num = (x: number) => (Number.isNaN(x) ? null : x);
  return {
    level: r.alarm === 1 ? 'yellow' : null,
    upperbound: num(r.upperbound),
    extras: { alarm: num(r.alarm), expected: num(expected(observed, n, params)) },
  };
}

/**
 * The posterior predictive mean (Σref + ½)/n — the negative binomial's mean at size Σref + ½ and
 * prob n/(n + 1) — over bayesAt's reference periods (R's from:to, descending when w = 0).
 */
function expected(observed: Float64Array, t: number, params: BayesParams): number {
  let sum = 0;
  let count = 0;
  const add = (from: number, to: number) => {
    const step = to >= from ? 1 : -1;
    for (let i = from; ; i += step) {
      sum += observed[i - 1]!;
      count++;
      if (i === to) break;
    }
  };
  if (params.actY) add(t - params.w, t - 1);
  for (let i = 1; i <= params.b; i++) add(t - i * params.freq - params.w, t - i * params.freq + params.w);
  return (sum + 1 / 2) / count;
}
