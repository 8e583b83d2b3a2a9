import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DetectionRepo } from '../../store/repos/detection-repo.ts';
import { signalEventData } from '../../app/detection/detection-ports.ts';
import { levels } from '../../domain/detect/levels.ts';
import { parseTime } from '../../domain/observations/validate-observation.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';
import { readerRoles } from '../route-roles.ts';

/** Dependencies of the signal routes. */
export interface SignalRouteDeps {
  detection: Pick<DetectionRepo, 'listSignals'>;
}

const signalsQuery = Type.Object(
  {
    rule: Type.Optional(Type.String({ minLength: 1 })),
    series: Type.Optional(Type.String({ minLength: 1, description: 'series key' })),
    level: Type.Optional(Type.Union(levels.map((l) => Type.Literal(l)))),
    kind: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('changed'), Type.Literal('resolved')])),
    from: Type.Optional(Type.String({ description: 'ISO-8601 with offset or epoch ms; inclusive' })),
    to: Type.Optional(Type.String({ description: 'ISO-8601 with offset or epoch ms; exclusive' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.Integer({ minimum: 1, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

function time(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = parseTime(/^-?\d+$/.test(text) ? Number(text) : text);
  if (typeof value === 'string') {
    throw new TocsinError('TOCSIN_VALIDATION', `querystring.${name}: ${value.replace(/^t: /, '')}`, { fields: [`querystring.${name}`] });
  }
  return value;
}

/** `GET /api/v1/signals`: what the rules raised, newest first. Live ones stream as `signal` events. */
export async function signalRoutes(app: FastifyInstance, deps: SignalRouteDeps): Promise<void> {
  app.get(
    '/api/v1/signals',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'List signals',
        description: 'Signals (a rule began firing, changed level, or resolved) newest first; filter by rule, series, level, kind and time.',
        tags: ['detection'],
        querystring: signalsQuery,
      },
    },
    async (request) => {
      const q = request.query as Static<typeof signalsQuery>;
      const limit = q.limit ?? 100;
      const items = await deps.detection.listSignals({
        limit,
        ...(q.rule !== undefined ? { rule: q.rule } : {}),
        ...(q.series !== undefined ? { seriesKey: q.series } : {}),
        ...(q.level !== undefined ? { level: q.level } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
        ...(q.from !== undefined ? { from: time('from', q.from)! } : {}),
        ...(q.to !== undefined ? { to: time('to', q.to)! } : {}),
        ...(q.cursor !== undefined ? { beforeId: q.cursor } : {}),
      });
      const last = items[items.length - 1];
      return { items: items.map(signalEventData), nextCursor: items.length === limit && last ? last.id : null };
    },
  );
}
