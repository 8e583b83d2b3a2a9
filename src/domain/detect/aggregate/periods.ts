/**
 * Calendar periods — days, ISO weeks, months — in an IANA time zone. A period starts at local
 * midnight of its first day (ISO 8601: weeks start on Monday) and is named by that instant in UTC
 * epoch ms. Periods follow the local calendar, so a day across a DST change lasts 23 or 25 hours.
 * Where a zone skips midnight itself (Chile springs forward at 00:00), the day starts at its first
 * local instant (01:00). Offsets come from the runtime's Intl (ICU's copy of the tz database).
 */

/** The periods an aggregate can gather into. */
export const periodKinds = ['day', 'isoweek', 'month'] as const;

/** One kind of period. */
export type PeriodKind = (typeof periodKinds)[number];

/** Periods in a year as the surveillance methods count them (R's `freq`). */
export const periodsPerYear: Readonly<Record<PeriodKind, 365 | 52 | 12>> = { day: 365, isoweek: 52, month: 12 };

/** A period: its start and the next period's start (epoch ms); it holds `start ≤ t < end`. */
export interface PeriodBounds {
  start: number;
  end: number;
}

const SECOND_MS = 1000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface Zone {
  /** UTC needs no Intl: the common case stays on plain arithmetic. */
  utc: boolean;
  format: Intl.DateTimeFormat | null;
  /** Memo of `startOfDay` (a pure function of the day): walking periods asks each day twice. */
  starts: Map<number, number>;
}

// Formatters are costly to build and immutable: one per zone, built on first use.
const zones = new Map<string, Zone>();
const memoLimit = 4096;
// What en-US answers with hourCycle h23: "3/29/2026, 02:00:00". formatToParts is the fallback.
const formatted = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;

function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone =
      timeZone === 'UTC'
        ? { utc: true, format: null, starts: new Map() }
        : {
            utc: false,
            starts: new Map(),
            format: new Intl.DateTimeFormat('en-US', {
              timeZone,
              hourCycle: 'h23',
              year: 'numeric',
              month: 'numeric',
              day: 'numeric',
              hour: 'numeric',
              minute: 'numeric',
              second: 'numeric',
            }),
          };
    zones.set(timeZone, zone);
  }
  return zone;
}

/** True when the runtime knows `name` as a time zone (an IANA name such as `Europe/Berlin`, or `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The period of `kind` holding instant `t` (epoch ms), in `timeZone`. */
export function periodOf(kind: PeriodKind, t: number, timeZone: string): PeriodBounds {
  const zone = zoneOf(timeZone);
  const first = firstDayOf(kind, localDay(zone, t));
  return { start: startOfDay(zone, first), end: startOfDay(zone, firstDayAfter(kind, first)) };
}

/** A period's name in its zone: `2026-03-29` (day), `2020-W53` (ISO week), `2026-03` (month). */
export function periodLabel(kind: PeriodKind, t: number, timeZone: string): string {
  const first = firstDayOf(kind, localDay(zoneOf(timeZone), t));
  const date = new Date(first * DAY_MS).toISOString();
  if (kind === 'day') return date.slice(0, 10);
  if (kind === 'month') return date.slice(0, 7);
  // ISO 8601: a week belongs to the year holding its Thursday, and week 1 holds the year's first Thursday.
  const thursday = first + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

// Local calendar dates are handled as day numbers: days since 1970-01-01 of the local calendar.

function firstDayOf(kind: PeriodKind, day: number): number {
  if (kind === 'day') return day;
  // 1970-01-01 was a Thursday: (day + 3) mod 7 counts days since Monday.
  if (kind === 'isoweek') return day - mod(day + 3, 7);
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
}

function firstDayAfter(kind: PeriodKind, first: number): number {
  if (kind === 'day') return first + 1;
  if (kind === 'isoweek') return first + 7;
  const date = new Date(first * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Local wall-clock time at `t` read as if it were UTC, in epoch ms (whole seconds). */
function wallClock(zone: Zone, t: number): number {
  const seconds = t - mod(t, SECOND_MS);
  if (zone.utc) return seconds;
  // Parsing `format` costs half of `formatToParts`; this runs a few times per period boundary.
  const m = formatted.exec(zone.format!.format(seconds));
  if (m) return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of zone.format!.formatToParts(seconds)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
    }
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function localDay(zone: Zone, t: number): number {
  return Math.floor(wallClock(zone, t) / DAY_MS);
}

/** The first instant of local day `day`. */
function startOfDay(zone: Zone, day: number): number {
  if (zone.utc) return day * DAY_MS;
  let start = zone.starts.get(day);
  if (start === undefined) {
    start = findStartOfDay(zone, day);
    if (zone.starts.size >= memoLimit) zone.starts.clear();
    zone.starts.set(day, start);
  }
  return start;
}

function findStartOfDay(zone: Zone, day: number): number {
  const midnight = day * DAY_MS;
  // Local midnight is `midnight − offset` for the offset in force then, which is the offset a day
  // before or a day after (no zone changes its offset twice within two days). The earliest match
  // wins: when clocks fall back over midnight, the day begins at its first 00:00.
  const before = wallClock(zone, midnight - DAY_MS) - (midnight - DAY_MS);
  const after = wallClock(zone, midnight + DAY_MS) - (midnight + DAY_MS);
  let best = Infinity;
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = midnight - offset;
    if (candidate < best && wallClock(zone, candidate) === midnight) best = candidate;
  }
  if (best !== Infinity) return best;
  // Midnight never happens that day (clocks jumped over it): the day starts at the jump, the first
  // second whose local date is `day`. Offsets lie within −12h…+14h, so the search bounds hold.
  let lo = midnight - 15 * HOUR_MS;
  let hi = midnight + 15 * HOUR_MS;
  while (hi - lo > SECOND_MS) {
    const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
    if (localDay(zone, mid) >= day) hi = mid;
    else lo = mid;
  }
  return hi;
}
