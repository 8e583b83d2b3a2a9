import { escapeHelp, escapeLabelValue, sampleLine, sorted } from './prometheus-text.ts';

/** The values of one sample's labels, one per declared label name. */
export type LabelSet<L extends string> = { readonly [K in L]: string };

/** One labelled value, as a collect callback answers it. */
export interface CollectedSample<L extends string> {
  labels: LabelSet<L>;
  value: number;
}

/** A collect callback: a number for a metric without labels, or labelled samples. */
export type Collect<L extends string> = () => number | readonly CollectedSample<L>[];

/** What every metric is declared with. */
export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What the three kinds share: name, help, label names, and turning label values into text once. */
export abstract class Metric<L extends string> {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];

  constructor(options: MetricOptions<L>, reserved: readonly string[] = []) {
    if (!metricNamePattern.test(options.name)) throw new Error(`invalid metric name "${options.name}"`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    for (const label of this.labelNames) {
      if (!labelNamePattern.test(label) || label.startsWith('__') || reserved.includes(label)) {
        throw new Error(`invalid label name "${label}" on ${options.name}`);
      }
    }
  }

  /** The map key of a label set: values in declared order (label names are fixed per metric). */
  protected keyOf(labels: LabelSet<L>): string {
    if (this.labelNames.length === 0) return '';
    if (this.labelNames.length === 1) return labels[this.labelNames[0]!];
    return this.labelNames.map((l) => labels[l]).join('\u0000');
  }

  /** `a="x",b="y"`, checked against the declared names; computed once per new label set. */
  protected renderLabels(labels: LabelSet<L>): string {
    const given = Object.keys(labels);
    if (given.length !== this.labelNames.length || this.labelNames.some((l) => typeof labels[l] !== 'string')) {
      throw new Error(`${this.name} takes labels {${this.labelNames.join(', ')}}, got {${given.join(', ')}}`);
    }
    return this.labelNames.map((l) => `${l}="${escapeLabelValue(labels[l])}"`).join(',');
  }

  /** HELP and TYPE, then the samples. */
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    this.renderSamples(out);
  }

  /** Renders what a collect callback answered at scrape time. */
  protected renderCollected(out: string[], collected: number | readonly CollectedSample<L>[]): void {
    if (typeof collected === 'number') {
      if (this.labelNames.length > 0) throw new Error(`${this.name}: a labelled ${this.type} must collect samples, not a number`);
      out.push(sampleLine(this.name, '', collected));
      return;
    }
    const samples = collected.map((s) => ({ labels: this.renderLabels(s.labels), value: s.value }));
    for (const s of sorted(samples)) out.push(sampleLine(this.name, s.labels, s.value));
  }

  protected abstract renderSamples(out: string[]): void;
}
