import { Metric, type LabelSet } from './metric.ts';
import { sampleLine, sorted } from './prometheus-text.ts';

/** One labelled value, as a gauge's collect callback answers it. */
export interface GaugeSample<L extends string> {
  labels: LabelSet<L>;
  value: number;
}

/** A value that goes up and down: set directly, or read at scrape time from a collect callback. */
export class Gauge<L extends string = never> extends Metric<L> {
  readonly type = 'gauge';
  private readonly series = new Map<string, { labels: string; value: number }>();
  private collector: (() => number | readonly GaugeSample<L>[]) | undefined;

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
  collectWith(collect: () => number | readonly GaugeSample<L>[]): void {
    this.collector = collect;
  }

  protected renderSamples(out: string[]): void {
    if (this.collector) {
      const collected = this.collector();
      if (typeof collected === 'number') {
        if (this.labelNames.length > 0) throw new Error(`${this.name}: a labelled gauge must collect samples, not a number`);
        out.push(sampleLine(this.name, '', collected));
        return;
      }
      const samples = collected.map((s) => ({ labels: this.renderLabels(s.labels), value: s.value }));
      for (const s of sorted(samples)) out.push(sampleLine(this.name, s.labels, s.value));
      return;
    }
    for (const s of sorted(this.series.values())) out.push(sampleLine(this.name, s.labels, s.value));
  }
}
