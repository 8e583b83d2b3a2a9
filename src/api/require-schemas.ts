import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Refuses, at startup, any API route without a JSON Schema and a summary: every route validates
 * its input (a bad request gets a 400 naming the field) and appears in the OpenAPI document at
 * /docs. Applies to /api/v1 and to /healthz and /metrics; /docs's own static files are exempt.
 */
export function requireSchemas(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url;
    const covered = url.startsWith('/api/v1') || url === '/healthz' || url === '/metrics';
    if (!covered) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'HEAD')) return;
    const schema = route.schema as { summary?: unknown } | undefined;
    if (!schema || typeof schema.summary !== 'string') {
      throw new Error(`route ${methods.join(',')} ${url} has no schema with a summary; every API route must declare one`);
    }
  });
}
