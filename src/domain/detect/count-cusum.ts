import { TocsinError } from '../kernel/errors.ts';
import { fitPoissonGlm, predictLink } from './stats/poisson-glm.ts';

/**
 * The count CUSUM of R's `surveillance::cusum` / `algo.cusum` (Rossi et al. 1999; surveillance
 * 1.20): counts in the range are standardised against a reference mean m by the chosen
 * transformation, S_0 = 0, S_t = max(0, S_{t−1} + z_t − k), alarm when S_t ≥ h — with NO reset
 * after an alarm, as R. The upper bound is the count that would bring S_t to h given S_{t−1}.
 *
 * m: the mean of the counts before the range (R's m = NULL), a given number, or "glm": a Poisson
 * GLM y ~ 1 + cos(2πt/freq) + sin(2πt/freq) on the points before the range, t = start[2] + index − 1.
 */

/**
 * `r` (default): R's upper bound, quirks included; `textbook`: the upper bound is the exact
 * inverse of the standardisation — "anscombe2nd" with m^(−1/3)/9 as in its z_t, "none" as
 * h + k − S_{t−1}, and "rossi" 0 where every count alarms. S_t and the alarms are the same in
 * both modes; only the bound differs. Our own option: R's control list has no such name
 * (`parseCountCusumControl` stays R's).
 */
export type CountCusumMode = 'r' | 'textbook';

/** R's `trans` values implemented here ("anscombeNegBin" needs a table private to the R package). */
export type CusumTransform = 'standard' | 'rossi' | 'anscombe' | 'anscombe2nd' | 'pearsonNegBin' | 'none';

/** A checked control list (R's names). */
export interface CountCusumControl {
  /** 1-based time points monitored, contiguous in R's use; required (R has no default). */
  range: number[];
  k: number;
  h: number;
  /** null: mean before the range; a number; or "glm". */
  m: number | 'glm' | null;
  trans: CusumTransform;
  /** Overdispersion of "pearsonNegBin" (R's default 0.1). */
  alpha: number;
}

const TRANSFORMS: readonly CusumTransform[] = ['standard', 'rossi', 'anscombe', 'anscombe2nd', 'pearsonNegBin', 'none'];
const NAMES = ['range', 'k', 'h', 'm', 'trans', 'alpha'];

/** Reads R's control list for cusum (defaults k = 1.04, h = 2.26, m = NULL, trans "standard", alpha 0.1); throws TOCSIN_VALIDATION naming every problem. */
export function parseCountCusumControl(raw: Record<string, unknown>): CountCusumControl {
  const problems: string[] = [];
  for (const key of Object.keys(raw)) if (!NAMES.includes(key)) problems.push(`unknown control "${key}" (cusum knows ${NAMES.join(', ')})`);
  const num = (key: string, fallback: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      problems.push(`${key}: must be a number, got ${JSON.stringify(v)}`);
      return NaN;
    }
    return v;
  };
  const range = raw['range'];
  if (!Array.isArray(range) || range.length === 0 || !range.every((t) => Number.isInteger(t) && t >= 1)) {
    problems.push(`range: must be a non-empty list of 1-based time points, got ${JSON.stringify(range)}`);
  }
  const m = raw['m'] ?? null;
  if (!(m === null || m === 'glm' || (typeof m === 'number' && m > 0))) problems.push(`m: must be null, a positive number or "glm", got ${JSON.stringify(m)}`);
  const trans = raw['trans'] ?? 'standard';
  if (trans === 'anscombeNegBin') problems.push('trans: "anscombeNegBin" is not supported (it interpolates a table private to the R package)');
  else if (!TRANSFORMS.includes(trans as CusumTransform)) problems.push(`trans: must be one of ${TRANSFORMS.join(', ')}, got ${JSON.stringify(trans)}`);
  const control: CountCusumControl = {
    range: range as number[],
    k: num('k', 1.04),
    h: num('h', 2.26),
    m: m as CountCusumControl['m'],
    trans: trans as CusumTransform,
    alpha: num('alpha', 0.1),
  };
  if (problems.length > 0) throw new TocsinError('TOCSIN_VALIDATION', `cusum control: ${problems.join('; ')}`, { problems });
  return control;
}

/** Per-row results (null outside the range): R's upperbound and alarm, the reference mean and S_t. */
export interface CountCusumResult {
  upperbound: (number | null)[];
  alarm: (number | null)[];
  referenceMean: (number | null)[];
  cusum: (number | null)[];
}

/** surveillance::cusum on one series (mode `r`) or its textbook bound. `start` is R's sts start (year, period), used by m = "glm". */
export function countCusumSeries(
  input: { observed: (number | null)[]; freq: number; start?: [number, number] },
  control: CountCusumControl,
  mode: CountCusumMode = 'r',
): CountCusumResult {
  const observed = input.observed.map((v) => (v === null ? NaN : v));
  const n = observed.length;
  const range = control.range;
  const first = range[0]!;
  if (first < 2 || range.some((t) => t > n)) throw new TocsinError('TOCSIN_VALIDATION', `cusum: range ${first}…${range[range.length - 1]} does not fit a series of ${n} points with history before it`);
  const m = referenceMeans(observed, input.freq, input.start?.[1] ?? 1, control);
  const { k, h, alpha } = control;
  const result: CountCusumResult = {
    upperbound: new Array<number | null>(n).fill(null),
    alarm: new Array<number | null>(n).fill(null),
    referenceMean: new Array<number | null>(n).fill(null),
    cusum: new Array<number | null>(n).fill(null),
  };
  let previous = 0;
  range.forEach((t, i) => {
    const x = observed[t - 1]!;
    const mi = m[i]!;
    // R: max(0, NA) is NA, and so is every later S (Math.max propagates NaN the same way).
    const sNaN = Math.max(0, previous + standardise(x, mi, control.trans, alpha) - k);
    let bound = upperBound(mi, previous, control.trans, h, k, alpha, sNaN, mode);
    if (Number.isNaN(bound) || bound < 0) bound = 0; // R: "ensure upper bound is positive and not NaN"
    result.upperbound[t - 1] = bound;
    result.alarm[t - 1] = Number.isNaN(sNaN) ? null : sNaN >= h ? 1 : 0;
    result.referenceMean[t - 1] = Number.isNaN(mi) ? null : mi;
    result.cusum[t - 1] = Number.isNaN(sNaN) ? null : sNaN;
    previous = sNaN;
  });
  return result;
}

/** m for each point of the range. */
function referenceMeans(observed: number[], freq: number, startPeriod: number, control: CountCusumControl): number[] {
  const range = control.range;
  const training = range[0]! - 1;
  if (typeof control.m === 'number') return range.map(() => control.m as number);
  if (control.m === null) {
    let sum = 0;
    for (let i = 0; i < training; i++) sum += observed[i]!;
    return range.map(() => sum / training);
  }
  // m = "glm": Poisson GLM with one harmonic on 1 .. range[1] − 1, t = start[2] + index − 1.
  const y: number[] = [];
  const keep: number[] = [];
  for (let i = 0; i < training; i++) {
    if (Number.isNaN(observed[i]!)) continue; // R's glm drops NA rows
    keep.push(i);
    y.push(observed[i]!);
  }
  const rows = keep.length;
  const cosKept = new Float64Array(rows);
  const sinKept = new Float64Array(rows);
  keep.forEach((i, r) => {
    const t = startPeriod + (i + 1) - 1;
    cosKept[r] = Math.cos(((2 * Math.PI) / freq) * t);
    sinKept[r] = Math.sin(((2 * Math.PI) / freq) * t);
  });
  const fit = fitPoissonGlm(y, { n: rows, groups: { level: new Int32Array(rows), count: 1 }, columns: [cosKept, sinKept] });
  return range.map((index) => {
    const t = startPeriod + index - 1;
    const x = [Math.cos(((2 * Math.PI) / freq) * t), Math.sin(((2 * Math.PI) / freq) * t)];
    return Math.exp(predictLink(fit, 1, 0, x).eta);
  });
}

/** R's standardisations z_t of a count x against the mean m. */
export function standardise(x: number, m: number, trans: CusumTransform, alpha: number): number {
  switch (trans) {
    case 'rossi':
      return (x - 3 * m + 2 * Math.sqrt(x * m)) / (2 * Math.sqrt(m));
    case 'standard':
      return (x - m) / Math.sqrt(m);
    case 'anscombe':
      return ((3 / 2) * (Math.pow(x, 2 / 3) - Math.pow(m, 2 / 3))) / Math.pow(m, 1 / 6);
    case 'anscombe2nd':
      return (Math.pow(x, 2 / 3) - (Math.pow(m, 2 / 3) - Math.pow(m, -1 / 3) / 9)) / ((2 / 3) * Math.pow(m, 1 / 6));
    case 'pearsonNegBin':
      return (x - m) / Math.sqrt(m + alpha * m * m);
    case 'none':
      return x;
  }
}

/**
 * The count that brings S_t to h given C = S_{t−1} (R's back-transformation). QUIRKS (R):
 * "anscombe2nd" uses m^(1/3)/9 here but m^(−1/3)/9 in the standardisation; "none" answers
 * h − S_t (not h + k − S_{t−1}); "rossi" answers a positive count where every count alarms.
 * Mode `textbook` corrects all three. "standard" rounds up to a whole count in both modes (the
 * smallest count that reaches h).
 */
export function upperBound(m: number, c: number, trans: CusumTransform, h: number, k: number, alpha: number, s: number, mode: CountCusumMode = 'r'): number {
  const d = h + k - c;
  switch (trans) {
    case 'rossi':
      // R's bound is (√(4m + 2d√m) − √m)², the square of the root √x of z(x) = d. QUIRK (R): for
      // d below z(0) = −1.5√m that root is negative — every count alarms — yet down to d = −2√m
      // (where it turns NaN, hence 0) R answers its square, a positive count; textbook answers 0.
      if (mode === 'textbook' && d < -1.5 * Math.sqrt(m)) return 0;
      return 2 * h * Math.sqrt(m) + 2 * k * Math.sqrt(m) - 2 * c * Math.sqrt(m) + 5 * m - 2 * Math.sqrt(4 * m * m + 2 * Math.pow(m, 3 / 2) * h + 2 * Math.pow(m, 3 / 2) * k - 2 * Math.pow(m, 3 / 2) * c);
    case 'standard':
      return Math.ceil(Math.sqrt(m) * d + m);
    case 'anscombe': {
      const base = (2 / 3) * Math.pow(m, 1 / 6) * d + Math.pow(m, 2 / 3);
      return base < 0 ? 0 : Math.pow(base, 3 / 2);
    }
    case 'anscombe2nd': {
      const shift = mode === 'r' ? Math.pow(m, 1 / 3) / 9 : Math.pow(m, -1 / 3) / 9;
      const base = (2 / 3) * Math.pow(m, 1 / 6) * d + (Math.pow(m, 2 / 3) - shift);
      return base < 0 ? 0 : Math.pow(base, 3 / 2);
    }
    case 'pearsonNegBin':
      return Math.sqrt(m + alpha * m * m) * d + m;
    case 'none':
      return mode === 'r' ? h - s : d;
  }
}
