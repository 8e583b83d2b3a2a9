import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { readBaseline, readLevel, readNumber, readSide, rejectUnknown, warmUp, type ChartBaseline, type ChartSide } from './ewma.ts';
import type { Level } from './levels.ts';

/**
 * Tabular CUSUM on standardised values (Page 1954; Montgomery, Introduction to Statistical
 * Quality Control, 6th ed., §9.1): with x = (v − μ)/σ,
 * S⁺ = max(0, S⁺ + x − k), S⁻ = max(0, S⁻ − x − k), a signal when a watched side exceeds h.
 * Defaults k = 0.5, h = 5 (Montgomery's recommendation; in-control ARL ≈ 465, a 1σ shift found
 * in ≈ 10 values). After a signal the chart restarts from 0 on both sides (`resetAfterAlarm`),
 * as when the process is investigated and reset; R's `algo.cusum` does not reset (that is the
 * count CUSUM, a different detector).
 */

/** CUSUM chart parameters. */
export interface CusumChartParams extends ChartBaseline {
  /** Reference value (allowance) in σ: half the shift to detect. */
  k: number;
  /** Decision interval in σ. */
  h: number;
  resetAfterAlarm: boolean;
  side: ChartSide;
  level: Level;
}

/**
 * `[n, mean, m2, sd, hi, lo]`: warm-up figures as for EWMA (count, Welford mean and m2, then σ)
 * and the two cumulative sums S⁺ and S⁻ — a tuple for the same reason (unboxed doubles).
 */
export type CusumChartState = [n: number, mean: number, m2: number, sd: number, hi: number, lo: number];

const cusumKeys = new Set(['k', 'h', 'mean', 'sd', 'warmup', 'resetAfterAlarm', 'side', 'level']);

/** Reads CUSUM chart parameters: `k` (0.5), `h` (5), `warmup` or `mean`+`sd`, `resetAfterAlarm` (true), `side`, `level`. */
export function parseCusumChartParams(raw: Record<string, unknown>): { params: CusumChartParams } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  rejectUnknown(raw, cusumKeys, problems);
  const k = readNumber(raw['k'], 'k', 0.5, (x) => x >= 0, 'a number of at least 0', problems);
  const h = readNumber(raw['h'], 'h', 5, (x) => x > 0, 'a number greater than 0', problems);
  const baseline = readBaseline(raw, problems);
  const reset = raw['resetAfterAlarm'] ?? true;
  if (typeof reset !== 'boolean') problems.push({ field: 'resetAfterAlarm', message: `must be true or false, not ${JSON.stringify(reset)}` });
  const side = readSide(raw['side'], problems);
  const level = readLevel(raw['level'], problems);
  if (problems.length > 0) return { problems };
  return { params: { k, h, ...baseline, resetAfterAlarm: reset as boolean, side, level } };
}

/**
 * A sum that could reach Infinity (σ estimated as 0, so any departure is infinitely many σ) is
 * held at the largest double: it still signals, and the state stays JSON (Infinity is not).
 */
function capped(s: number): number {
  return s > Number.MAX_VALUE ? Number.MAX_VALUE : s;
}

const warming: DetectorOutput = Object.freeze({ level: null });

/** Tabular CUSUM on standardised values, restarting after a signal unless told otherwise. */
export const cusumChartDetector: DetectorDefinition<CusumChartParams, CusumChartState> = {
  type: 'cusum-chart',
  summary: 'Tabular CUSUM on standardised values: cumulative departures beyond k σ signal past h σ, then restart.',
  parseParams: parseCusumChartParams,
  init: (params) => [0, params.mean, 0, params.sd, 0, 0],
  step(params, state, input) {
    const v = input.v;
    if (!Number.isFinite(v)) return { state, output: warming };
    const n = state[0] + 1;
    if (n <= params.warmup) {
      const [mean, m2, sd] = warmUp(n, state[1], state[2], v, params.warmup);
      return { state: [n, mean, m2, sd, 0, 0], output: warming };
    }
    // The state carries μ and σ whether given (copied in by init) or estimated.
    const mean = state[1];
    const sd = state[3];
    const k = params.k;
    const d = v - mean;
    // σ = 0 (a constant warm-up): any departure is infinitely many σ; none is 0, not 0/0.
    const x = sd > 0 ? d / sd : d > 0 ? Infinity : d < 0 ? -Infinity : 0;
    const hi = params.side === 'lower' ? 0 : capped(Math.max(0, state[4] + x - k));
    const lo = params.side === 'upper' ? 0 : capped(Math.max(0, state[5] - x - k));
    const alarm = hi > params.h || lo > params.h;
    const reset = alarm && params.resetAfterAlarm;
    return {
      state: [n, mean, state[2], sd, reset ? 0 : hi, reset ? 0 : lo],
      output: {
        level: alarm ? params.level : null,
        // The value that would take S⁺ past h from where it stood (as R's cusum reports it).
        upperbound: params.side === 'lower' ? null : mean + sd * (params.h + k - state[4]),
        extras: { cusum_upper: hi, cusum_lower: lo },
      },
    };
  },
};
