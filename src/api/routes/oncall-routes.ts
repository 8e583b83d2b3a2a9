import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { AlertingConfig } from '../../domain/alerting/config/alerting-config.ts';
import type { EscalationState } from '../../domain/alerting/escalation/escalation-state.ts';
import { formatMatcher } from '../../domain/alerting/matchers.ts';
import { nextHandoff, onCallAt, previousHandoff, type Schedule } from '../../domain/alerting/oncall/schedule.ts';
import { groupLabelsFor, matchersAlong, matchRoutes, routeMutedAt } from '../../domain/alerting/routing.ts';
import { groupKey } from '../../domain/alerting/webhook-payload.ts';
import type { Clock } from '../../domain/kernel/clock.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';
import { parseTime } from '../../domain/observations/validate-observation.ts';
import type { AlertingService } from '../../app/alerting/alerting-service.ts';
import { readerRoles } from '../route-roles.ts';

/**
 * What the duty console reads about the people behind the alerts: who is on call in each schedule
 * (and through which receiver they are paged), the escalations running, and where the routing tree
 * would send a set of labels (`amtool config routes test`). Read-only, over the configuration the
 * dispatcher has in force; everyone who may read alerts may read these.
 */
export interface OnCallRouteDeps {
  alerting: Pick<AlertingService, 'currentConfig' | 'currentEscalations'>;
  clock: Clock;
}

const tags = ['alerting'];
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

const dateTime = Type.String({ format: 'date-time' });
const labelSet = Type.Record(Type.String(), Type.String());

// ── GET /api/v1/oncall ───────────────────────────────────────────────────────────────────────

const onCallQuery = Type.Object(
  {
    at: Type.Optional(Type.String({ description: 'the instant asked about: RFC 3339 with an offset (2026-11-22T09:00:00+08:00) or epoch ms; default now' })),
    schedule: Type.Optional(Type.String({ minLength: 1, description: 'only this schedule (404 when the configuration has none by that name)' })),
  },
  { additionalProperties: false },
);

const onCallEntry = Type.Object({
  schedule: Type.String(),
  timezone: Type.String({ description: 'IANA zone the rota is written in' }),
  responder: Type.Union([Type.String(), Type.Null()], { description: 'responder id on duty; null when nobody is' }),
  source: Type.Union([Type.Literal('layer'), Type.Literal('override'), Type.Null()], { description: 'a rotation layer or an override put them there (null: nobody on duty)' }),
  layer: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'index of the layer in the schedule (0 = first), when source is layer' }),
  receiver: Type.Union([Type.String(), Type.Null()], { description: 'receiver the responder is paged through (config `responders`); null when they have none' }),
  since: Type.Union([dateTime, Type.Null()], { description: 'when this duty (or this gap) began; null when more than 60 days ago' }),
  until: Type.Union([dateTime, Type.Null()], { description: 'the next hand-off: when the answer changes; null when not within 60 days' }),
});

const onCallAnswer = Type.Object({
  at: dateTime,
  schedules: Type.Array(onCallEntry, { description: 'in configuration order' }),
});

function onCallOf(config: AlertingConfig, schedule: Schedule, at: number): Static<typeof onCallEntry> {
  const who = onCallAt(schedule, at);
  return {
    schedule: schedule.name,
    timezone: schedule.timezone,
    responder: who?.responder ?? null,
    source: who === null ? null : who.layer === 'override' ? 'override' : 'layer',
    layer: who === null || who.layer === 'override' ? null : who.layer,
    receiver: (who && config.responders.get(who.responder)?.receiver) ?? null,
    since: isoOrNull(previousHandoff(schedule, at)),
    until: isoOrNull(nextHandoff(schedule, at)),
  };
}

/** `at` as epoch ms (RFC 3339 with an offset, or epoch ms), or the clock's now when absent. */
function instantParam(text: string | undefined, now: number): number {
  if (text === undefined) return now;
  const value = parseTime(/^-?\d+$/.test(text) ? Number(text) : text);
  if (typeof value === 'string') {
    throw new TocsinError('TOCSIN_VALIDATION', `querystring.at: ${value.replace(/^t: /, '')}`, { fields: ['querystring.at'] });
  }
  return value;
}

// ── GET /api/v1/escalations ──────────────────────────────────────────────────────────────────

const stepRef = { step: Type.Integer({ minimum: 0, description: 'index in the policy\'s steps (0 = first)' }), round: Type.Integer({ minimum: 0, description: '0 = the first pass; repeat adds rounds' }) };

const escalationView = Type.Object({
  groupKey: Type.String(),
  receiver: Type.String({ description: "the receiver of the group's route" }),
  policy: Type.String(),
  status: Type.Union([Type.Literal('escalating'), Type.Literal('acknowledged'), Type.Literal('exhausted'), Type.Literal('resolved')]),
  startedAt: dateTime,
  statusSince: dateTime,
  current: Type.Union([Type.Object({ ...stepRef, pagedAt: dateTime }), Type.Null()], { description: 'the last step paged; null before the first page' }),
  next: Type.Union([Type.Object({ ...stepRef, at: dateTime }), Type.Null()], { description: 'the next page and when it falls due; null unless escalating with a step left' }),
  exhaustsAt: Type.Union([dateTime, Type.Null()], { description: 'when the last wait runs out with nobody answering (escalating, no step left)' }),
  pages: Type.Integer({ minimum: 0, description: 'pages sent so far' }),
  acknowledgements: Type.Array(Type.Object({ by: Type.String(), at: dateTime, comment: Type.String() })),
  acknowledgementsRequired: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: "the policy's acknowledgements_required; null when the policy is no longer configured" }),
});

function escalationOf(config: AlertingConfig, e: { groupKey: string; receiver: string; policy: string; state: EscalationState }): Static<typeof escalationView> {
  const { state } = e;
  const last = state.paged[state.paged.length - 1];
  const cursor = state.cursor;
  const escalating = state.status === 'escalating';
  return {
    groupKey: e.groupKey,
    receiver: e.receiver,
    policy: e.policy,
    status: state.status,
    startedAt: iso(state.startedAt),
    statusSince: iso(state.statusSince),
    current: last ? { step: last.step, round: last.round, pagedAt: iso(last.at) } : null,
    next: escalating && cursor.kind === 'page' ? { step: cursor.step, round: cursor.round, at: iso(cursor.at) } : null,
    exhaustsAt: escalating && cursor.kind === 'exhaust' ? iso(cursor.at) : null,
    pages: state.paged.length,
    acknowledgements: state.acks.map((a) => ({ by: a.by, at: iso(a.at), comment: a.comment })),
    acknowledgementsRequired: config.escalationPolicies.get(e.policy)?.acknowledgementsRequired ?? null,
  };
}

// ── POST /api/v1/alerting/routes/test ────────────────────────────────────────────────────────

const routesTestBody = Type.Object(
  { labels: Type.Record(Type.String(), Type.String(), { description: 'the alert\'s labels, names to string values' }) },
  { additionalProperties: false },
);

const routeMatch = Type.Object({
  receiver: Type.String(),
  path: Type.Array(Type.Integer({ minimum: 0 }), { description: 'child indexes from the root route ([] = the root)' }),
  matchers: Type.Array(Type.String(), { description: "the route's own matchers, as text" }),
  continue: Type.Boolean(),
  groupBy: Type.Array(Type.String(), { description: "['...'] when every label groups" }),
  groupLabels: labelSet,
  groupKey: Type.String({ description: 'the aggregation group the alert would join (as in webhook payloads)' }),
  groupWaitMs: Type.Integer(),
  groupIntervalMs: Type.Integer(),
  repeatIntervalMs: Type.Integer(),
  escalationPolicy: Type.Union([Type.String(), Type.Null()]),
  muteTimeIntervals: Type.Array(Type.String()),
  activeTimeIntervals: Type.Array(Type.String()),
  muted: Type.Boolean({ description: 'its time intervals mute the route now' }),
});

const routesTestAnswer = Type.Object({
  receivers: Type.Array(Type.String(), { description: 'in order, each once (what amtool config routes test prints)' }),
  routes: Type.Array(routeMatch),
});

// ── Routes ───────────────────────────────────────────────────────────────────────────────────

export async function onCallRoutes(app: FastifyInstance, deps: OnCallRouteDeps): Promise<void> {
  app.get(
    '/api/v1/oncall',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'Who is on call',
        description:
          'For every schedule of the alerting configuration in force (or the one named), who is on duty at `at` (default now): the responder, the layer or override behind it, since and until when, and the receiver they are paged through.',
        tags,
        querystring: onCallQuery,
        response: { 200: onCallAnswer },
      },
    },
    async (request) => {
      const q = request.query as Static<typeof onCallQuery>;
      const at = instantParam(q.at, deps.clock.now());
      const config = deps.alerting.currentConfig();
      let schedules = [...config.schedules.values()];
      if (q.schedule !== undefined) {
        const one = config.schedules.get(q.schedule);
        if (!one) throw new TocsinError('TOCSIN_NOT_FOUND', `no schedule "${q.schedule}" in the alerting configuration`, { schedule: q.schedule });
        schedules = [one];
      }
      return { at: iso(at), schedules: schedules.map((s) => onCallOf(config, s, at)) };
    },
  );

  app.get(
    '/api/v1/escalations',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'Escalations',
        description:
          'The escalations the dispatcher holds now (escalating, acknowledged or exhausted; they end when their alerts resolve), by group key and receiver: the policy, the step last paged, when the next page falls due, and the acknowledgements so far against those the policy requires. Steps and rounds count from 0.',
        tags,
        response: { 200: Type.Object({ items: Type.Array(escalationView) }) },
      },
    },
    async () => {
      const config = deps.alerting.currentConfig();
      const items = deps.alerting
        .currentEscalations()
        .map((e) => escalationOf(config, e))
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.groupKey.localeCompare(b.groupKey) || a.receiver.localeCompare(b.receiver));
      return { items };
    },
  );

  app.post(
    '/api/v1/alerting/routes/test',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'Test the routing tree',
        description:
          'Where an alert with these labels would go, as `amtool config routes test` answers: every route that takes it (`continue` lets several), with its receiver, the group it would join, its timers, its escalation policy, and whether its time intervals mute it now.',
        tags,
        body: routesTestBody,
        response: { 200: routesTestAnswer },
      },
    },
    async (request) => {
      const { labels } = request.body as Static<typeof routesTestBody>;
      const config = deps.alerting.currentConfig();
      const now = deps.clock.now();
      const routes = matchRoutes(config.route, labels).map(({ route, path }) => {
        const groupLabels = groupLabelsFor(route, labels);
        return {
          receiver: route.receiver,
          path,
          matchers: route.matchers.map(formatMatcher),
          continue: route.continue,
          groupBy: route.groupByAll ? ['...'] : route.groupBy,
          groupLabels,
          groupKey: groupKey(matchersAlong(config.route, path), groupLabels),
          groupWaitMs: route.groupWaitMs,
          groupIntervalMs: route.groupIntervalMs,
          repeatIntervalMs: route.repeatIntervalMs,
          escalationPolicy: route.escalationPolicy,
          muteTimeIntervals: route.muteTimeIntervals,
          activeTimeIntervals: route.activeTimeIntervals,
          muted: routeMutedAt(config, route, now),
        };
      });
      return { receivers: [...new Set(routes.map((r) => r.receiver))], routes };
    },
  );
}
