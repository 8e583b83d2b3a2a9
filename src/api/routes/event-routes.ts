import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Type, type Static } from 'typebox';
import type { EventHub, TocsinEvent } from '../../app/event-hub.ts';
import { readerRoles } from '../route-roles.ts';

/** Dependencies of the event stream. */
export interface EventRouteDeps {
  events: Pick<EventHub, 'subscribe'>;
  /** How often a comment line keeps idle proxies from closing the stream, in ms. */
  heartbeatMs?: number;
  /** Told the number of connected clients whenever it changes (metrics). */
  onClientCount?: (clients: number) => void;
}

/** A client that cannot keep up is dropped past this many buffered bytes, so it cannot exhaust memory. */
const maxBufferedBytes = 4 * 1024 * 1024;

const eventsQuery = Type.Object(
  { types: Type.Optional(Type.String({ description: 'comma-separated event types or prefixes ending in "." (e.g. observations.)' })) },
  { additionalProperties: false },
);

/** Formats one event as a server-sent event (id, event name, one JSON data line). */
export function formatSse(id: number, event: TocsinEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify({ type: event.type, at: new Date(event.at).toISOString(), ...event.data })}\n\n`;
}

function matcher(types: string | undefined): (type: string) => boolean {
  if (!types) return () => true;
  const wanted = types.split(',').map((t) => t.trim()).filter(Boolean);
  return (type) => wanted.some((w) => (w.endsWith('.') ? type.startsWith(w) : type === w));
}

/** `GET /api/v1/events`: server-sent events of everything that changes (filter with ?types=). */
export async function eventRoutes(app: FastifyInstance, deps: EventRouteDeps): Promise<void> {
  const open = new Set<ServerResponse>();
  let clients = 0;

  app.addHook('preClose', async () => {
    // Streams never end by themselves; close them so shutdown is not held up.
    for (const raw of open) raw.end();
    open.clear();
  });

  app.get(
    '/api/v1/events',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'Live events (server-sent events)',
        description: 'Each event has `event: <type>` and one JSON `data:` line. Types so far: observations.accepted.',
        tags: ['events'],
        querystring: eventsQuery,
      },
    },
    async (request, reply) => {
      const wants = matcher((request.query as Static<typeof eventsQuery>).types);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': connected\nretry: 3000\n\n');
      open.add(raw);
      deps.onClientCount?.(++clients);
      let sequence = 0;
      const unsubscribe = deps.events.subscribe((event) => {
        if (!wants(event.type)) return;
        if (raw.writableLength > maxBufferedBytes) {
          raw.destroy();
          return;
        }
        raw.write(formatSse(++sequence, event));
      });
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), deps.heartbeatMs ?? 15_000);
      heartbeat.unref();
      raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(raw);
        deps.onClientCount?.(--clients);
      });
    },
  );
}
