import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../../domain/kernel/clock.ts';

/** What the health answer reports; none of it waits on the store, so it stays fast under load. */
export interface HealthDeps {
  clock: Clock;
  startedAt: number;
  version: string;
  store: { dialect: string; location: string };
}

/** `GET /healthz`: liveness for load balancers and scripts; public, no store round trip. */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { roles: 'public' },
      logLevel: 'warn',
      schema: {
        summary: 'Health',
        tags: ['operations'],
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            version: Type.String(),
            uptimeSeconds: Type.Number(),
            store: Type.Object({ kind: Type.String(), location: Type.String() }),
          }),
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      version: deps.version,
      uptimeSeconds: Math.round((deps.clock.now() - deps.startedAt) / 1000),
      store: { kind: deps.store.dialect, location: deps.store.location },
    }),
  );
}
