import { describe, expect, it } from 'vitest';
import { nextHandoff, onCallAt, parseSchedules, previousHandoff, type Schedule, type Shift, shiftsBetween } from './schedule.ts';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One schedule from config, or the test fails on its problems. */
function schedule(raw: Record<string, unknown>): Schedule {
  const r = parseSchedules([raw]);
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.value[0]!;
}

/** Shifts with ISO instants, so failures read as times. */
const readable = (shifts: Shift[]) => shifts.map((s) => ({ ...s, start: iso(s.start), end: iso(s.end) }));
const shifts = (s: Schedule, from: string, to: string) => readable(shiftsBetween(s, t(from), t(to)));
const next = (s: Schedule, at: string) => {
  const n = nextHandoff(s, t(at));
  return n === null ? null : iso(n);
};

// Weekly, 3 people, 09:00 in Shanghai (UTC+8 all year): hand-offs every Monday at 01:00Z.
const shanghai = schedule({
  name: 'shanghai',
  timezone: 'Asia/Shanghai',
  layers: [{ rotation: { participants: ['ana', 'ben', 'chen'], length: '1w', handoff: '09:00', start: '2026-01-05' } }],
});

// Daily at 08:00 in Berlin; spring forward 2026-03-29 01:00Z, fall back 2026-10-25 01:00Z.
const berlinDaily = (start: string) =>
  schedule({ name: 'berlin', timezone: 'Europe/Berlin', layers: [{ rotation: { participants: ['kai', 'lea'], length: '1d', handoff: '08:00', start } }] });

// A 24/7 base layer under office hours (weekdays 08:00–18:00 Berlin), which rotate daily.
const office = schedule({
  name: 'office',
  timezone: 'Europe/Berlin',
  layers: [
    { rotation: { participants: ['night'], length: '1w', handoff: '00:00', start: '2026-03-01' } },
    {
      rotation: {
        participants: ['amy', 'bo'],
        length: '1d',
        handoff: '08:00',
        start: '2026-03-23', // a Monday: amy on even days from it, bo on odd ones
        restrictions: [{ weekdays: ['monday:friday'], times: [{ start: '08:00', end: '18:00' }] }],
      },
    },
  ],
});

const withOverrides = (base: Schedule, overrides: [string, string, string][]): Schedule => ({
  ...base,
  overrides: overrides.map(([responder, start, end]) => ({ responder, start: t(start), end: t(end) })),
});

describe('onCallAt', () => {
  it.each([
    ['before the first shift: nobody', '2026-01-05T00:59:59.999Z', null],
    ['the first shift begins at 09:00 local', '2026-01-05T01:00:00Z', 'ana'],
    ['1 ms before the hand-off: the old one', '2026-01-12T00:59:59.999Z', 'ana'],
    ['exactly at the hand-off: the new one', '2026-01-12T01:00:00Z', 'ben'],
    ['third week', '2026-01-19T01:00:00Z', 'chen'],
    ['last ms of the third week', '2026-01-26T00:59:59.999Z', 'chen'],
    ['the rotation wraps round to participant 0', '2026-01-26T01:00:00Z', 'ana'],
    ['week 27 (27 mod 3 = 0)', '2026-07-20T00:59:59.999Z', 'ana'],
    ['week 28 (28 mod 3 = 1)', '2026-07-20T01:00:00Z', 'ben'],
  ])('weekly rotation in Asia/Shanghai: %s', (_label, at, want) => {
    expect(onCallAt(shanghai, t(at))).toEqual(want === null ? null : { responder: want, layer: 0 });
  });

  it.each([
    // Spring: 08:00 CET is 07:00Z until the 28th, 08:00 CEST is 06:00Z from the 29th.
    ['2026-03-27', '2026-03-28T06:59:59.999Z', 'kai'],
    ['2026-03-27', '2026-03-28T07:00:00Z', 'lea'],
    ['2026-03-27', '2026-03-29T05:59:59.999Z', 'lea'],
    ['2026-03-27', '2026-03-29T06:00:00Z', 'kai'], // 23 h after the last hand-off, still 08:00 local
    ['2026-03-27', '2026-03-29T06:30:00Z', 'kai'], // 24 h of elapsed time would still show lea
    // Autumn: 08:00 CEST is 06:00Z on the 24th, 08:00 CET is 07:00Z on the 25th.
    ['2026-10-23', '2026-10-24T06:00:00Z', 'lea'],
    ['2026-10-23', '2026-10-25T06:00:00Z', 'lea'], // 24 h of elapsed time would already show kai
    ['2026-10-23', '2026-10-25T06:59:59.999Z', 'lea'],
    ['2026-10-23', '2026-10-25T07:00:00Z', 'kai'],
    // A year on, the count of calendar days still holds (365 days: participant 1).
    ['2026-03-27', '2027-03-27T06:59:59.999Z', 'kai'],
    ['2026-03-27', '2027-03-27T07:00:00Z', 'lea'],
  ])('daily rotation in Europe/Berlin starting %s, at %s: %s', (start, at, want) => {
    expect(onCallAt(berlinDaily(start), t(at))).toEqual({ responder: want, layer: 0 });
  });

  it.each([
    ['before start', '2026-03-28T18:59:59.999Z', null],
    ['first shift, 20:00 CET', '2026-03-28T19:00:00Z', 'kai'],
    // 12 h of elapsed time across the spring jump: the hand-off moves to 09:00 CEST.
    ['1 ms before 12 h', '2026-03-29T06:59:59.999Z', 'kai'],
    ['12 h later', '2026-03-29T07:00:00Z', 'lea'],
    ['24 h later', '2026-03-29T19:00:00Z', 'kai'],
  ])('sub-day rotation (12h) is elapsed time: %s', (_label, at, want) => {
    const s = schedule({ name: 'halves', timezone: 'Europe/Berlin', layers: [{ rotation: { participants: ['kai', 'lea'], length: '12h', handoff: '20:00', start: '2026-03-28' } }] });
    expect(onCallAt(s, t(at))).toEqual(want === null ? null : { responder: want, layer: 0 });
  });

  it.each([
    ['Tuesday 07:59:59.999: the base layer', '2026-03-24T06:59:59.999Z', 'night', 0],
    ['Tuesday 08:00: office hours begin', '2026-03-24T07:00:00Z', 'bo', 1],
    ['Tuesday 17:59:59.999', '2026-03-24T16:59:59.999Z', 'bo', 1],
    ['Tuesday 18:00: the evening shows the base layer', '2026-03-24T17:00:00Z', 'night', 0],
    ['Tuesday 21:00', '2026-03-24T20:00:00Z', 'night', 0],
    ['Wednesday 10:00', '2026-03-25T09:00:00Z', 'amy', 1],
    ['Saturday 11:00: weekends show the base layer', '2026-03-28T10:00:00Z', 'night', 0],
    ['Monday after the DST change, 07:59:59.999 CEST', '2026-03-30T05:59:59.999Z', 'night', 0],
    ['Monday after the DST change, 08:00 CEST', '2026-03-30T06:00:00Z', 'bo', 1],
  ])('restricted layer over a 24/7 base layer: %s', (_label, at, responder, layer) => {
    expect(onCallAt(office, t(at))).toEqual({ responder, layer });
  });

  const midShift = withOverrides(shanghai, [['dee', '2026-01-07T12:00:00+08:00', '2026-01-08T12:00:00+08:00']]);
  it.each([
    ['1 ms before the override', '2026-01-07T03:59:59.999Z', { responder: 'ana', layer: 0 }],
    ['the override starts', '2026-01-07T04:00:00Z', { responder: 'dee', layer: 'override' }],
    ['its last ms', '2026-01-08T03:59:59.999Z', { responder: 'dee', layer: 'override' }],
    ['its end (exclusive): the rotation again', '2026-01-08T04:00:00Z', { responder: 'ana', layer: 0 }],
  ])('override in the middle of a shift: %s', (_label, at, want) => {
    expect(onCallAt(midShift, t(at))).toEqual(want);
  });

  const eveThenFay = withOverrides(shanghai, [
    ['eve', '2026-01-09T02:00:00Z', '2026-01-09T06:00:00Z'],
    ['fay', '2026-01-09T04:00:00Z', '2026-01-09T08:00:00Z'],
  ]);
  const fayThenEve = withOverrides(shanghai, [
    ['fay', '2026-01-09T04:00:00Z', '2026-01-09T08:00:00Z'],
    ['eve', '2026-01-09T02:00:00Z', '2026-01-09T06:00:00Z'],
  ]);
  it.each([
    [eveThenFay, '2026-01-09T03:00:00Z', 'eve'],
    [eveThenFay, '2026-01-09T04:00:00Z', 'fay'], // the later override wins the overlap
    [eveThenFay, '2026-01-09T05:59:59.999Z', 'fay'],
    [fayThenEve, '2026-01-09T04:00:00Z', 'eve'],
    [fayThenEve, '2026-01-09T05:59:59.999Z', 'eve'],
    [fayThenEve, '2026-01-09T06:00:00Z', 'fay'], // the earlier one shows once the later ends
  ])('overlapping overrides (case %#): %s → %s', (s, at, responder) => {
    expect(onCallAt(s, t(at))).toEqual({ responder, layer: 'override' });
  });

  it('an override covers a layer even where that layer has nobody', () => {
    const s = withOverrides(shanghai, [['dee', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z']]);
    expect(onCallAt(s, t('2026-01-01T12:00:00Z'))).toEqual({ responder: 'dee', layer: 'override' });
    expect(onCallAt(s, t('2026-01-02T00:00:00Z'))).toBeNull();
  });
});

describe('shiftsBetween', () => {
  it('gives the weekly Shanghai timeline, clipped to the window, nothing before the start', () => {
    expect(shifts(shanghai, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual([
      { responder: 'ana', layer: 0, start: '2026-01-05T01:00:00.000Z', end: '2026-01-12T01:00:00.000Z' },
      { responder: 'ben', layer: 0, start: '2026-01-12T01:00:00.000Z', end: '2026-01-19T01:00:00.000Z' },
      { responder: 'chen', layer: 0, start: '2026-01-19T01:00:00.000Z', end: '2026-01-26T01:00:00.000Z' },
      { responder: 'ana', layer: 0, start: '2026-01-26T01:00:00.000Z', end: '2026-02-01T00:00:00.000Z' },
    ]);
  });

  it.each([
    ['spring', '2026-03-27', '2026-03-28T07:00:00Z', '2026-03-30T06:00:00Z', [['lea', '2026-03-28T07:00:00.000Z', '2026-03-29T06:00:00.000Z', 23], ['kai', '2026-03-29T06:00:00.000Z', '2026-03-30T06:00:00.000Z', 24]]],
    ['autumn', '2026-10-23', '2026-10-24T06:00:00Z', '2026-10-26T07:00:00Z', [['lea', '2026-10-24T06:00:00.000Z', '2026-10-25T07:00:00.000Z', 25], ['kai', '2026-10-25T07:00:00.000Z', '2026-10-26T07:00:00.000Z', 24]]],
  ] as const)('daily Berlin shifts across the %s DST change keep 08:00 local (23 h / 25 h)', (_label, start, from, to, want) => {
    const got = shiftsBetween(berlinDaily(start), t(from), t(to));
    expect(got.map((s) => [s.responder, iso(s.start), iso(s.end), (s.end - s.start) / HOUR])).toEqual(want);
  });

  it('shows office hours over the base layer, weekends and evenings falling through', () => {
    expect(shifts(office, '2026-03-26T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      { responder: 'night', layer: 0, start: '2026-03-26T00:00:00.000Z', end: '2026-03-26T07:00:00.000Z' },
      { responder: 'bo', layer: 1, start: '2026-03-26T07:00:00.000Z', end: '2026-03-26T17:00:00.000Z' },
      { responder: 'night', layer: 0, start: '2026-03-26T17:00:00.000Z', end: '2026-03-27T07:00:00.000Z' },
      { responder: 'amy', layer: 1, start: '2026-03-27T07:00:00.000Z', end: '2026-03-27T17:00:00.000Z' },
      // Friday evening to Monday 08:00 CEST, across the DST change: one stretch (base's weekly hand-off to itself merged).
      { responder: 'night', layer: 0, start: '2026-03-27T17:00:00.000Z', end: '2026-03-30T06:00:00.000Z' },
      { responder: 'bo', layer: 1, start: '2026-03-30T06:00:00.000Z', end: '2026-03-30T16:00:00.000Z' },
      { responder: 'night', layer: 0, start: '2026-03-30T16:00:00.000Z', end: '2026-03-31T00:00:00.000Z' },
    ]);
  });

  it('cuts a shift around an override, and resolves overlapping overrides by list order', () => {
    const s = withOverrides(shanghai, [
      ['dee', '2026-01-07T04:00:00Z', '2026-01-08T04:00:00Z'],
      ['eve', '2026-01-09T02:00:00Z', '2026-01-09T06:00:00Z'],
      ['fay', '2026-01-09T04:00:00Z', '2026-01-09T08:00:00Z'],
    ]);
    expect(shifts(s, '2026-01-07T00:00:00Z', '2026-01-10T00:00:00Z')).toEqual([
      { responder: 'ana', layer: 0, start: '2026-01-07T00:00:00.000Z', end: '2026-01-07T04:00:00.000Z' },
      { responder: 'dee', layer: 'override', start: '2026-01-07T04:00:00.000Z', end: '2026-01-08T04:00:00.000Z' },
      { responder: 'ana', layer: 0, start: '2026-01-08T04:00:00.000Z', end: '2026-01-09T02:00:00.000Z' },
      { responder: 'eve', layer: 'override', start: '2026-01-09T02:00:00.000Z', end: '2026-01-09T04:00:00.000Z' },
      { responder: 'fay', layer: 'override', start: '2026-01-09T04:00:00.000Z', end: '2026-01-09T08:00:00.000Z' },
      { responder: 'ana', layer: 0, start: '2026-01-09T08:00:00.000Z', end: '2026-01-10T00:00:00.000Z' },
    ]);
  });

  it('merges adjacent stretches with the same answer, but not the same person from another layer', () => {
    const solo = schedule({ name: 'solo', layers: [{ rotation: { participants: ['sam'], length: '1d', handoff: '08:00', start: '2026-01-01' } }] });
    expect(shifts(solo, '2026-01-02T00:00:00Z', '2026-01-05T00:00:00Z')).toEqual([{ responder: 'sam', layer: 0, start: '2026-01-02T00:00:00.000Z', end: '2026-01-05T00:00:00.000Z' }]);
    // Two overrides back to back for the same person are one stretch.
    const twice = withOverrides(solo, [
      ['sam', '2026-01-02T10:00:00Z', '2026-01-02T11:00:00Z'],
      ['sam', '2026-01-02T11:00:00Z', '2026-01-02T12:00:00Z'],
    ]);
    expect(shifts(twice, '2026-01-02T09:00:00Z', '2026-01-02T13:00:00Z').map((s) => [s.layer, s.start, s.end])).toEqual([
      [0, '2026-01-02T09:00:00.000Z', '2026-01-02T10:00:00.000Z'],
      ['override', '2026-01-02T10:00:00.000Z', '2026-01-02T12:00:00.000Z'],
      [0, '2026-01-02T12:00:00.000Z', '2026-01-02T13:00:00.000Z'],
    ]);
  });

  it('follows restriction windows whose edges a DST change skips or repeats, to the millisecond', () => {
    // Covered 02:30–05:00 local. On 29 March 02:30 never happens: cover starts at the jump (03:00 CEST).
    // On 25 October 02:00–03:00 happens twice: 02:30–03:00 CEST is covered, then 02:00–02:30 CET is not.
    const owl = schedule({ name: 'owl', timezone: 'Europe/Berlin', layers: [{ rotation: { participants: ['owl'], length: '1w', handoff: '00:00', start: '2026-03-01', restrictions: [{ times: [{ start: '02:30', end: '05:00' }] }] } }] });
    expect(shifts(owl, '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z').map((s) => [s.start, s.end])).toEqual([['2026-03-29T01:00:00.000Z', '2026-03-29T03:00:00.000Z']]);
    expect(shifts(owl, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z').map((s) => [s.start, s.end])).toEqual([
      ['2026-10-25T00:30:00.000Z', '2026-10-25T01:00:00.000Z'],
      ['2026-10-25T01:30:00.000Z', '2026-10-25T04:00:00.000Z'],
    ]);
  });

  it('answers nothing for an empty or reversed window', () => {
    expect(shiftsBetween(shanghai, t('2026-02-01T00:00:00Z'), t('2026-02-01T00:00:00Z'))).toEqual([]);
    expect(shiftsBetween(shanghai, t('2026-02-02T00:00:00Z'), t('2026-02-01T00:00:00Z'))).toEqual([]);
  });

  it.each([
    ['shanghai with overrides', withOverrides(shanghai, [['dee', '2026-01-07T04:00:00Z', '2026-01-08T04:00:00Z'], ['eve', '2026-01-11T20:00:00Z', '2026-01-12T03:00:00Z']]), '2026-01-03T00:00:00Z', '2026-01-20T00:00:00Z'],
    ['office across spring DST', withOverrides(office, [['dee', '2026-03-27T16:30:00Z', '2026-03-27T18:00:00Z']]), '2026-03-22T00:00:00Z', '2026-04-02T00:00:00Z'],
    ['daily Berlin across autumn DST', berlinDaily('2026-10-23'), '2026-10-22T00:00:00Z', '2026-10-28T00:00:00Z'],
  ])('agrees with onCallAt sampled every 7 min and 1 ms around every cut, and with nextHandoff (%s)', (_label, s, from, to) => {
    const timeline = shiftsBetween(s, t(from), t(to));
    const expected = (at: number) => {
      const hit = timeline.find((x) => x.start <= at && at < x.end);
      return hit ? { responder: hit.responder, layer: hit.layer } : null;
    };
    const samples: number[] = [];
    for (let at = t(from); at < t(to); at += 7 * 60_000) samples.push(at);
    for (const x of timeline) samples.push(x.start - 1, x.start, x.end - 1, x.end);
    for (const at of samples.filter((a) => a >= t(from) && a < t(to))) expect(onCallAt(s, at), iso(at)).toEqual(expected(at));
    // Each stretch ends exactly where the answer next changes (the last one is clipped by the window).
    for (const x of timeline.slice(0, -1)) expect(iso(nextHandoff(s, x.start)!)).toBe(iso(x.end));
  });
});

describe('nextHandoff', () => {
  it.each([
    ['rotation start, from before it', shanghai, '2026-01-01T00:00:00Z', '2026-01-05T01:00:00.000Z'],
    ['weekly shift boundary, from mid-shift', shanghai, '2026-01-08T00:00:00Z', '2026-01-12T01:00:00.000Z'],
    ['from 1 ms before a hand-off', shanghai, '2026-01-12T00:59:59.999Z', '2026-01-12T01:00:00.000Z'],
    ['from exactly a hand-off: the one after', shanghai, '2026-01-12T01:00:00Z', '2026-01-19T01:00:00.000Z'],
    ['daily shift across spring DST (23 h)', berlinDaily('2026-03-27'), '2026-03-28T07:00:00Z', '2026-03-29T06:00:00.000Z'],
    ['daily shift across autumn DST (25 h)', berlinDaily('2026-10-23'), '2026-10-24T06:00:00Z', '2026-10-25T07:00:00.000Z'],
    ['restriction end', office, '2026-03-24T10:00:00Z', '2026-03-24T17:00:00.000Z'],
    ['restriction start', office, '2026-03-24T17:00:00Z', '2026-03-25T07:00:00.000Z'],
    ['over a weekend and DST to Monday 08:00 CEST', office, '2026-03-27T17:00:00Z', '2026-03-30T06:00:00.000Z'],
    ['override start', withOverrides(shanghai, [['dee', '2026-01-07T04:00:00Z', '2026-01-08T04:00:00Z']]), '2026-01-06T00:00:00Z', '2026-01-07T04:00:00.000Z'],
    ['override end', withOverrides(shanghai, [['dee', '2026-01-07T04:00:00Z', '2026-01-08T04:00:00Z']]), '2026-01-07T04:00:00Z', '2026-01-08T04:00:00.000Z'],
    ['the later of overlapping overrides starting', withOverrides(shanghai, [['eve', '2026-01-09T02:00:00Z', '2026-01-09T06:00:00Z'], ['fay', '2026-01-09T04:00:00Z', '2026-01-09T08:00:00Z']]), '2026-01-09T02:00:00Z', '2026-01-09T04:00:00.000Z'],
    // A hand-off hidden under an override is no change; its end is (ben is on by then).
    ['not a hand-off hidden by an override', withOverrides(shanghai, [['gus', '2026-01-12T00:00:00Z', '2026-01-12T02:00:00Z']]), '2026-01-12T00:00:00Z', '2026-01-12T02:00:00.000Z'],
    // An override giving the on-duty person changes the answer's layer: escalation re-resolves.
    ['an override of the person already on duty', withOverrides(shanghai, [['ana', '2026-01-07T04:00:00Z', '2026-01-08T04:00:00Z']]), '2026-01-06T00:00:00Z', '2026-01-07T04:00:00.000Z'],
    // Friday evenings only: the window closes at midnight, when the weekday changes.
    ['a window ending at 24:00', schedule({ name: 'fri', timezone: 'Europe/Berlin', layers: [{ rotation: { participants: ['fay'], length: '1w', handoff: '00:00', start: '2026-03-01', restrictions: [{ weekdays: ['friday'], times: [{ start: '18:00', end: '24:00' }] }] } }] }), '2026-03-27T20:00:00Z', '2026-03-27T23:00:00.000Z'],
    ['a restriction edge in the spring DST gap: the jump itself', schedule({ name: 'owl', timezone: 'Europe/Berlin', layers: [{ rotation: { participants: ['owl'], length: '1w', handoff: '00:00', start: '2026-03-01', restrictions: [{ times: [{ start: '02:30', end: '05:00' }] }] } }] }), '2026-03-28T12:00:00Z', '2026-03-29T01:00:00.000Z'],
  ])('%s', (_label, s, at, want) => {
    expect(next(s, at)).toBe(want);
  });

  it('steps through the repeated hour of the autumn change, edge by edge', () => {
    const owl = schedule({ name: 'owl', timezone: 'Europe/Berlin', layers: [{ rotation: { participants: ['owl'], length: '1w', handoff: '00:00', start: '2026-03-01', restrictions: [{ times: [{ start: '02:30', end: '05:00' }] }] } }] });
    const seen: string[] = [];
    for (let at = t('2026-10-25T00:00:00Z'), i = 0; i < 4; i++) {
      at = nextHandoff(owl, at)!;
      seen.push(iso(at));
    }
    expect(seen).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-25T04:00:00.000Z']);
  });

  it('is null when nothing changes within the horizon, and finds a change just inside it', () => {
    const solo = schedule({ name: 'solo', layers: [{ rotation: { participants: ['sam'], length: '1d', handoff: '08:00', start: '2026-01-01' } }] });
    expect(nextHandoff(solo, t('2026-01-10T00:00:00Z'))).toBeNull();
    const later = withOverrides(solo, [['dee', '2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z']]);
    expect(nextHandoff(later, t('2026-01-10T00:00:00Z'))).toBe(t('2026-03-01T00:00:00Z')); // 50 days out: inside the default 60
    expect(nextHandoff(later, t('2026-01-10T00:00:00Z'), 20 * DAY)).toBeNull();
    expect(nextHandoff(later, t('2026-02-28T00:00:00Z'), DAY)).toBe(t('2026-03-01T00:00:00Z'));
    expect(nextHandoff(later, t('2026-02-28T00:00:00Z'), DAY - 1)).toBeNull();
    // Changes a week or so ahead, where the search moves from one week's candidates to the next.
    expect(nextHandoff(later, t('2026-02-22T00:00:00Z'))).toBe(t('2026-03-01T00:00:00Z'));
    expect(nextHandoff(later, t('2026-02-21T12:00:00Z'))).toBe(t('2026-03-01T00:00:00Z'));
  });
});

describe('previousHandoff', () => {
  const prev = (s: Schedule, at: string, horizonMs?: number) => {
    const p = previousHandoff(s, t(at), horizonMs);
    return p === null ? null : iso(p);
  };
  const dee = withOverrides(shanghai, [['dee', '2026-01-07T04:00:00Z', '2026-01-08T04:00:00Z']]);

  it.each([
    ['the rotation start, from the first shift', shanghai, '2026-01-08T00:00:00Z', '2026-01-05T01:00:00.000Z'],
    ['weekly shift boundary, from mid-shift', shanghai, '2026-01-15T00:00:00Z', '2026-01-12T01:00:00.000Z'],
    ['from 1 ms before a hand-off: the one before', shanghai, '2026-01-12T00:59:59.999Z', '2026-01-05T01:00:00.000Z'],
    ['from exactly a hand-off: that one', shanghai, '2026-01-12T01:00:00Z', '2026-01-12T01:00:00.000Z'],
    ['before the rotation starts, nobody ever changed', shanghai, '2026-01-01T00:00:00Z', null],
    ['daily shift across spring DST (23 h)', berlinDaily('2026-03-27'), '2026-03-29T05:59:59.999Z', '2026-03-28T07:00:00.000Z'],
    ['daily shift across autumn DST (25 h)', berlinDaily('2026-10-23'), '2026-10-25T06:59:59.999Z', '2026-10-24T06:00:00.000Z'],
    ['restriction start', office, '2026-03-24T10:00:00Z', '2026-03-24T07:00:00.000Z'],
    ['restriction end', office, '2026-03-24T20:00:00Z', '2026-03-24T17:00:00.000Z'],
    ['back over a weekend and DST to Friday 18:00', office, '2026-03-30T05:00:00Z', '2026-03-27T17:00:00.000Z'],
    ['override start, from inside it', dee, '2026-01-07T12:00:00Z', '2026-01-07T04:00:00.000Z'],
    ['override end, from after it', dee, '2026-01-09T00:00:00Z', '2026-01-08T04:00:00.000Z'],
    // ana's stretch before the override began at the rotation start, not at the override's end.
    ['not the override, from before it', dee, '2026-01-07T03:59:59.999Z', '2026-01-05T01:00:00.000Z'],
    ['a hand-off hidden by an override is none', withOverrides(shanghai, [['gus', '2026-01-12T00:00:00Z', '2026-01-12T02:00:00Z']]), '2026-01-12T01:30:00Z', '2026-01-12T00:00:00.000Z'],
  ])('%s', (_label, s, at, want) => {
    expect(prev(s, at)).toBe(want);
  });

  it('is null when nothing changed within the horizon, and finds a change just inside it', () => {
    const solo = schedule({ name: 'solo', layers: [{ rotation: { participants: ['sam'], length: '1d', handoff: '08:00', start: '2026-01-01' } }] });
    expect(previousHandoff(solo, t('2026-01-10T00:00:00Z'))).toBe(t('2026-01-01T08:00:00Z')); // the start: nobody before it
    expect(previousHandoff(solo, t('2026-06-10T00:00:00Z'))).toBeNull(); // over 60 days on
    const earlier = withOverrides(solo, [['dee', '2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z']]);
    expect(previousHandoff(earlier, t('2026-04-20T00:00:00Z'))).toBe(t('2026-03-02T00:00:00Z')); // 49 days back
    expect(previousHandoff(earlier, t('2026-04-20T00:00:00Z'), 20 * DAY)).toBeNull();
    expect(previousHandoff(earlier, t('2026-03-03T00:00:00Z'), DAY)).toBe(t('2026-03-02T00:00:00Z'));
    expect(previousHandoff(earlier, t('2026-03-03T00:00:00Z'), DAY - 1)).toBeNull();
    expect(previousHandoff(earlier, t('2026-03-02T00:00:00Z'), 0)).toBe(t('2026-03-02T00:00:00Z'));
    // Changes a week or so back, where the search moves from one week's candidates to the one before.
    expect(previousHandoff(earlier, t('2026-03-09T00:00:00Z'))).toBe(t('2026-03-02T00:00:00Z'));
    expect(previousHandoff(earlier, t('2026-03-09T12:00:00Z'))).toBe(t('2026-03-02T00:00:00Z'));
  });

  it.each([
    ['shanghai with overrides', withOverrides(shanghai, [['dee', '2026-01-07T04:00:00Z', '2026-01-08T04:00:00Z'], ['eve', '2026-01-11T20:00:00Z', '2026-01-12T03:00:00Z']]), '2026-01-03T00:00:00Z', '2026-01-20T00:00:00Z'],
    ['office across spring DST', withOverrides(office, [['dee', '2026-03-27T16:30:00Z', '2026-03-27T18:00:00Z']]), '2026-03-22T00:00:00Z', '2026-04-02T00:00:00Z'],
    ['daily Berlin across autumn DST', berlinDaily('2026-10-23'), '2026-10-22T00:00:00Z', '2026-10-28T00:00:00Z'],
  ])('gives the start of each stretch of shiftsBetween, from its first and its last ms (%s)', (_label, s, from, to) => {
    // The first stretch is clipped by the window, so its real start lies before it.
    for (const x of shiftsBetween(s, t(from), t(to)).slice(1)) {
      expect(iso(previousHandoff(s, x.start)!), iso(x.start)).toBe(iso(x.start));
      expect(iso(previousHandoff(s, x.end - 1)!), iso(x.end - 1)).toBe(iso(x.start));
    }
  });
});

describe('parseSchedules', () => {
  const valid = () => ({
    name: 'river-duty',
    timezone: 'Europe/Berlin',
    layers: [
      {
        rotation: {
          participants: ['kai', 'lea'],
          length: '1d',
          handoff: '08:00',
          start: '2026-03-27',
          restrictions: [{ weekdays: ['monday:friday'], times: [{ start: '08:00', end: '18:00' }] }],
        },
      },
    ],
    overrides: [{ responder: 'mo', start: '2026-03-28T10:00:00+01:00', end: '2026-03-28T12:00:00.5Z' }],
  });

  it('reads a schedule into typed values', () => {
    expect(parseSchedules([valid()])).toEqual({
      value: [
        {
          name: 'river-duty',
          timezone: 'Europe/Berlin',
          layers: [
            {
              rotation: {
                participants: ['kai', 'lea'],
                length: DAY,
                handoff: 480,
                start: { year: 2026, month: 3, day: 27 },
                restrictions: [{ weekdays: [1, 2, 3, 4, 5], times: [{ start: 480, end: 1080 }] }],
              },
            },
          ],
          overrides: [{ responder: 'mo', start: t('2026-03-28T09:00:00Z'), end: t('2026-03-28T12:00:00.500Z') }],
        },
      ],
    });
  });

  it('defaults the time zone to UTC, and overrides and restrictions to none', () => {
    const r = parseSchedules([{ name: 'x', layers: [{ rotation: { participants: ['a'], length: '12h', handoff: '00:00', start: '2026-01-01' } }] }]);
    expect(r).toEqual({ value: [{ name: 'x', timezone: 'UTC', layers: [{ rotation: { participants: ['a'], length: 12 * HOUR, handoff: 0, start: { year: 2026, month: 1, day: 1 }, restrictions: [] } }], overrides: [] }] });
  });

  it.each([
    [undefined, { value: [] }],
    [null, { value: [] }], // `schedules:` with nothing after it
    [[], { value: [] }],
  ])('reads %j as no schedules', (raw, want) => {
    expect(parseSchedules(raw)).toEqual(want);
  });

  it.each([
    [{ weekdays: ['wednesday'] }, [3], [{ start: 0, end: 1440 }]],
    [{ weekdays: ['Saturday:SUNDAY'] }, [0, 6], [{ start: 0, end: 1440 }]], // a range may wrap past the week's end
    [{ weekdays: ['friday:monday', 'monday'] }, [0, 1, 5, 6], [{ start: 0, end: 1440 }]],
    [{ weekdays: ['monday:sunday'] }, [0, 1, 2, 3, 4, 5, 6], [{ start: 0, end: 1440 }]],
    [{ times: [{ start: '18:00', end: '24:00' }, { start: '00:00', end: '06:30' }] }, [0, 1, 2, 3, 4, 5, 6], [{ start: 1080, end: 1440 }, { start: 0, end: 390 }]],
  ])('reads restriction %j', (restriction, weekdays, times) => {
    const raw = valid();
    (raw.layers[0]!.rotation as Record<string, unknown>)['restrictions'] = [restriction];
    const r = parseSchedules([raw]);
    expect('value' in r && r.value[0]!.layers[0]!.rotation.restrictions).toEqual([{ weekdays, times }]);
  });

  type Raw = Record<string, unknown>;
  /** The mapping at a path inside the raw config, for cases to change one field. */
  const dig = (x: unknown, ...path: (string | number)[]): Raw => path.reduce<unknown>((o, k) => (o as Raw)[k], x) as Raw;
  const sched = (list: unknown[]) => dig(list, 0);
  const layer = (list: unknown[]) => dig(list, 0, 'layers', 0);
  const rotation = (list: unknown[]) => dig(list, 0, 'layers', 0, 'rotation');
  const restriction = (list: unknown[]) => dig(rotation(list), 'restrictions', 0);
  const time = (list: unknown[]) => dig(restriction(list), 'times', 0);
  const override = (list: unknown[]) => dig(list, 0, 'overrides', 0);
  const R = 'schedules[0].layers[0].rotation';
  const O = 'schedules[0].overrides[0]';

  const cases: [string, (list: unknown[]) => unknown, string, RegExp][] = [
    ['schedules not a list', () => ({ name: 'x' }), 'schedules', /^must be a list of schedules, not \{"name":"x"\}$/],
    ['a schedule not a mapping', (l) => ((l[0] = 'duty'), l), 'schedules[0]', /^must be a mapping with keys name, timezone, layers, overrides, not "duty"$/],
    ['unknown schedule key', (l) => ((sched(l)['owner'] = 'x'), l), 'schedules[0].owner', /^unknown key "owner" \(known: name, timezone, layers, overrides\)$/],
    ['name missing', (l) => (delete sched(l)['name'], l), 'schedules[0].name', /^required: a schedule name$/],
    ['name empty', (l) => ((sched(l)['name'] = ' '), l), 'schedules[0].name', /^must be a schedule name, not " "$/],
    ['name not a string', (l) => ((sched(l)['name'] = 42), l), 'schedules[0].name', /^must be a schedule name, not 42$/],
    ['duplicate name', (l) => [...l, valid()], 'schedules[1].name', /^duplicate schedule name "river-duty" \(also schedules\[0\]\.name\)$/],
    ['unknown time zone', (l) => ((sched(l)['timezone'] = 'Mars/Olympus_Mons'), l), 'schedules[0].timezone', /^must be an IANA time zone name such as Europe\/Berlin, not "Mars\/Olympus_Mons"$/],
    ['time zone not a string', (l) => ((sched(l)['timezone'] = 1), l), 'schedules[0].timezone', /IANA time zone name .* not 1$/],
    ['layers missing', (l) => (delete sched(l)['layers'], l), 'schedules[0].layers', /^required: a list of layers$/],
    ['layers empty', (l) => ((sched(l)['layers'] = []), l), 'schedules[0].layers', /^must not be empty/],
    ['layers not a list', (l) => ((sched(l)['layers'] = { rotation: {} }), l), 'schedules[0].layers', /^must be a list of layers/],
    ['a layer not a mapping', (l) => ((dig(l, 0, 'layers')[0] = 'kai'), l), 'schedules[0].layers[0]', /^must be a mapping with keys rotation, not "kai"$/],
    ['unknown layer key', (l) => ((layer(l)['name'] = 'day'), l), 'schedules[0].layers[0].name', /^unknown key "name" \(known: rotation\)$/],
    ['rotation missing', (l) => (delete layer(l)['rotation'], l), R, /^required: a rotation with keys participants, length, handoff, start, restrictions$/],
    ['rotation not a mapping', (l) => ((layer(l)['rotation'] = ['kai']), l), R, /^must be a mapping/],
    ['unknown rotation key', (l) => ((rotation(l)['lenght'] = '1d'), l), `${R}.lenght`, /^unknown key "lenght" \(known: participants, length, handoff, start, restrictions\)$/],
    ['participants missing', (l) => (delete rotation(l)['participants'], l), `${R}.participants`, /^required: a list of responder ids$/],
    ['participants empty', (l) => ((rotation(l)['participants'] = []), l), `${R}.participants`, /^must not be empty: list at least one of the responder ids$/],
    ['participants not a list', (l) => ((rotation(l)['participants'] = 'kai'), l), `${R}.participants`, /^must be a list of responder ids, not "kai"$/],
    ['participant not a string', (l) => ((rotation(l)['participants'] = ['kai', 7]), l), `${R}.participants[1]`, /^must be a responder id, not 7$/],
    ['participant empty', (l) => ((rotation(l)['participants'] = ['kai', '']), l), `${R}.participants[1]`, /^must be a responder id, not ""$/],
    ['length missing', (l) => (delete rotation(l)['length'], l), `${R}.length`, /^required: a shift length/],
    ['length not a duration', (l) => ((rotation(l)['length'] = 'a day'), l), `${R}.length`, /^must be a duration such as 1d, 1w or 12h, not "a day"$/],
    ['length a number', (l) => ((rotation(l)['length'] = 86400), l), `${R}.length`, /^must be a duration .* not 86400$/],
    ['length zero', (l) => ((rotation(l)['length'] = '0s'), l), `${R}.length`, /^must be at least 1h, not "0s"$/],
    ['length under an hour', (l) => ((rotation(l)['length'] = '59m'), l), `${R}.length`, /^must be at least 1h/],
    ['handoff missing', (l) => (delete rotation(l)['handoff'], l), `${R}.handoff`, /^required: a local time HH:MM$/],
    ['handoff without a leading zero', (l) => ((rotation(l)['handoff'] = '8:00'), l), `${R}.handoff`, /^must be a local time HH:MM from 00:00 to 23:59 \(quoted in YAML\), not "8:00"$/],
    ['handoff 24:00', (l) => ((rotation(l)['handoff'] = '24:00'), l), `${R}.handoff`, /HH:MM from 00:00 to 23:59/],
    ['handoff minute 60', (l) => ((rotation(l)['handoff'] = '08:60'), l), `${R}.handoff`, /HH:MM/],
    ['handoff read as a YAML 1.1 sexagesimal number', (l) => ((rotation(l)['handoff'] = 480), l), `${R}.handoff`, /HH:MM .* not 480$/],
    ['start missing', (l) => (delete rotation(l)['start'], l), `${R}.start`, /^required: the local date of the first shift, YYYY-MM-DD$/],
    ['start not ISO', (l) => ((rotation(l)['start'] = '27.03.2026'), l), `${R}.start`, /^must be a calendar date YYYY-MM-DD, not "27.03.2026"$/],
    ['start 29 February in a common year', (l) => ((rotation(l)['start'] = '2026-02-29'), l), `${R}.start`, /calendar date/],
    ['start month 13', (l) => ((rotation(l)['start'] = '2026-13-01'), l), `${R}.start`, /calendar date/],
    ['start with a time', (l) => ((rotation(l)['start'] = '2026-03-27T08:00:00Z'), l), `${R}.start`, /calendar date/],
    ['restrictions not a list', (l) => ((rotation(l)['restrictions'] = { weekdays: ['monday'] }), l), `${R}.restrictions`, /^must be a list of restrictions/],
    ['a restriction not a mapping', (l) => ((rotation(l)['restrictions'] = ['monday']), l), `${R}.restrictions[0]`, /^must be a mapping with keys weekdays, times, not "monday"$/],
    ['a restriction with neither weekdays nor times', (l) => ((rotation(l)['restrictions'] = [{}]), l), `${R}.restrictions[0]`, /^must give weekdays, times or both/],
    ['unknown restriction key', (l) => ((restriction(l)['days'] = ['1']), l), `${R}.restrictions[0].days`, /^unknown key "days" \(known: weekdays, times\)$/],
    ['weekdays not a list', (l) => ((restriction(l)['weekdays'] = 'monday'), l), `${R}.restrictions[0].weekdays`, /^must be a list of weekday ranges/],
    ['weekdays empty', (l) => ((restriction(l)['weekdays'] = []), l), `${R}.restrictions[0].weekdays`, /^must not be empty/],
    ['unknown weekday', (l) => ((restriction(l)['weekdays'] = ['monday', 'funday']), l), `${R}.restrictions[0].weekdays[1]`, /^must be a weekday or a range of them such as monday:friday, not "funday"$/],
    ['weekday range with three parts', (l) => ((restriction(l)['weekdays'] = ['monday:tuesday:friday']), l), `${R}.restrictions[0].weekdays[0]`, /weekday or a range/],
    ['weekday range with an end missing', (l) => ((restriction(l)['weekdays'] = ['monday:']), l), `${R}.restrictions[0].weekdays[0]`, /weekday or a range/],
    ['weekday as a number', (l) => ((restriction(l)['weekdays'] = [1]), l), `${R}.restrictions[0].weekdays[0]`, /weekday or a range .* not 1$/],
    ['times not a list', (l) => ((restriction(l)['times'] = { start: '08:00', end: '18:00' }), l), `${R}.restrictions[0].times`, /^must be a list of time ranges/],
    ['times empty', (l) => ((restriction(l)['times'] = []), l), `${R}.restrictions[0].times`, /^must not be empty/],
    ['a time range not a mapping', (l) => ((restriction(l)['times'] = ['08:00-18:00']), l), `${R}.restrictions[0].times[0]`, /^must be a mapping with keys start, end, not "08:00-18:00"$/],
    ['unknown time range key', (l) => ((time(l)['zone'] = 'UTC'), l), `${R}.restrictions[0].times[0].zone`, /^unknown key "zone" \(known: start, end\)$/],
    ['time range end missing', (l) => (delete time(l)['end'], l), `${R}.restrictions[0].times[0].end`, /^required: a local time HH:MM$/],
    ['time range start malformed', (l) => ((time(l)['start'] = '8'), l), `${R}.restrictions[0].times[0].start`, /^must be a local time HH:MM from 00:00 to 23:59/],
    ['time range start 24:00', (l) => ((time(l)['start'] = '24:00'), l), `${R}.restrictions[0].times[0].start`, /from 00:00 to 23:59/],
    ['time range end after 24:00', (l) => ((time(l)['end'] = '24:30'), l), `${R}.restrictions[0].times[0].end`, /from 00:00 to 24:00/],
    ['time range across midnight', (l) => ((restriction(l)['times'] = [{ start: '18:00', end: '08:00' }]), l), `${R}.restrictions[0].times[0].end`, /^must be after start \("18:00"\); for a window across midnight write two ranges, one ending at 24:00$/],
    ['time range of zero length', (l) => ((restriction(l)['times'] = [{ start: '08:00', end: '08:00' }]), l), `${R}.restrictions[0].times[0].end`, /^must be after start/],
    ['overrides not a list', (l) => ((sched(l)['overrides'] = { responder: 'mo' }), l), 'schedules[0].overrides', /^must be a list of overrides/],
    ['an override not a mapping', (l) => ((sched(l)['overrides'] = ['mo']), l), O, /^must be a mapping with keys responder, start, end, not "mo"$/],
    ['unknown override key', (l) => ((override(l)['reason'] = 'holiday'), l), `${O}.reason`, /^unknown key "reason" \(known: responder, start, end\)$/],
    ['override responder missing', (l) => (delete override(l)['responder'], l), `${O}.responder`, /^required: a responder id$/],
    ['override start missing', (l) => (delete override(l)['start'], l), `${O}.start`, /^required: an instant/],
    ['override start without an offset', (l) => ((override(l)['start'] = '2026-03-28T10:00:00'), l), `${O}.start`, /^must be an ISO 8601 instant with Z or an offset, such as 2026-03-29T08:00:00\+02:00, not "2026-03-28T10:00:00"$/],
    ['override start a bare date', (l) => ((override(l)['start'] = '2026-03-28'), l), `${O}.start`, /ISO 8601 instant/],
    ['override end on 30 February', (l) => ((override(l)['end'] = '2026-02-30T10:00:00Z'), l), `${O}.end`, /ISO 8601 instant/],
    ['override end at hour 25', (l) => ((override(l)['end'] = '2026-03-28T25:00:00Z'), l), `${O}.end`, /ISO 8601 instant/],
    ['override end with a bad offset', (l) => ((override(l)['end'] = '2026-03-28T12:00:00+01:60'), l), `${O}.end`, /ISO 8601 instant/],
    ['override start a number', (l) => ((override(l)['start'] = 1774688400000), l), `${O}.start`, /ISO 8601 instant .* not 1774688400000$/],
    ['override ending when it starts', (l) => ((override(l)['end'] = '2026-03-28T09:00:00Z'), l), `${O}.end`, /^must be after start \("2026-03-28T10:00:00\+01:00"\)$/],
    ['override ending before it starts', (l) => ((override(l)['end'] = '2026-03-28T08:00:00Z'), l), `${O}.end`, /^must be after start/],
  ];
  it.each(cases.map(([label, mutate, field, message]) => [label, field, mutate, message] as const))('%s: one problem at %s', (_label, field, mutate, message) => {
    const r = parseSchedules(mutate([valid()]));
    expect(r).toEqual({ problems: [{ field, message: expect.stringMatching(message) }] });
  });

  it('reports every problem at once, in every schedule', () => {
    const r = parseSchedules([
      { name: 'a', timezone: 'Nowhere', layers: [{ rotation: { participants: [], length: '1x', handoff: '8', start: '2026-02-30', restrictions: [{ weekdays: ['noday'], times: [{ start: '18:00', end: '08:00' }] }] } }] },
      { name: 'a', layers: [{ rotation: { participants: ['b'], length: '1d', handoff: '08:00', start: '2026-01-01' }, extra: 1 }], overrides: [{ responder: '', start: 'soon', end: 'later' }] },
    ]);
    expect('problems' in r && r.problems.map((p) => p.field)).toEqual([
      'schedules[0].timezone',
      'schedules[0].layers[0].rotation.participants',
      'schedules[0].layers[0].rotation.length',
      'schedules[0].layers[0].rotation.handoff',
      'schedules[0].layers[0].rotation.start',
      'schedules[0].layers[0].rotation.restrictions[0].weekdays[0]',
      'schedules[0].layers[0].rotation.restrictions[0].times[0].end',
      'schedules[1].layers[0].extra',
      'schedules[1].overrides[0].responder',
      'schedules[1].overrides[0].start',
      'schedules[1].overrides[0].end',
      'schedules[1].name',
    ]);
  });
});
