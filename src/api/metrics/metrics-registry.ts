import { Counter } from './counter.ts';
import { Gauge } from './gauge.ts';
import { Histogram, type HistogramOptions } from './histogram.ts';
import type { Metric, MetricOptions } from './metric.ts';

/** The metrics of one process, rendered in the order they were declared. */
export class MetricsRegistry {
  private readonly metrics: Metric<string>[] = [];

  /** Declares a counter; its name should end in `_total`. */
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.add(new Counter<L>(options));
  }

  /** Declares a gauge. */
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.add(new Gauge<L>(options));
  }

  /** Declares a histogram. */
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.add(new Histogram<L>(options));
  }

  /** The whole registry in the text exposition format, ending with a line feed. */
  render(): string {
    const out: string[] = [];
    for (const metric of this.metrics) metric.render(out);
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
  }

  private add<M extends Metric<string>>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} declared twice`);
    this.metrics.push(metric);
    return metric;
  }
}
