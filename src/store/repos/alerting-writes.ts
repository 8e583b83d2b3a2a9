import type { Alert } from '../../domain/alerting/alert.ts';
import type { AlertEvent, FlushWrite, StoredGroup } from './alerting-repo.ts';

/**
 * The dispatcher's writes as single statements: each part (alerts, events, groups, flushes, …) is
 * a data-modifying `WITH` clause reading one JSON parameter, so a batch is one round trip and
 * atomic without BEGIN/COMMIT. Under load the round trips were the cost, not the rows: a
 * transaction of nine statements waited nine times for a busy event loop (bench/alerting).
 * The clauses run on one snapshot and must not touch the same row twice; the callers' parts are
 * disjoint (a group is either saved or flushed, an alert either inserted or updated).
 */
export class OneStatement {
  private readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  /** Adds `name AS (sql)`, where sql reads the JSON `rows` as `$rows`. */
  with(name: string, rows: unknown, sql: (param: string) => string): void {
    this.params.push(JSON.stringify(rows));
    this.clauses.push(`${name} as (${sql(`$${this.params.length}::jsonb`)})`);
  }

  get empty(): boolean {
    return this.clauses.length === 0;
  }

  /** The statement, ending with `final` (which may read the clauses' `returning` rows). */
  text(final: string): string {
    return this.clauses.length === 0 ? final : `with ${this.clauses.join(',\n')}\n${final}`;
  }
}

/**
 * ISO text of an instant, for the JSON a statement reads. A batch's rows mostly share instants
 * (the batch's `now`, a signal's time), so the last one is remembered: formatting a Date costs
 * more than the rest of a row.
 */
let lastMs = NaN;
let lastIso = '';
export const ts = (ms: number): string => {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
};

/** Alerts first seen: inserted whole (or, stored already, given what a change touches); their labels indexed once. */
export function insertAlerts(statement: OneStatement, alerts: readonly Alert[]): void {
  if (alerts.length === 0) return;
  const rows = alerts.map((a) => ({
    fingerprint: a.fingerprint,
    labels: a.labels,
    annotations: a.annotations,
    starts_at: ts(a.startsAt),
    ends_at: a.endsAt === null ? null : ts(a.endsAt),
    updated_at: ts(a.updatedAt),
    generator_url: a.generatorURL,
    acks: a.acks,
  }));
  statement.with(
    'new_alerts',
    rows,
    (p) => `insert into alerts (fingerprint, labels, annotations, starts_at, ends_at, updated_at, generator_url, acks)
     select fingerprint, labels, annotations, starts_at, ends_at, updated_at, generator_url, acks
       from jsonb_to_recordset(${p}) as x(fingerprint text, labels jsonb, annotations jsonb, starts_at timestamptz,
            ends_at timestamptz, updated_at timestamptz, generator_url text, acks jsonb)
     on conflict (fingerprint) do update set annotations = excluded.annotations,
       starts_at = excluded.starts_at, ends_at = excluded.ends_at, updated_at = excluded.updated_at,
       generator_url = excluded.generator_url, acks = excluded.acks`,
  );
  // Labels are the fingerprint's identity: indexed once, when the alert is first seen.
  statement.with(
    'new_label_sets',
    rows.map((r) => ({ fingerprint: r.fingerprint, labels: r.labels })),
    (p) => `insert into alert_label_sets (fingerprint, labels)
     select fingerprint, labels from jsonb_to_recordset(${p}) as x(fingerprint text, labels jsonb)
     on conflict (fingerprint) do nothing`,
  );
}

/** Alerts stored already: only what a change can touch (not the labels, the identity, nor the link). */
export function updateAlerts(statement: OneStatement, alerts: readonly Alert[]): void {
  if (alerts.length === 0) return;
  statement.with(
    'changed_alerts',
    alerts.map((a) => ({
      fingerprint: a.fingerprint,
      annotations: a.annotations,
      starts_at: ts(a.startsAt),
      ends_at: a.endsAt === null ? null : ts(a.endsAt),
      updated_at: ts(a.updatedAt),
      acks: a.acks,
    })),
    (p) => `update alerts a set annotations = x.annotations, starts_at = x.starts_at, ends_at = x.ends_at, updated_at = x.updated_at, acks = x.acks
       from jsonb_to_recordset(${p}) as x(fingerprint text, annotations jsonb, starts_at timestamptz, ends_at timestamptz,
            updated_at timestamptz, acks jsonb)
      where a.fingerprint = x.fingerprint`,
  );
}

export function insertEvents(statement: OneStatement, events: readonly AlertEvent[]): void {
  if (events.length === 0) return;
  statement.with(
    'new_events',
    events.map((e) => ({ fingerprint: e.fingerprint, at: ts(e.at), kind: e.kind, actor: e.actor, detail: e.detail })),
    (p) => `insert into alert_events (fingerprint, at, kind, actor, detail)
     select fingerprint, at, kind, actor, detail
       from jsonb_to_recordset(${p}) as x(fingerprint text, at timestamptz, kind text, actor text, detail jsonb)`,
  );
}

export function saveProgress(statement: OneStatement, lastSignalId: number | undefined): void {
  if (lastSignalId === undefined) return;
  statement.with(
    'progress',
    { id: lastSignalId },
    (p) => `insert into alerting_progress (id, last_signal_id) values (1, (${p} ->> 'id')::int8)
     on conflict (id) do update set last_signal_id = greatest(alerting_progress.last_signal_id, excluded.last_signal_id)`,
  );
}

export function saveGroups(statement: OneStatement, groups: readonly StoredGroup[]): void {
  if (groups.length === 0) return;
  statement.with(
    'saved_groups',
    groups.map((g) => ({
      group_key: g.groupKey,
      receiver: g.receiver,
      route_path: g.routePath,
      group_labels: g.groupLabels,
      created_at: ts(g.createdAt),
      next_flush_at: ts(g.nextFlushAt),
      members: g.members,
    })),
    (p) => `insert into alert_groups (group_key, receiver, route_path, group_labels, created_at, next_flush_at, members)
     select group_key, receiver, route_path, group_labels, created_at, next_flush_at, members
       from jsonb_to_recordset(${p}) as x(group_key text, receiver text, route_path jsonb, group_labels jsonb, created_at timestamptz,
            next_flush_at timestamptz, members jsonb)
     on conflict (group_key, receiver) do update set next_flush_at = excluded.next_flush_at, members = excluded.members`,
  );
}

/**
 * Flush decisions: groups kept or ended, log entries, escalations started or ended, and the
 * notifications (read back by the final `select * from new_notifications`, when `hasNotifications`).
 * `otherGroups`, saved in the same clause, must not include a flushed group.
 */
export function applyFlushes(statement: OneStatement, writes: readonly FlushWrite[], otherGroups: readonly StoredGroup[] = []): { hasNotifications: boolean } {
  // One clause for every group saved: the caller's (not flushed) and the flushed ones still open.
  saveGroups(statement, [...otherGroups, ...writes.flatMap((w) => (w.group ? [w.group] : []))]);
  const deletes = writes.flatMap((w) => (w.deleteGroup ? [w.deleteGroup] : []));
  if (deletes.length > 0) {
    statement.with(
      'ended_groups',
      deletes.map((d) => ({ group_key: d.groupKey, receiver: d.receiver })),
      (p) => `delete from alert_groups g using jsonb_to_recordset(${p}) as x(group_key text, receiver text)
        where g.group_key = x.group_key and g.receiver = x.receiver`,
    );
  }
  const logs = writes.flatMap((w) => (w.log ? [w.log] : []));
  if (logs.length > 0) {
    statement.with(
      'logged',
      logs.map((l) => ({ group_key: l.groupKey, receiver: l.receiver, at: ts(l.entry.at), firing: l.entry.firing, resolved: l.entry.resolved })),
      (p) => `insert into notification_log (group_key, receiver, at, firing, resolved)
       select group_key, receiver, at, firing, resolved
         from jsonb_to_recordset(${p}) as x(group_key text, receiver text, at timestamptz, firing jsonb, resolved jsonb)
       on conflict (group_key, receiver) do update set at = excluded.at, firing = excluded.firing, resolved = excluded.resolved`,
    );
  }
  const escalations = writes.flatMap((w) => (w.escalation ? [w.escalation] : []));
  const ended = escalations.filter((e) => e.state === null);
  const running = escalations.filter((e) => e.state !== null);
  if (ended.length > 0) {
    statement.with(
      'ended_escalations',
      ended.map((e) => ({ group_key: e.groupKey, receiver: e.receiver })),
      (p) => `delete from escalations s using jsonb_to_recordset(${p}) as x(group_key text, receiver text)
        where s.group_key = x.group_key and s.receiver = x.receiver`,
    );
  }
  if (running.length > 0) {
    statement.with(
      'saved_escalations',
      running.map((e) => ({ group_key: e.groupKey, receiver: e.receiver, policy: e.policy, state: e.state, updated_at: ts(e.at) })),
      (p) => `insert into escalations (group_key, receiver, policy, state, updated_at)
       select group_key, receiver, policy, state, updated_at
         from jsonb_to_recordset(${p}) as x(group_key text, receiver text, policy text, state jsonb, updated_at timestamptz)
       on conflict (group_key, receiver) do update set policy = excluded.policy, state = excluded.state, updated_at = excluded.updated_at`,
    );
  }
  const notifications = writes.flatMap((w) => w.notifications);
  if (notifications.length === 0) return { hasNotifications: false };
  statement.with(
    'new_notifications',
    notifications.map((n) => ({
      group_key: n.groupKey,
      receiver: n.receiver,
      integration: n.integration,
      reason: n.reason,
      payload: n.payload,
      created_at: ts(n.createdAt),
      claimed_until: n.claimedUntil === undefined ? null : ts(n.claimedUntil),
    })),
    (p) => `insert into notifications (group_key, receiver, integration, reason, payload, created_at, status, next_attempt_at)
     select group_key, receiver, integration, reason, payload, created_at, 'pending', coalesce(claimed_until, created_at)
       from jsonb_to_recordset(${p}) as x(group_key text, receiver text, integration text, reason text, payload text,
            created_at timestamptz, claimed_until timestamptz)
     returning *`,
  );
  return { hasNotifications: true };
}
