import { describe, expect, it } from 'vitest';
import { addDays, instantOf, isTimeZone, offsetAt, wallClockCrossings, wallTime } from './zoned-time.ts';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const hm = (h: number, m = 0) => (h * 60 + m) * 60_000;

describe('zoned time', () => {
  it.each([
    ['Europe/Berlin', '2026-01-15T12:00:00Z', 3_600_000],
    ['Europe/Berlin', '2026-07-15T12:00:00Z', 7_200_000],
    ['Europe/Berlin', '2026-03-29T00:59:59.999Z', 3_600_000], // 1 ms before the spring jump
    ['Europe/Berlin', '2026-03-29T01:00:00Z', 7_200_000],
    ['Asia/Shanghai', '2026-07-15T12:00:00Z', 28_800_000],
    ['America/New_York', '2026-01-15T12:00:00Z', -18_000_000],
    ['Asia/Kolkata', '2026-01-15T12:00:00Z', 19_800_000], // half-hour offset
    ['UTC', '2026-01-15T12:00:00Z', 0],
  ])('offset of %s at %s is %d ms', (zone, at, want) => {
    expect(offsetAt(zone, t(at))).toBe(want);
  });

  it.each([
    // Berlin's spring night: the clock jumps from 01:59:59.999 to 03:00 (a Sunday).
    ['Europe/Berlin', '2026-03-29T00:59:59.999Z', { year: 2026, month: 3, day: 29, weekday: 0, msOfDay: hm(1, 59) + 59_999 }],
    ['Europe/Berlin', '2026-03-29T01:00:00Z', { year: 2026, month: 3, day: 29, weekday: 0, msOfDay: hm(3) }],
    // The local date differs from the UTC one.
    ['Asia/Shanghai', '2026-01-04T17:30:00.250Z', { year: 2026, month: 1, day: 5, weekday: 1, msOfDay: hm(1, 30) + 250 }],
    ['America/New_York', '2026-01-01T03:00:00Z', { year: 2025, month: 12, day: 31, weekday: 3, msOfDay: hm(22) }],
    // Before 1970: negative epoch milliseconds still split into the right second and millisecond.
    ['UTC', '1969-12-31T23:59:59.999Z', { year: 1969, month: 12, day: 31, weekday: 3, msOfDay: hm(23, 59) + 59_999 }],
  ])('wall time in %s at %s', (zone, at, want) => {
    expect(wallTime(zone, t(at))).toEqual(want);
  });

  it.each([
    ['an ordinary time', 'Europe/Berlin', { year: 2026, month: 3, day: 30 }, hm(8), '2026-03-30T06:00:00.000Z'],
    ['a time skipped by spring-forward moves past the gap (02:30 → 03:30 CEST)', 'Europe/Berlin', { year: 2026, month: 3, day: 29 }, hm(2, 30), '2026-03-29T01:30:00.000Z'],
    ['a time repeated by fall-back is its first occurrence (CEST)', 'Europe/Berlin', { year: 2026, month: 10, day: 25 }, hm(2, 30), '2026-10-25T00:30:00.000Z'],
    ['New York spring gap', 'America/New_York', { year: 2026, month: 3, day: 8 }, hm(2, 30), '2026-03-08T07:30:00.000Z'],
    ['a midnight skipped by Chile\'s DST start is 01:00', 'America/Santiago', { year: 2026, month: 9, day: 6 }, 0, '2026-09-06T04:00:00.000Z'],
  ])('instantOf: %s', (_label, zone, date, ms, want) => {
    expect(iso(instantOf(zone, date, ms))).toBe(want);
  });

  it.each([
    ['once on an ordinary day', 'Europe/Berlin', { year: 2026, month: 3, day: 30 }, hm(8), ['2026-03-30T06:00:00.000Z']],
    ['at the jump when the clock skips it', 'Europe/Berlin', { year: 2026, month: 3, day: 29 }, hm(2, 30), ['2026-03-29T01:00:00.000Z']],
    ['twice, and at the turn-back, when the clock repeats it', 'Europe/Berlin', { year: 2026, month: 10, day: 25 }, hm(2, 30), ['2026-10-25T00:30:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:30:00.000Z']],
    // Chile turns 00:00 back to 23:00 of the day before: that midnight the clock never shows twice.
    ['at a midnight turned back to the previous evening', 'America/Santiago', { year: 2026, month: 4, day: 5 }, 0, ['2026-04-05T04:00:00.000Z']],
  ])('wallClockCrossings: %s', (_label, zone, date, ms, want) => {
    expect(wallClockCrossings(zone, date, ms).map(iso)).toEqual(want);
  });

  it.each([
    [{ year: 2026, month: 1, day: 31 }, 1, { year: 2026, month: 2, day: 1 }],
    [{ year: 2028, month: 2, day: 28 }, 1, { year: 2028, month: 2, day: 29 }],
    [{ year: 2026, month: 1, day: 1 }, -1, { year: 2025, month: 12, day: 31 }],
    [{ year: 2026, month: 3, day: 27 }, 365, { year: 2027, month: 3, day: 27 }],
  ])('addDays(%j, %d) is %j', (date, n, want) => {
    expect(addDays(date, n)).toEqual(want);
  });

  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Asia/Shanghai', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('isTimeZone(%j) is %s', (zone, want) => {
    expect(isTimeZone(zone)).toBe(want);
  });
});
