import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { TocsinError } from '../../domain/kernel/errors.ts';
import type { Clock } from '../../domain/kernel/clock.ts';
import { formatMatcher, MatcherError, parseMatchers, type Matcher } from '../../domain/alerting/matchers.ts';
import { previewSilence, type Silence } from '../../domain/alerting/silences.ts';
import type { SilenceBook } from '../../app/alerting/silence-book.ts';
import type { Alert } from '../../domain/alerting/alert.ts';
import { principalOf } from '../auth.ts';
import { readerRoles } from '../route-roles.ts';
import type { Role } from '../../domain/accounts/roles.ts';

/**
 * Silences over HTTP, as Alertmanager's v2 API has them (`/api/v2/silences`): matchers as strings
 * or `{name, value, isRegex, isEqual}`, an author, a comment, a time span; `DELETE` expires. The
 * author is the signed-in caller, whatever the body says. A preview answers which current alerts a
 * set of matchers would silence, before it is made.
 */
export interface SilenceRouteDeps {
  silences: SilenceBook;
  /** The alerts a preview looks at: every firing one. */
  firingAlerts(): Alert[];
  clock: Clock;
}

/** Who may silence: the people on duty (and admin). */
export const silencerRoles: readonly Role[] = ['duty_officer'];

const idParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const listQuery = Type.Object({ state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('pending'), Type.Literal('expired')])) }, { additionalProperties: false });
const previewBody = Type.Object({ matchers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }) }, { additionalProperties: false });

const iso = (ms: number) => new Date(ms).toISOString();

function silenceView(s: Silence & { state?: string }, now: number) {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.type === '=~' || m.type === '!~', isEqual: m.type === '=' || m.type === '=~', text: formatMatcher(m) })),
    createdBy: s.createdBy,
    comment: s.comment,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    updatedAt: iso(s.updatedAt),
    status: { state: s.state ?? (now < s.startsAt ? 'pending' : now < s.endsAt ? 'active' : 'expired') },
  };
}

export async function silenceRoutes(app: FastifyInstance, deps: SilenceRouteDeps): Promise<void> {
  app.get(
    '/api/v1/silences',
    {
      config: { roles: readerRoles },
      schema: { summary: 'List silences', description: 'Active, pending and recently expired silences (kept 120 h after they end), newest first.', tags: ['alerting'], querystring: listQuery },
    },
    async (request) => {
      const { state } = request.query as Static<typeof listQuery>;
      const now = deps.clock.now();
      return { items: deps.silences.list(now).filter((s) => !state || s.state === state).map((s) => silenceView(s, now)) };
    },
  );

  app.get(
    '/api/v1/silences/:id',
    { config: { roles: readerRoles }, schema: { summary: 'One silence', tags: ['alerting'], params: idParams } },
    async (request) => {
      const { id } = request.params as Static<typeof idParams>;
      const silence = deps.silences.get(id);
      if (!silence) throw new TocsinError('TOCSIN_NOT_FOUND', `no silence ${id}`);
      return silenceView(silence, deps.clock.now());
    },
  );

  app.post(
    '/api/v1/silences',
    {
      config: { roles: silencerRoles },
      schema: {
        summary: 'Create a silence',
        description: 'Body as Alertmanager v2: matchers, comment, startsAt, endsAt (createdBy is the caller). Answers the silence and the alerts it silences now.',
        tags: ['alerting'],
        body: Type.Object({}, { additionalProperties: true }),
      },
    },
    async (request, reply) => {
      const now = deps.clock.now();
      const result = await deps.silences.create(request.body as Record<string, unknown>, principalOf(request).name, now);
      if ('problems' in result) {
        throw new TocsinError('TOCSIN_VALIDATION', result.problems.map((p) => `body${p.field ? `.${p.field}` : ''}: ${p.message}`).join('; '), {
          fields: result.problems.map((p) => `body.${p.field}`),
        });
      }
      reply.code(201);
      return { ...silenceView(result.silence, now), silences: previewSilence(result.silence.matchers, deps.firingAlerts()) };
    },
  );

  app.delete(
    '/api/v1/silences/:id',
    { config: { roles: silencerRoles }, schema: { summary: 'Expire a silence', tags: ['alerting'], params: idParams } },
    async (request) => {
      const { id } = request.params as Static<typeof idParams>;
      const now = deps.clock.now();
      const result = await deps.silences.expire(id, now);
      if (result === null) throw new TocsinError('TOCSIN_NOT_FOUND', `no silence ${id}`);
      if ('refused' in result) throw new TocsinError('TOCSIN_CONFLICT', result.refused);
      return silenceView(result.silence, now);
    },
  );

  app.post(
    '/api/v1/silences/preview',
    {
      config: { roles: readerRoles },
      schema: { summary: 'Preview a silence', description: 'The firing alerts these matchers would silence, before making the silence.', tags: ['alerting'], body: previewBody },
    },
    async (request) => {
      const { matchers: lines } = request.body as Static<typeof previewBody>;
      const matchers: Matcher[] = [];
      lines.forEach((line, i) => {
        try {
          matchers.push(...parseMatchers(line));
        } catch (err) {
          if (err instanceof MatcherError) throw new TocsinError('TOCSIN_VALIDATION', `body.matchers[${i}]: ${err.message}`, { fields: [`body.matchers[${i}]`] });
          throw err;
        }
      });
      const alerts = deps.firingAlerts();
      const matched = new Set(previewSilence(matchers, alerts));
      return { items: alerts.filter((a) => matched.has(a.fingerprint)).map((a) => ({ fingerprint: a.fingerprint, labels: a.labels })) };
    },
  );
}
