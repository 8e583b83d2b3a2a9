import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { isSuppressed, type Alert, type Suppression } from '../../domain/alerting/alert.ts';
import { matchesAll, MatcherError, parseMatchers, type Matcher } from '../../domain/alerting/matchers.ts';
import { fingerprint } from '../../domain/alerting/fingerprint.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';
import type { Clock } from '../../domain/kernel/clock.ts';
import type { AlertingService } from '../../app/alerting/alerting-service.ts';
import type { AlertingRepo, StoredNotification } from '../../store/repos/alerting-repo.ts';
import { principalOf } from '../auth.ts';
import { readerRoles } from '../route-roles.ts';
import type { Role } from '../../domain/accounts/roles.ts';

/**
 * Operator alerts over HTTP, shaped like Alertmanager's v2 API where it has the same thing
 * (`GET /api/v2/alerts` → `GET /api/v1/alerts`, with the `filter` matchers and the `active`,
 * `silenced`, `inhibited` switches), plus what it lacks: an alert's history, acknowledgements,
 * and the log of every notification attempt.
 */
export interface AlertRouteDeps {
  alerting: Pick<AlertingService, 'acknowledge' | 'unacknowledge' | 'comment' | 'suppressionsOf' | 'receiversOf'>;
  repo: Pick<AlertingRepo, 'listAlerts' | 'alert' | 'history' | 'listNotifications'>;
  clock: Clock;
  /** Alerts held through their rule's `for` (the detection engine's pending holds); absent: none. */
  pending?: () => { level: string; since: number; labels: Record<string, string> }[];
}

/** Who may acknowledge: the people on duty and those who respond. */
export const acknowledgerRoles: readonly Role[] = ['duty_officer', 'responder'];

const alertsQuery = Type.Object(
  {
    filter: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'matchers, e.g. area="D07" or level=~"red|orange" (repeatable, ANDed)' })),
    state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')])),
    active: Type.Optional(Type.Boolean({ description: 'include firing alerts nothing suppresses (default true)' })),
    silenced: Type.Optional(Type.Boolean({ description: 'include silenced alerts (default true)' })),
    inhibited: Type.Optional(Type.Boolean({ description: 'include inhibited or dependency-suppressed alerts (default true)' })),
    receiver: Type.Optional(Type.String({ description: 'only alerts routed to this receiver' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

const fingerprintParams = Type.Object({ fingerprint: Type.String({ pattern: '^[0-9a-f]{16}$' }) }, { additionalProperties: false });
const ackBody = Type.Object({ comment: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const commentBody = ackBody;
const notificationsQuery = Type.Object(
  {
    receiver: Type.Optional(Type.String({ minLength: 1 })),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead-letter')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

function readFilter(filter: string | string[] | undefined): Matcher[] {
  const lines = filter === undefined ? [] : Array.isArray(filter) ? filter : [filter];
  const out: Matcher[] = [];
  lines.forEach((line, i) => {
    try {
      out.push(...parseMatchers(line));
    } catch (err) {
      if (err instanceof MatcherError) throw new TocsinError('TOCSIN_VALIDATION', `querystring.filter[${i}]: ${err.message}`, { fields: [`querystring.filter`] });
      throw err;
    }
  });
  return out;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function alertRoutes(app: FastifyInstance, deps: AlertRouteDeps): Promise<void> {
  // What mutes each alert is worked out for the whole list at once (it needs every firing alert).
  const views = (alerts: readonly Alert[]) => {
    const suppressions = deps.alerting.suppressionsOf(alerts, deps.clock.now());
    return alerts.map((alert, k) => viewOf(alert, suppressions[k]!));
  };
  const view = (alert: Alert) => views([alert])[0]!;
  const viewOf = (alert: Alert, suppression: Suppression) => {
    const suppressed = isSuppressed(suppression);
    return {
      fingerprint: alert.fingerprint,
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: iso(alert.startsAt),
      endsAt: iso(alert.endsAt),
      updatedAt: iso(alert.updatedAt),
      generatorURL: alert.generatorURL,
      receivers: deps.alerting.receiversOf(alert.labels).map((name) => ({ name })),
      status: {
        state: alert.endsAt !== null ? 'resolved' : suppressed ? 'suppressed' : 'active',
        silencedBy: suppression.silencedBy,
        inhibitedBy: [...suppression.inhibitedBy, ...suppression.suppressedByParents],
        flapping: suppression.flapping === true,
        acknowledgedBy: alert.acks.map((a) => ({ by: a.by, at: iso(a.at), comment: a.comment })),
      },
    };
  };

  app.get(
    '/api/v1/alerts',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'List alerts',
        description: "Alerts, newest first, as Alertmanager's GET /api/v2/alerts shapes them, with acknowledgements.",
        tags: ['alerting'],
        querystring: alertsQuery,
      },
    },
    async (request) => {
      const q = request.query as Static<typeof alertsQuery>;
      const matchers = readFilter(q.filter);
      const limit = q.limit ?? 100;
      // Pending alerts (holding through `for`) are derived from detection, not stored; listed first.
      const pending =
        q.state === undefined || q.state === 'pending'
          ? (deps.pending?.() ?? [])
              .filter((p) => matchesAll(matchers, p.labels) && (!q.receiver || deps.alerting.receiversOf(p.labels).includes(q.receiver)))
              .map((p) => ({
                fingerprint: fingerprint(p.labels),
                labels: p.labels,
                annotations: {},
                startsAt: iso(p.since),
                endsAt: null,
                updatedAt: iso(p.since),
                generatorURL: '',
                receivers: deps.alerting.receiversOf(p.labels).map((name) => ({ name })),
                status: { state: 'pending', silencedBy: [], inhibitedBy: [], flapping: false, acknowledgedBy: [] },
              }))
          : [];
      if (q.state === 'pending') return { items: pending.slice(0, limit) };
      // Equality matchers go to the store (`labels @>`, on a GIN index); the others, and the
      // suppression switches, are applied here over a generous page of what it answers.
      const equal: Record<string, string> = {};
      for (const m of matchers) if (m.type === '=' && m.value !== '') equal[m.name] = m.value;
      const candidates = await deps.repo.listAlerts({
        ...(q.state ? { state: q.state } : {}),
        ...(Object.keys(equal).length > 0 ? { labels: equal } : {}),
        limit: Math.min(10 * limit, 10_000),
      });
      const items = views(candidates.filter((a) => matchesAll(matchers, a.labels)))
        .filter((a) => {
          if (q.receiver && !a.receivers.some((r) => r.name === q.receiver)) return false;
          if (a.status.state === 'active' && q.active === false) return false;
          if (a.status.silencedBy.length > 0 && q.silenced === false) return false;
          if (a.status.inhibitedBy.length > 0 && q.inhibited === false) return false;
          return true;
        })
        .slice(0, limit);
      return { items: [...pending, ...items].slice(0, limit) };
    },
  );

  app.get(
    '/api/v1/alerts/:fingerprint',
    {
      config: { roles: readerRoles },
      schema: { summary: 'One alert and its history', tags: ['alerting'], params: fingerprintParams },
    },
    async (request) => {
      const { fingerprint } = request.params as Static<typeof fingerprintParams>;
      const alert = await deps.repo.alert(fingerprint);
      if (!alert) throw new TocsinError('TOCSIN_NOT_FOUND', `no alert with fingerprint ${fingerprint}`);
      const history = await deps.repo.history(fingerprint);
      return { ...view(alert), history: history.map((e) => ({ at: iso(e.at), kind: e.kind, actor: e.actor, detail: e.detail })) };
    },
  );

  app.post(
    '/api/v1/alerts/:fingerprint/acknowledgements',
    {
      config: { roles: acknowledgerRoles },
      schema: {
        summary: 'Acknowledge an alert',
        description: 'Records who acknowledged, when, and why; once per person. Acknowledging stops escalation when the policy has enough responders.',
        tags: ['alerting'],
        params: fingerprintParams,
        body: ackBody,
      },
    },
    async (request) => {
      const { fingerprint } = request.params as Static<typeof fingerprintParams>;
      const { comment } = request.body as Static<typeof ackBody>;
      const alert = await deps.alerting.acknowledge(fingerprint, principalOf(request).name, comment, deps.clock.now());
      if (!alert) throw new TocsinError('TOCSIN_NOT_FOUND', `no alert with fingerprint ${fingerprint}`);
      return view(alert);
    },
  );

  app.post(
    '/api/v1/alerts/:fingerprint/comments',
    {
      config: { roles: acknowledgerRoles },
      schema: {
        summary: 'Comment on an alert',
        description: "Adds who, when and what to the alert's history without acknowledging it (GET the alert to read them).",
        tags: ['alerting'],
        params: fingerprintParams,
        body: commentBody,
      },
    },
    async (request, reply) => {
      const { fingerprint } = request.params as Static<typeof fingerprintParams>;
      const { comment } = request.body as Static<typeof commentBody>;
      const event = await deps.alerting.comment(fingerprint, principalOf(request).name, comment, deps.clock.now());
      if (!event) throw new TocsinError('TOCSIN_NOT_FOUND', `no alert with fingerprint ${fingerprint}`);
      reply.code(201);
      return { at: iso(event.at), by: event.actor, comment };
    },
  );

  app.delete(
    '/api/v1/alerts/:fingerprint/acknowledgements',
    {
      config: { roles: acknowledgerRoles },
      schema: { summary: 'Withdraw your acknowledgement', tags: ['alerting'], params: fingerprintParams },
    },
    async (request) => {
      const { fingerprint } = request.params as Static<typeof fingerprintParams>;
      const alert = await deps.alerting.unacknowledge(fingerprint, principalOf(request).name, deps.clock.now());
      if (!alert) throw new TocsinError('TOCSIN_NOT_FOUND', `no alert with fingerprint ${fingerprint}`);
      return view(alert);
    },
  );

  app.get(
    '/api/v1/notifications',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'The notification log',
        description: 'Every notification decided, newest first, with its delivery status and attempts; a dead letter is a notification whose last try failed.',
        tags: ['alerting'],
        querystring: notificationsQuery,
      },
    },
    async (request) => {
      const q = request.query as Static<typeof notificationsQuery>;
      const items = await deps.repo.listNotifications({ ...(q.receiver ? { receiver: q.receiver } : {}), ...(q.status ? { status: q.status } : {}), limit: q.limit ?? 100 });
      return { items: items.map(notificationView) };
    },
  );
}

function notificationView(n: StoredNotification) {
  return {
    id: n.id,
    groupKey: n.groupKey,
    receiver: n.receiver,
    integration: n.integration,
    reason: n.reason,
    createdAt: iso(n.createdAt),
    status: n.status,
    attempts: n.attempts,
    nextAttemptAt: iso(n.nextAttemptAt),
    lastError: n.lastError,
  };
}
