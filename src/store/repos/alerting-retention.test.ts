import { beforeEach, expect, it } from 'vitest';
import type { Alert } from '../../domain/alerting/alert.ts';
import { describeEachStore } from '../testing/stores-under-test.ts';
import { AlertingRepo, type AlertEvent, type NewNotification, type StoredGroup } from './alerting-repo.ts';
import { purgeAlertingHistory, type AlertingPurgeCounts } from './alerting-retention.ts';

const day = 86_400_000;
const cutoff = Date.UTC(2026, 10, 22) - 400 * day;
const old = cutoff - 10 * day;
const recent = cutoff + 10 * day;
const none: AlertingPurgeCounts = { alerts: 0, events: 0, notifications: 0, attempts: 0, logEntries: 0 };

const alertOf = (fingerprint: string, startsAt: number, endsAt: number | null): Alert => ({
  fingerprint,
  labels: { alertname: fingerprint, hazard: 'flood' },
  annotations: {},
  startsAt,
  endsAt,
  updatedAt: endsAt ?? startsAt,
  generatorURL: '',
  acks: [],
});
const event = (fingerprint: string, at: number, kind: AlertEvent['kind']): AlertEvent => ({ fingerprint, at, kind, actor: null, detail: {} });
const groupOf = (groupKey: string, members: string[]): StoredGroup => ({
  groupKey,
  receiver: 'desk',
  routePath: [],
  groupLabels: { hazard: 'flood' },
  createdAt: old,
  nextFlushAt: recent,
  members,
});
const notification = (groupKey: string, createdAt: number): NewNotification => ({
  groupKey,
  receiver: 'desk',
  integration: 'webhook[0]',
  reason: 'group_wait',
  payload: '{}',
  createdAt,
});

describeEachStore('alerting history retention', (getStore) => {
  const repo = () => new AlertingRepo(getStore());
  const count = async (sql: string, params: unknown[] = []) => Number((await getStore().query<{ n: number }>(sql, params)).rows[0]!.n);

  // One store per suite: each test starts from empty alerting tables, so the counts are its own.
  beforeEach(async () => {
    for (const table of ['notification_attempts', 'notifications', 'notification_log', 'alert_events', 'alert_label_sets', 'alerts', 'alert_groups', 'escalations']) {
      await getStore().query(`delete from ${table}`);
    }
  });

  /** Stores alerts as the dispatcher first sees them, with their events and the groups holding them. */
  const saveAlerts = (alerts: Alert[], events: AlertEvent[], groups: StoredGroup[] = []) =>
    repo().saveSignalChanges({ alerts, firstSeen: new Set(alerts.map((a) => a.fingerprint)), events, groups });

  it('deletes an old resolved alert outside any group with its label set and all its history', async () => {
    await saveAlerts(
      [alertOf('gone', old - day, old)],
      // The acknowledgement after the cutoff goes too: history of an alert that is no more.
      [event('gone', old - day, 'fired'), event('gone', old, 'resolved'), event('gone', recent, 'acknowledged')],
    );
    expect(await purgeAlertingHistory(getStore(), cutoff)).toEqual({ ...none, alerts: 1, events: 3 });
    expect(await repo().alert('gone')).toBeNull();
    expect(await repo().history('gone')).toEqual([]);
    expect(await count('select count(*) as n from alert_label_sets where fingerprint = $1', ['gone'])).toBe(0);
    expect(await repo().listAlerts({ labels: { alertname: 'gone' }, limit: 10 })).toEqual([]);
  });

  it('keeps an old resolved alert a group still holds, and its label set, but not its old events', async () => {
    await saveAlerts(
      [alertOf('grouped', old - day, old)],
      [event('grouped', old - day, 'fired'), event('grouped', old, 'resolved')],
      [groupOf('{}:{hazard="flood"}', ['other', 'grouped'])],
    );
    expect(await purgeAlertingHistory(getStore(), cutoff)).toEqual({ ...none, events: 2 });
    expect(await repo().alert('grouped')).toEqual(alertOf('grouped', old - day, old));
    expect((await repo().listAlerts({ labels: { alertname: 'grouped' }, limit: 10 })).map((a) => a.fingerprint)).toEqual(['grouped']);
    expect((await repo().groups()).map((g) => g.members)).toEqual([['other', 'grouped']]);
  });

  it('keeps a firing alert whatever its age, and an alert resolved after the cutoff', async () => {
    await saveAlerts([alertOf('firing', old - 1000 * day, null), alertOf('resolved-lately', old, recent)], []);
    expect(await purgeAlertingHistory(getStore(), cutoff)).toEqual(none);
    expect(await repo().alert('firing')).toEqual(alertOf('firing', old - 1000 * day, null));
    expect(await repo().alert('resolved-lately')).toEqual(alertOf('resolved-lately', old, recent));
  });

  it('deletes the events before the cutoff of alerts it keeps, and keeps the later ones', async () => {
    await saveAlerts(
      [alertOf('long-lived', old - day, null)],
      [event('long-lived', old - day, 'fired'), event('long-lived', old, 'acknowledged'), event('long-lived', cutoff, 'annotations'), event('long-lived', recent, 'unacknowledged')],
    );
    expect(await purgeAlertingHistory(getStore(), cutoff)).toEqual({ ...none, events: 2 });
    expect((await repo().history('long-lived')).map((e) => [e.kind, e.at])).toEqual([
      ['annotations', cutoff],
      ['unacknowledged', recent],
    ]);
    expect(await repo().alert('long-lived')).not.toBeNull();
  });

  it('deletes delivered and dead-letter notifications created before the cutoff with their attempts, and keeps pending ones', async () => {
    const [delivered, deadLetter, pending, deliveredLately] = await repo().writeFlushes([
      {
        group: null,
        deleteGroup: null,
        log: null,
        notifications: [notification('g', old), notification('g', old), notification('g', old), notification('g', recent)],
      },
    ]);
    const attempt = (id: number, number: number, ok: boolean, next: 'pending' | 'delivered' | 'dead-letter') => ({
      id,
      attempt: { number, at: old + number, ok, status: ok ? 200 : 503, error: ok ? null : 'HTTP 503', durationMs: 12 },
      next: { status: next, nextAttemptAt: next === 'pending' ? recent : null },
    });
    await repo().recordAttempts([
      attempt(delivered!.id, 1, false, 'pending'),
      attempt(deadLetter!.id, 1, false, 'pending'),
      attempt(pending!.id, 1, false, 'pending'),
      attempt(deliveredLately!.id, 1, true, 'delivered'),
    ]);
    await repo().recordAttempts([attempt(delivered!.id, 2, true, 'delivered'), attempt(deadLetter!.id, 2, false, 'dead-letter')]);

    expect(await purgeAlertingHistory(getStore(), cutoff)).toEqual({ ...none, notifications: 2, attempts: 4 });
    const left = await repo().listNotifications({ limit: 10 });
    expect(left.map((n) => [n.id, n.status])).toEqual([
      [deliveredLately!.id, 'delivered'],
      [pending!.id, 'pending'],
    ]);
    expect(await count('select count(*) as n from notification_attempts where notification_id = $1', [pending!.id])).toBe(1);
    expect(await count('select count(*) as n from notification_attempts where notification_id = $1', [deliveredLately!.id])).toBe(1);
    expect(await count('select count(*) as n from notification_attempts')).toBe(2);
    // The pending one is still due: the purge does not stand in delivery's way.
    expect((await repo().dueNotifications(recent)).map((n) => n.id)).toEqual([pending!.id]);
  });

  it('deletes the old log entries of ended groups and keeps those of live groups, whatever their age', async () => {
    const entry = (at: number) => ({ at, firing: ['a'], resolved: [] });
    await repo().saveGroups([groupOf('live', ['a'])]);
    await repo().writeFlushes([
      { group: null, deleteGroup: null, log: { groupKey: 'live', receiver: 'desk', entry: entry(old) }, notifications: [] },
      // Same key, another receiver: that group has ended.
      { group: null, deleteGroup: null, log: { groupKey: 'live', receiver: 'pager', entry: entry(old) }, notifications: [] },
      { group: null, deleteGroup: null, log: { groupKey: 'ended', receiver: 'desk', entry: entry(old) }, notifications: [] },
      { group: null, deleteGroup: null, log: { groupKey: 'ended-lately', receiver: 'desk', entry: entry(recent) }, notifications: [] },
    ]);
    expect(await purgeAlertingHistory(getStore(), cutoff)).toEqual({ ...none, logEntries: 2 });
    expect(await repo().logEntry('live', 'desk')).toEqual(entry(old));
    expect(await repo().logEntry('live', 'pager')).toBeNull();
    expect(await repo().logEntry('ended', 'desk')).toBeNull();
    expect(await repo().logEntry('ended-lately', 'desk')).toEqual(entry(recent));
  });

  it('answers the rows deleted per table, touches no group nor escalation, and deletes nothing the second time', async () => {
    await saveAlerts(
      [alertOf('gone-1', old - day, old), alertOf('gone-2', old, old + 1), alertOf('kept', old, null)],
      [event('gone-1', old - day, 'fired'), event('gone-1', old, 'resolved'), event('gone-2', old, 'fired'), event('kept', old, 'fired'), event('kept', recent, 'acknowledged')],
      [groupOf('live', ['kept'])],
    );
    const [finished] = await repo().writeFlushes([
      { group: null, deleteGroup: null, log: { groupKey: 'ended', receiver: 'desk', entry: { at: old, firing: [], resolved: ['gone-1'] } }, notifications: [notification('ended', old)] },
    ]);
    await repo().recordAttempts([{ id: finished!.id, attempt: { number: 1, at: old, ok: true, status: 200, error: null, durationMs: 5 }, next: { status: 'delivered', nextAttemptAt: null } }]);
    await repo().writeEscalation({ groupKey: 'live', receiver: 'desk', policy: 'ladder', state: { step: 0 }, at: old }, []);

    expect(await purgeAlertingHistory(getStore(), cutoff)).toEqual({ alerts: 2, events: 4, notifications: 1, attempts: 1, logEntries: 1 });
    expect((await repo().listAlerts({ limit: 10 })).map((a) => a.fingerprint)).toEqual(['kept']);
    expect((await repo().groups()).map((g) => [g.groupKey, g.members])).toEqual([['live', ['kept']]]);
    expect((await repo().escalations()).map((e) => [e.groupKey, e.state])).toEqual([['live', { step: 0 }]]);
    expect(await purgeAlertingHistory(getStore(), cutoff)).toEqual(none);
  });
});
