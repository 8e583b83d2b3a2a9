import { TocsinError } from '../kernel/errors.ts';

/**
 * The negative binomial GLR detector of R's `surveillance::glrnb` / `algo.glrnb` for an intercept
 * change (Höhle & Paul 2008), with the in-control means mu0 given (R can also fit them with
 * MASS::glm.nb; that fit is not part of this port). The recursion is R's C code `glr_nb_window`:
 *
 *   GLR(n) = max over k in [low, n − M̃ + 1] of l(n, k),  low = 0 if M = −1 else max(0, n − M),
 *   l(n, k) = Σ_{i=k..n} κ x_i + (x_i + 1/α) log((1 + α μ0_i) / (1 + α μ0_i e^κ)),
 *
 * at κ = dir·max(0, dir·κ̂), κ̂ by Newton–Raphson on the score, started at the previous k's κ
 * (0.5 for a new n), stopping when the step is < 1e-6, κ < −18 or after 1000 steps. Alarm when
 * GLR(n) ≥ c.ARL; the chart then restarts at the next point with the remaining mu0. With
 * `theta` given, R's `lr_cusum_nb`: the recursive LR CUSUM for the known change κ = theta
 * (alarm when the statistic exceeds c.ARL strictly).
 */

/** A checked control list (R's names). */
export interface GlrnbControl {
  /** 1-based time points monitored (contiguous); required. */
  range: number[];
  /** Alarm threshold of the GLR statistic. */
  cARL: number;
  /** In-control means, one per point of the range. */
  mu0: number[];
  /** NB dispersion: variance μ + αμ² (α > 0; the Poisson chart α = 0 is not ported). */
  alpha: number;
  Mtilde: number;
  M: number;
  dir: 'inc' | 'dec';
  /** Known change of the intercept (R's theta, used as κ): the LR CUSUM instead of the GLR. */
  theta: number | null;
  /** "value": the statistic; "cases" (with theta only): the count needed to alarm. */
  ret: 'value' | 'cases';
}

const NAMES = ['range', 'c.ARL', 'mu0', 'alpha', 'Mtilde', 'M', 'change', 'theta', 'dir', 'ret'];

/** Reads R's control list for glrnb (c.ARL 5, Mtilde 1, M −1, change "intercept", dir "inc", ret "value"). */
export function parseGlrnbControl(raw: Record<string, unknown>): GlrnbControl {
  const problems: string[] = [];
  for (const key of Object.keys(raw)) if (!NAMES.includes(key)) problems.push(`unknown control "${key}" (glrnb knows ${NAMES.join(', ')})`);
  const range = raw['range'];
  if (!Array.isArray(range) || range.length === 0 || !range.every((t) => Number.isInteger(t) && t >= 1)) {
    problems.push(`range: must be a non-empty list of 1-based time points, got ${JSON.stringify(range)}`);
  }
  const mu0 = raw['mu0'];
  if (!Array.isArray(mu0) || !mu0.every((m) => typeof m === 'number' && m >= 0)) {
    problems.push('mu0: must be the in-control means, one per point of the range (fitting them by glm.nb is not supported)');
  } else if (Array.isArray(range) && mu0.length !== range.length) {
    problems.push(`mu0: ${mu0.length} means for ${range.length} points of the range`);
  }
  const num = (key: string, fallback: number | undefined, ok: (x: number) => boolean, what: string): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !ok(v)) problems.push(`${key}: must be ${what}, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const alpha = num('alpha', undefined, (x) => x > 0 && Number.isFinite(x), 'the NB dispersion > 0 (the Poisson chart, alpha = 0, is not ported)');
  const change = raw['change'] ?? 'intercept';
  if (change !== 'intercept') problems.push(`change: only "intercept" is supported, got ${JSON.stringify(change)}`);
  const dir = raw['dir'] ?? 'inc';
  if (dir !== 'inc' && dir !== 'dec') problems.push(`dir: must be "inc" or "dec", got ${JSON.stringify(dir)}`);
  const theta = raw['theta'] ?? null;
  if (theta !== null && (typeof theta !== 'number' || theta === 1)) problems.push(`theta: must be a number other than 1, got ${JSON.stringify(theta)}`);
  const ret = raw['ret'] ?? 'value';
  if (ret !== 'value' && ret !== 'cases') problems.push(`ret: must be "value" or "cases", got ${JSON.stringify(ret)}`);
  else if (ret === 'cases' && theta === null) problems.push('ret: "cases" is not implemented for the negative binomial GLR detector (as in R)');
  const control: GlrnbControl = {
    range: range as number[],
    cARL: num('c.ARL', 5, Number.isFinite, 'a number'),
    mu0: mu0 as number[],
    alpha,
    Mtilde: num('Mtilde', 1, (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1'),
    M: num('M', -1, (x) => Number.isInteger(x) && (x === -1 || x >= 1), '−1 or an integer ≥ 1'),
    dir: dir as 'inc' | 'dec',
    theta: theta as number | null,
    ret: ret as 'value' | 'cases',
  };
  if (problems.length > 0) throw new TocsinError('TOCSIN_VALIDATION', `glrnb control: ${problems.join('; ')}`, { problems });
  return control;
}

/** surveillance::glrnb on one series: per-row statistic (R's upperbound) and alarm, null outside the range. */
export function glrnbSeries(input: { observed: (number | null)[] }, control: GlrnbControl): { upperbound: (number | null)[]; alarm: (number | null)[] } {
  const n = input.observed.length;
  const upperbound = new Array<number | null>(n).fill(null);
  const alarm = new Array<number | null>(n).fill(null);
  const x = control.range.map((t) => {
    const v = input.observed[t - 1];
    if (v === undefined) throw new TocsinError('TOCSIN_VALIDATION', `glrnb: range: time point ${t} is beyond the series (${n} points)`);
    // R passes as.integer(x): a missing count becomes NA_integer_, which C reads as a huge negative number; refuse instead.
    if (v === null) throw new TocsinError('TOCSIN_VALIDATION', `glrnb: observed[${t}] is missing; R's C code cannot handle NA counts`);
    return Math.trunc(v);
  });
  const stats = new Float64Array(x.length);
  const alarms = new Uint8Array(x.length);
  let done = 0;
  // Run the chart, restart after each alarm on the rest (R's loop around the C call).
  while (done < x.length) {
    const from = done;
    const runLength = control.theta === null ? glrWindow(x, control, from, stats) : lrCusum(x, control, from, stats);
    if (runLength === null) break;
    alarms[from + runLength - 1] = 1;
    done = from + runLength;
  }
  control.range.forEach((t, i) => {
    const v = stats[i]!;
    upperbound[t - 1] = Number.isNaN(v) || v < 0 ? 0 : v; // R: NA and negatives become 0
    alarm[t - 1] = alarms[i]!;
  });
  return { upperbound, alarm };
}

/** glr_nb_window from `from`: fills stats, answers the 1-based run length to the alarm, or null. */
function glrWindow(x: number[], control: GlrnbControl, from: number, stats: Float64Array): number | null {
  const { alpha, Mtilde, M, cARL } = control;
  const mu0 = control.mu0;
  const dir = control.dir === 'inc' ? 1 : -1;
  const lx = x.length - from;
  const n0 = Math.max(Mtilde - 1, 0);
  for (let n = 0; n < n0 && n < lx; n++) stats[from + n] = 0;
  for (let n = n0; n < lx; n++) {
    let maxGLR = -1e99;
    let kappaMl = 0.5;
    const low = M === -1 ? 0 : Math.max(0, n - M);
    const up = n - (Mtilde - 1);
    for (let k = low; k <= up; k++) {
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
          const m = mu0[from + i]!;
          const xi = x[from + i]!;
          const d = 1 + alpha * e * m;
          score += (xi - e * m) / d;
          fisher += (m * (alpha * xi + 1)) / (d * d);
        }
        kappaNew = kappaOld + score / (e * fisher);
      }
      kappaMl = dir * Math.max(0, dir * kappaNew);
      let lnk = 0;
      const ek = Math.exp(kappaMl);
      for (let i = k; i <= n; i++) {
        const m = mu0[from + i]!;
        const xi = x[from + i]!;
        lnk += kappaMl * xi + (xi + 1 / alpha) * Math.log((1 + alpha * m) / (1 + alpha * m * ek));
      }
      if (lnk > maxGLR) maxGLR = lnk;
    }
    stats[from + n] = maxGLR;
    if (maxGLR >= cARL) {
      for (let i = n + 1; i < lx; i++) stats[from + i] = 0;
      return n + 1;
    }
  }
  return null;
}

/** lr_cusum_nb from `from` with κ = theta. */
function lrCusum(x: number[], control: GlrnbControl, from: number, stats: Float64Array): number | null {
  const { alpha, cARL } = control;
  const kappa = control.theta!;
  const lx = x.length - from;
  let previous = 0;
  for (let n = 0; n < lx; n++) {
    const m = control.mu0[from + n]!;
    const xi = x[from + n]!;
    const logRatio = Math.log((1 + alpha * m) / (1 + alpha * m * Math.exp(kappa)));
    const zn = kappa * xi + (xi + 1 / alpha) * logRatio;
    const lr = Math.max(0, (n === 0 ? 0 : previous) + zn);
    stats[from + n] = control.ret === 'cases' ? -((n === 0 ? 0 : previous) * alpha + logRatio - cARL * alpha) / alpha / (kappa + logRatio) : lr;
    previous = lr;
    if (lr > cARL) return n + 1;
  }
  return null;
}
