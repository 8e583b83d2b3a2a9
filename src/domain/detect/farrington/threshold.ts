import { pnormUpper, qnorm } from '../stats/normal.ts';
import { pnbinomUpper, qnbinom } from '../stats/negative-binomial.ts';
import { ppoisUpper, qpois } from '../stats/poisson.ts';
import type { PowerTransform } from './control.ts';

/**
 * The upper bound, p-value and score at k (surveillance 1.20,
 * `algo.farrington.threshold.farrington` and `algo.farrington.threshold.noufaily`).
 */

/** R's `lu$upper`, `lu$prob` and `lu$score` (NaN for NA). */
export interface Threshold {
  upper: number;
  pvalue: number;
  score: number;
  /** The mean of the predictive distribution the NB methods use (R's mu0Vector); NaN for delta. */
  mu0: number;
}

/**
 * "delta": mean mu0 (response scale) with standard error `se`; tau = phi + se²/mu0; a normal
 * approximation on the power-transformed scale. R sorts the two transformed bounds with NA first,
 * so the upper bound is the larger one, or the only one defined.
 */
export function deltaThreshold(mu0: number, se: number, phi: number, transform: PowerTransform, alpha: number, y: number): Threshold {
  const tau = phi + (se * se) / mu0;
  let sd: number;
  let exponent: number;
  switch (transform) {
    case 'none':
      sd = Math.sqrt(mu0 * tau);
      exponent = 1;
      break;
    case '1/2':
      sd = Math.sqrt((1 / 4) * tau);
      exponent = 1 / 2;
      break;
    case '2/3':
      sd = Math.sqrt((4 / 9) * Math.pow(mu0, 1 / 3) * tau);
      exponent = 2 / 3;
      break;
  }
  const z = qnorm(1 - alpha);
  const centre = rPow(mu0, exponent);
  const a = rPow(centre - z * sd, 1 / exponent);
  const b = rPow(centre + z * sd, 1 / exponent);
  const upper = Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
  // hoehle 2018-09-12 (R): P(N(mu0^e, sd) ≥ y^e).
  const pvalue = pnormUpper((rPow(y, exponent) - centre) / sd);
  const score = Number.isNaN(upper) ? NaN : (y - mu0) / (upper - mu0);
  return { upper, pvalue, score, mu0: NaN };
}

/**
 * "nbPlugin" / "muan": eta0 is the linear predictor and seEta0 its standard error; the mean is
 * exp(eta0), or for "muan" exp of its (1 − alpha) normal quantile; the bound is the negative
 * binomial (1 − alpha) quantile with size mu/(phi − 1), prob 1/phi (Poisson when phi = 1).
 * QUIRK (R): the score is (y − eta0)/(U − eta0), on the link scale; mode `textbook` gives
 * (y − e)/(U − e) with e = exp(eta0), the expected count, as the delta score.
 */
export function negativeBinomialThreshold(
  eta0: number,
  seEta0: number,
  phi: number,
  method: 'nbPlugin' | 'muan',
  alpha: number,
  y: number,
  mode: 'r' | 'textbook' = 'r',
): Threshold {
  const mu0 = method === 'nbPlugin' ? Math.exp(eta0) : Math.exp(eta0 + seEta0 * qnorm(1 - alpha));
  if (mu0 === Infinity) return { upper: NaN, pvalue: NaN, score: NaN, mu0 };
  let upper: number;
  if (phi > 1) upper = qnbinom(1 - alpha, mu0 / (phi - 1), 1 / phi);
  else upper = qpois(1 - alpha, mu0);
  const pvalue = phi !== 1 ? pnbinomUpper(y - 1, mu0 / (phi - 1), 1 / phi) : ppoisUpper(y - 1, mu0);
  const fit = mode === 'r' ? eta0 : Math.exp(eta0);
  const score = Number.isNaN(upper) ? NaN : (y - fit) / (upper - fit);
  return { upper, pvalue, score, mu0 };
}

/** R's `x^y` (R_pow): 1 when y = 0 or x = 1, x·x for y = 2, NaN for a negative base and fractional y. */
function rPow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (y === 2) return x * x;
  return Math.pow(x, y);
}
