import { discreteQuantile } from './discrete-quantile.ts';
import { regularizedBeta } from './incomplete-beta.ts';

/**
 * The negative binomial distribution in R's (size, prob) parametrisation — mean size·(1−prob)/prob,
 * variance mean/prob — as R's `pnbinom` and `qnbinom` compute it (R 4.2). Farrington's "nbPlugin"
 * uses size = μ/(φ−1), prob = 1/φ, i.e. mean μ and variance φμ.
 */

/** P(X ≤ x) (R's `pnbinom(x, size, prob)`). */
export function pnbinom(x: number, size: number, prob: number): number {
  return pnbinomTail(x, size, prob, false);
}

/** P(X > x) (R's `pnbinom(x, size, prob, lower.tail = FALSE)`). */
export function pnbinomUpper(x: number, size: number, prob: number): number {
  return pnbinomTail(x, size, prob, true);
}

function pnbinomTail(x: number, size: number, prob: number, upperTail: boolean): number {
  if (Number.isNaN(x) || Number.isNaN(size) || Number.isNaN(prob)) return NaN;
  if (!Number.isFinite(size) || !Number.isFinite(prob) || size < 0 || prob <= 0 || prob > 1) return NaN;
  // size = 0: point mass at 0 (R).
  if (size === 0) return x >= 0 ? (upperTail ? 0 : 1) : upperTail ? 1 : 0;
  if (x < 0) return upperTail ? 1 : 0;
  if (x === Infinity) return upperTail ? 0 : 1;
  // R: x = floor(x + 1e-7); pbeta(prob, size, x + 1).
  return regularizedBeta(prob, size, Math.floor(x + 1e-7) + 1, upperTail, 1 - prob);
}

/** The p-quantile (R's `qnbinom(p, size, prob)`): smallest y with P(X ≤ y) ≥ p, with R's fuzz. */
export function qnbinom(p: number, size: number, prob: number): number {
  if (Number.isNaN(p) || Number.isNaN(size) || Number.isNaN(prob)) return NaN;
  if (prob === 0 && size === 0) return 0;
  if (prob <= 0 || prob > 1 || size < 0) return NaN;
  if (prob === 1 || size === 0) return 0;
  if (p < 0 || p > 1) return NaN;
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  const Q = 1 / prob;
  const P = (1 - prob) * Q;
  const mu = size * P;
  const sigma = Math.sqrt(size * P * Q);
  const gamma = (Q + P) / sigma;
  return discreteQuantile(p, mu, sigma, gamma, (y) => pnbinom(y, size, prob));
}
