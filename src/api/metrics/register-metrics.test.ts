import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { prometheusContentType } from './prometheus-text.ts';
import { registerMetrics } from './register-metrics.ts';
import { createTocsinMetrics, type TocsinMetrics } from './tocsin-metrics.ts';

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
