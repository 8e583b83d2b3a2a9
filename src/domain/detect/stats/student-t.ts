import { regularizedBeta } from './incomplete-beta.ts';

/**
 * Student's t distribution function, as R's `pt` arranges it: the two-sided tail
 * P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, ½), halved for one tail. `summary.glm` uses the two-sided
 * form for the coefficients' p-values of quasi families (Pr(>|t|) = 2·pt(−|t|, df)).
 */

/** P(|T| ≥ |t|) for T ~ t(df): the two-sided p-value of a t statistic. */
export function ptTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || df <= 0) return NaN;
  if (!Number.isFinite(t)) return 0;
  if (df === Infinity) return NaN; // the normal limit is not needed here; refuse rather than guess
  const t2 = t * t;
  // x = df/(df+t²) and 1 − x = t²/(df+t²), each formed without cancellation.
  return regularizedBeta(df / (df + t2), df / 2, 0.5, false, t2 / (df + t2));
}

/** P(T ≤ t) for T ~ t(df) (R's `pt(t, df)`). */
export function pt(t: number, df: number): number {
  if (t === -Infinity) return 0;
  if (t === Infinity) return 1;
  const tail = ptTwoSided(t, df) / 2;
  return t <= 0 ? tail : 0.5 + (0.5 - tail);
}

/** P(T > t) for T ~ t(df) (R's `pt(t, df, lower.tail = FALSE)`). */
export function ptUpper(t: number, df: number): number {
  return pt(-t, df);
}
