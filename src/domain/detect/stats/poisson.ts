import { discreteQuantile } from './discrete-quantile.ts';
import { regularizedGamma } from './incomplete-gamma.ts';

/** The Poisson distribution as R's `ppois` and `qpois` compute it (R 4.2). */

/** P(X ≤ x) for X ~ Poisson(λ) (R's `ppois(x, lambda)`). */
export function ppois(x: number, lambda: number): number {
  if (Number.isNaN(x) || Number.isNaN(lambda) || lambda < 0) return NaN;
  if (x < 0) return 0;
  if (lambda === 0 || x === Infinity) return 1;
  // R: x = floor(x + 1e-7); pgamma(lambda, x + 1, 1, lower.tail = FALSE).
  return regularizedGamma(Math.floor(x + 1e-7) + 1, lambda, true);
}

/** P(X > x) for X ~ Poisson(λ) (R's `ppois(x, lambda, lower.tail = FALSE)`). */
export function ppoisUpper(x: number, lambda: number): number {
  if (Number.isNaN(x) || Number.isNaN(lambda) || lambda < 0) return NaN;
  if (x < 0) return 1;
  if (lambda === 0 || x === Infinity) return 0;
  return regularizedGamma(Math.floor(x + 1e-7) + 1, lambda, false);
}

/** The p-quantile of Poisson(λ) (R's `qpois(p, lambda)`): smallest y with P(X ≤ y) ≥ p, with R's fuzz. */
export function qpois(p: number, lambda: number): number {
  if (Number.isNaN(p) || Number.isNaN(lambda)) return NaN;
  if (!Number.isFinite(lambda) || lambda < 0 || p < 0 || p > 1) return NaN;
  if (lambda === 0 || p === 0) return 0;
  if (p === 1) return Infinity;
  const sigma = Math.sqrt(lambda);
  return discreteQuantile(p, lambda, sigma, 1 / sigma, (y) => ppois(y, lambda));
}
