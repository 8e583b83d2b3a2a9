import type { Node } from 'yaml';
import type { FieldNode, YamlDecoder } from './yaml-decoder.ts';

/**
 * Alertmanager's time intervals (`time_intervals`, and the deprecated `mute_time_intervals`): named
 * lists of periods, each the conjunction of times of day, weekdays, days of the month, months and
 * years (an empty field matches everything), in a time zone (`location`, default UTC). Routes use
 * them as mute or active windows.
 */

export interface Range {
  start: number;
  end: number;
}

/** One period: every set field must match. Times of day in minutes since midnight, end exclusive. */
export interface TimeInterval {
  times: Range[];
  weekdays: Range[];
  /** Days of the month, 1…31 or −31…−1 counted from the month's end. */
  daysOfMonth: Range[];
  months: Range[];
  years: Range[];
  location: string;
}

export interface NamedTimeInterval {
  name: string;
  intervals: TimeInterval[];
}

const weekdayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const monthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** Reads a list of named time intervals; `kind` names them in errors ("time interval", "mute time interval"). */
export function readTimeIntervals(decoder: YamlDecoder, node: FieldNode, kind: string): NamedTimeInterval[] {
  return decoder.list(node, 'config.TimeInterval').map((item) => {
    const f = decoder.fields(item, ['name', 'time_intervals']);
    return { name: decoder.str(f.get('name')) ?? '', intervals: decoder.list(f.get('time_intervals'), 'timeinterval.TimeInterval').map((p) => readPeriod(decoder, p, kind)) };
  });
}

function readPeriod(decoder: YamlDecoder, node: Node | null, kind: string): TimeInterval {
  const f = decoder.fields(node, ['times', 'weekdays', 'days_of_month', 'months', 'years', 'location']);
  const times = decoder.list(f.get('times'), 'timeinterval.TimeRange').map((t) => {
    const tf = decoder.fields(t, ['start_time', 'end_time']);
    const start = clock(decoder, decoder.str(tf.get('start_time')) ?? '', false);
    const end = clock(decoder, decoder.str(tf.get('end_time')) ?? '', true);
    if (start >= end) decoder.fail('start time cannot be equal or greater than end time');
    return { start, end };
  });
  const location = decoder.str(f.get('location')) ?? 'UTC';
  if (!validZone(location)) decoder.fail(`unknown time zone ${location}`);
  void kind;
  return {
    times,
    weekdays: ranges(decoder, decoder.strings(f.get('weekdays')), (s) => named(s, weekdayNames, 0), 'weekday'),
    daysOfMonth: ranges(decoder, decoder.strings(f.get('days_of_month')), (s) => dayOfMonth(s), 'day of month'),
    months: ranges(decoder, decoder.strings(f.get('months')), (s) => named(s, monthNames, 1) ?? numberIn(s, 1, 12), 'month'),
    years: ranges(decoder, decoder.strings(f.get('years')), (s) => numberIn(s, 1, 9999), 'year'),
    location,
  };
}

/** `HH:MM`; 24:00 only as an end. Minutes since midnight. */
function clock(decoder: YamlDecoder, text: string, isEnd: boolean): number {
  const m = /^(\d\d):(\d\d)$/.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 24 * 60 || (minutes === 24 * 60 && !isEnd)) decoder.fail(`couldn't parse timestamp ${text}, invalid format`);
  return minutes;
}

function named(text: string, names: readonly string[], base: number): number | null {
  const i = names.indexOf(text.toLowerCase());
  return i < 0 ? null : i + base;
}

function numberIn(text: string, lo: number, hi: number): number | null {
  if (!/^-?\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= lo && n <= hi ? n : null;
}

function dayOfMonth(text: string): number | null {
  const n = numberIn(text, -31, 31);
  return n === 0 ? null : n;
}

/** `a` or `a:b` per entry, each end read by `read`; a bad entry stops the load, naming the field. */
function ranges(decoder: YamlDecoder, entries: string[] | undefined, read: (s: string) => number | null, what: string): Range[] {
  return (entries ?? []).map((entry) => {
    const [a, b = a] = entry.split(':');
    const start = read(a!.trim());
    const end = read(b!.trim());
    if (start === null || end === null || entry.split(':').length > 2) decoder.fail(`invalid ${what} range: ${entry}`);
    if (start > end && !(what === 'day of month' && start > 0 && end < 0)) decoder.fail(`invalid ${what} range: start ${start} is after end ${end}`);
    return { start, end };
  });
}

function validZone(zone: string): boolean {
  if (zone === 'UTC' || zone === 'Local') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const partsCache = new Map<string, Intl.DateTimeFormat>();

/** Whether the instant (epoch ms) falls in any of the periods. */
export function inTimeIntervals(periods: readonly TimeInterval[], at: number): boolean {
  return periods.some((p) => inPeriod(p, at));
}

function inPeriod(p: TimeInterval, at: number): boolean {
  const zone = p.location === 'Local' ? 'UTC' : p.location;
  let format = partsCache.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'long' });
    partsCache.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  const year = Number(parts['year']);
  const month = Number(parts['month']);
  const day = Number(parts['day']);
  const minutes = Number(parts['hour']) * 60 + Number(parts['minute']);
  const weekday = weekdayNames.indexOf(String(parts['weekday']).toLowerCase());
  const within = (list: readonly Range[], x: number) => list.length === 0 || list.some((r) => x >= r.start && x <= r.end);
  if (p.times.length > 0 && !p.times.some((r) => minutes >= r.start && minutes < r.end)) return false;
  if (!within(p.weekdays, weekday) || !within(p.months, month) || !within(p.years, year)) return false;
  if (p.daysOfMonth.length > 0) {
    const monthLength = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const resolve = (d: number) => (d < 0 ? monthLength + d + 1 : d);
    if (!p.daysOfMonth.some((r) => day >= resolve(r.start) && day <= resolve(r.end))) return false;
  }
  return true;
}
