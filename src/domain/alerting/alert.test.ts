import { describe, expect, it } from 'vitest';
import { alertChangesFor, applyAlertChange, statusOf, type SignalForAlerting } from './alert.ts';
import { fingerprint } from './fingerprint.ts';

const labels = { alertname: 'river-bands', series: 'ST01.level', area: 'D07' };
const signal = (kind: SignalForAlerting['kind'], level: string | null, previousLevel: string | null, t: number): SignalForAlerting => ({
  kind,
  t,
  level,
  previousLevel,
  labels: { ...labels, level: (level ?? previousLevel)! },
  annotations: { summary: `ST01 is ${level ?? 'normal'}` },
});

describe('alerts from signals', () => {
  it('fires, changes level as a resolve of the old alert and a fire of the new, and resolves', () => {
    const yellow = fingerprint({ ...labels, level: 'yellow' });
    const red = fingerprint({ ...labels, level: 'red' });
    expect(alertChangesFor(signal('firing', 'yellow', null, 1)).map((c) => [c.kind, c.fingerprint])).toEqual([['fire', yellow]]);
    expect(alertChangesFor(signal('changed', 'red', 'yellow', 2)).map((c) => [c.kind, c.fingerprint])).toEqual([
      ['resolve', yellow],
      ['fire', red],
    ]);
    expect(alertChangesFor(signal('resolved', null, 'red', 3)).map((c) => [c.kind, c.fingerprint])).toEqual([['resolve', red]]);
  });

  it('keeps an alert through repeated fires, ends it once, and starts afresh (without old acks) when it fires again', () => {
    const [fire] = alertChangesFor(signal('firing', 'red', null, 10));
    const started = applyAlertChange(undefined, fire!, 'http://tocsin/series/ST01')!;
    expect([statusOf(started), started.startsAt, started.endsAt]).toEqual(['firing', 10, null]);
    expect(applyAlertChange(started, { ...fire!, at: 20 }, '')).toBeNull();
    const acked = { ...started, acks: [{ by: 'duty', at: 15, comment: 'on it' }] };
    const [resolve] = alertChangesFor(signal('resolved', null, 'red', 30));
    const ended = applyAlertChange(acked, resolve!, '')!;
    expect([statusOf(ended), ended.endsAt, ended.acks.length]).toEqual(['resolved', 30, 1]);
    expect(applyAlertChange(ended, resolve!, '')).toBeNull();
    const again = applyAlertChange(ended, { ...fire!, at: 40 }, 'http://tocsin/series/ST01')!;
    expect([statusOf(again), again.startsAt, again.acks]).toEqual(['firing', 40, []]);
  });

  it('refreshes annotations of a firing alert, and ignores a resolve of an unknown one', () => {
    const [fire] = alertChangesFor(signal('firing', 'red', null, 10));
    const started = applyAlertChange(undefined, fire!, '')!;
    expect(applyAlertChange(started, { ...fire!, annotations: { summary: 'new text' }, at: 12 }, '')).toMatchObject({ annotations: { summary: 'new text' }, updatedAt: 12, startsAt: 10 });
    expect(applyAlertChange(undefined, alertChangesFor(signal('resolved', null, 'red', 30))[0]!, '')).toBeNull();
  });
});
