import { HALF_LOG_TWO_PI, logGamma, stirlingCorrection } from './log-gamma.ts';

/**
 * The regularised incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) and Q(a, x) = 1 − P(a, x),
 * each computed directly on the side where it is small: the series for x < a + 1, the
 * continued fraction (modified Lentz) otherwise (Numerical Recipes §6.2). Used for the Poisson
 * distribution function, ppois(k, λ) = Q(k + 1, λ).
 */

const EPS = 1e-15;
const TINY = 1e-300;

/** P(a, x), or Q(a, x) with `upperTail`. */
export function regularizedGamma(a: number, x: number, upperTail = false): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return NaN;
  if (a === 0) return upperTail ? 0 : 1; // point mass at 0
  if (x === 0) return upperTail ? 1 : 0;
  if (x === Infinity) return upperTail ? 0 : 1;
  const front = gammaPrefactor(a, x);
  if (front === 0) {
    const lowerIsTiny = x < a;
    return lowerIsTiny === upperTail ? 1 : 0;
  }
  if (x < a + 1) {
    // Series: γ(a,x) e^x x^-a = Σ x^n / (a (a+1) … (a+n)).
    let term = 1 / a;
    let sum = term;
    let ap = a;
    for (let n = 0; n < 100_000; n++) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    const lower = sum * front;
    return upperTail ? 1 - lower : lower;
  }
  // Continued fraction for Γ(a,x) e^x x^-a.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  const upper = front * h;
  return upperTail ? upper : 1 - upper;
}

/** x^a e^-x / Γ(a), from Stirling's series when a is large (no cancellation of big terms). */
function gammaPrefactor(a: number, x: number): number {
  if (a >= 8) {
    // a·log x − x − log Γ(a) = a·(log1p(δ) − δ) + ½·log a − ½·log 2π − corr(a), with δ = (x − a)/a.
    const delta = (x - a) / a;
    return Math.exp(a * (Math.log1p(delta) - delta) + 0.5 * Math.log(a) - HALF_LOG_TWO_PI - stirlingCorrection(a));
  }
  return Math.exp(a * Math.log(x) - x - logGamma(a));
}
