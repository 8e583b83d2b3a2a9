import { fitPoissonGlm, fitStorageLength, predictLink, summaryDispersion, type PoissonGlmFit } from '../stats/poisson-glm.ts';
import { ptTwoSided } from '../stats/student-t.ts';
import type { FitData } from './fit-data.ts';

/**
 * The quasi-Poisson model of farringtonFlexible (surveillance 1.20,
 * `algo.farrington.fitGLM.flexible` and `algo.farrington.glm`), fitted as R's `glm` fits it.
 *
 * Parametrisation: R fits `response ~ 1 [+ wtime] [+ seasgroups]` with treatment contrasts; we fit
 * the same column space with one parameter per seasonal level and `wtime` centred on its mean
 * over the fit. Fitted values, deviance, hat values, the trend coefficient with its standard
 * error and the prediction at k (with its variance) are invariant to that change; the normal
 * equations are just better conditioned.
 */

/** What the model step hands to the threshold. */
export interface ModelPrediction {
  /** `pred$fit`: the mean at k (type "response") or the linear predictor (type "link"). */
  fit: number;
  /** `pred$se.fit` on the same scale, with R's dispersion in mode `r` (see `fitFlexible`), the model's own in mode `textbook`. */
  seFit: number;
  /** The trend was kept. */
  doTrend: boolean;
  /** Its coefficient when kept, else NaN. */
  trendCoef: number;
  /** Overdispersion max(dispersion, 1) of the final model. */
  phi: number;
}

/** Model switches, from the control list. */
export interface ModelSettings {
  trend: boolean;
  reweight: boolean;
  weightsThreshold: number;
  pThresholdTrend: number;
  b: number;
  noPeriods: number;
  /** log(population) of each fit row and of k, when `populationOffset`. */
  offset: { rows: Float64Array; now: number } | null;
  /**
   * Dispersion of the trend test and of the prediction's standard error after reweighting:
   * `r` copies surveillance's Σ ω((y − μ)/μ)² / (n − p) (see `FlexibleFit.summaryWeights`),
   * `textbook` uses the reweighted fit's own Pearson dispersion, as `summary.glm` computes it on
   * an untouched model (working weights, which carry the prior weights ω).
   */
  mode: 'r' | 'textbook';
}

interface FlexibleFit {
  glm: PoissonGlmFit;
  withTrend: boolean;
  phi: number;
  /**
   * The weights `summary.glm`/`predict.glm` will use. QUIRK (R): after reweighting, surveillance
   * sets `model$weights <- omega`, so later summaries use Σ ω((y − μ)/μ)² / (n − p) as the
   * dispersion instead of the model's working weights; `phi` itself is the proper value. Mode
   * `textbook` keeps the working weights.
   */
  summaryWeights: ArrayLike<number>;
}

/**
 * R's `algo.farrington.glm`: fit (with trend if asked), keep the trend only if its p-value is
 * below pThresholdTrend, b ≥ 3 and the prediction at k does not exceed the largest count; else
 * refit without. Answers null when no model converges (R's NA row).
 */
export function fitAndPredict(data: FitData, settings: ModelSettings, scale: 'response' | 'link'): ModelPrediction | null {
  const n = data.response.length;
  let centre = 0;
  for (let i = 0; i < n; i++) centre += data.wtime[i]!;
  centre = n > 0 ? centre / n : 0;
  const wtime = new Float64Array(n);
  for (let i = 0; i < n; i++) wtime[i] = data.wtime[i]! - centre;
  const groups = settings.noPeriods !== 1 ? settings.noPeriods : 1;
  const level = new Int32Array(n);
  if (groups > 1) for (let i = 0; i < n; i++) level[i] = data.level[i]! - 1;
  const tNow = data.wtimeNow - centre;
  const offsetNow = settings.offset ? settings.offset.now : 0;

  const fitFlexible = (withTrend: boolean): FlexibleFit | null => {
    // The first fit and its reweighted successor are alive together; then they are done with.
    const fitOnce = (trend: boolean, weights?: Float64Array) =>
      fitPoissonGlm(
        data.response,
        { n, groups: { level, count: groups }, columns: trend ? [wtime] : [] },
        {
          ...(weights ? { weights } : {}),
          ...(settings.offset ? { offset: settings.offset.rows } : {}),
          storage: fitStorage(weights ? 1 : 0, fitStorageLength(n, groups + 1, settings.offset !== null)),
        },
      );
    let trend = withTrend;
    let glm = fitOnce(trend);
    if (!glm.converged) {
      if (trend) {
        trend = false;
        glm = fitOnce(false);
      }
      if (!glm.converged) return null;
    }
    let phi = Math.max(summaryDispersion(glm), 1); // NaN stays NaN, as R's max()
    if (!settings.reweight) return { glm, withTrend: trend, phi, summaryWeights: glm.workingWeights };
    const omega = anscombeWeights(glm, data.response, phi, settings.weightsThreshold);
    // R does not check the convergence of the reweighted fit.
    glm = fitOnce(trend, omega);
    const dispersion = summaryDispersion(glm);
    phi = Math.max(dispersion, 1);
    return { glm, withTrend: trend, phi, summaryWeights: settings.mode === 'r' ? omega : glm.workingWeights };
  };

  let model = fitFlexible(settings.trend);
  if (model === null) return null;
  let doTrend = false;
  if (model.withTrend) {
    const trendIndex = groups; // the covariate follows the levels
    const pred = predictLink(model.glm, groups, groups > 1 ? settings.noPeriods - 1 : 0, [tNow], offsetNow);
    const dispersion = summaryDispersion(model.glm, model.summaryWeights);
    const coef = model.glm.coefficients[trendIndex]!;
    const se = Math.sqrt(dispersion * model.glm.covUnscaled[trendIndex * model.glm.p + trendIndex]!);
    const pValue = ptTwoSided(coef / se, model.glm.dfResidual);
    let maxResponse = -Infinity;
    for (let i = 0; i < n; i++) if (data.response[i]! > maxResponse) maxResponse = data.response[i]!;
    doTrend = settings.b >= 3 && pValue < settings.pThresholdTrend && Math.exp(pred.eta) <= maxResponse;
    if (!doTrend) {
      model = fitFlexible(false);
      // R would fail in predict.glm on a NULL model; we give the NA row instead.
      if (model === null) return null;
    }
  }
  const pred = predictLink(model.glm, groups, groups > 1 ? settings.noPeriods - 1 : 0, model.withTrend ? [tNow] : [], offsetNow);
  const dispersion = summaryDispersion(model.glm, model.summaryWeights);
  const seLink = Math.sqrt(pred.varianceUnscaled * dispersion);
  const trendCoef = doTrend ? model.glm.coefficients[groups]! : NaN;
  if (scale === 'link') return { fit: pred.eta, seFit: seLink, doTrend, trendCoef, phi: model.phi };
  const mu = Math.exp(pred.eta);
  // predict.glm(type = "response"): se.fit × |dμ/dη| = se.fit × μ for the log link.
  return { fit: mu, seFit: seLink * mu, doTrend, trendCoef, phi: model.phi };
}

/**
 * Anscombe residuals s = 1.5 (y^⅔ μ^-⅙ − μ^½) / √(φ(1 − h)) and R's weights
 * (`algo.farrington.assign.weights`): γ s⁻² above the threshold, γ elsewhere, with γ making the
 * weights sum to n.
 */
function anscombeWeights(glm: PoissonGlmFit, y: Float64Array, phi: number, threshold: number): Float64Array {
  const n = y.length;
  // s first, then overwritten in place by the weights.
  const omega = new Float64Array(n);
  const hat = glm.hat;
  const fitted = glm.fitted;
  let denominator = 0;
  for (let i = 0; i < n; i++) {
    const mu = fitted[i]!;
    // y^(2/3)·μ^(-1/6) − μ^(1/2) by cube and square roots (≤ 1 ulp from R's pow, several times faster).
    const cy = cubeRootOfCount(y[i]!);
    const a = (3 / 2) * ((cy * cy) / Math.sqrt(Math.cbrt(mu)) - Math.sqrt(mu));
    // R's influence() rounds hat values within 10ε of 1 up to 1.
    const h = hat[i]! > 1 - 10 * Number.EPSILON ? 1 : hat[i]!;
    const si = a / Math.sqrt(phi * (1 - h));
    omega[i] = si;
    denominator += si > threshold ? Math.pow(si, -2) : 1;
  }
  const gamma = n / denominator;
  for (let i = 0; i < n; i++) {
    const si = omega[i]!;
    omega[i] = si > threshold ? gamma * Math.pow(si, -2) : gamma;
  }
  return omega;
}

/**
 * Two reusable blocks for the fits of `fitAndPredict` (the unweighted fit, its reweighted
 * successor): a fit allocates nothing then. Safe because a fit's arrays are read before the next
 * `fitAndPredict` call and nothing of them escapes it.
 */
const storageBlocks = [new Float64Array(0), new Float64Array(0)];

function fitStorage(slot: 0 | 1, length: number): Float64Array {
  if (storageBlocks[slot]!.length < length) storageBlocks[slot] = new Float64Array(Math.max(length, 2 * storageBlocks[slot]!.length));
  return storageBlocks[slot]!;
}

/** Cube roots of small counts, looked up: every fit of a series takes them of the same counts. */
const CUBE_ROOTS = Float64Array.from({ length: 4096 }, (_, c) => Math.cbrt(c));

function cubeRootOfCount(y: number): number {
  return y < CUBE_ROOTS.length && Number.isInteger(y) ? CUBE_ROOTS[y]! : Math.cbrt(y);
}
