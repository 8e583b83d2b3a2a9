import { afterEach, describe, expect, it } from 'vitest';
import { createTocsinMetrics, type TocsinMetrics } from './tocsin-metrics.ts';

describe('createTocsinMetrics', () => {
  let metrics: TocsinMetrics | undefined;
  afterEach(() => metrics?.stop());

  it('declares the agreed names, with the http source at 0 from the start', () => {
    metrics = createTocsinMetrics({ version: '1.2.3' });
    metrics.sseClients.collectWith(() => 4);
    const text = metrics.render();
    for (const line of [
      '# TYPE tocsin_observations_accepted_total counter',
      'tocsin_observations_accepted_total{source="http"} 0',
      'tocsin_observations_duplicates_total{source="http"} 0',
      'tocsin_observations_rejected_total{source="http"} 0',
      '# TYPE tocsin_http_request_duration_seconds histogram',
      '# TYPE tocsin_store_write_duration_seconds histogram',
      '# TYPE tocsin_event_loop_lag_seconds gauge',
      '# TYPE process_resident_memory_bytes gauge',
      '# TYPE process_uptime_seconds gauge',
      'tocsin_sse_clients 4',
      'tocsin_build_info{version="1.2.3"} 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it('counts an ingested batch by source and times its store write', () => {
    metrics = createTocsinMetrics();
    metrics.recordIngest('cli', { accepted: 5, duplicates: 2, rejected: [{ line: 3, error: 'x' }], storeMs: 12 });
    metrics.recordIngest('cli', { accepted: 0, duplicates: 0, rejected: [{ line: 1, error: 'x' }], storeMs: 0 });
    expect(metrics.observationsAccepted.get({ source: 'cli' })).toBe(5);
    expect(metrics.observationsDuplicates.get({ source: 'cli' })).toBe(2);
    expect(metrics.observationsRejected.get({ source: 'cli' })).toBe(2);
    expect(metrics.storeWriteSeconds.count({ kind: 'observations' })).toBe(1);
    expect(metrics.render()).toContain('tocsin_store_write_duration_seconds_bucket{kind="observations",le="0.025"} 1');
  });

  it('reports event-loop lag since the previous scrape, only while started', () => {
    let count = 0;
    const calls: string[] = [];
    const fake = {
      enable: () => (calls.push('enable'), true),
      disable: () => (calls.push('disable'), true),
      reset: () => {
        calls.push('reset');
        count = 0;
      },
      percentile: (p: number) => (p === 50 ? 10_500_000 : 42_000_000),
      get max() {
        return 250_000_000;
      },
      get count() {
        return count;
      },
    };
    metrics = createTocsinMetrics({ eventLoopMonitor: () => fake });
    expect(metrics.render()).not.toContain('tocsin_event_loop_lag_seconds{');
    metrics.start();
    metrics.start(); // idempotent
    expect(metrics.render()).not.toContain('tocsin_event_loop_lag_seconds{'); // no samples yet
    count = 30;
    const text = metrics.render();
    expect(text).toContain(
      [
        'tocsin_event_loop_lag_seconds{quantile="0.5"} 0.0105',
        'tocsin_event_loop_lag_seconds{quantile="0.99"} 0.042',
        'tocsin_event_loop_lag_seconds{quantile="max"} 0.25',
      ].join('\n'),
    );
    expect(metrics.render()).not.toContain('tocsin_event_loop_lag_seconds{'); // reset by the scrape
    metrics.stop();
    expect(calls).toEqual(['enable', 'reset', 'disable']);
  });

  it('starts and stops the real event-loop monitor', () => {
    metrics = createTocsinMetrics();
    metrics.start();
    expect(() => metrics!.render()).not.toThrow();
    metrics.stop();
    metrics.stop();
  });
});
