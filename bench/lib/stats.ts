/** Small numeric helpers shared by the benchmarks. */

/** Latency summary in milliseconds; `count` 0 means nothing was measured. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Probes that got no answer in time or an answer other than 200. */
  failures: number;
}

/** The q-quantile (0..1) of already sorted values, nearest-rank; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Summarises latency samples (ms) into p50/p99/max. */
export function summariseLatency(samples: readonly number[], failures: number): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    failures,
  };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/** Rows per second, from a row count and elapsed milliseconds. */
export function perSecond(rows: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0;
}
