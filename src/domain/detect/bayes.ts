import { TocsinError } from '../kernel/errors.ts';
import { qnbinom } from './stats/negative-binomial.ts';

/**
 * Bayes system of R's `surveillance::bayes` / `algo.bayes` (surveillance 1.20.3): the reference
 * counts are y[t−w .. t−1] of the current year (if actY) and y[t−i·freq−w .. t−i·freq+w] of the
 * b previous years; the bound is the negative binomial (1 − alpha) quantile with
 * size = Σref + ½ and prob = n/(n + 1) (the posterior predictive of a Poisson rate under a
 * Jeffreys prior); alarm when y > U (strictly, as 1.20.3 computes it).
 */

/** A checked control list (R's names; defaults of Bayes system 1). */
export interface BayesControl {
  /** 1-based time points evaluated; required (R has no default). */
  range: number[];
  b: number;
  w: number;
  actY: boolean;
  alpha: number;
}

const NAMES = ['range', 'b', 'w', 'actY', 'alpha'];

/** Reads R's control list for bayes (b = 0, w = 6, actY = TRUE, alpha = 0.05); throws TOCSIN_VALIDATION naming every problem. */
export function parseBayesControl(raw: Record<string, unknown>): BayesControl {
  const problems: string[] = [];
  for (const key of Object.keys(raw)) if (!NAMES.includes(key)) problems.push(`unknown control "${key}" (bayes knows ${NAMES.join(', ')})`);
  const int = (key: string, fallback: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) problems.push(`${key}: must be an integer ≥ 0, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const range = raw['range'];
  if (!Array.isArray(range) || range.length === 0 || !range.every((t) => Number.isInteger(t) && t >= 1)) {
    problems.push(`range: must be a non-empty list of 1-based time points, got ${JSON.stringify(range)}`);
  }
  const actY = raw['actY'] ?? true;
  if (typeof actY !== 'boolean') problems.push(`actY: must be true or false, got ${JSON.stringify(actY)}`);
  const alpha = raw['alpha'] ?? 0.05;
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) problems.push(`alpha: must be a probability in (0, 1), got ${JSON.stringify(alpha)}`);
  const control: BayesControl = { range: range as number[], b: int('b', 0), w: int('w', 6), actY: actY as boolean, alpha: alpha as number };
  if (problems.length > 0) throw new TocsinError('TOCSIN_VALIDATION', `bayes control: ${problems.join('; ')}`, { problems });
  return control;
}

/** The bound and alarm at time point t (1-based) of `observed` (NaN = missing). */
export function bayesAt(observed: ArrayLike<number>, t: number, freq: number, control: Omit<BayesControl, 'range'>): { upperbound: number; alarm: number } {
  const { b, w, actY, alpha } = control;
  if (t - b * freq - w < 1) throw new TocsinError('TOCSIN_VALIDATION', `bayes: time point ${t}: the vector of observed is too short`);
  let sum = 0;
  let count = 0;
  const add = (from: number, to: number) => {
    // R's from:to, descending when to < from (actY with w = 0 gives t:(t−1)).
    const step = to >= from ? 1 : -1;
    for (let i = from; ; i += step) {
      sum += observed[i - 1]!;
      count++;
      if (i === to) break;
    }
  };
  if (actY) add(t - w, t - 1);
  for (let i = 1; i <= b; i++) add(t - i * freq - w, t - i * freq + w);
  const upperbound = qnbinom(1 - alpha, sum + 1 / 2, count / (count + 1));
  const y = observed[t - 1]!;
  const alarm = Number.isNaN(y) || Number.isNaN(upperbound) ? NaN : y > upperbound ? 1 : 0;
  return { upperbound, alarm };
}

/** surveillance::bayes on one series: per-row upperbound and alarm, null outside the range. */
export function bayesSeries(input: { observed: (number | null)[]; freq: number }, control: BayesControl): { upperbound: (number | null)[]; alarm: (number | null)[] } {
  const observed = Float64Array.from(input.observed, (v) => (v === null ? NaN : v));
  const n = observed.length;
  const upperbound = new Array<number | null>(n).fill(null);
  const alarm = new Array<number | null>(n).fill(null);
  for (const t of control.range) {
    if (t > n) throw new TocsinError('TOCSIN_VALIDATION', `bayes: range: time point ${t} is beyond the series (${n} points)`);
    const r = bayesAt(observed, t, input.freq, control);
    upperbound[t - 1] = Number.isNaN(r.upperbound) ? null : r.upperbound;
    alarm[t - 1] = Number.isNaN(r.alarm) ? null : r.alarm;
  }
  return { upperbound, alarm };
}
