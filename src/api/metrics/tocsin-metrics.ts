import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { IngestOutcome } from '../../app/ingest-observations.ts';
import type { Counter } from './counter.ts';
import type { Gauge } from './gauge.ts';
import type { Histogram } from './histogram.ts';
import { MetricsRegistry } from './metrics-registry.ts';

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
  /** Observation × rule evaluations by outcome (`evaluated`, `late`); read from the detection engine. */
  readonly detectionObservations: Counter<'outcome'>;
  /** Signals stored (firing, changed, resolved); read from the detection engine. */
  readonly detectionSignals: Counter;
  /** Observations accepted but not yet run through detection. */
  readonly detectionQueue: Gauge;
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
  const detectionObservations = registry.counter({
    name: 'tocsin_detection_evaluations_total',
    help: 'Observations run through a rule (outcome evaluated), or skipped as not newer than what the rule last saw of the series (outcome late).',
    labelNames: ['outcome'] as const,
  });
  const detectionSignals = registry.counter({ name: 'tocsin_detection_signals_total', help: 'Signals stored by detection (firing, changed and resolved).' });
  const detectionQueue = registry.gauge({ name: 'tocsin_detection_queue_observations', help: 'Observations stored but not yet run through detection.' });
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
    detectionObservations,
    detectionSignals,
    detectionQueue,
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
