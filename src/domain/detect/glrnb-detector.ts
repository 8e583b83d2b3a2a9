import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { parseGlrnbControl } from './glrnb.ts';
import { arrival, checkedControl, countOf, rControl, readFreq, type PeriodFreq } from './period-counts.ts';

/**
 * The negative binomial GLR chart of R's `surveillance::glrnb` (see glrnb.ts) as a streaming
 * detector over period counts (`t` = start of the period). Each new period is evaluated as
 * `glrnbSeries` evaluates the same point of the whole history: GLR(n) = max over change points
 * k of l(n, k) (Newton–Raphson as R's C code), alarm when GLR(n) ≥ c.ARL, and after an alarm the
 * chart restarts at the next period; with `theta`, R's LR CUSUM for that known change instead.
 * The upper bound is R's: the statistic (ret "value"), or the count needed to alarm (ret "cases",
 * with theta only).
 *
 * Window: R's M = −1 looks back to the chart's start, an unbounded history. Here M must be a
 * number of periods (default `freq`, one year: a change is sought among the last M + 1 periods),
 * which R computes the same way; the state keeps the chart's last M counts.
 *
 * mu0: a given in-control mean (one number; R's vector belongs to its `range`), or estimated once
 * from the first `training` counts seen (default `freq`): their mean, which is R's MASS::glm.nb
 * fit of the intercept-only model (R's default hook also fits one harmonic, not ported). Those
 * periods are the warm-up (no level, no bound); the chart starts at the next period. `alpha` (the
 * dispersion) must be given, as glrnb.ts does not port R's estimate of it.
 *
 * Missing periods (non-finite or negative values, skipped periods): R's C code cannot take an NA.
 * Here a missing period is not evaluated (no level, no bound) and adds nothing to the likelihood
 * of the periods after it, while it keeps its place in the window (time passes). Training counts
 * only count when present. A mu0 of 0 (only zeros in training) makes the likelihood degenerate:
 * no level then; give `mu0`.
 */

/** Parameters: R's control list with a single mu0 and a finite window M, the period, the training length. */
export interface GlrnbParams {
  cARL: number;
  /** The given in-control mean, or null: the mean of the first `training` counts. */
  mu0: number | null;
  alpha: number;
  Mtilde: number;
  M: number;
  dir: 'inc' | 'dec';
  theta: number | null;
  ret: 'value' | 'cases';
  freq: PeriodFreq;
  /** Counts mu0 is estimated from; 0 when mu0 is given. */
  training: number;
}

/** Everything the evaluation of a period needs from the periods before it. */
interface Before {
  /** Training counts seen so far, until mu0 is estimated. */
  training: number[];
  /** The estimated mu0; null until estimated or when mu0 is given. */
  mu0: number | null;
  /** GLR: the current chart's counts before the newest period, at most M (null = missing). */
  window: (number | null)[];
  /** LR CUSUM (theta): the statistic before the newest period, 0 when a chart starts. */
  lr: number;
}

/** The newest period and what came before it. */
export interface GlrnbState extends Before {
  /** Start of the newest period (epoch ms); null before the first input. */
  t: number | null;
  /** The newest count (truncated to an integer, as R); null when missing. */
  v: number | null;
  /** Whether the newest period alarmed: the chart restarts after it. */
  alarm: boolean;
  /** LR CUSUM: the statistic after the newest period. */
  after: number;
}

const R_NAMES = ['c.ARL', 'mu0', 'alpha', 'Mtilde', 'M', 'change', 'theta', 'dir', 'ret'];
const OWN_NAMES = ['freq', 'training'];
const WARMING_UP: DetectorOutput = Object.freeze({ level: null });

/** R's negative binomial GLR detector (surveillance::glrnb) on weekly, monthly or daily counts. */
export const glrnbDetector: DetectorDefinition<GlrnbParams, GlrnbState> = {
  type: 'glrnb',
  summary: 'Negative binomial GLR chart (as surveillance::glrnb): alarm when the likelihood ratio of a rise since some recent period reaches c.ARL',

  parseParams(raw) {
    const problems: ParamProblem[] = [];
    const control = rControl(raw, 'glrnb', R_NAMES, OWN_NAMES, problems);
    const freq = readFreq(raw, problems);
    const mu0 = raw['mu0'] ?? null;
    const mu0Ok = mu0 === null || (typeof mu0 === 'number' && mu0 > 0 && Number.isFinite(mu0));
    if (!mu0Ok) {
      problems.push({ field: 'detector.mu0', message: `must be the in-control mean, a number > 0 (R's vector of means belongs to its range), or left out to estimate it from the training counts; got ${JSON.stringify(mu0)}` });
    }
    const M = raw['M'] ?? freq;
    const MOk = typeof M === 'number' && Number.isInteger(M) && M >= 1;
    if (M === -1) problems.push({ field: 'detector.M', message: "must be a number of periods ≥ 1 here: R's −1 (every period since the chart's start) would keep an unbounded history" });
    else if (!MOk) problems.push({ field: 'detector.M', message: `must be an integer ≥ 1 (periods a change may go back), got ${JSON.stringify(M)}` });
    const Mtilde = raw['Mtilde'];
    if (MOk && typeof Mtilde === 'number' && Number.isInteger(Mtilde) && Mtilde > (M as number) + 1) {
      problems.push({ field: 'detector.Mtilde', message: `must be at most M + 1 = ${(M as number) + 1}, or no change point fits in the window` });
    }
    let training = 0;
    if (mu0 !== null) {
      if (raw['training'] !== undefined) problems.push({ field: 'detector.training', message: 'not used: mu0 is given' });
    } else {
      const given = raw['training'] ?? freq;
      if (typeof given !== 'number' || !Number.isInteger(given) || given < 1) {
        problems.push({ field: 'detector.training', message: `must be an integer ≥ 1 (counts mu0 is estimated from), got ${JSON.stringify(given)}` });
      }
      training = given as number;
    }
    // glrnb.ts wants R's range and a mu0 per point of it: one stand-in point, the real ones checked above.
    const checked = checkedControl(() => parseGlrnbControl({ ...control, range: [1], mu0: [mu0Ok && mu0 !== null ? mu0 : 1], M: 1 }), problems);
    if (problems.length > 0 || checked === null) return { problems };
    const { cARL, alpha, Mtilde: checkedMtilde, dir, theta, ret } = checked;
    return { params: { cARL, mu0: mu0 as number | null, alpha, Mtilde: checkedMtilde, M: M as number, dir, theta, ret, freq, training } };
  },

  init() {
    return { t: null, v: null, training: [], mu0: null, window: [], lr: 0, alarm: false, after: 0 };
  },

  step(params, state, input) {
    const a = arrival(state.t, input.t, params.freq);
    if (a.kind === 'older') return { state, output: { level: null } };
    const count = countOf(input.v);
    const v = count === null ? null : Math.trunc(count);
    let before: Before;
    let t = input.t;
    if (a.kind === 'first') {
      before = { training: [], mu0: null, window: [], lr: 0 };
    } else if (a.kind === 'same') {
      before = { training: state.training, mu0: state.mu0, window: state.window, lr: state.lr };
      t = state.t!;
    } else {
      before = commit(params, state);
      // Beyond M missing periods the window holds nothing but missing ones.
      for (let i = 0; i < Math.min(a.skipped, params.M); i++) before = commit(params, { ...before, t: null, v: null, alarm: false, after: before.lr });
    }
    const { output, alarm, after } = evaluate(params, before, v);
    return { state: { t, v, ...before, alarm, after }, output };
  },
};

function inControlMean(params: GlrnbParams, before: Before): number | null {
  return params.mu0 ?? before.mu0;
}

/** What the period after the newest one starts from. */
function commit(params: GlrnbParams, s: GlrnbState): Before {
  if (inControlMean(params, s) === null) {
    if (s.v === null) return { training: s.training, mu0: null, window: [], lr: 0 };
    const training = [...s.training, s.v];
    if (training.length < params.training) return { training, mu0: null, window: [], lr: 0 };
    let sum = 0;
    for (const x of training) sum += x;
    return { training: [], mu0: sum / training.length, window: [], lr: 0 };
  }
  if (s.alarm) return { training: [], mu0: s.mu0, window: [], lr: 0 }; // R restarts the chart after an alarm
  if (params.theta !== null) return { training: [], mu0: s.mu0, window: [], lr: s.after };
  const window = s.window.length < params.M ? [...s.window, s.v] : [...s.window.slice(s.window.length - params.M + 1), s.v];
  return { training: [], mu0: s.mu0, window, lr: 0 };
}

function evaluate(params: GlrnbParams, before: Before, v: number | null): { output: DetectorOutput; alarm: boolean; after: number } {
  const mu0 = inControlMean(params, before);
  if (mu0 === null) return { output: WARMING_UP, alarm: false, after: 0 };
  const statName = params.theta === null ? 'glr' : 'lr';
  if (v === null || !(mu0 > 0)) return { output: { level: null, upperbound: null, extras: { [statName]: null, mu0, alarm: null } }, alarm: false, after: before.lr };
  const { alpha, cARL } = params;
  let stat: number;
  let bound: number;
  let alarm: boolean;
  let after = 0;
  if (params.theta !== null) {
    // R's lr_cusum_nb, one step.
    const kappa = params.theta;
    const logRatio = Math.log((1 + alpha * mu0) / (1 + alpha * mu0 * Math.exp(kappa)));
    const zn = kappa * v + (v + 1 / alpha) * logRatio;
    stat = Math.max(0, before.lr + zn);
    bound = params.ret === 'cases' ? -(before.lr * alpha + logRatio - cARL * alpha) / alpha / (kappa + logRatio) : stat;
    alarm = stat > cARL;
    after = stat;
  } else if (before.window.length < params.Mtilde - 1) {
    stat = 0; // R: the first Mtilde − 1 points of a chart are 0 and never alarm
    bound = 0;
    alarm = false;
  } else {
    stat = glrAt([...before.window, v], mu0, params);
    bound = stat;
    alarm = stat >= cARL;
  }
  if (Number.isNaN(bound) || bound < 0) bound = 0; // R: NA and negatives become 0
  return { output: { level: alarm ? 'yellow' : null, upperbound: bound, extras: { [statName]: stat, mu0, alarm: alarm ? 1 : 0 } }, alarm, after };
}

/**
 * GLR(n) at the last count of `x` (the chart's last M + 1 periods, nulls skipped), as glrnb.ts's
 * glr_nb_window (not exported there) computes it with a constant mu0: the same Newton–Raphson,
 * start values and stopping rules, so that the two agree to the bit.
 */
function glrAt(x: (number | null)[], mu0: number, params: GlrnbParams): number {
  const { alpha, Mtilde } = params;
  const dir = params.dir === 'inc' ? 1 : -1;
  const n = x.length - 1;
  let maxGLR = -1e99;
  let kappaMl = 0.5;
  for (let k = 0; k <= n - (Mtilde - 1); k++) {
    let kappaOld = 0.4;
    let kappaNew = kappaMl;
    let iter = 0;
    while (kappaNew > -18 && Math.abs(kappaNew - kappaOld) > 1e-6 && iter < 1000) {
      iter++;
      kappaOld = kappaNew;
      const e = Math.exp(kappaOld);
      let score = 0;
      let fisher = 0;
      for (let i = k; i <= n; i++) {
        const xi = x[i];
        if (xi === null || xi === undefined) continue;
        const d = 1 + alpha * e * mu0;
        score += (xi - e * mu0) / d;
        fisher += (mu0 * (alpha * xi + 1)) / (d * d);
      }
      kappaNew = kappaOld + score / (e * fisher);
    }
    kappaMl = dir * Math.max(0, dir * kappaNew);
    let lnk = 0;
    const ek = Math.exp(kappaMl);
    for (let i = k; i <= n; i++) {
      const xi = x[i];
      if (xi === null || xi === undefined) continue;
      lnk += kappaMl * xi + (xi + 1 / alpha) * Math.log((1 + alpha * mu0) / (1 + alpha * mu0 * ek));
    }
    if (lnk > maxGLR) maxGLR = lnk;
  }
  return maxGLR;
}
