/**
 * The standard normal distribution at full double precision, as R computes it, so that detectors
 * ported from R `surveillance` (EARS, Farrington) reproduce its thresholds to the last bits.
 *
 * - `qnorm`: Wichura (1988), Algorithm AS 241 "PPND16", Applied Statistics 37(3):477–484, relative
 *   error about 1e-16; the same rational approximations as R's `qnorm.c`.
 * - `pnorm` / `pnormUpper`: Cody (1969), "Rational Chebyshev approximations for the error
 *   function", Math. Comp. 23:631–637, as arranged in R's `pnorm.c` (`pnorm_both`), including
 *   its splitting of exp(-x²/2) that keeps the far tails accurate down to ~1e-308.
 *
 * No allocation: every coefficient is inlined as a literal in Horner form.
 */

/** Standard normal quantile (lower tail): the x with P(Z ≤ x) = p; −∞ at 0, +∞ at 1, NaN outside [0, 1]. */
export function qnorm(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    // AS 241 central region: |p − 0.5| ≤ 0.425, r = 0.425² − q².
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1.0)
    );
  }
  // AS 241 tails: r = sqrt(−log(min(p, 1 − p))). For p > 0.5 the subtraction 1 − p is exact
  // enough here because p is then at least 0.925 (no cancellation worse than R's own).
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1.0);
  } else {
    r -= 5;
    val =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1.0);
  }
  return q < 0 ? -val : val;
}

/** Standard normal CDF, lower tail: P(Z ≤ x). */
export function pnorm(x: number): number {
  return pnormTail(x, false);
}

/** Standard normal upper tail P(Z > x), accurate where 1 − pnorm(x) would cancel to 0. */
export function pnormUpper(x: number): number {
  return pnormTail(x, true);
}

const M_SQRT_32 = 5.656854249492380195206754896838; // sqrt(32): Cody's middle/far boundary
const M_1_SQRT_2PI = 0.398942280401432677939946059934;
const HALF_EPS = Number.EPSILON * 0.5;

/** Cody's pnorm, one tail: `upper` false answers P(Z ≤ x), true answers P(Z > x). */
function pnormTail(x: number, upper: boolean): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  let cum: number; // lower tail P(Z ≤ x)
  let ccum: number; // upper tail P(Z > x)
  if (y <= 0.67448975) {
    // Cody region 1: erf series as a rational function of x².
    let xnum = 0;
    let xden = 0;
    if (y > HALF_EPS) {
      const xsq = x * x;
      xnum = 0.065682337918207449113 * xsq;
      xden = xsq;
      xnum = (xnum + 2.2352520354606839287) * xsq;
      xden = (xden + 47.20258190468824187) * xsq;
      xnum = (xnum + 161.02823106855587881) * xsq;
      xden = (xden + 976.09855173777669322) * xsq;
      xnum = (xnum + 1067.6894854603709582) * xsq;
      xden = (xden + 10260.932208618978205) * xsq;
    }
    const temp = (x * (xnum + 18154.981253343561249)) / (xden + 45507.789335026729956);
    cum = 0.5 + temp;
    ccum = 0.5 - temp;
  } else if (y <= M_SQRT_32) {
    // Cody region 2: erfc(y/√2) ≈ exp(−y²/2)·R(y), 0.674 < |x| ≤ √32.
    let xnum = 1.0765576773720192317e-8 * y;
    let xden = y;
    xnum = (xnum + 0.39894151208813466764) * y;
    xden = (xden + 22.266688044328115691) * y;
    xnum = (xnum + 8.8831497943883759412) * y;
    xden = (xden + 235.38790178262499861) * y;
    xnum = (xnum + 93.506656132177855979) * y;
    xden = (xden + 1519.377599407554805) * y;
    xnum = (xnum + 597.27027639480026226) * y;
    xden = (xden + 6485.558298266760755) * y;
    xnum = (xnum + 2494.5375852903726711) * y;
    xden = (xden + 18615.571640885098091) * y;
    xnum = (xnum + 6848.1904505362823326) * y;
    xden = (xden + 34900.952721145977266) * y;
    xnum = (xnum + 11602.651437647350124) * y;
    xden = (xden + 38912.003286093271411) * y;
    const temp = (xnum + 9842.7148383839780218) / (xden + 19685.429676859990727);
    const tail = gaussTail(y) * temp;
    if (x > 0) {
      cum = 1 - tail;
      ccum = tail;
    } else {
      cum = tail;
      ccum = 1 - tail;
    }
  } else if (Number.isFinite(x)) {
    // Cody region 3: asymptotic rational in 1/x². R stops at x < −37.5193 and answers 0; here the
    // tail goes on into the subnormal range (pnorm(−38) ≈ 2.885e−316) and underflows to 0 by itself.
    const xsq = 1 / (x * x);
    let xnum = 0.02307344176494017303 * xsq;
    let xden = xsq;
    xnum = (xnum + 0.21589853405795699) * xsq;
    xden = (xden + 1.28426009614491121) * xsq;
    xnum = (xnum + 0.1274011611602473639) * xsq;
    xden = (xden + 0.468238212480865118) * xsq;
    xnum = (xnum + 0.022235277870649807) * xsq;
    xden = (xden + 0.0659881378689285515) * xsq;
    xnum = (xnum + 0.001421619193227893466) * xsq;
    xden = (xden + 0.00378239633202758244) * xsq;
    let temp = (xsq * (xnum + 2.9112874951168792e-5)) / (xden + 7.29751555083966205e-5);
    temp = (M_1_SQRT_2PI - temp) / y;
    const tail = gaussTail(y) * temp;
    if (x > 0) {
      cum = 1 - tail;
      ccum = tail;
    } else {
      cum = tail;
      ccum = 1 - tail;
    }
  } else if (x > 0) {
    // ±Infinity.
    cum = 1;
    ccum = 0;
  } else {
    cum = 0;
    ccum = 1;
  }
  return upper ? ccum : cum;
}

/**
 * exp(−y²/2) computed as exp(−s²/2)·exp(−(y−s)(y+s)/2) with s = y rounded down to 1/16: Cody's
 * (and R's `do_del`) split, which avoids the rounding error of squaring a large y directly.
 */
function gaussTail(y: number): number {
  const s = Math.trunc(y * 16) / 16;
  const del = (y - s) * (y + s);
  return Math.exp(-s * s * 0.5) * Math.exp(-del * 0.5);
}
