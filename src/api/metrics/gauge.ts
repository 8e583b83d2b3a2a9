import { Metric, type Collect, type CollectedSample, type LabelSet } from './metric.ts';
import { sampleLine, sorted } from './prometheus-text.ts';

/** One labelled value, as a gauge's collect callback answers it. */
export type GaugeSample<L extends string> = CollectedSample<L>;

/** A value that goes up and down: set directly, or read at scrape time from a collect callback. */
export class Gauge<L extends string = never> extends Metric<L> {
  readonly type = 'gauge';
  private readonly series = new Map<string, { labels: string; value: number }>();
  private collector: Collect<L> | undefined;

  /** Sets the series of these labels. */
  set(labels: LabelSet<L>, value: number): void {
    const key = this.keyOf(labels);
    const entry = this.series.get(key);
    if (entry) entry.value = value;
    else this.series.set(key, { labels: this.renderLabels(labels), value });
  }

  /**
   * Evaluates `collect` at every scrape instead of holding values: a number for a gauge without
   * labels, or labelled samples. Replaces any values set before.
   */
  collectWith(collect: Collect<L>): void {
    this.collector = collect;
  }

  protected renderSamples(out: string[]): void {
    if (this.collector) {
      this.renderCollected(out, this.collector());
      return;
    }
    for (const s of sorted(this.series.values())) out.push(sampleLine(this.name, s.labels, s.value));
  }
}
