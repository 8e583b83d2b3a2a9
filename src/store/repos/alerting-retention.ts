import type { SqlClient } from '../sql-client.ts';
import { ts } from './alerting-writes.ts';

/** Rows one purge of the alerting history deleted, per table. */
export interface AlertingPurgeCounts {
  alerts: number;
  events: number;
  notifications: number;
  attempts: number;
  logEntries: number;
}

/**
 * Deletes, in one transaction, the alerting history older than `cutoff` (epoch ms): alerts resolved
 * before it that no aggregation group holds (with their label sets and their whole history), any
 * alert's events before it, delivered and dead-lettered notifications created before it (with
 * their attempts), and log entries before it of groups that have ended. Firing alerts, pending
 * notifications, groups, escalations and the log entries of live groups are never touched.
 */
export async function purgeAlertingHistory(client: SqlClient, cutoff: number): Promise<AlertingPurgeCounts> {
  const before = ts(cutoff);
  return await client.transaction(async (tx) => {
    // One statement, one snapshot: an alert that fires again while this runs is re-checked by its
    // row lock and kept, and so are its label set and its new `fired` event. `starts_at < cutoff`
    // follows from `ends_at < cutoff` and lets the purge find candidates on alerts_starts_at_idx
    // (0012 keeps no index on ends_at, which every resolve writes).
    const alerts = await tx.query<{ alerts: number; events: number }>(
      `with gone as (
         delete from alerts a
          where a.ends_at < $1::timestamptz and a.starts_at < $1::timestamptz
            and not exists (select 1 from alert_groups g where g.members @> jsonb_build_array(a.fingerprint))
         returning a.fingerprint
       ), gone_label_sets as (
         delete from alert_label_sets s using gone where s.fingerprint = gone.fingerprint
       ), gone_events as (
         delete from alert_events e where e.at < $1::timestamptz or e.fingerprint in (select fingerprint from gone)
         returning 1
       )
       select (select count(*) from gone) as alerts, (select count(*) from gone_events) as events`,
      [before],
    );
    // notification_attempts references notifications without a cascade: both go in one statement
    // (the key is checked at its end), on one snapshot, so they agree on what is finished even if
    // a delivery finishes meanwhile; a finished notification never gets another attempt.
    const deliveries = await tx.query<{ notifications: number; attempts: number }>(
      `with finished as (
         select id from notifications where status in ('delivered', 'dead-letter') and created_at < $1::timestamptz
       ), gone_attempts as (
         delete from notification_attempts t using finished f where t.notification_id = f.id returning 1
       ), gone as (
         delete from notifications n using finished f where n.id = f.id returning 1
       )
       select (select count(*) from gone) as notifications, (select count(*) from gone_attempts) as attempts`,
      [before],
    );
    // A live group's entry is its dedup state (what was last sent): kept whatever its age.
    const log = await tx.query(
      `delete from notification_log l
        where l.at < $1::timestamptz
          and not exists (select 1 from alert_groups g where g.group_key = l.group_key and g.receiver = l.receiver)`,
      [before],
    );
    const history = alerts.rows[0]!;
    const sent = deliveries.rows[0]!;
    return {
      alerts: Number(history.alerts),
      events: Number(history.events),
      notifications: Number(sent.notifications),
      attempts: Number(sent.attempts),
      logEntries: log.rowCount,
    };
  });
}
