import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTocsinMetrics,
  escapeLabelValue,
  formatSampleValue,
  MetricsRegistry,
  prometheusContentType,
  registerMetrics,
  type TocsinMetrics,
} from './metrics.ts';

describe('exposition format', () => {
  it('renders a labelled counter with HELP and TYPE, series sorted by labels', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'jobs_total', help: 'Jobs done.', labelNames: ['source', 'kind'] as const });
    c.inc({ source: 'http', kind: 'b' }, 2);
    c.inc({ source: 'cli', kind: 'a' });
    c.inc({ source: 'http', kind: 'b' });
    expect(registry.render()).toBe(
      [
        '# HELP jobs_total Jobs done.',
        '# TYPE jobs_total counter',
        'jobs_total{source="cli",kind="a"} 1',
        'jobs_total{source="http",kind="b"} 3',
        '',
      ].join('\n'),
    );
  });

  it('renders a histogram with cumulative buckets, +Inf, _sum and _count', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram({ name: 'req_seconds', help: 'Latency.', labelNames: ['route'] as const, buckets: [0.1, 0.5, 1] });
    for (const v of [0.05, 0.1, 0.3, 0.7, 3]) h.observe({ route: '/a' }, v);
    expect(registry.render()).toBe(
      [
        '# HELP req_seconds Latency.',
        '# TYPE req_seconds histogram',
        'req_seconds_bucket{route="/a",le="0.1"} 2',
        'req_seconds_bucket{route="/a",le="0.5"} 3',
        'req_seconds_bucket{route="/a",le="1"} 4',
        'req_seconds_bucket{route="/a",le="+Inf"} 5',
        'req_seconds_sum{route="/a"} 4.15',
        'req_seconds_count{route="/a"} 5',
        '',
      ].join('\n'),
    );
  });

  it('renders an unlabelled histogram and gauges, in declaration order', () => {
    const registry = new MetricsRegistry();
    const g = registry.gauge({ name: 'z_level', help: 'Set.' });
    const h = registry.histogram({ name: 'a_seconds', help: 'H.', buckets: [1] });
    const collected = registry.gauge({ name: 'm_items', help: 'Collected.', labelNames: ['q'] as const });
    g.set({}, 7);
    h.observe({}, 2);
    let calls = 0;
    collected.collectWith(() => {
      calls++;
      return [
        { labels: { q: 'max' }, value: calls },
        { labels: { q: '0.5' }, value: 0.25 },
      ];
    });
    const expected = (n: number) =>
      [
        '# HELP z_level Set.',
        '# TYPE z_level gauge',
        'z_level 7',
        '# HELP a_seconds H.',
        '# TYPE a_seconds histogram',
        'a_seconds_bucket{le="1"} 0',
        'a_seconds_bucket{le="+Inf"} 1',
        'a_seconds_sum 2',
        'a_seconds_count 1',
        '# HELP m_items Collected.',
        '# TYPE m_items gauge',
        'm_items{q="0.5"} 0.25',
        `m_items{q="max"} ${n}`,
        '',
      ].join('\n');
    expect(registry.render()).toBe(expected(1));
    // The callback runs at each scrape.
    expect(registry.render()).toBe(expected(2));
  });

  it('escapes label values and help text', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'odd_total', help: 'Back\\slash and\nnewline, "quotes" kept.', labelNames: ['v'] as const });
    c.inc({ v: 'C:\\dir "x"\ny' });
    expect(registry.render()).toBe(
      [
        '# HELP odd_total Back\\\\slash and\\nnewline, "quotes" kept.',
        '# TYPE odd_total counter',
        'odd_total{v="C:\\\\dir \\"x\\"\\ny"} 1',
        '',
      ].join('\n'),
    );
  });

  it('writes special values as Prometheus spells them', () => {
    expect([NaN, Infinity, -Infinity, 0.001, 1e21].map(formatSampleValue)).toEqual(['NaN', '+Inf', '-Inf', '0.001', '1e+21']);
  });

  it('refuses what would make a broken scrape', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter({ name: 'bad-name', help: '' })).toThrow(/invalid metric name/);
    expect(() => registry.counter({ name: 'x_total', help: '', labelNames: ['__x'] })).toThrow(/invalid label name/);
    expect(() => registry.histogram({ name: 'h', help: '', labelNames: ['le'], buckets: [1] })).toThrow(/invalid label name/);
    expect(() => registry.histogram({ name: 'h2', help: '', buckets: [1, 1] })).toThrow(/strictly increasing/);
    const c = registry.counter({ name: 'y_total', help: '', labelNames: ['a'] as const });
    expect(() => registry.counter({ name: 'y_total', help: '' })).toThrow(/declared twice/);
    expect(() => c.inc({ a: 'x' }, -1)).toThrow(/cannot go down/);
    expect(() => c.inc({ a: 'x', b: 'y' } as unknown as { a: string })).toThrow(/takes labels \{a\}/);
  });
});

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

describe('registerMetrics', () => {
  async function tinyApp(metrics: TocsinMetrics) {
    const app = Fastify({ logger: false });
    // A route declared before the hook, and one in a child plugin after it: both are timed.
    app.get('/early', { config: { roles: 'public' } }, async () => ({ ok: true }));
    registerMetrics(app, metrics);
    await app.register(async (child) => {
      child.get('/api/v1/series/:key', { config: { roles: 'public' } }, async (request, reply) => {
        const { key } = request.params as { key: string };
        if (key === 'missing') return reply.code(404).send({ error: 'no such series' });
        return { key };
      });
    });
    await app.ready();
    return app;
  }

  it('times requests under their route pattern, never the raw URL', async () => {
    const metrics = createTocsinMetrics();
    const app = await tinyApp(metrics);
    try {
      expect((await app.inject({ method: 'GET', url: '/api/v1/series/ST001.level' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/v1/series/ST002.level?x=1' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/v1/series/missing' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/early' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/nowhere/12345' })).statusCode).toBe(404);

      const h = metrics.httpRequestSeconds;
      expect(h.count({ method: 'GET', route: '/api/v1/series/:key', status_class: '2xx' })).toBe(2);
      expect(h.count({ method: 'GET', route: '/api/v1/series/:key', status_class: '4xx' })).toBe(1);
      expect(h.count({ method: 'GET', route: '/early', status_class: '2xx' })).toBe(1);
      expect(h.count({ method: 'POST', route: 'unmatched', status_class: '4xx' })).toBe(1);

      const text = metrics.render();
      expect(text).toContain(
        'tocsin_http_request_duration_seconds_count{method="GET",route="/api/v1/series/:key",status_class="2xx"} 2',
      );
      expect(text).toContain('tocsin_http_request_duration_seconds_bucket{method="GET",route="/api/v1/series/:key",status_class="2xx",le="+Inf"} 2');
      expect(text).not.toContain('ST001');
      expect(text).not.toContain('/nowhere');
    } finally {
      await app.close();
    }
  });

  it('serves /metrics in the text format with its content type', async () => {
    const metrics = createTocsinMetrics({ version: '0.1.0' });
    const app = await tinyApp(metrics);
    try {
      await app.inject({ method: 'GET', url: '/early' });
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(prometheusContentType);
      expect(res.body).toContain('tocsin_build_info{version="0.1.0"} 1');
      expect(res.body).toContain('tocsin_http_request_duration_seconds_count{method="GET",route="/early",status_class="2xx"} 1');
      expect(res.body.endsWith('\n')).toBe(true);
      // The scrape itself shows up in the next one.
      const again = await app.inject({ method: 'GET', url: '/metrics' });
      expect(again.body).toContain('tocsin_http_request_duration_seconds_count{method="GET",route="/metrics",status_class="2xx"} 1');
    } finally {
      await app.close();
    }
  });

  it('declares the public role on /metrics for the auth plugin', async () => {
    const app = Fastify({ logger: false });
    const seen: unknown[] = [];
    app.addHook('onRoute', (route) => {
      if (route.url === '/metrics' && route.method === 'GET') seen.push(route.config);
    });
    registerMetrics(app, createTocsinMetrics());
    await app.ready();
    await app.close();
    expect(seen).toEqual([expect.objectContaining({ roles: 'public' })]);
  });
});
