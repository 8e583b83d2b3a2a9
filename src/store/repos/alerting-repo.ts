import type { SqlClient } from '../sql-client.ts';
import type { Alert } from '../../domain/alerting/alert.ts';
import type { NotificationLogEntry } from '../../domain/alerting/aggregation-group.ts';
import { applyFlushes, insertAlerts, insertEvents, OneStatement, saveGroups, saveProgress, ts, updateAlerts } from './alerting-writes.ts';

/** One transition in an alert's history. */
export interface AlertEvent {
  fingerprint: string;
  at: number;
  kind: 'fired' | 'resolved' | 'annotations' | 'acknowledged' | 'unacknowledged' | 'commented';
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

export type NewNotification = Pick<StoredNotification, 'groupKey' | 'receiver' | 'integration' | 'reason' | 'payload' | 'createdAt'> & {
  /**
   * The dispatcher that decided it delivers it at once: no one else (a tick's due list, a
   * restarted process) takes it before this instant. Absent: due at `createdAt`.
   */
  claimedUntil?: number;
};

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


/** What `saveSignalChanges` writes. */
export interface SignalChanges {
  alerts: readonly Alert[];
  /**
   * Those of `alerts` the dispatcher did not hold before (new, or forgotten since they resolved):
   * written whole, stored or not. The others exist in the store and get only what a change
   * touches. Absent: none (every alert is stored already).
   */
  firstSeen?: ReadonlySet<string>;
  events: readonly AlertEvent[];
  groups?: readonly StoredGroup[];
  lastSignalId?: number;
  flushes?: readonly FlushWrite[];
}

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
      where.push(`fingerprint in (select fingerprint from alert_label_sets where labels @> $${params.length}::jsonb)`);
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

  /** Writes changes of alerts already stored (acknowledgements) and their events in one transaction. */
  async saveAlerts(alerts: readonly Alert[], events: readonly AlertEvent[]): Promise<void> {
    await this.saveSignalChanges({ alerts, events });
  }

  /**
   * Writes what signals changed — alerts, their events, the groups they joined — and, when given,
   * the id of the last signal applied, with the flushes they made due, in one transaction; answers
   * the notifications those flushes created (with their ids).
   */
  async saveSignalChanges(changes: SignalChanges): Promise<StoredNotification[]> {
    const { alerts, events, groups = [], lastSignalId, flushes = [], firstSeen } = changes;
    const statement = new OneStatement();
    saveProgress(statement, lastSignalId);
    insertAlerts(statement, firstSeen ? alerts.filter((a) => firstSeen.has(a.fingerprint)) : []);
    updateAlerts(statement, firstSeen ? alerts.filter((a) => !firstSeen.has(a.fingerprint)) : alerts);
    insertEvents(statement, events);
    const { hasNotifications } = applyFlushes(statement, flushes, groups);
    return await this.run(statement, hasNotifications);
  }

  /** Runs a statement built of clauses; answers the notifications it inserted, if any. */
  private async run(statement: OneStatement, hasNotifications: boolean): Promise<StoredNotification[]> {
    if (statement.empty) return [];
    const res = await this.client.query<NotificationRow>(statement.text(hasNotifications ? 'select * from new_notifications' : 'select 1'), statement.params);
    return hasNotifications ? res.rows.map(toNotification) : [];
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
    const statement = new OneStatement();
    saveGroups(statement, groups);
    await this.run(statement, false);
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
  async writeFlushes(writes: readonly FlushWrite[]): Promise<StoredNotification[]> {
    const statement = new OneStatement();
    const { hasNotifications } = applyFlushes(statement, writes);
    return await this.run(statement, hasNotifications);
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
    const rows = attempts.map((a) => ({
        notification_id: a.id,
        attempt: a.attempt.number,
        at: ts(a.attempt.at),
        ok: a.attempt.ok,
        status: a.attempt.status,
        error: a.attempt.error,
        duration_ms: a.attempt.durationMs,
        next_status: a.next.status,
        next_attempt_at: a.next.nextAttemptAt === null ? null : ts(a.next.nextAttemptAt),
      }));
    const statement = new OneStatement();
    statement.with(
      'attempts',
      rows,
      (p) => `insert into notification_attempts (notification_id, attempt, at, ok, status, error, duration_ms)
       select notification_id, attempt, at, ok, status, error, duration_ms
         from jsonb_to_recordset(${p}) as x(notification_id int8, attempt int4, at timestamptz, ok boolean, status int4, error text, duration_ms float8)`,
    );
    statement.with(
      'outcomes',
      rows,
      (p) => `update notifications n set status = x.next_status, attempts = x.attempt, next_attempt_at = x.next_attempt_at, last_error = x.error
         from jsonb_to_recordset(${p}) as x(notification_id int8, attempt int4, error text, next_status text, next_attempt_at timestamptz)
        where n.id = x.notification_id`,
    );
    await this.run(statement, false);
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




