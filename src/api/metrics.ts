import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { IngestOutcome } from '../app/ingest-observations.ts';

// A registry of our own rather than prom-client: we need three metric kinds and the text format,
// which is a page of code; the format is specified at
// https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4).

/** The Content-Type of the Prometheus text exposition format. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** The values of one sample's labels, one per declared label name. */
export type LabelSet<L extends string> = { readonly [K in L]: string };

/** One labelled value, as a gauge's collect callback answers it. */
export interface GaugeSample<L extends string> {
  labels: LabelSet<L>;
  value: number;
}

/** What every metric is declared with. */
export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes a label value: backslash, double quote and line feed (text format 0.0.4). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text escapes only backslash and line feed (a quote is literal there). */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** Writes a sample value the way Prometheus parses it (Go's ParseFloat spellings for the specials). */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** What the three kinds share: name, help, label names, and turning label values into text once. */
abstract class Metric<L extends string> {
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

  protected abstract renderSamples(out: string[]): void;
}

/** `name{labels} value`, or `name value` without labels. */
function sampleLine(name: string, labels: string, value: number): string {
  return labels === '' ? `${name} ${formatSampleValue(value)}` : `${name}{${labels}} ${formatSampleValue(value)}`;
}

/** Series sorted by their label text, so a scrape reads the same whatever order values arrived in. */
function sorted<T extends { labels: string }>(series: Iterable<T>): T[] {
  return [...series].sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));
}

/** A value that only goes up (until the process restarts). */
export class Counter<L extends string = never> extends Metric<L> {
  readonly type = 'counter';
  private readonly series = new Map<string, { labels: string; value: number }>();

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
    for (const s of sorted(this.series.values())) out.push(sampleLine(this.name, s.labels, s.value));
  }
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

/** Request latency bounds in seconds: 1 ms to 10 s, denser where an API answer should land. */
const httpBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Store write bounds in seconds: a 10,000-row batch takes tens of ms on PGlite. */
const storeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Event-loop sampling period in ms: fine enough to see a 20 ms stall, cheap enough to leave on. */
const eventLoopResolutionMs = 10;

/** The process's metrics under the names dashboards and alerts rely on. */
export interface TocsinMetrics {
  readonly registry: MetricsRegistry;
  /** Observations stored for the first time, by source (`http`, `cli`, `demo`, `mqtt`). */
  readonly observationsAccepted: Counter<'source'>;
  /** Observations already stored (same series and t), by source. */
  readonly observationsDuplicates: Counter<'source'>;
  /** Lines refused with a reason, by source. */
  readonly observationsRejected: Counter<'source'>;
  /** Request latency by method, route pattern (`unmatched` for 404s) and status class. */
  readonly httpRequestSeconds: Histogram<'method' | 'route' | 'status_class'>;
  /** Store write latency by kind (`observations`). */
  readonly storeWriteSeconds: Histogram<'kind'>;
  /** Event-loop delay since the previous scrape: quantile `0.5`, `0.99` and `max`. */
  readonly eventLoopLag: Gauge<'quantile'>;
  readonly residentMemory: Gauge;
  readonly uptime: Gauge;
  /** Connected server-sent-event clients; the runtime sets its collect callback. */
  readonly sseClients: Gauge;
  readonly buildInfo: Gauge<'version'>;
  /** Counts one ingested batch and its store time. */
  recordIngest(source: string, outcome: Pick<IngestOutcome, 'accepted' | 'duplicates' | 'rejected' | 'storeMs'>): void;
  /** Starts sampling the event loop (idempotent). */
  start(): void;
  /** Stops sampling, so tests and shutdown leave no timer behind. */
  stop(): void;
  /** The whole registry in the text exposition format. */
  render(): string;
}

/** The part of `perf_hooks.monitorEventLoopDelay()` the lag gauge reads (values in ns). */
export type EventLoopMonitor = Pick<IntervalHistogram, 'enable' | 'disable' | 'reset' | 'percentile' | 'max' | 'count'>;

/** Options of createTocsinMetrics. */
export interface TocsinMetricsOptions {
  /** Goes into `tocsin_build_info{version}`. */
  version?: string;
  /** Makes the event-loop sampler; tests pass a fake so they need not wait for real samples. */
  eventLoopMonitor?: () => EventLoopMonitor;
}

/** Declares Tocsin's metrics on a fresh registry. */
export function createTocsinMetrics(options: TocsinMetricsOptions = {}): TocsinMetrics {
  const makeMonitor = options.eventLoopMonitor ?? (() => monitorEventLoopDelay({ resolution: eventLoopResolutionMs }));
  const registry = new MetricsRegistry();
  const source = ['source'] as const;
  const observationsAccepted = registry.counter({
    name: 'tocsin_observations_accepted_total',
    help: 'Observations stored for the first time, by source.',
    labelNames: source,
  });
  const observationsDuplicates = registry.counter({
    name: 'tocsin_observations_duplicates_total',
    help: 'Observations received again for a (series, t) already stored, by source.',
    labelNames: source,
  });
  const observationsRejected = registry.counter({
    name: 'tocsin_observations_rejected_total',
    help: 'Observation lines refused with a reason, by source.',
    labelNames: source,
  });
  // The HTTP source exists in every server, so its series read 0 rather than being absent.
  for (const counter of [observationsAccepted, observationsDuplicates, observationsRejected]) counter.init({ source: 'http' });

  const httpRequestSeconds = registry.histogram({
    name: 'tocsin_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: httpBuckets,
  });
  const storeWriteSeconds = registry.histogram({
    name: 'tocsin_store_write_duration_seconds',
    help: 'Duration of committed store writes in seconds, by kind.',
    labelNames: ['kind'] as const,
    buckets: storeBuckets,
  });

  let loopDelay: EventLoopMonitor | undefined;
  const eventLoopLag = registry.gauge({
    name: 'tocsin_event_loop_lag_seconds',
    help: 'Event-loop delay since the previous scrape, in seconds (median, 99th percentile, max).',
    labelNames: ['quantile'] as const,
  });
  eventLoopLag.collectWith(() => {
    if (!loopDelay || loopDelay.count === 0) return [];
    const ns = 1e9;
    const samples = [
      { labels: { quantile: '0.5' }, value: loopDelay.percentile(50) / ns },
      { labels: { quantile: '0.99' }, value: loopDelay.percentile(99) / ns },
      { labels: { quantile: 'max' }, value: loopDelay.max / ns },
    ];
    // Each scrape reports the window since the last one, so an old stall does not linger in p99.
    loopDelay.reset();
    return samples;
  });

  const residentMemory = registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.' });
  residentMemory.collectWith(() => process.memoryUsage.rss());
  const uptime = registry.gauge({ name: 'process_uptime_seconds', help: 'Seconds since the process started.' });
  uptime.collectWith(() => process.uptime());
  const sseClients = registry.gauge({ name: 'tocsin_sse_clients', help: 'Connected server-sent-event clients.' });
  sseClients.set({}, 0);
  const buildInfo = registry.gauge({
    name: 'tocsin_build_info',
    help: 'Always 1; the version label says which Tocsin is running.',
    labelNames: ['version'] as const,
  });
  buildInfo.set({ version: options.version ?? 'unknown' }, 1);

  return {
    registry,
    observationsAccepted,
    observationsDuplicates,
    observationsRejected,
    httpRequestSeconds,
    storeWriteSeconds,
    eventLoopLag,
    residentMemory,
    uptime,
    sseClients,
    buildInfo,
    recordIngest(from, outcome) {
      const labels = { source: from };
      observationsAccepted.inc(labels, outcome.accepted);
      observationsDuplicates.inc(labels, outcome.duplicates);
      observationsRejected.inc(labels, outcome.rejected.length);
      // A batch of only bad lines never reached the store: no write to time.
      if (outcome.accepted + outcome.duplicates > 0) storeWriteSeconds.observe({ kind: 'observations' }, outcome.storeMs / 1000);
    },
    start() {
      if (loopDelay) return;
      loopDelay = makeMonitor();
      loopDelay.enable();
    },
    stop() {
      loopDelay?.disable();
      loopDelay = undefined;
    },
    render: () => registry.render(),
  };
}

/** `2xx`, `4xx`, … : bounded, and what latency alerts split on. */
function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/**
 * Times every request into `httpRequestSeconds` and serves `GET /metrics`. Call it on the root
 * instance so the hook sees every route (and the 404 handler, labelled `unmatched`).
 */
export function registerMetrics(app: FastifyInstance, metrics: TocsinMetrics): void {
  // reply.elapsedTime runs from Fastify's own start mark, taken before any onRequest hook, so
  // one onResponse hook measures the whole request without decorating it.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequestSeconds.observe(
      {
        method: request.method,
        // The route pattern, never the raw URL: one series per route, not per series key or id.
        route: request.routeOptions.url ?? 'unmatched',
        status_class: statusClass(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.get('/metrics', { config: { roles: 'public' } }, (_request, reply) => {
    void reply.header('content-type', prometheusContentType).header('cache-control', 'no-store').send(metrics.render());
  });
}
