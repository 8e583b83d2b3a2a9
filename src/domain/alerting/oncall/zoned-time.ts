/**
 * Wall-clock arithmetic in IANA time zones. Duty rotas are written in local time ("hand off at
 * 08:00 in Berlin"), so every conversion goes through Intl's tz database rather than a fixed
 * offset: that is what keeps hand-offs and restriction windows right across DST changes.
 * Pure: instants are arguments (epoch ms), the clock is never read.
 */

const DAY = 86_400_000;

/** A calendar date with no time zone (month 1…12), as rotas write their start dates. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** What a local clock and calendar show at one instant. */
export interface WallTime extends CivilDate {
  /** 0 = Sunday … 6 = Saturday, of the local date. */
  weekday: number;
  /** Milliseconds since local midnight, so restriction windows compare to the millisecond. */
  msOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

// One formatter per zone: building an Intl.DateTimeFormat costs far more than using one.
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether Intl knows `zone` as a time zone name (it throws a RangeError for unknown ones). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** Epoch ms of midnight UTC on a civil date; setUTCFullYear, unlike Date.UTC, keeps years 0…99 literal. */
export function civilEpoch(date: CivilDate): number {
  const d = new Date(0);
  d.setUTCFullYear(date.year, date.month - 1, date.day);
  return d.getTime();
}

/** The civil date `n` days after `date` (negative goes back); calendar arithmetic, no time zone. */
export function addDays(date: CivilDate, n: number): CivilDate {
  const d = new Date(civilEpoch(date) + n * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Local date, weekday and time of day of the instant `at` in `zone`. */
export function wallTime(zone: string, at: number): WallTime {
  const ms = mod(at, 1000);
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(at - ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const date = { year: parts['year'] ?? 0, month: parts['month'] ?? 1, day: parts['day'] ?? 1 };
  const msOfDay = (((parts['hour'] ?? 0) * 60 + (parts['minute'] ?? 0)) * 60 + (parts['second'] ?? 0)) * 1000 + ms;
  return { ...date, weekday: new Date(civilEpoch(date)).getUTCDay(), msOfDay };
}

/** How far the local clock is ahead of UTC at `at`, in ms (CEST: 7 200 000). */
export function offsetAt(zone: string, at: number): number {
  const w = wallTime(zone, at);
  return civilEpoch(w) + w.msOfDay - at;
}

/**
 * How a local date and time of day map to instants: `instants` holds every instant at which the
 * local clock shows it (none when a DST gap skips it, two when a fall-back repeats it), and
 * `transition` the offset change nearby when there is one of those two cases (a gap's clock jumps
 * past the time there; an overlap's clock turns back between the two instants), `before` the
 * offset in force before any such change.
 */
function resolveWallTime(zone: string, date: CivilDate, msOfDay: number): { instants: number[]; transition: number | null; before: number } {
  const local = civilEpoch(date) + msOfDay;
  // Offsets a day either side of the naive instant bracket the one real transition, if any.
  const before = offsetAt(zone, local - DAY);
  const after = offsetAt(zone, local + DAY);
  const instants = [...new Set([local - before, local - after])].filter((t) => offsetAt(zone, t) === local - t).sort((a, b) => a - b);
  let transition: number | null = null;
  if (instants.length !== 1 && before !== after) {
    // First instant whose offset is no longer `before`: binary search to the millisecond.
    let lo = local - DAY;
    let hi = local + DAY;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(zone, mid) === before) lo = mid;
      else hi = mid;
    }
    transition = hi;
  }
  return { instants, transition, before };
}

/**
 * The instant the local clock shows `date` at `msOfDay`. A time repeated by a fall-back maps to
 * its first occurrence; a time skipped by a spring-forward maps to the same distance past the gap
 * (02:30 on a 02:00→03:00 night is 03:30), as Temporal's `compatible` disambiguation does, so a
 * hand-off written in the gap still happens once, right after it.
 */
export function instantOf(zone: string, date: CivilDate, msOfDay: number): number {
  const r = resolveWallTime(zone, date, msOfDay);
  return r.instants[0] ?? civilEpoch(date) + msOfDay - r.before;
}

/**
 * Instants where a rule "local time of day ≥ `msOfDay`" can flip on `date`: each instant the clock
 * shows it, and the DST jump itself when the clock skips over it or turns back across it. A
 * restriction window's edges are exactly these, so candidate boundaries miss no change.
 */
export function wallClockCrossings(zone: string, date: CivilDate, msOfDay: number): number[] {
  const r = resolveWallTime(zone, date, msOfDay);
  return r.transition === null ? r.instants : [...r.instants, r.transition].sort((a, b) => a - b);
}
