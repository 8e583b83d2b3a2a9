import { HALF_LOG_TWO_PI, logGamma, stirlingCorrection } from './log-gamma.ts';

/**
 * The regularised incomplete beta function I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b), and its
 * complement, each computed directly on the side where it is small (continued fraction of
 * Numerical Recipes §6.4, modified Lentz), so that far tails keep their relative accuracy.
 * The prefactor x^a (1−x)^b / B(a, b) is formed from Stirling's series when a and b are large
 * (DiDonato & Morris 1992, TOMS 708's `brcomp` idea), avoiding the cancellation of log Γ terms.
 */

const EPS = 1e-15;
const TINY = 1e-300;

/**
 * I_x(a, b) (lower tail) or 1 − I_x(a, b) (`upperTail`). Pass `y = 1 − x` when it is known more
 * accurately than the subtraction (e.g. x = df/(df+t²), y = t²/(df+t²)).
 */
export function regularizedBeta(x: number, a: number, b: number, upperTail = false, y = 1 - x): number {
  if (Number.isNaN(x) || Number.isNaN(a) || Number.isNaN(b) || a < 0 || b < 0) return NaN;
  if (x <= 0) return upperTail ? 1 : 0;
  if (y <= 0 || x > 1) return upperTail ? 0 : 1;
  // Degenerate shapes (R's pbeta): a = 0 is a point mass at 0, b = 0 at 1.
  if (a === 0 || b === Infinity) return upperTail ? 0 : 1;
  if (b === 0 || a === Infinity) return upperTail ? 1 : 0;
  const front = betaPrefactor(x, y, a, b);
  if (front === 0) {
    // Underflow: the mass sits entirely on one side of x.
    const lowerIsTiny = x < a / (a + b);
    return lowerIsTiny === upperTail ? 1 : 0;
  }
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (front * continuedFraction(x, a, b)) / a;
    return upperTail ? 1 - lower : lower;
  }
  const upper = (front * continuedFraction(y, b, a)) / b;
  return upperTail ? upper : 1 - upper;
}

/** x^a y^b / B(a, b) with y = 1 − x. */
function betaPrefactor(x: number, y: number, a: number, b: number): number {
  if (a >= 8 && b >= 8) {
    // Γ(a+b)/(Γ(a)Γ(b)) by Stirling: x^a y^b (a+b)^(a+b) / (a^a b^b) · sqrt(ab / (2π(a+b))) · e^(Δcorr),
    // and a·log(x(a+b)/a) = a·log1p((xb − ya)/a): no large terms cancel.
    const s = a + b;
    const d = x * b - y * a;
    const logMain = a * Math.log1p(d / a) + b * Math.log1p(-d / b);
    const corr = stirlingCorrection(s) - stirlingCorrection(a) - stirlingCorrection(b);
    return Math.exp(logMain + corr + 0.5 * Math.log((a / s) * b) - HALF_LOG_TWO_PI);
  }
  return Math.exp(a * Math.log(x) + b * Math.log(y) - logBetaSmall(a, b));
}

/** log B(a, b) when min(a, b) < 8, with log Γ(big) − log Γ(big + small) taken from Stirling. */
function logBetaSmall(a: number, b: number): number {
  const small = Math.min(a, b);
  const big = Math.max(a, b);
  if (big < 15) return logGamma(a) + logGamma(b) - logGamma(a + b);
  // log Γ(big) − log Γ(big + small) = −(big − ½)·log1p(small/big) − small·log(big + small) + small + Δcorr
  const diff =
    -(big - 0.5) * Math.log1p(small / big) -
    small * Math.log(big + small) +
    small +
    stirlingCorrection(big) -
    stirlingCorrection(big + small);
  return logGamma(small) + diff;
}

/** Continued fraction for I_x(a, b) (Numerical Recipes `betacf`), modified Lentz. */
function continuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  const maxIterations = 10_000 + Math.ceil(10 * Math.sqrt(Math.max(a, b)));
  for (let m = 1; m <= maxIterations; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  return h;
}
