import { describe, expect, it } from 'vitest';
import { manualClock } from '../domain/kernel/clock.ts';
import { purgeExpiredAlertingHistory, purgeExpiredObservations, runRetention, type RetentionDeps } from './retention.ts';
import type { AlertingPurgeCounts } from '../store/repos/alerting-retention.ts';

describe('the retention purge', () => {
  const day = 86_400_000;

  it('deletes what is older than now minus the retention, by the injected clock', async () => {
    const cutoffs: number[] = [];
    const clock = manualClock(Date.UTC(2026, 10, 22));
    const deleted = await purgeExpiredObservations({
      observations: { purgeBefore: async (cutoff) => (cutoffs.push(cutoff), 42) },
      clock,
      retentionMs: 400 * day,
      log: () => {},
    });
    expect(deleted).toBe(42);
    expect(cutoffs).toEqual([Date.UTC(2026, 10, 22) - 400 * day]);
  });

  it('keeps everything when the retention is 0', async () => {
    const deleted = await purgeExpiredObservations({
      observations: { purgeBefore: async () => expect.unreachable('must not purge') },
      clock: manualClock(0),
      retentionMs: 0,
      log: () => {},
    });
    expect(deleted).toBe(0);
  });

  const counts: AlertingPurgeCounts = { alerts: 1, events: 2, notifications: 3, attempts: 4, logEntries: 5 };

  it('purges the alerting history older than now minus its own retention, and logs the counts', async () => {
    const cutoffs: number[] = [];
    const logged: [AlertingPurgeCounts, number][] = [];
    const now = Date.UTC(2026, 10, 22);
    const deleted = await purgeExpiredAlertingHistory({
      alerting: { purge: async (cutoff) => (cutoffs.push(cutoff), counts), retentionMs: 30 * day, log: (d, cutoff) => logged.push([d, cutoff]) },
      clock: manualClock(now),
    });
    expect(deleted).toEqual(counts);
    expect(cutoffs).toEqual([now - 30 * day]);
    expect(logged).toEqual([[counts, now - 30 * day]]);
  });

  it('keeps all the alerting history when its retention is 0', async () => {
    const deleted = await purgeExpiredAlertingHistory({
      alerting: { purge: async () => expect.unreachable('must not purge'), retentionMs: 0, log: () => expect.unreachable('nothing to log') },
      clock: manualClock(0),
    });
    expect(deleted).toBeNull();
  });

  it('runs both purges, each with its own cutoff, and reports a failure without skipping the other', async () => {
    const now = Date.UTC(2026, 10, 22);
    const calls: string[] = [];
    const errors: unknown[] = [];
    const deps = (observations: RetentionDeps['observations']): RetentionDeps => ({
      observations,
      clock: manualClock(now),
      retentionMs: 400 * day,
      log: () => {},
      alerting: { purge: async (cutoff) => (calls.push(`alerting ${(now - cutoff) / day}d`), counts), retentionMs: 90 * day, log: () => {} },
    });
    await runRetention(deps({ purgeBefore: async (cutoff) => (calls.push(`observations ${(now - cutoff) / day}d`), 0) }), (err) => errors.push(err));
    expect(calls).toEqual(['observations 400d', 'alerting 90d']);
    expect(errors).toEqual([]);

    calls.length = 0;
    const boom = new Error('store unavailable');
    await runRetention(deps({ purgeBefore: async () => Promise.reject(boom) }), (err) => errors.push(err));
    expect(calls).toEqual(['alerting 90d']);
    expect(errors).toEqual([boom]);
  });
});
