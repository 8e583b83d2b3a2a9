import { Metric, type LabelSet, type MetricOptions } from './metric.ts';
import { formatSampleValue, sampleLine, sorted } from './prometheus-text.ts';

/** Histogram options: upper bounds in the metric's unit (seconds for durations), +Inf implied. */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  buckets: readonly number[];
}

interface HistogramSeries {
  labels: string;
  /** Observations per bucket, not cumulative (cumulated when rendered); last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into fixed buckets, rendered cumulatively with `_sum` and `_count`. */
export class Histogram<L extends string = never> extends Metric<L> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  private readonly bucketLabels: readonly string[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(options: HistogramOptions<L>) {
    super(options, ['le']);
    const buckets = options.buckets.filter((b) => b !== Infinity);
    for (let i = 0; i < buckets.length; i++) {
      if (!Number.isFinite(buckets[i]!) || (i > 0 && buckets[i]! <= buckets[i - 1]!)) {
        throw new Error(`${options.name}: buckets must be finite and strictly increasing`);
      }
    }
    this.buckets = buckets;
    this.bucketLabels = [...buckets.map(formatSampleValue), '+Inf'];
  }

  /** Counts one observation (seconds, for our duration histograms). */
  observe(labels: LabelSet<L>, value: number): void {
    const key = this.keyOf(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: this.renderLabels(labels), counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    entry.counts[i]!++;
    entry.sum += value;
    entry.count++;
  }

  /** How many observations one series holds (0 if none). */
  count(labels: LabelSet<L>): number {
    return this.series.get(this.keyOf(labels))?.count ?? 0;
  }

  protected renderSamples(out: string[]): void {
    for (const s of sorted(this.series.values())) {
      const prefix = s.labels === '' ? '' : `${s.labels},`;
      let cumulative = 0;
      for (let i = 0; i < s.counts.length; i++) {
        cumulative += s.counts[i]!;
        out.push(`${this.name}_bucket{${prefix}le="${this.bucketLabels[i]}"} ${cumulative}`);
      }
      out.push(sampleLine(`${this.name}_sum`, s.labels, s.sum), sampleLine(`${this.name}_count`, s.labels, s.count));
    }
  }
}
