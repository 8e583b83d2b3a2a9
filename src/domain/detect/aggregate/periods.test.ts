import { describe, expect, it } from 'vitest';
import { isTimeZone, periodKinds, periodLabel, periodOf, type PeriodKind } from './periods.ts';
import { seededRandom } from '../testing/seeded-random.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);
const HOUR = 3_600_000;

/** The period holding `t` as ISO texts, with its label. */
function period(kind: PeriodKind, t: string, zone: string) {
  const { start, end } = periodOf(kind, at(t), zone);
  return { start: iso(start), end: iso(end), label: periodLabel(kind, at(t), zone) };
}

describe('periodOf in UTC', () => {
  it.each([
    ['day', '2026-03-05T17:42:10.123Z', '2026-03-05T00:00:00.000Z', '2026-03-06T00:00:00.000Z', '2026-03-05'],
    ['month', '2026-03-05T17:42:10.123Z', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', '2026-03'],
    ['month', '2024-02-29T23:59:59.999Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', '2024-02'],
    ['month', '2025-12-31T12:00:00.000Z', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2025-12'],
    ['isoweek', '2026-03-05T17:42:10.123Z', '2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z', '2026-W10'],
    ['day', '1969-12-31T23:59:59.999Z', '1969-12-31T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '1969-12-31'],
  ] as const)('%s of %s starts %s', (kind, t, start, end, label) => {
    expect(period(kind, t, 'UTC')).toEqual({ start, end, label });
  });

  it.each([
    // 2020 began on a Wednesday in a leap year: it has a week 53, reaching into 2021.
    ['2020-12-31T12:00:00Z', '2020-12-28T00:00:00.000Z', '2020-W53'],
    ['2021-01-03T23:59:59.999Z', '2020-12-28T00:00:00.000Z', '2020-W53'],
    ['2021-01-04T00:00:00Z', '2021-01-04T00:00:00.000Z', '2021-W01'],
    // 2024-12-30 is a Monday whose Thursday is in 2025: week 1 of 2025.
    ['2024-12-31T08:00:00Z', '2024-12-30T00:00:00.000Z', '2025-W01'],
    ['2024-12-29T23:00:00Z', '2024-12-23T00:00:00.000Z', '2024-W52'],
    // 2026 begins on a Thursday: 53 weeks, the last ending on Sunday 2027-01-03.
    ['2026-01-01T00:00:00Z', '2025-12-29T00:00:00.000Z', '2026-W01'],
    ['2027-01-02T10:00:00Z', '2026-12-28T00:00:00.000Z', '2026-W53'],
    ['1970-01-01T00:00:00Z', '1969-12-29T00:00:00.000Z', '1970-W01'],
  ])('ISO week of %s starts %s (%s)', (t, start, label) => {
    const p = period('isoweek', t, 'UTC');
    expect(p.start).toBe(start);
    expect(at(p.end) - at(p.start)).toBe(7 * 24 * HOUR);
    expect(p.label).toBe(label);
  });
});

describe('periodOf in a time zone', () => {
  it('starts Shanghai weeks at Monday 00:00 +08:00, i.e. Sunday 16:00 UTC', () => {
    expect(period('isoweek', '2026-01-05T01:00:00Z', 'Asia/Shanghai')).toEqual({ start: '2026-01-04T16:00:00.000Z', end: '2026-01-11T16:00:00.000Z', label: '2026-W02' });
    // One millisecond before local Monday is still the week before.
    expect(period('isoweek', '2026-01-04T15:59:59.999Z', 'Asia/Shanghai').label).toBe('2026-W01');
    // New Year in Shanghai comes eight hours before it does in UTC.
    expect(period('month', '2025-12-31T16:30:00Z', 'Asia/Shanghai')).toEqual({ start: '2025-12-31T16:00:00.000Z', end: '2026-01-31T16:00:00.000Z', label: '2026-01' });
    expect(period('month', '2025-12-31T16:30:00Z', 'UTC').label).toBe('2025-12');
  });

  it('follows Berlin across DST: a 23-hour and a 25-hour day, and weeks and months to match', () => {
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST.
    expect(period('day', '2026-03-29T12:00:00Z', 'Europe/Berlin')).toEqual({ start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z', label: '2026-03-29' });
    // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET.
    expect(period('day', '2026-10-25T12:00:00Z', 'Europe/Berlin')).toEqual({ start: '2026-10-24T22:00:00.000Z', end: '2026-10-25T23:00:00.000Z', label: '2026-10-25' });
    // The repeated hour 02:00–03:00 belongs to the same day, both times.
    expect(period('day', '2026-10-25T00:30:00Z', 'Europe/Berlin').label).toBe('2026-10-25');
    expect(period('day', '2026-10-25T01:30:00Z', 'Europe/Berlin').label).toBe('2026-10-25');
    const week = period('isoweek', '2026-03-29T21:59:59.999Z', 'Europe/Berlin');
    expect(week).toEqual({ start: '2026-03-22T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z', label: '2026-W13' });
    expect(period('isoweek', '2026-03-29T22:00:00Z', 'Europe/Berlin').label).toBe('2026-W14');
    expect(period('month', '2026-03-15T00:00:00Z', 'Europe/Berlin')).toEqual({ start: '2026-02-28T23:00:00.000Z', end: '2026-03-31T22:00:00.000Z', label: '2026-03' });
  });

  it('starts a day whose midnight never happens at its first instant (Santiago springs forward at 00:00)', () => {
    // 2024-09-08 00:00 -04 became 01:00 -03.
    expect(period('day', '2024-09-08T12:00:00Z', 'America/Santiago')).toEqual({ start: '2024-09-08T04:00:00.000Z', end: '2024-09-09T03:00:00.000Z', label: '2024-09-08' });
    expect(period('day', '2024-09-08T03:59:59.999Z', 'America/Santiago').label).toBe('2024-09-07');
    // 2024-04-07 00:00 -03 became 2024-04-06 23:00 -04: the 6th lasts 25 hours, the 7th starts at its only midnight.
    expect(period('day', '2024-04-06T12:00:00Z', 'America/Santiago')).toEqual({ start: '2024-04-06T03:00:00.000Z', end: '2024-04-07T04:00:00.000Z', label: '2024-04-06' });
    expect(period('day', '2024-04-07T03:30:00Z', 'America/Santiago').label).toBe('2024-04-06');
    // Samoa skipped 2011-12-30 altogether: the 29th is followed by the 31st.
    expect(period('day', '2011-12-30T05:00:00Z', 'Pacific/Apia')).toEqual({ start: '2011-12-29T10:00:00.000Z', end: '2011-12-30T10:00:00.000Z', label: '2011-12-29' });
    expect(period('day', '2011-12-30T10:00:00Z', 'Pacific/Apia').label).toBe('2011-12-31');
  });

  it('handles offsets that are not whole hours', () => {
    expect(period('day', '2026-06-01T00:00:00Z', 'Asia/Kathmandu')).toEqual({ start: '2026-05-31T18:15:00.000Z', end: '2026-06-01T18:15:00.000Z', label: '2026-06-01' });
    // Lord Howe Island moves its clocks by half an hour (2026-04-05 02:00 +11 → 01:30 +10:30).
    const day = period('day', '2026-04-05T06:00:00Z', 'Australia/Lord_Howe');
    expect(at(day.end) - at(day.start)).toBe(24.5 * HOUR);
  });

  it('holds every instant between its bounds, and consecutive periods meet, in many zones', () => {
    const random = seededRandom(20260329);
    const zones = ['UTC', 'Europe/Berlin', 'Asia/Shanghai', 'America/Santiago', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kolkata', 'Pacific/Apia'];
    for (let i = 0; i < 600; i++) {
      const zone = zones[i % zones.length]!;
      const kind = periodKinds[i % periodKinds.length]!;
      const t = Math.floor(Date.UTC(2000, 0, 1) + random() * 40 * 365 * 24 * HOUR);
      const { start, end } = periodOf(kind, t, zone);
      const where = `${kind} ${zone} ${iso(t)}`;
      expect(start <= t && t < end, where).toBe(true);
      expect(periodOf(kind, start, zone), where).toEqual({ start, end });
      expect(periodOf(kind, end - 1, zone).start, where).toBe(start);
      expect(periodOf(kind, end, zone).start, where).toBe(end);
    }
  });
});

describe('isTimeZone', () => {
  it('knows IANA names and UTC, and refuses the rest', () => {
    for (const name of ['UTC', 'Asia/Shanghai', 'Europe/Berlin', 'America/Argentina/Buenos_Aires']) expect(isTimeZone(name)).toBe(true);
    for (const name of ['Mars/Olympus_Mons', 'Europe/Berln', '', 'CEST+2']) expect(isTimeZone(name)).toBe(false);
  });
});
