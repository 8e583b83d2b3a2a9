import type { FastifyInstance } from 'fastify';
import { prometheusContentType } from './prometheus-text.ts';
import type { TocsinMetrics } from './tocsin-metrics.ts';

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
  app.get(
    '/metrics',
    {
      config: { roles: 'public' },
      logLevel: 'warn',
      schema: {
        summary: 'Prometheus metrics',
        description: 'Text exposition format 0.0.4: observations accepted and rejected, request and store-write latency, event-loop lag.',
        tags: ['operations'],
      },
    },
    (_request, reply) => {
      void reply.header('content-type', prometheusContentType).header('cache-control', 'no-store').send(metrics.render());
    },
  );
}
