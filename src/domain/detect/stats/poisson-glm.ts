/**
 * A Poisson GLM with log link fitted by iteratively reweighted least squares exactly as R's
 * `glm.fit` iterates — the same start (μ = y + 0.1), the same convergence rule
 * (|dev − dev_old| / (|dev| + 0.1) < ε, ε = 1e-8, at most 25 iterations), the same step halving
 * when the deviance or μ become invalid — so that a quasi-Poisson fit answers what R's
 * `glm(…, family = quasipoisson)` answers, down to what it reports from the *last* iteration:
 * R's `weights` (working weights) and `qr` (hence the unscaled covariance and the hat values) are
 * those the final least-squares step used, i.e. evaluated at the previous μ, while fitted values
 * and residuals come from the final μ.
 *
 * The design is a cell-means factor (one parameter per level; a single level is an intercept)
 * plus dense covariate columns. The normal equations are assembled in O(n) per iteration by
 * exploiting the indicator structure, equilibrated (unit diagonal) and solved by Cholesky; on
 * Farrington-sized problems (p ≤ 12, covariates centred) this keeps ~1e-13 relative accuracy.
 * A parameter whose column is (numerically) a combination of earlier ones is *aliased*, as R's
 * pivoting QR would report it: its coefficient is NaN and it takes no part in the fit.
 */

/** The model matrix, by structure. */
export interface PoissonGlmDesign {
  /** Number of rows (observations). */
  n: number;
  /** Cell-means factor: the level (0-based) of each row; one parameter per level, first in order. */
  groups?: { level: ArrayLike<number>; count: number };
  /** Dense covariate columns (each of length n), parameters after the levels. */
  columns: ReadonlyArray<ArrayLike<number>>;
}

/** Prior weights, offset and the iteration controls (R's `glm.control`). */
export interface PoissonGlmOptions {
  /** Prior weights (R's `weights`), default 1; rows with weight 0 take no part. */
  weights?: ArrayLike<number>;
  /** Offset on the linear predictor (e.g. log population), default 0. */
  offset?: ArrayLike<number>;
  /** Convergence tolerance on the relative change of deviance (R: 1e-8). */
  epsilon?: number;
  /** Maximal number of IRLS iterations (R: 25). */
  maxit?: number;
  /**
   * Memory for the fit's vectors and matrices, at least `fitStorageLength(n, p, offset)` long (a
   * longer one is fine). The returned fit's arrays are views on it: they hold only until the
   * storage is given to another fit. Without it the fit allocates its own.
   */
  storage?: Float64Array;
}

/** How many numbers a fit of n rows and p parameters (p ≥ its factor's level count) keeps; see `PoissonGlmOptions.storage`. */
export function fitStorageLength(n: number, p: number, hasOffset: boolean): number {
  return n * (hasOffset ? 8 : 7) + 4 * p * p + 9 * p;
}

/** What R's `glm` object holds, for the Poisson/quasi-Poisson family with log link. */
export interface PoissonGlmFit {
  /** Number of parameters (levels + covariates). */
  p: number;
  /** Estimates; NaN where aliased. */
  coefficients: Float64Array;
  /** 1 where the parameter is aliased (not estimable). */
  aliased: Uint8Array;
  /** Number of estimable parameters. */
  rank: number;
  /** Linear predictor η (offset included). */
  eta: Float64Array;
  /** Fitted means μ = exp(η). */
  fitted: Float64Array;
  /** (X'WX)⁻¹ row-major p×p with W the last iteration's working weights; zero rows/columns where aliased. */
  covUnscaled: Float64Array;
  /** Diagonal of the hat matrix W^½X(X'WX)⁻¹X'W^½ (R's `hatvalues`); computed on first read. */
  readonly hat: Float64Array;
  /** Σ 2w(y log(y/μ) − (y − μ)). */
  deviance: number;
  /** Prior weights (R's `prior.weights`). */
  priorWeights: Float64Array;
  /** Working weights of the last iteration, prior·μ_previous (R's `weights`). */
  workingWeights: Float64Array;
  /** Working residuals (y − μ)/μ (R's `residuals`). */
  readonly workingResiduals: Float64Array;
  /** Pearson residuals (y − μ)·√prior/√μ. */
  readonly pearsonResiduals: Float64Array;
  /** Observations with positive prior weight minus the rank (R's `df.residual`). */
  dfResidual: number;
  converged: boolean;
  /** True when a step had to be halved (R's `boundary`). */
  boundary: boolean;
  iterations: number;
}

const ALIAS_TOLERANCE = 1e-12;

/** How often the stepped exp(slope·x) of Farrington's fits is recomputed exactly (see `update`). */
const exactEvery = 8;

/**
 * Fits log E[y] = Xβ + offset by IRLS as R's `glm.fit` does; throws only on invalid input.
 * Typed-array inputs (y, levels, a single covariate) are used without copying: keep them unchanged
 * while the fit is in use (its residuals and hat values are computed from them on first read).
 */
export function fitPoissonGlm(y: ArrayLike<number>, design: PoissonGlmDesign, options: PoissonGlmOptions = {}): PoissonGlmFit {
  const n = design.n;
  const epsilon = options.epsilon ?? 1e-8;
  const maxit = options.maxit ?? 25;
  const groupCount = design.groups?.count ?? 0;
  const level = design.groups?.level;
  const columns = design.columns;
  const q = columns.length;
  const p = groupCount + q;
  if (y.length !== n) throw new RangeError(`fitPoissonGlm: y has ${y.length} values, the design ${n} rows`);
  // Every vector and matrix of the fit shares one buffer: each separate typed array would cost a
  // backing store (~0.5 µs here), and a Farrington fit of a few hundred rows needs a dozen.
  const length = fitStorageLength(n, p, options.offset !== undefined);
  const given = options.storage;
  if (given && given.length < length) throw new RangeError(`fitPoissonGlm: storage holds ${given.length} numbers, the fit needs ${length}`);
  const block = given ? given.subarray(0, length).fill(0) : new Float64Array(length);
  let taken = 0;
  const take = (length: number) => block.subarray(taken, (taken += length));
  const prior = take(n);
  const eta = take(n);
  const mu = take(n);
  let w = take(n);
  // The next iteration's weights and normal equations, accumulated while μ is updated (below).
  let wNext = take(n);
  const yLogY = take(n);
  const hat = take(n);
  const offset = take(options.offset ? n : 0);
  const hasOffset = options.offset !== undefined;

  let gram = take(p * p);
  let gramNext = take(p * p);
  let rhsNext = take(p);
  /** gramNext, rhsNext and wNext hold the normal equations for the current μ. */
  let prepared = false;
  const covUnscaled = take(p * p);
  const inverseFactor = take(p * p);
  let rhs = take(p);
  const scale = take(p);
  const scratch = take(p);
  const coefOld = take(p);
  const coefficients = take(p);
  const aliased = new Uint8Array(p);
  let coef: Float64Array = take(p);
  let spare: Float64Array = take(p); // the other coefficient buffer (no allocation per iteration)
  let hasCoefOld = false;

  // Flat copies for the hot loops: counts, y·log y, levels, covariates row-major.
  // (Typed inputs are used as they are: the fit never writes to them.)
  const yy = y instanceof Float64Array ? y : Float64Array.from(y);
  const lv = level instanceof Int32Array ? level : Int32Array.from(level ?? []);
  const single = columns[0];
  const xs = q === 1 && single instanceof Float64Array ? single : new Float64Array(n * q);
  if (xs !== single) for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) xs[i * q + j] = columns[j]![i]!;
  const hasGroups = level !== undefined && groupCount > 0;

  // One pass over the rows: check the counts and weights, y·log y, and the start — mustart = y +
  // 0.1, eta = log(mustart) (the offset is ignored at the start, as in R; R's μ = exp(log(y + 0.1))
  // may differ from y + 0.1 in the last bit, which changes nothing).
  const weights = options.weights;
  let devOld = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i]!; // the caller's value, not its typed copy (where null would read as 0)
    if (!(yi >= 0) || !Number.isFinite(yi)) throw new RangeError(`fitPoissonGlm: y[${i}] = ${yi} is not a non-negative count`);
    const wi = weights ? weights[i]! : 1;
    if (!(wi >= 0)) throw new RangeError(`fitPoissonGlm: weights[${i}] = ${wi} is negative or not a number`);
    prior[i] = wi;
    if (hasOffset) offset[i] = options.offset![i]!;
    const yLog = yi !== 0 ? yi * logCount(yi) : 0;
    yLogY[i] = yLog;
    const m = yi + 0.1;
    const e = logCountPlusTenth(yi);
    eta[i] = e;
    mu[i] = m;
    devOld += 2 * wi * (yLog - yi * e - (yi - m));
  }
  let dev = devOld;
  let converged = false;
  let boundary = false;
  let iterations = 0;
  let muValid = true;

  /** η = Xβ + offset, μ = exp(η); answers the deviance (y·log(y/μ) as y·log y − y·η) and sets muValid. */
  const onlyGroups = hasGroups && q === 0 && options.offset === undefined;
  const oneCovariate = hasGroups && q === 1 && options.offset === undefined;
  // exp(β) of each level (both cases below need it; at most one of them runs).
  const expGroup = take(groupCount);
  const expLevel = expGroup;
  const update = (beta: Float64Array): number => {
    let d = 0;
    let valid = true;
    if (onlyGroups) {
      // η = β_level exactly, so exp once per level gives the same μ bit for bit.
      for (let g = 0; g < groupCount; g++) expGroup[g] = Math.exp(beta[g]!);
      for (let i = 0; i < n; i++) {
        const e = beta[lv[i]!]!;
        const m = expGroup[lv[i]!]!;
        eta[i] = e;
        mu[i] = m;
        if (!(m > 0) || m === Infinity) valid = false;
        d += 2 * prior[i]! * (yLogY[i]! - yy[i]! * e - (yy[i]! - m));
      }
      muValid = valid;
      return d;
    }
    if (oneCovariate) {
      // Farrington's case (levels + wtime): μ = exp(β_level)·exp(slope·x). The rows of a fit come
      // in runs of evenly spaced times, so exp(slope·x) steps by one factor along a run: a
      // multiplication instead of an exp. Every `exactEvery` rows it is recomputed, which keeps
      // μ within a few ulps of exp(η) (the deviance and weights see 1e-15, IRLS converges to 1e-8).
      gramNext.fill(0);
      rhsNext.fill(0);
      prepared = true;
      // NaN (an invalid μ) sends the caller to step halving, as an invalid μ does.
      muValid = true;
      return updateLevelsAndSlope(beta, groupCount, p, n, xs, lv, prior, yy, yLogY, expLevel, eta, mu, wNext, gramNext, rhsNext);
    }
    for (let i = 0; i < n; i++) {
      let e = hasOffset ? offset[i]! : 0;
      if (hasGroups) e += beta[lv[i]!]!;
      for (let j = 0; j < q; j++) e += beta[groupCount + j]! * xs[i * q + j]!;
      const m = Math.exp(e);
      eta[i] = e;
      mu[i] = m;
      if (!(m > 0) || m === Infinity) valid = false;
      d += 2 * prior[i]! * (yLogY[i]! - yy[i]! * e - (yy[i]! - m));
    }
    muValid = valid;
    return d;
  };

  for (let iter = 1; iter <= maxit; iter++) {
    iterations = iter;
    // Log link: dμ/dη = μ, variance μ: z = η − offset + (y − μ)/μ, w² = prior·μ. Assemble X'WX, X'Wz.
    if (oneCovariate && prepared) {
      // Assembled during the last update of μ: swap the buffers in.
      const g0 = gram;
      gram = gramNext;
      gramNext = g0;
      const r0 = rhs;
      rhs = rhsNext;
      rhsNext = r0;
      const w0 = w;
      w = wNext;
      wNext = w0;
      prepared = false;
    } else if (oneCovariate) {
      gram.fill(0);
      rhs.fill(0);
      const tt = groupCount * p + groupCount;
      let sxx = 0;
      let sxz = 0;
      for (let i = 0; i < n; i++) {
        const m = mu[i]!;
        const wi = prior[i]! * m;
        w[i] = wi;
        // w·z = w·(η + (y − μ)/μ) = w·η + prior·(y − μ), as w = prior·μ: no division.
        const wz = wi * eta[i]! + prior[i]! * (yy[i]! - m);
        const x = xs[i]!;
        addArrowRow(gram, rhs, p, groupCount, lv[i]!, x, wi, wz);
        sxx += wi * x * x;
        sxz += wz * x;
      }
      gram[tt] = sxx;
      rhs[groupCount] = sxz;
    } else {
      gram.fill(0);
      rhs.fill(0);
    }
    if (!oneCovariate) for (let i = 0; i < n; i++) {
      const m = mu[i]!;
      const wi = prior[i]! * m;
      w[i] = wi;
      if (wi === 0) continue;
      const wz = wi * (eta[i]! - (hasOffset ? offset[i]! : 0) + (yy[i]! - m) / m);
      if (hasGroups) {
        const g = lv[i]!;
        gram[g * p + g] = gram[g * p + g]! + wi;
        rhs[g] = rhs[g]! + wz;
        for (let j = 0; j < q; j++) gram[g * p + groupCount + j] = gram[g * p + groupCount + j]! + wi * xs[i * q + j]!;
      }
      for (let j = 0; j < q; j++) {
        const xj = xs[i * q + j]!;
        rhs[groupCount + j] = rhs[groupCount + j]! + wz * xj;
        const row = (groupCount + j) * p + groupCount;
        for (let k = j; k < q; k++) gram[row + k] = gram[row + k]! + wi * xj * xs[i * q + k]!;
      }
    }
    let next: Float64Array;
    if (oneCovariate) next = solveArrow(gram, rhs, aliased, p, spare);
    else {
      for (let r = 0; r < p; r++) for (let c = r + 1; c < p; c++) gram[c * p + r] = gram[r * p + c]!;
      next = solveEquilibrated(gram, rhs, scale, aliased, p, scratch, spare);
    }
    let finite = true;
    for (let j = 0; j < p; j++) if (!Number.isFinite(next[j]!)) finite = false;
    if (!finite) {
      converged = false;
      break;
    }
    spare = coef;
    coef = next;
    dev = update(coef);
    if (!Number.isFinite(dev) || !muValid) {
      if (!hasCoefOld) {
        // R: "no valid set of coefficients has been found: please supply starting values"
        converged = false;
        break;
      }
      let ii = 1;
      while (!Number.isFinite(dev) || !muValid) {
        if (ii > maxit) break; // R stops with "inner loop; cannot correct step size"
        ii++;
        for (let j = 0; j < p; j++) coef[j] = (coef[j]! + coefOld[j]!) / 2;
        dev = update(coef);
      }
      boundary = true;
    }
    if (Math.abs(dev - devOld) / (Math.abs(dev) + 0.1) < epsilon) {
      converged = true;
      break;
    }
    devOld = dev;
    hasCoefOld = true;
    coefOld.set(coef);
  }

  // The last iteration's normal equations (weights w at the previous μ) give R's qr: invert them.
  if (oneCovariate) invertArrow(gram, aliased, p, covUnscaled);
  else invertEquilibrated(gram, scale, aliased, p, inverseFactor, covUnscaled);
  let rank = 0;
  for (let j = 0; j < p; j++) if (!aliased[j]) rank++;
  for (let j = 0; j < p; j++) coefficients[j] = aliased[j] ? NaN : coef[j]!;

  let nOk = 0;
  for (let i = 0; i < n; i++) if (prior[i]! > 0) nOk++;
  return new FitResult(
    p,
    coefficients,
    aliased,
    rank,
    eta,
    mu,
    covUnscaled,
    dev,
    prior,
    w,
    nOk - rank,
    converged,
    boundary,
    iterations,
    { y: yy, groupCount, level, columns },
    hat,
  );
}

/**
 * The fit, with the hat values and residuals computed when first read (a Farrington refit never
 * needs them). A class, so that the lazy getters live on the prototype.
 */
class FitResult implements PoissonGlmFit {
  #hat: Float64Array | null = null;
  #working: Float64Array | null = null;
  #pearson: Float64Array | null = null;

  constructor(
    readonly p: number,
    readonly coefficients: Float64Array,
    readonly aliased: Uint8Array,
    readonly rank: number,
    readonly eta: Float64Array,
    readonly fitted: Float64Array,
    readonly covUnscaled: Float64Array,
    readonly deviance: number,
    readonly priorWeights: Float64Array,
    readonly workingWeights: Float64Array,
    readonly dfResidual: number,
    readonly converged: boolean,
    readonly boundary: boolean,
    readonly iterations: number,
    private readonly design: { y: Float64Array; groupCount: number; level: ArrayLike<number> | undefined; columns: ReadonlyArray<ArrayLike<number>> },
    /** Where the hat values go when first read. */
    private readonly hatBuffer: Float64Array,
  ) {}

  get hat(): Float64Array {
    const d = this.design;
    this.#hat ??= hatValues(this.workingWeights, this.covUnscaled, this.p, d.groupCount, d.level, d.columns, this.hatBuffer);
    return this.#hat;
  }

  get workingResiduals(): Float64Array {
    if (this.#working === null) {
      const y = this.design.y;
      const mu = this.fitted;
      const r = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) r[i] = (y[i]! - mu[i]!) / mu[i]!;
      this.#working = r;
    }
    return this.#working;
  }

  /** Σ weights·((y − μ)/μ)² over positive weights, without materialising the residuals. */
  weightedSquaredResiduals(weights: ArrayLike<number>): number {
    const y = this.design.y;
    const mu = this.fitted;
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = weights[i]!;
      if (wi > 0) {
        const r = (y[i]! - mu[i]!) / mu[i]!;
        sum += wi * r * r;
      }
    }
    return sum;
  }

  get pearsonResiduals(): Float64Array {
    if (this.#pearson === null) {
      const y = this.design.y;
      const mu = this.fitted;
      const prior = this.priorWeights;
      const r = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) r[i] = ((y[i]! - mu[i]!) * Math.sqrt(prior[i]!)) / Math.sqrt(mu[i]!);
      this.#pearson = r;
    }
    return this.#pearson;
  }
}

/** h_i = w_i · x_i'(X'WX)⁻¹x_i, zero where the weight is zero. */
function hatValues(
  w: Float64Array,
  cov: Float64Array,
  p: number,
  groupCount: number,
  level: ArrayLike<number> | undefined,
  columns: ReadonlyArray<ArrayLike<number>>,
  hat: Float64Array,
): Float64Array {
  const n = w.length;
  const q = columns.length;
  const x = columns[0];
  if (level && groupCount > 0 && q === 1 && x) {
    // Levels plus one covariate (Farrington's model): x'(X'WX)⁻¹x = c_gg + 2x·c_gt + x²·c_tt.
    const t = groupCount;
    const ctt = cov[t * p + t]!;
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      if (!(wi > 0)) continue;
      const g = level[i]!;
      const xi = x[i]!;
      hat[i] = wi * (cov[g * p + g]! + 2 * xi * cov[g * p + t]! + xi * xi * ctt);
    }
    return hat;
  }
  for (let i = 0; i < n; i++) {
    if (!(w[i]! > 0)) continue;
    let quad = 0;
    if (level && groupCount > 0) {
      const g = level[i]!;
      quad += cov[g * p + g]!;
      for (let j = 0; j < q; j++) quad += 2 * columns[j]![i]! * cov[g * p + groupCount + j]!;
    }
    for (let j = 0; j < q; j++) {
      const xj = columns[j]![i]!;
      for (let k = 0; k < q; k++) quad += xj * columns[k]![i]! * cov[(groupCount + j) * p + groupCount + k]!;
    }
    hat[i] = w[i]! * quad;
  }
  return hat;
}

/**
 * The dispersion `summary.glm` estimates for quasi families: Σ weights·residuals² / df.residual
 * over rows with positive weight, from the model's `weights` (by default the working weights;
 * pass others to reproduce a model whose `weights` were overwritten) and working residuals.
 */
export function summaryDispersion(fit: PoissonGlmFit, weights: ArrayLike<number> = fit.workingWeights): number {
  if (fit.dfResidual <= 0) return NaN;
  if (fit instanceof FitResult) return fit.weightedSquaredResiduals(weights) / fit.dfResidual;
  const r = fit.workingResiduals;
  let sum = 0;
  for (let i = 0; i < r.length; i++) {
    const wi = weights[i]!;
    if (wi > 0) sum += wi * r[i]! * r[i]!;
  }
  return sum / fit.dfResidual;
}

/**
 * The linear predictor at a new row — level `group` of the factor (ignored without one), covariates
 * `x`, plus `offset` — and x₀'(X'WX)⁻¹x₀, which times the dispersion is the squared `se.fit` of
 * R's `predict.glm(type = "link")`. NaN if the row needs an aliased parameter.
 */
export function predictLink(
  fit: PoissonGlmFit,
  groupCount: number,
  group: number,
  x: ArrayLike<number>,
  offset = 0,
): { eta: number; varianceUnscaled: number } {
  const p = fit.p;
  let eta = offset;
  let v = 0;
  const c = fit.covUnscaled;
  if (groupCount > 0) {
    eta += fit.coefficients[group]!;
    v += c[group * p + group]!;
    for (let j = 0; j < x.length; j++) v += 2 * x[j]! * c[group * p + groupCount + j]!;
  }
  for (let j = 0; j < x.length; j++) {
    eta += fit.coefficients[groupCount + j]! * x[j]!;
    for (let k = 0; k < x.length; k++) v += x[j]! * x[k]! * c[(groupCount + j) * p + groupCount + k]!;
  }
  return { eta, varianceUnscaled: v };
}

/**
 * Solves G β = r by Cholesky on the equilibrated matrix D G D (D = diag(G)^-½), in place of G's
 * lower triangle (the factor is kept for the inverse). Columns whose pivot falls below the
 * tolerance are flagged aliased and solved as 0.
 */
function solveEquilibrated(
  g: Float64Array,
  r: Float64Array,
  scale: Float64Array,
  aliased: Uint8Array,
  p: number,
  u: Float64Array,
  beta: Float64Array,
): Float64Array {
  for (let j = 0; j < p; j++) {
    const d = g[j * p + j]!;
    scale[j] = d > 0 ? 1 / Math.sqrt(d) : 0;
    aliased[j] = d > 0 ? 0 : 1;
  }
  // Scale in place: a_ij = g_ij s_i s_j.
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) g[i * p + j] = g[i * p + j]! * scale[i]! * scale[j]!;
  // Cholesky, lower factor in place (row-major L[i][j], j ≤ i).
  for (let j = 0; j < p; j++) {
    if (aliased[j]) {
      for (let i = j; i < p; i++) g[i * p + j] = 0;
      continue;
    }
    let d = g[j * p + j]!;
    for (let k = 0; k < j; k++) d -= g[j * p + k]! * g[j * p + k]!;
    if (d <= ALIAS_TOLERANCE) {
      aliased[j] = 1;
      for (let i = j; i < p; i++) g[i * p + j] = 0;
      continue;
    }
    const ljj = Math.sqrt(d);
    g[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = g[i * p + j]!;
      for (let k = 0; k < j; k++) s -= g[i * p + k]! * g[j * p + k]!;
      g[i * p + j] = s / ljj;
    }
  }
  // Forward then back substitution on the scaled right-hand side.
  u.fill(0);
  for (let i = 0; i < p; i++) {
    if (aliased[i]) continue;
    let s = r[i]! * scale[i]!;
    for (let k = 0; k < i; k++) s -= g[i * p + k]! * u[k]!;
    u[i] = s / g[i * p + i]!;
  }
  beta.fill(0);
  for (let i = p - 1; i >= 0; i--) {
    if (aliased[i]) continue;
    let s = u[i]!;
    for (let k = i + 1; k < p; k++) s -= g[k * p + i]! * beta[k]!;
    beta[i] = s / g[i * p + i]!;
  }
  // beta holds D⁻¹β: undo the equilibration.
  for (let i = 0; i < p; i++) beta[i] = aliased[i] ? 0 : beta[i]! * scale[i]!;
  return beta;
}

/**
 * One IRLS update for levels + one covariate (Farrington's model): μ = exp(β_level)·exp(slope·x)
 * per row, and the next iteration's normal equations from that μ, in one pass. Answers the
 * deviance, or NaN when some μ is not a positive finite number. A top-level function with its
 * arrays as parameters: inside the fit's closure V8 reloads each captured array per row.
 */
function updateLevelsAndSlope(
  beta: Float64Array,
  groupCount: number,
  p: number,
  n: number,
  xs: Float64Array,
  lv: Int32Array,
  prior: Float64Array,
  yy: Float64Array,
  yLogY: Float64Array,
  expLevel: Float64Array,
  eta: Float64Array,
  mu: Float64Array,
  wN: Float64Array,
  gN: Float64Array,
  rN: Float64Array,
): number {
  const slope = beta[groupCount]!;
  for (let g = 0; g < groupCount; g++) expLevel[g] = Math.exp(beta[g]!);
  const t = groupCount;
  let d = 0;
  let valid = true;
  let sxx = 0;
  let sxz = 0;
  let stepX = NaN;
  let stepFactor = NaN;
  let expSlopeX = NaN;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const g = lv[i]!;
    const e = beta[g]! + slope * x;
    if (i % exactEvery === 0) expSlopeX = Math.exp(slope * x);
    else {
      const dx = x - xs[i - 1]!;
      if (dx !== stepX) {
        stepX = dx;
        stepFactor = Math.exp(slope * dx);
      }
      expSlopeX *= stepFactor;
    }
    const m = expLevel[g]! * expSlopeX;
    eta[i] = e;
    mu[i] = m;
    if (!(m > 0) || m === Infinity) valid = false;
    const pr = prior[i]!;
    const yi = yy[i]!;
    d += 2 * pr * (yLogY[i]! - yi * e - (yi - m));
    // The next iteration's normal equations, from this μ, in the order the assembly in the fit
    // would add them (so the sums are the same to the bit): one pass over the rows, not two.
    const wi = pr * m;
    wN[i] = wi;
    const wz = wi * e + pr * (yi - m);
    gN[g * p + g] = gN[g * p + g]! + wi;
    gN[g * p + t] = gN[g * p + t]! + wi * x;
    rN[g] = rN[g]! + wz;
    sxx += wi * x * x;
    sxz += wz * x;
  }
  gN[t * p + t] = sxx;
  rN[t] = sxz;
  return valid ? d : NaN;
}

/** Adds one row (level g, covariate x, weight w, w·z) to an arrow-shaped X'WX and X'Wz; t is the covariate's index. */
function addArrowRow(gram: Float64Array, rhs: Float64Array, p: number, t: number, g: number, x: number, wi: number, wz: number): void {
  gram[g * p + g] = gram[g * p + g]! + wi;
  gram[g * p + t] = gram[g * p + t]! + wi * x;
  rhs[g] = rhs[g]! + wz;
}

/**
 * Levels plus one covariate give an arrow-shaped X'WX: the levels' block is diagonal (each row is
 * in one level), the covariate adds a last row and column. It is solved in O(p) through the Schur
 * complement of that block, s = G_tt − Σ_g G_gt²/G_gg, instead of by Cholesky. Aliasing is decided
 * as `solveEquilibrated` decides it: a level without weight; the covariate when its equilibrated
 * pivot s/G_tt is at most the tolerance. Reads the upper entries of `g` only and leaves it as is.
 */
function solveArrow(g: Float64Array, r: Float64Array, aliased: Uint8Array, p: number, beta: Float64Array): Float64Array {
  const t = p - 1;
  const corner = g[t * p + t]!;
  let schur = corner;
  let rt = r[t]!;
  for (let j = 0; j < t; j++) {
    const d = g[j * p + j]!;
    if (d > 0) {
      aliased[j] = 0;
      const c = g[j * p + t]!;
      schur -= (c * c) / d;
      rt -= (c * r[j]!) / d;
    } else aliased[j] = 1;
  }
  const slopeEstimable = corner > 0 && schur > ALIAS_TOLERANCE * corner;
  aliased[t] = slopeEstimable ? 0 : 1;
  const slope = slopeEstimable ? rt / schur : 0;
  beta[t] = slope;
  for (let j = 0; j < t; j++) beta[j] = aliased[j] ? 0 : (r[j]! - g[j * p + t]! * slope) / g[j * p + j]!;
  return beta;
}

/**
 * (X'WX)⁻¹ of the arrow-shaped matrix `solveArrow` solved, into `inv` (zeroed): with a_g = G_gt/G_gg
 * and s the Schur complement, inv_tt = 1/s, inv_gt = −a_g/s, inv_gh = δ_gh/G_gg + a_g·a_h/s; zero
 * rows and columns where aliased.
 */
function invertArrow(g: Float64Array, aliased: Uint8Array, p: number, inv: Float64Array): void {
  const t = p - 1;
  let schur = g[t * p + t]!;
  for (let j = 0; j < t; j++) {
    if (aliased[j]) continue;
    const c = g[j * p + t]!;
    schur -= (c * c) / g[j * p + j]!;
  }
  const slope = !aliased[t];
  if (slope) inv[t * p + t] = 1 / schur;
  for (let j = 0; j < t; j++) {
    if (aliased[j]) continue;
    const dj = g[j * p + j]!;
    inv[j * p + j] = 1 / dj;
    if (!slope) continue;
    const aj = g[j * p + t]! / dj;
    inv[j * p + t] = inv[t * p + j] = -aj / schur;
    for (let k = 0; k < t; k++) {
      if (aliased[k]) continue;
      inv[j * p + k] = inv[j * p + k]! + (aj * g[k * p + t]!) / g[k * p + k]! / schur;
    }
  }
}

/**
 * (X'WX)⁻¹ from the factor left by `solveEquilibrated`: D (LLᵀ)⁻¹ D, zero where aliased, into
 * `inv`; `linv` (zeroed, p×p) is scratch.
 */
function invertEquilibrated(l: Float64Array, scale: Float64Array, aliased: Uint8Array, p: number, linv: Float64Array, inv: Float64Array): void {
  // Linv = L⁻¹ (lower), then inverse = Linvᵀ Linv.
  for (let j = 0; j < p; j++) {
    if (aliased[j]) continue;
    linv[j * p + j] = 1 / l[j * p + j]!;
    for (let i = j + 1; i < p; i++) {
      if (aliased[i]) continue;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * p + k]! * linv[k * p + j]!;
      linv[i * p + j] = s / l[i * p + i]!;
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < p; k++) s += linv[k * p + i]! * linv[k * p + j]!;
      const v = s * scale[i]! * scale[j]!;
      inv[i * p + j] = v;
      inv[j * p + i] = v;
    }
  }
}

// log y and log(y + 0.1) of small counts, tabulated once: every fit starts from them.
const TABLE_SIZE = 4096;
const LOG_COUNT = new Float64Array(TABLE_SIZE);
const LOG_COUNT_TENTH = new Float64Array(TABLE_SIZE);
for (let c = 0; c < TABLE_SIZE; c++) {
  LOG_COUNT[c] = Math.log(c);
  LOG_COUNT_TENTH[c] = Math.log(c + 0.1);
}

function logCount(y: number): number {
  return y < TABLE_SIZE && Number.isInteger(y) ? LOG_COUNT[y]! : Math.log(y);
}

function logCountPlusTenth(y: number): number {
  return y < TABLE_SIZE && Number.isInteger(y) ? LOG_COUNT_TENTH[y]! : Math.log(y + 0.1);
}
