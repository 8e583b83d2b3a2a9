/**
 * log Γ(x) for real x, to about 1e-15 absolute (relative away from the roots at 1 and 2): the
 * Stirling series with terms up to x^-13 for x ≥ 15, the recurrence Γ(x+1) = xΓ(x) below that,
 * and the reflection formula for x < 0.5. Poles (0, −1, −2, …) give +∞, as R's `lgamma`.
 */

const HALF_LOG_2PI = 0.91893853320467274178; // log(2π)/2

// Stirling coefficients B_{2k} / (2k(2k−1)): 1/12, −1/360, 1/1260, −1/1680, 1/1188, −691/360360, 1/156.
const S1 = 1 / 12;
const S2 = -1 / 360;
const S3 = 1 / 1260;
const S4 = -1 / 1680;
const S5 = 1 / 1188;
const S6 = -691 / 360360;
const S7 = 1 / 156;

/** Natural logarithm of |Γ(x)|; +∞ at the poles. */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(sinPi(x))) - logGamma(1 - x);
  }
  if (x >= 15) return stirling(x);
  // Γ(x) = Γ(x + m) / (x (x+1) … (x+m−1)) with x + m ≥ 15.
  let product = 1;
  let z = x;
  while (z < 15) {
    product *= z;
    z += 1;
  }
  return stirling(z) - Math.log(product);
}

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * The remainder of Stirling's formula, log Γ(x) − ((x − ½) log x − x + ½ log 2π), for x ≥ 8
 * (below that the truncated series is no longer accurate to 1e-15).
 */
export function stirlingCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return r * (S1 + r2 * (S2 + r2 * (S3 + r2 * (S4 + r2 * (S5 + r2 * (S6 + r2 * S7))))));
}

/** ½ log(2π). */
export const HALF_LOG_TWO_PI = HALF_LOG_2PI;

function stirling(x: number): number {
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingCorrection(x);
}

/** sin(πx) with the argument reduced exactly first, so that sinPi(n) is 0 for integers. */
function sinPi(x: number): number {
  let r = x % 2; // exact
  if (r <= -1) r += 2;
  else if (r > 1) r -= 2;
  if (r === 0 || r === 1) return 0;
  if (r > 0.5) return Math.sin(Math.PI * (1 - r));
  if (r < -0.5) return -Math.sin(Math.PI * (1 + r));
  return Math.sin(Math.PI * r);
}
