import type { Observation, SeriesMetadata } from '../../domain/observations/observation.ts';
import type { SeriesInfo } from '../detection/active-rule.ts';

/**
 * History to backtest over, held in memory as columns: one entry per observation, in any order.
 * A series' description is the one it has once the whole history is read, as the store would
 * hold it after ingesting the same data (metadata applied field by field, later values winning).
 */
export interface BacktestData {
  /** The series, `series[i].id === i`. */
  readonly series: readonly SeriesInfo[];
  /** Index into `series` of each observation. */
  readonly seriesIds: Int32Array;
  /** Epoch ms of each observation. */
  readonly times: Float64Array;
  readonly values: Float64Array;
  readonly length: number;
}

/** Collects observations (from parsed batches, in any order) into `BacktestData`. */
export class BacktestDataBuilder {
  private readonly ids = new Map<string, number>();
  private readonly metas: SeriesMetadata[] = [];
  private readonly keys: string[] = [];
  private seriesIds = new Int32Array(1024);
  private times = new Float64Array(1024);
  private values = new Float64Array(1024);
  private count = 0;

  /** Adds observations; a series is created on first sight and its metadata merged. */
  add(observations: readonly Observation[]): void {
    this.reserve(this.count + observations.length);
    for (const o of observations) {
      let id = this.ids.get(o.series);
      if (id === undefined) {
        id = this.keys.length;
        this.ids.set(o.series, id);
        this.keys.push(o.series);
        this.metas.push({});
      }
      if (o.meta) this.metas[id] = mergeMetadata(this.metas[id]!, o.meta);
      this.seriesIds[this.count] = id;
      this.times[this.count] = o.t;
      this.values[this.count] = o.v;
      this.count++;
    }
  }

  /** Observations added so far. */
  get size(): number {
    return this.count;
  }

  /** The collected data (the builder should not be used afterwards). */
  build(): BacktestData {
    return {
      series: this.keys.map((key, id) => describeSeries(id, key, this.metas[id]!)),
      seriesIds: this.seriesIds.subarray(0, this.count),
      times: this.times.subarray(0, this.count),
      values: this.values.subarray(0, this.count),
      length: this.count,
    };
  }

  private reserve(n: number): void {
    if (n <= this.times.length) return;
    let size = this.times.length;
    while (size < n) size *= 2;
    const grow = <T extends Int32Array | Float64Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.seriesIds = grow(this.seriesIds, new Int32Array(size));
    this.times = grow(this.times, new Float64Array(size));
    this.values = grow(this.values, new Float64Array(size));
  }
}

/** Builds backtest data from validated observations (e.g. parseBatch's, or the store's). */
export function backtestData(observations: readonly Observation[]): BacktestData {
  const builder = new BacktestDataBuilder();
  builder.add(observations);
  return builder.build();
}

/** The first and last observation times, or null when there are none. */
export function dataSpan(data: BacktestData): { from: number; to: number } | null {
  if (data.length === 0) return null;
  let from = Infinity;
  let to = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const t = data.times[i]!;
    if (t < from) from = t;
    if (t > to) to = t;
  }
  return { from, to };
}

// The store's rule (store/repos/series-repo.ts `ensure`): each field given replaces the one held,
// labels as a whole; a field not given keeps what was there.
function mergeMetadata(held: SeriesMetadata, given: SeriesMetadata): SeriesMetadata {
  const merged: SeriesMetadata = { ...held };
  for (const [field, value] of Object.entries(given) as [keyof SeriesMetadata, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[field] = value;
  }
  return merged;
}

// As the store describes a series: a key like "ST001.level" names its indicator after the last
// dot until an observation says otherwise (store/repos/series-repo.ts).
function describeSeries(id: number, key: string, meta: SeriesMetadata): SeriesInfo {
  const defaultIndicator = key.includes('.') ? key.slice(key.lastIndexOf('.') + 1) : null;
  return {
    id,
    key,
    domain: meta.domain ?? null,
    indicator: meta.indicator ?? defaultIndicator,
    area: meta.area ?? null,
    labels: { ...(meta.labels ?? {}) },
  };
}
