import type { SqlClient } from '../sql-client.ts';
import type { Alert } from '../../domain/alerting/alert.ts';
import type { NotificationLogEntry } from '../../domain/alerting/aggregation-group.ts';

/** One transition in an alert's history. */
export interface AlertEvent {
  fingerprint: string;
  at: number;
  kind: 'fired' | 'resolved' | 'annotations' | 'acknowledged' | 'unacknowledged';
  actor: string | null;
  detail: Record<string, unknown>;
}

/** An aggregation group as stored: enough to resume its timers and membership after a restart. */
export interface StoredGroup {
  groupKey: string;
  receiver: string;
  /** Child indexes from the root route down to the route that made the group. */
  routePath: number[];
  groupLabels: Record<string, string>;
  createdAt: number;
  nextFlushAt: number;
  members: string[];
}

/** A notification to deliver (or delivered, or given up on). */
export interface StoredNotification {
  id: number;
  groupKey: string;
  receiver: string;
  integration: string;
  reason: string;
  payload: string;
  createdAt: number;
  status: 'pending' | 'delivered' | 'dead-letter';
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
}

export type NewNotification = Pick<StoredNotification, 'groupKey' | 'receiver' | 'integration' | 'reason' | 'payload' | 'createdAt'>;

/** An escalation as stored: its group and the policy's serialisable state. */
export interface StoredEscalation {
  groupKey: string;
  receiver: string;
  policy: string;
  state: unknown;
  updatedAt: number;
}

/** What one flush changes, written in one transaction so a crash leaves all of it or none. */
export interface FlushWrite {
  /** An escalation started, advanced or ended by this flush (null state: delete it). */
  escalation?: { groupKey: string; receiver: string; policy: string; state: unknown | null; at: number } | null;
  group: StoredGroup | null;
  /** The group ended: delete it. */
  deleteGroup: { groupKey: string; receiver: string } | null;
  log: { groupKey: string; receiver: string; entry: NotificationLogEntry } | null;
  notifications: NewNotification[];
}

const ts = (ms: number) => new Date(ms).toISOString();

interface AlertRow {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: Date;
  ends_at: Date | null;
  updated_at: Date;
  generator_url: string;
  acks: Alert['acks'];
}

function toAlert(r: AlertRow): Alert {
  return {
    fingerprint: r.fingerprint,
    labels: r.labels,
    annotations: r.annotations,
    startsAt: r.starts_at.getTime(),
    endsAt: r.ends_at ? r.ends_at.getTime() : null,
    updatedAt: r.updated_at.getTime(),
    generatorURL: r.generator_url,
    acks: r.acks,
  };
}

interface NotificationRow {
  id: number;
  group_key: string;
  receiver: string;
  integration: string;
  reason: string;
  payload: string;
  created_at: Date;
  status: StoredNotification['status'];
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
}

function toNotification(r: NotificationRow): StoredNotification {
  return {
    id: Number(r.id),
    groupKey: r.group_key,
    receiver: r.receiver,
    integration: r.integration,
    reason: r.reason,
    payload: r.payload,
    createdAt: r.created_at.getTime(),
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at ? r.next_attempt_at.getTime() : null,
    lastError: r.last_error,
  };
}

/** Alerts, their history, aggregation groups, the notification log and deliveries, in PostgreSQL. */
export class AlertingRepo {
  constructor(private readonly client: SqlClient) {}

  /** Every alert that fires, and every resolved one still in a group (what the dispatcher needs at start). */
  async activeAlerts(): Promise<Alert[]> {
    const res = await this.client.query<AlertRow>(
      `select * from alerts
        where ends_at is null
           or fingerprint in (select jsonb_array_elements_text(members) from alert_groups)`,
    );
    return res.rows.map(toAlert);
  }

  /**
   * Signals stored after the last one alerting applied, oldest first: what a crash left between
   * detection and alerting. On a store that never ran alerting, none (history is not replayed);
   * the mark is then set at the newest signal.
   */
  async signalsNotApplied(limit = 100_000): Promise<{ id: number; kind: 'firing' | 'changed' | 'resolved'; t: number; level: string | null; previousLevel: string | null; labels: Record<string, string>; annotations: Record<string, string> }[]> {
    const mark = await this.client.query<{ last_signal_id: number }>('select last_signal_id from alerting_progress where id = 1');
    if (mark.rows.length === 0) {
      await this.client.query(
        `insert into alerting_progress (id, last_signal_id) select 1, coalesce(max(id), 0) from signals on conflict (id) do nothing`,
      );
      return [];
    }
    const res = await this.client.query<{ id: number; kind: 'firing' | 'changed' | 'resolved'; t: Date; level: string | null; previous_level: string | null; labels: Record<string, string>; annotations: Record<string, string> }>(
      'select id, kind, t, level, previous_level, labels, annotations from signals where id > $1 order by id limit $2',
      [mark.rows[0]!.last_signal_id, limit],
    );
    return res.rows.map((r) => ({ id: Number(r.id), kind: r.kind, t: r.t.getTime(), level: r.level, previousLevel: r.previous_level, labels: r.labels, annotations: r.annotations }));
  }

  /** Alerts by state and label equality, newest first. */
  async listAlerts(filter: { state?: 'firing' | 'resolved'; labels?: Record<string, string>; limit: number }): Promise<Alert[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state === 'firing') where.push('ends_at is null');
    if (filter.state === 'resolved') where.push('ends_at is not null');
    if (filter.labels && Object.keys(filter.labels).length > 0) {
      params.push(JSON.stringify(filter.labels));
      where.push(`labels @> $${params.length}::jsonb`);
    }
    params.push(filter.limit);
    const res = await this.client.query<AlertRow>(
      `select * from alerts ${where.length ? `where ${where.join(' and ')}` : ''} order by starts_at desc, fingerprint limit $${params.length}`,
      params,
    );
    return res.rows.map(toAlert);
  }

  async alert(fingerprint: string): Promise<Alert | null> {
    const res = await this.client.query<AlertRow>('select * from alerts where fingerprint = $1', [fingerprint]);
    return res.rows[0] ? toAlert(res.rows[0]) : null;
  }

  /** An alert's history, oldest first. */
  async history(fingerprint: string): Promise<AlertEvent[]> {
    const res = await this.client.query<{ fingerprint: string; at: Date; kind: AlertEvent['kind']; actor: string | null; detail: Record<string, unknown> }>(
      'select fingerprint, at, kind, actor, detail from alert_events where fingerprint = $1 order by id',
      [fingerprint],
    );
    return res.rows.map((r) => ({ fingerprint: r.fingerprint, at: r.at.getTime(), kind: r.kind, actor: r.actor, detail: r.detail }));
  }

  /** Writes alerts (insert or replace) and their events in one transaction. */
  async saveAlerts(alerts: readonly Alert[], events: readonly AlertEvent[]): Promise<void> {
    await this.saveSignalChanges(alerts, events, []);
  }

  /**
   * Writes what signals changed — alerts, their events, the groups they joined — and, when given,
   * the id of the last signal applied, in one transaction.
   */
  async saveSignalChanges(alerts: readonly Alert[], events: readonly AlertEvent[], groups: readonly StoredGroup[], lastSignalId?: number): Promise<void> {
    if (alerts.length === 0 && events.length === 0 && groups.length === 0 && lastSignalId === undefined) return;
    await this.client.transaction(async (tx) => {
      await saveGroups(tx, groups);
      if (lastSignalId !== undefined) {
        await tx.query(
          `insert into alerting_progress (id, last_signal_id) values (1, $1)
           on conflict (id) do update set last_signal_id = greatest(alerting_progress.last_signal_id, excluded.last_signal_id)`,
          [lastSignalId],
        );
      }
      if (alerts.length > 0) {
        const payload = JSON.stringify(
          alerts.map((a) => ({
            fingerprint: a.fingerprint,
            labels: a.labels,
            annotations: a.annotations,
            starts_at: ts(a.startsAt),
            ends_at: a.endsAt === null ? null : ts(a.endsAt),
            updated_at: ts(a.updatedAt),
            generator_url: a.generatorURL,
            acks: a.acks,
          })),
        );
        await tx.query(
          `insert into alerts (fingerprint, labels, annotations, starts_at, ends_at, updated_at, generator_url, acks)
           select fingerprint, labels, annotations, starts_at, ends_at, updated_at, generator_url, acks
             from jsonb_to_recordset($1::jsonb) as x(fingerprint text, labels jsonb, annotations jsonb, starts_at timestamptz,
                  ends_at timestamptz, updated_at timestamptz, generator_url text, acks jsonb)
           on conflict (fingerprint) do update set labels = excluded.labels, annotations = excluded.annotations,
             starts_at = excluded.starts_at, ends_at = excluded.ends_at, updated_at = excluded.updated_at,
             generator_url = excluded.generator_url, acks = excluded.acks`,
          [payload],
        );
      }
      if (events.length > 0) {
        const payload = JSON.stringify(events.map((e) => ({ fingerprint: e.fingerprint, at: ts(e.at), kind: e.kind, actor: e.actor, detail: e.detail })));
        await tx.query(
          `insert into alert_events (fingerprint, at, kind, actor, detail)
           select fingerprint, at, kind, actor, detail
             from jsonb_to_recordset($1::jsonb) as x(fingerprint text, at timestamptz, kind text, actor text, detail jsonb)`,
          [payload],
        );
      }
    });
  }

  async groups(): Promise<StoredGroup[]> {
    const res = await this.client.query<{
      group_key: string;
      receiver: string;
      route_path: number[];
      group_labels: Record<string, string>;
      created_at: Date;
      next_flush_at: Date;
      members: string[];
    }>('select * from alert_groups order by group_key, receiver');
    return res.rows.map((r) => ({
      groupKey: r.group_key,
      receiver: r.receiver,
      routePath: r.route_path,
      groupLabels: r.group_labels,
      createdAt: r.created_at.getTime(),
      nextFlushAt: r.next_flush_at.getTime(),
      members: r.members,
    }));
  }

  /** Writes groups (insert or replace) in one statement. */
  async saveGroups(groups: readonly StoredGroup[]): Promise<void> {
    await saveGroups(this.client, groups);
  }

  /** Every notification log entry, by group key and receiver (loaded once at start). */
  async logEntries(): Promise<{ groupKey: string; receiver: string; entry: NotificationLogEntry }[]> {
    const res = await this.client.query<{ group_key: string; receiver: string; at: Date; firing: string[]; resolved: string[] }>('select * from notification_log');
    return res.rows.map((r) => ({ groupKey: r.group_key, receiver: r.receiver, entry: { at: r.at.getTime(), firing: r.firing, resolved: r.resolved } }));
  }

  async logEntry(groupKey: string, receiver: string): Promise<NotificationLogEntry | null> {
    const res = await this.client.query<{ at: Date; firing: string[]; resolved: string[] }>(
      'select at, firing, resolved from notification_log where group_key = $1 and receiver = $2',
      [groupKey, receiver],
    );
    const r = res.rows[0];
    return r ? { at: r.at.getTime(), firing: r.firing, resolved: r.resolved } : null;
  }

  /** Applies one flush's decision atomically. */
  async writeFlush(write: FlushWrite): Promise<void> {
    await this.writeFlushes([write]);
  }

  /**
   * Applies the decisions of several flushes (one tick's) in one transaction, each kind of row in
   * one statement: at thousands of groups a tick, a statement per row would be the bottleneck.
   */
  async writeFlushes(writes: readonly FlushWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.client.transaction(async (tx) => {
      await saveGroups(tx, writes.flatMap((w) => (w.group ? [w.group] : [])));
      const deletes = writes.flatMap((w) => (w.deleteGroup ? [w.deleteGroup] : []));
      if (deletes.length > 0) {
        await tx.query(
          `delete from alert_groups g using jsonb_to_recordset($1::jsonb) as x(group_key text, receiver text)
            where g.group_key = x.group_key and g.receiver = x.receiver`,
          [JSON.stringify(deletes.map((d) => ({ group_key: d.groupKey, receiver: d.receiver })))],
        );
      }
      const logs = writes.flatMap((w) => (w.log ? [w.log] : []));
      if (logs.length > 0) {
        await tx.query(
          `insert into notification_log (group_key, receiver, at, firing, resolved)
           select group_key, receiver, at, firing, resolved
             from jsonb_to_recordset($1::jsonb) as x(group_key text, receiver text, at timestamptz, firing jsonb, resolved jsonb)
           on conflict (group_key, receiver) do update set at = excluded.at, firing = excluded.firing, resolved = excluded.resolved`,
          [JSON.stringify(logs.map((l) => ({ group_key: l.groupKey, receiver: l.receiver, at: ts(l.entry.at), firing: l.entry.firing, resolved: l.entry.resolved })))],
        );
      }
      for (const w of writes) if (w.escalation) await saveEscalation(tx, w.escalation);
      const notifications = writes.flatMap((w) => w.notifications);
      if (notifications.length > 0) {
        await tx.query(
          `insert into notifications (group_key, receiver, integration, reason, payload, created_at, status, next_attempt_at)
           select group_key, receiver, integration, reason, payload, created_at, 'pending', created_at
             from jsonb_to_recordset($1::jsonb) as x(group_key text, receiver text, integration text, reason text, payload text, created_at timestamptz)`,
          [JSON.stringify(notifications.map((n) => ({ group_key: n.groupKey, receiver: n.receiver, integration: n.integration, reason: n.reason, payload: n.payload, created_at: ts(n.createdAt) })))],
        );
      }
    });
  }

  async escalations(): Promise<StoredEscalation[]> {
    const res = await this.client.query<{ group_key: string; receiver: string; policy: string; state: unknown; updated_at: Date }>(
      'select group_key, receiver, policy, state, updated_at from escalations order by group_key, receiver',
    );
    return res.rows.map((r) => ({ groupKey: r.group_key, receiver: r.receiver, policy: r.policy, state: r.state, updatedAt: r.updated_at.getTime() }));
  }

  /** Saves an escalation's new state and the pages it emitted, in one transaction. */
  async writeEscalation(escalation: { groupKey: string; receiver: string; policy: string; state: unknown | null; at: number }, pages: readonly NewNotification[]): Promise<void> {
    await this.writeFlush({ group: null, deleteGroup: null, log: null, notifications: [...pages], escalation });
  }

  /** Pending notifications whose next attempt is due, oldest first. */
  async dueNotifications(now: number, limit = 100): Promise<StoredNotification[]> {
    const res = await this.client.query<NotificationRow>(
      `select * from notifications where status = 'pending' and next_attempt_at <= $1 order by next_attempt_at, id limit $2`,
      [ts(now), limit],
    );
    return res.rows.map(toNotification);
  }

  /** Records several attempts (one tick's) and what follows each, in one transaction. */
  async recordAttempts(
    attempts: readonly {
      id: number;
      attempt: { number: number; at: number; ok: boolean; status: number | null; error: string | null; durationMs: number };
      next: { status: StoredNotification['status']; nextAttemptAt: number | null };
    }[],
  ): Promise<void> {
    if (attempts.length === 0) return;
    const rows = JSON.stringify(
      attempts.map((a) => ({
        notification_id: a.id,
        attempt: a.attempt.number,
        at: ts(a.attempt.at),
        ok: a.attempt.ok,
        status: a.attempt.status,
        error: a.attempt.error,
        duration_ms: a.attempt.durationMs,
        next_status: a.next.status,
        next_attempt_at: a.next.nextAttemptAt === null ? null : ts(a.next.nextAttemptAt),
      })),
    );
    await this.client.transaction(async (tx) => {
      await tx.query(
        `insert into notification_attempts (notification_id, attempt, at, ok, status, error, duration_ms)
         select notification_id, attempt, at, ok, status, error, duration_ms
           from jsonb_to_recordset($1::jsonb) as x(notification_id int8, attempt int4, at timestamptz, ok boolean, status int4, error text, duration_ms float8)`,
        [rows],
      );
      await tx.query(
        `update notifications n set status = x.next_status, attempts = x.attempt, next_attempt_at = x.next_attempt_at, last_error = x.error
           from jsonb_to_recordset($1::jsonb) as x(notification_id int8, attempt int4, error text, next_status text, next_attempt_at timestamptz)
          where n.id = x.notification_id`,
        [rows],
      );
    });
  }

  /** Records an attempt and what follows it (delivered, another try at `nextAttemptAt`, or dead letter). */
  async recordAttempt(
    id: number,
    attempt: { number: number; at: number; ok: boolean; status: number | null; error: string | null; durationMs: number },
    next: { status: StoredNotification['status']; nextAttemptAt: number | null },
  ): Promise<void> {
    await this.client.transaction(async (tx) => {
      await tx.query(
        'insert into notification_attempts (notification_id, attempt, at, ok, status, error, duration_ms) values ($1, $2, $3, $4, $5, $6, $7)',
        [id, attempt.number, ts(attempt.at), attempt.ok, attempt.status, attempt.error, attempt.durationMs],
      );
      await tx.query('update notifications set status = $2, attempts = $3, next_attempt_at = $4, last_error = $5 where id = $1', [
        id,
        next.status,
        attempt.number,
        next.nextAttemptAt === null ? null : ts(next.nextAttemptAt),
        attempt.error,
      ]);
    });
  }

  /** Notifications, newest first, optionally by receiver and status (the notification log view). */
  async listNotifications(filter: { receiver?: string; status?: StoredNotification['status']; limit: number }): Promise<StoredNotification[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.receiver) {
      params.push(filter.receiver);
      where.push(`receiver = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    params.push(filter.limit);
    const res = await this.client.query<NotificationRow>(
      `select * from notifications ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
      params,
    );
    return res.rows.map(toNotification);
  }
}

async function saveEscalation(client: SqlClient, e: { groupKey: string; receiver: string; policy: string; state: unknown | null; at: number }): Promise<void> {
  if (e.state === null) {
    await client.query('delete from escalations where group_key = $1 and receiver = $2', [e.groupKey, e.receiver]);
    return;
  }
  await client.query(
    `insert into escalations (group_key, receiver, policy, state, updated_at) values ($1, $2, $3, $4::jsonb, $5)
     on conflict (group_key, receiver) do update set policy = excluded.policy, state = excluded.state, updated_at = excluded.updated_at`,
    [e.groupKey, e.receiver, e.policy, JSON.stringify(e.state), ts(e.at)],
  );
}

async function saveGroups(client: SqlClient, groups: readonly StoredGroup[]): Promise<void> {
  if (groups.length === 0) return;
  const payload = JSON.stringify(
    groups.map((g) => ({
      group_key: g.groupKey,
      receiver: g.receiver,
      route_path: g.routePath,
      group_labels: g.groupLabels,
      created_at: ts(g.createdAt),
      next_flush_at: ts(g.nextFlushAt),
      members: g.members,
    })),
  );
  await client.query(
    `insert into alert_groups (group_key, receiver, route_path, group_labels, created_at, next_flush_at, members)
     select group_key, receiver, route_path, group_labels, created_at, next_flush_at, members
       from jsonb_to_recordset($1::jsonb) as x(group_key text, receiver text, route_path jsonb, group_labels jsonb, created_at timestamptz,
            next_flush_at timestamptz, members jsonb)
     on conflict (group_key, receiver) do update set next_flush_at = excluded.next_flush_at, members = excluded.members`,
    [payload],
  );
}
