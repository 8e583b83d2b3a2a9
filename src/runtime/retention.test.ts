import { describe, expect, it } from 'vitest';
import { manualClock } from '../domain/kernel/clock.ts';
import { purgeExpiredObservations } from './retention.ts';

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
});
