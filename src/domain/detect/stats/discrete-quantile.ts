import { qnorm } from './normal.ts';

/**
 * The quantile search R uses for discrete distributions (R ≥ 4.1, `src/nmath/qDiscrete_search.h`):
 * start from the Cornish–Fisher approximation, fuzz p by (1 − 8ε) "to ensure left continuity",
 * then walk to the smallest integer y with P(Y ≤ y) ≥ p; from y ≥ 4096 the walk starts with steps
 * of ⌊y/64⌋, shrunk eightfold until they reach 1. The answer is the same as R's whatever the
 * starting point, provided the distribution function agrees.
 */

const DBL_EPSILON = 2.220446049250313e-16;

/** The smallest integer y ≥ 0 with cdf(y) ≥ p·(1 − 8ε), searched from the Cornish–Fisher value. */
export function discreteQuantile(p: number, mu: number, sigma: number, gamma: number, cdf: (y: number) => number): number {
  const z0 = qnorm(p);
  let y = roundHalfEven(mu + sigma * (z0 + (gamma * (z0 * z0 - 1)) / 6));
  if (!(y > 0)) y = 0; // also −0 and NaN starts (e.g. infinite sigma) begin at 0
  if (y === Infinity) return Infinity;
  const target = p * (1 - 8 * DBL_EPSILON);
  const state = { y, z: cdf(y) };
  if (y < 4096) {
    search(state, target, 1, cdf);
    return state.y;
  }
  let incr = Math.floor(y / 64);
  let oldIncr: number;
  do {
    oldIncr = incr;
    search(state, target, incr, cdf);
    incr = Math.max(1, Math.floor(incr / 8));
  } while (oldIncr > 1 && incr > state.y * 1e-15);
  return state.y;
}

/** R's do_search (lower tail, not log): moves `state.y` by `incr` until it brackets the target. */
function search(state: { y: number; z: number }, p: number, incr: number, cdf: (y: number) => number): void {
  if (state.z >= p) {
    // to the left
    for (;;) {
      let newZ = -1;
      if (state.y > 0) newZ = cdf(state.y - incr);
      else if (state.y < 0) state.y = 0;
      if (state.y === 0 || Number.isNaN(newZ) || newZ < p) return;
      state.y = Math.max(0, state.y - incr);
      state.z = newZ;
    }
  }
  // to the right
  for (;;) {
    state.y += incr;
    state.z = cdf(state.y);
    if (Number.isNaN(state.z) || state.z >= p) return;
  }
}

/** C's nearbyint under the default rounding mode (R's R_forceint): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}
