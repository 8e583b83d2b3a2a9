import { describe, expect, it } from 'vitest';
import type { Alert } from './alert.ts';
import { decideFlush, firstFlushAt, type GroupMember, type GroupTiming, type NotificationLogEntry } from './aggregation-group.ts';

const s = 1000;
const m = 60 * s;
const timing: GroupTiming = { groupWaitMs: 30 * s, groupIntervalMs: 5 * m, repeatIntervalMs: 4 * 60 * m };

function alert(fp: string, endsAt: number | null = null): Alert {
  return { fingerprint: fp, labels: { alertname: fp }, annotations: {}, startsAt: 0, endsAt, updatedAt: 0, generatorURL: '', acks: [] };
}
const member = (fp: string, endsAt: number | null = null, suppressed = false): GroupMember => ({ alert: alert(fp, endsAt), suppressed });
const log = (at: number, firing: string[], resolved: string[] = []): NotificationLogEntry => ({ at, firing, resolved });

function decide(members: GroupMember[], last: NotificationLogEntry | null, now: number, sendResolved = true, muted = false) {
  const d = decideFlush({ members, last, timing, sendResolved, muted, now });
  return d.notify ? { reason: d.notify.reason, firing: d.notify.firing.map((a) => a.fingerprint), resolved: d.notify.resolved.map((a) => a.fingerprint), logOnly: d.notify.logOnly } : null;
}

describe('aggregation groups (Alertmanager dispatch + dedup), on a stepped clock', () => {
  it('flushes first after group_wait, then every group_interval', () => {
    expect(firstFlushAt(1_000_000, timing)).toBe(1_030_000);
    expect(decideFlush({ members: [member('a')], last: null, timing, sendResolved: true, muted: false, now: 1_030_000 }).nextFlushAt).toBe(1_330_000);
  });

  it.each([
    ['first flush with firing alerts', [member('a'), member('b')], null, 30 * s, { reason: 'first notification', firing: ['a', 'b'], resolved: [], logOnly: false }],
    ['first flush with only resolved alerts: nothing (the receiver never heard of them)', [member('a', 10 * s)], null, 30 * s, null],
    ['nothing new within the repeat interval', [member('a')], log(30 * s, ['a']), 30 * s + 5 * m, null],
    ['a new firing alert', [member('a'), member('b')], log(30 * s, ['a']), 30 * s + 5 * m, { reason: 'new alerts firing', firing: ['a', 'b'], resolved: [], logOnly: false }],
    ['one of two resolved, send_resolved', [member('a'), member('b', 60 * s)], log(30 * s, ['a', 'b']), 30 * s + 5 * m, { reason: 'alerts resolved', firing: ['a'], resolved: ['b'], logOnly: false }],
    ['all resolved', [member('a', 60 * s)], log(30 * s, ['a']), 30 * s + 5 * m, { reason: 'all alerts resolved', firing: [], resolved: ['a'], logOnly: false }],
    ['the repeat interval has passed (checked at a flush)', [member('a')], log(30 * s, ['a']), 30 * s + 4 * 60 * m, { reason: 'repeat interval elapsed', firing: ['a'], resolved: [], logOnly: false }],
    ['one flush before the repeat interval', [member('a')], log(30 * s, ['a']), 30 * s + 4 * 60 * m - 5 * m, null],
    ['fired and resolved between two flushes after an all-resolved notice', [member('a', 100 * s)], log(30 * s, [], ['x']), 30 * s + 5 * m, null],
  ] as const)('%s', (_what, members, last, now, want) => {
    expect(decide([...members], last, now)).toEqual(want);
  });

  it('without send_resolved: a partial resolution is not news, and all-resolved is logged but not sent', () => {
    expect(decide([member('a'), member('b', 60 * s)], log(30 * s, ['a', 'b']), 30 * s + 5 * m, false)).toBeNull();
    expect(decide([member('a', 60 * s)], log(30 * s, ['a']), 30 * s + 5 * m, false)).toEqual({ reason: 'all alerts resolved', firing: [], resolved: [], logOnly: true });
  });

  it('leaves suppressed alerts out of the firing set, but sends the resolution of one that was paged', () => {
    // b is silenced: the first notice lists only a.
    expect(decide([member('a'), member('b', null, true)], null, 30 * s)).toMatchObject({ firing: ['a'] });
    // a was paged, then silenced, then resolved: its resolution still goes out.
    expect(decide([member('a', 200 * s, true)], log(30 * s, ['a']), 30 * s + 5 * m)).toEqual({ reason: 'all alerts resolved', firing: [], resolved: ['a'], logOnly: false });
    // c was never paged (silenced from the start) and resolves: nobody hears of it.
    expect(decide([member('a'), member('c', 200 * s, true)], log(30 * s, ['a']), 30 * s + 5 * m)).toBeNull();
  });

  it('sends nothing while a time interval mutes the route, and keeps resolved alerts for later', () => {
    const d = decideFlush({ members: [member('a'), member('b', 60 * s)], last: null, timing, sendResolved: true, muted: true, now: 30 * s });
    expect(d.notify).toBeNull();
    expect(d.drop).toEqual([]);
  });

  it('drops resolved alerts after the flush that covered them', () => {
    const d = decideFlush({ members: [member('a'), member('b', 60 * s)], last: log(30 * s, ['a', 'b']), timing, sendResolved: true, muted: false, now: 30 * s + 5 * m });
    expect(d.drop).toEqual(['b']);
  });
});
