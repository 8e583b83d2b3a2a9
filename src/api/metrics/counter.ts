import { Metric, type Collect, type LabelSet } from './metric.ts';
import { sampleLine, sorted } from './prometheus-text.ts';

/** A value that only goes up (until the process restarts). */
export class Counter<L extends string = never> extends Metric<L> {
  readonly type = 'counter';
  private readonly series = new Map<string, { labels: string; value: number }>();
  private collector: Collect<L> | undefined;

  /** Reads the totals at scrape time from a part that keeps its own (monotonic) counts. */
  collectWith(collect: Collect<L>): void {
    this.collector = collect;
  }

  /** Adds `by` (default 1, never negative) to the series of these labels. */
  inc(labels: LabelSet<L>, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter cannot go down (inc by ${by})`);
    this.child(labels).value += by;
  }

  /** Shows the series at 0 before its first event, so rate() works from the start. */
  init(labels: LabelSet<L>): void {
    this.child(labels);
  }

  /** The current value of one series (0 if never touched). */
  get(labels: LabelSet<L>): number {
    return this.series.get(this.keyOf(labels))?.value ?? 0;
  }

  private child(labels: LabelSet<L>): { labels: string; value: number } {
    const key = this.keyOf(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: this.renderLabels(labels), value: 0 };
      this.series.set(key, entry);
    }
    return entry;
  }

  protected renderSamples(out: string[]): void {
    if (this.collector) {
      this.renderCollected(out, this.collector());
      return;
    }
    for (const s of sorted(this.series.values())) out.push(sampleLine(this.name, s.labels, s.value));
  }
}
