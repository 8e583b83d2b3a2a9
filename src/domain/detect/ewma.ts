import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { isLevel, levels, type Level } from './levels.ts';

/**
 * EWMA control chart (Roberts 1959; Montgomery, Introduction to Statistical Quality Control, 6th
 * ed., §9.2): z_i = λ·x_i + (1 − λ)·z_{i−1}, z_0 = μ, with the exact time-varying limits
 * μ ± L·σ·sqrt(λ/(2−λ)·(1 − (1−λ)^{2i})) — narrow at the start, so an early shift is not missed
 * as it would be with the asymptotic limits. μ and σ are given, or estimated from a warm-up of
 * the first n values (mean and sample SD), during which nothing is raised.
 */

/** Which side of the in-control mean raises a level. */
export type ChartSide = 'upper' | 'lower' | 'both';

/** In-control mean and SD: given, or estimated over `warmup` values (then 0 until estimated). */
export interface ChartBaseline {
  /** Values used to estimate mean and sd; 0 when both are given. */
  warmup: number;
  mean: number;
  sd: number;
}

/** EWMA parameters. */
export interface EwmaParams extends ChartBaseline {
  /** Smoothing weight in (0, 1]; 1 is a Shewhart chart. */
  lambda: number;
  /** Width of the limits in σ of the EWMA statistic (> 0). */
  L: number;
  side: ChartSide;
  level: Level;
}

/**
 * `[n, mean, m2, sd, z, w]`: the count of values seen; the warm-up's running mean and sum of
 * squared deviations (Welford 1962), the mean then being μ; σ (0 until estimated); the EWMA
 * statistic z; and w = (1−λ)^{2i}, kept by multiplication so a step needs no `Math.pow`. A tuple
 * rather than an object because V8 keeps an array's doubles unboxed: one allocation per step
 * instead of one per field, which doubles the step rate (bench/detect targets ≥ 20 M steps/s).
 */
export type EwmaState = [n: number, mean: number, m2: number, sd: number, z: number, w: number];

/** Reads `side` (default `upper`: Tocsin watches for hazards rising) into `problems`. */
export function readSide(raw: unknown, problems: ParamProblem[]): ChartSide {
  const side = raw ?? 'upper';
  if (side !== 'upper' && side !== 'lower' && side !== 'both') {
    problems.push({ field: 'side', message: `must be "upper", "lower" or "both", not ${JSON.stringify(side)}` });
    return 'upper';
  }
  return side;
}

/** Reads `level` (default yellow) into `problems`. */
export function readLevel(raw: unknown, problems: ParamProblem[]): Level {
  const level = raw ?? 'yellow';
  if (!isLevel(level)) {
    problems.push({ field: 'level', message: `must be one of ${levels.join(', ')}, not ${JSON.stringify(level)}` });
    return 'yellow';
  }
  return level;
}

/** Reads a finite number at `field` (default `fallback`) that `ok` accepts, else records `must`. */
export function readNumber(raw: unknown, field: string, fallback: number, ok: (x: number) => boolean, must: string, problems: ParamProblem[]): number {
  const value = raw ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    problems.push({ field, message: `must be ${must}, not ${JSON.stringify(value)}` });
    return fallback;
  }
  return value;
}

/** Reads `mean` and `sd` (both or neither) or `warmup` (an integer ≥ 2, default 20). */
export function readBaseline(raw: Record<string, unknown>, problems: ParamProblem[]): ChartBaseline {
  const hasMean = raw['mean'] !== undefined;
  const hasSd = raw['sd'] !== undefined;
  if (hasMean !== hasSd) {
    problems.push({ field: hasMean ? 'sd' : 'mean', message: `give mean and sd together, or neither and a warmup to estimate them` });
  }
  if (hasMean && hasSd) {
    if (raw['warmup'] !== undefined) problems.push({ field: 'warmup', message: 'not used when mean and sd are given; leave it out' });
    const mean = readNumber(raw['mean'], 'mean', 0, () => true, 'a finite number', problems);
    const sd = readNumber(raw['sd'], 'sd', 1, (x) => x > 0, 'a number greater than 0', problems);
    return { warmup: 0, mean, sd };
  }
  // Two values are the least that give a sample SD; 20 is a short but usable Phase I.
  const warmup = readNumber(raw['warmup'], 'warmup', 20, (x) => Number.isInteger(x) && x >= 2, 'an integer of at least 2', problems);
  return { warmup, mean: 0, sd: 0 };
}

/** Reports every key of `raw` not in `known`. */
export function rejectUnknown(raw: Record<string, unknown>, known: ReadonlySet<string>, problems: ParamProblem[]): void {
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) problems.push({ field: key, message: `unknown parameter (known: ${[...known].join(', ')})` });
  }
}

/**
 * Advances a warm-up by its `n`-th value `v` (Welford 1962): the new mean and m2, and σ once
 * `warmup` values are in (sample SD, divisor n − 1), else 0. Runs only during the warm-up.
 */
export function warmUp(n: number, mean: number, m2: number, v: number, warmup: number): [mean: number, m2: number, sd: number] {
  const d = v - mean;
  const nextMean = mean + d / n;
  const nextM2 = m2 + d * (v - nextMean);
  return [nextMean, nextM2, n === warmup ? Math.sqrt(nextM2 / (n - 1)) : 0];
}

const ewmaKeys = new Set(['lambda', 'L', 'warmup', 'mean', 'sd', 'side', 'level']);

/** Reads EWMA parameters: `lambda` (default 0.2), `L` (default 3), `warmup` or `mean`+`sd`, `side`, `level`. */
export function parseEwmaParams(raw: Record<string, unknown>): { params: EwmaParams } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  rejectUnknown(raw, ewmaKeys, problems);
  // λ = 0.2 with L = 3 is Montgomery's textbook pair (in-control ARL about 560).
  const lambda = readNumber(raw['lambda'], 'lambda', 0.2, (x) => x > 0 && x <= 1, 'a number in (0, 1]', problems);
  const L = readNumber(raw['L'], 'L', 3, (x) => x > 0, 'a number greater than 0', problems);
  const baseline = readBaseline(raw, problems);
  const side = readSide(raw['side'], problems);
  const level = readLevel(raw['level'], problems);
  if (problems.length > 0) return { problems };
  return { params: { lambda, L, ...baseline, side, level } };
}

const warming: DetectorOutput = Object.freeze({ level: null });

/** EWMA control chart with exact time-varying limits, after a warm-up or from a given mean and SD. */
export const ewmaDetector: DetectorDefinition<EwmaParams, EwmaState> = {
  type: 'ewma',
  summary: 'EWMA control chart: an exponentially weighted mean outside mean ± L·σ with exact time-varying limits.',
  parseParams: parseEwmaParams,
  init: (params) => [0, params.mean, 0, params.sd, params.mean, 1],
  step(params, state, input) {
    const v = input.v;
    // A non-finite value would poison z for good: it is passed over.
    if (!Number.isFinite(v)) return { state, output: warming };
    const n = state[0] + 1;
    if (n <= params.warmup) {
      const [mean, m2, sd] = warmUp(n, state[1], state[2], v, params.warmup);
      // At the end of the warm-up the chart starts at z_0 = μ, i = 0 (w = (1−λ)^0 = 1).
      return { state: [n, mean, m2, sd, mean, 1], output: warming };
    }
    const lambda = params.lambda;
    const keep = 1 - lambda;
    const z = lambda * v + keep * state[4];
    let w = state[5] * keep * keep;
    // Below 2^-54, 1 − w rounds to 1 anyway: flushing w to 0 changes no limit, and keeps the
    // multiplication out of subnormal numbers (two orders of magnitude slower on x86).
    if (w < 1e-17) w = 0;
    const mean = state[1];
    const half = params.L * state[3] * Math.sqrt((lambda / (2 - lambda)) * (1 - w));
    const ucl = mean + half;
    const lcl = mean - half;
    const side = params.side;
    const alarm = (side !== 'lower' && z > ucl) || (side !== 'upper' && z < lcl);
    return {
      state: [n, mean, state[2], state[3], z, w],
      output: {
        level: alarm ? params.level : null,
        upperbound: side === 'lower' ? null : ucl,
        extras: { ewma: z, lcl },
      },
    };
  },
  inPlace: {
    size: 6,
    pack: (_params, state, into, at) => {
      for (let k = 0; k < 6; k++) into[at + k] = state[k]!;
    },
    unpack: (_params, from, at) => [from[at]!, from[at + 1]!, from[at + 2]!, from[at + 3]!, from[at + 4]!, from[at + 5]!],
    // The same arithmetic as `step`, in the same order, on the numbers in place.
    step(params, s, at, _t, v) {
      if (!Number.isFinite(v)) return null;
      const n = s[at]! + 1;
      s[at] = n;
      if (n <= params.warmup) {
        const d = v - s[at + 1]!;
        const mean = s[at + 1]! + d / n;
        const m2 = s[at + 2]! + d * (v - mean);
        s[at + 1] = mean;
        s[at + 2] = m2;
        s[at + 3] = n === params.warmup ? Math.sqrt(m2 / (n - 1)) : 0;
        s[at + 4] = mean;
        s[at + 5] = 1;
        return null;
      }
      const lambda = params.lambda;
      const keep = 1 - lambda;
      const z = lambda * v + keep * s[at + 4]!;
      let w = s[at + 5]! * keep * keep;
      if (w < 1e-17) w = 0;
      s[at + 4] = z;
      s[at + 5] = w;
      return chartAlarm(params, s, at) ? params.level : null;
    },
    output(params, s, at, v) {
      if (!Number.isFinite(v) || s[at]! <= params.warmup) return warming;
      const half = chartHalfWidth(params, s, at);
      const mean = s[at + 1]!;
      return {
        level: chartAlarm(params, s, at) ? params.level : null,
        upperbound: params.side === 'lower' ? null : mean + half,
        extras: { ewma: s[at + 4]!, lcl: mean - half },
      };
    },
  },
};

/** L·σ_z of the chart whose state is at `s[at …]`, as `step` computes it. */
function chartHalfWidth(params: EwmaParams, s: Float64Array, at: number): number {
  const lambda = params.lambda;
  return params.L * s[at + 3]! * Math.sqrt((lambda / (2 - lambda)) * (1 - s[at + 5]!));
}

/** Whether the chart whose state is at `s[at …]` is past a limit on a watched side. */
function chartAlarm(params: EwmaParams, s: Float64Array, at: number): boolean {
  const half = chartHalfWidth(params, s, at);
  const mean = s[at + 1]!;
  const z = s[at + 4]!;
  const side = params.side;
  return (side !== 'lower' && z > mean + half) || (side !== 'upper' && z < mean - half);
}
