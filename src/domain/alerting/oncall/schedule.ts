import type { ParamProblem } from '../../detect/detector.ts';
import { parsePromDuration } from '../config/duration.ts';
import { addDays, type CivilDate, instantOf, isTimeZone, type WallTime, wallClockCrossings, wallTime } from './zoned-time.ts';

/**
 * On-call schedules, which Alertmanager lacks and PagerDuty/Opsgenie users expect: rotations of
 * responders in layers (a later layer covers an earlier one wherever it has someone on duty),
 * optionally restricted to local-time windows, and one-off overrides on top. Pure domain code:
 * every instant is an argument (epoch ms); local times go through the tz database, so hand-offs
 * and windows stay at their wall-clock times across DST changes.
 */

/** Re-exported: a rotation's start date is one, so callers need not know the helper module. */
export type { CivilDate } from './zoned-time.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A named duty roster in one time zone. */
export interface Schedule {
  name: string;
  /** IANA time zone in which hand-offs, start dates and restriction windows are read. */
  timezone: string;
  /** In precedence order: a later layer wins wherever it has someone on duty. */
  layers: Layer[];
  /** One-off replacements; on overlap the last in the list wins. */
  overrides: Override[];
}

/** One layer of a schedule: its rotation (kept as an object so a layer can grow other settings). */
export interface Layer {
  rotation: Rotation;
}

/** Who takes turns, how long a turn lasts, when turns change, and when the layer covers at all. */
export interface Rotation {
  /** Responder ids in turn order; participant 0 takes the first shift. */
  participants: string[];
  /**
   * Shift length in ms. A whole number of days is calendar days (the hand-off stays at the local
   * `handoff` time, so a day shift across DST lasts 23 or 25 h); anything else is elapsed time.
   */
  length: number;
  /** Local hand-off time, in minutes after midnight. */
  handoff: number;
  /** Local date on which participant 0's first shift begins at `handoff`; nobody is on before it. */
  start: CivilDate;
  /** Windows the layer covers; empty means always. Outside them the layer has nobody. */
  restrictions: Restriction[];
}

/** One window kind: local times on some weekdays. Both must match; a layer's windows are ORed. */
export interface Restriction {
  /** Local weekdays covered, 0 = Sunday … 6 = Saturday (all seven when the config names none). */
  weekdays: number[];
  /** Local times of day covered (the whole day when the config names none). */
  times: TimeRange[];
}

/** Minutes after local midnight, start inclusive, end exclusive (end 1440 is midnight). */
export interface TimeRange {
  start: number;
  end: number;
}

/** Someone standing in for whoever is on duty from `start` (inclusive) to `end` (exclusive), epoch ms. */
export interface Override {
  responder: string;
  start: number;
  end: number;
}

/** Who is on duty, and which layer (index into `layers`) or an override put them there. */
export interface OnCall {
  responder: string;
  layer: number | 'override';
}

/** A stretch of the final timeline with one answer of `onCallAt`, epoch ms, end exclusive. */
export interface Shift extends OnCall {
  start: number;
  end: number;
}

// ── Resolution ────────────────────────────────────────────────────────────────────────────────

const isWholeDays = (r: Rotation) => r.length % DAY === 0;

/** Start of shift `k` (0 = the first): calendar days at the local hand-off time, or elapsed time. */
function shiftStart(zone: string, r: Rotation, k: number): number {
  if (isWholeDays(r)) return instantOf(zone, addDays(r.start, (k * r.length) / DAY), r.handoff * MINUTE);
  return instantOf(zone, r.start, r.handoff * MINUTE) + k * r.length;
}

/** Index of the shift holding `at` (negative before the rotation starts). */
function shiftIndex(zone: string, r: Rotation, at: number): number {
  let k = Math.floor((at - shiftStart(zone, r, 0)) / r.length);
  if (isWholeDays(r)) {
    // Calendar shifts differ from the nominal length by at most a DST step: one nudge either way.
    while (shiftStart(zone, r, k) > at) k--;
    while (shiftStart(zone, r, k + 1) <= at) k++;
  }
  return k;
}

function inWindows(restrictions: readonly Restriction[], w: WallTime): boolean {
  return restrictions.some((x) => x.weekdays.includes(w.weekday) && x.times.some((t) => w.msOfDay >= t.start * MINUTE && w.msOfDay < t.end * MINUTE));
}

/** Who a layer has on duty at `at`, or null (before its start, or outside its restrictions). */
function layerAt(zone: string, layer: Layer, at: number): string | null {
  const r = layer.rotation;
  const k = shiftIndex(zone, r, at);
  if (k < 0) return null;
  if (r.restrictions.length > 0 && !inWindows(r.restrictions, wallTime(zone, at))) return null;
  return r.participants[k % r.participants.length] ?? null;
}

/** Who is on duty at instant `at`: the last override covering it, else the last layer with someone. */
export function onCallAt(schedule: Schedule, at: number): OnCall | null {
  for (let i = schedule.overrides.length - 1; i >= 0; i--) {
    const o = schedule.overrides[i]!;
    if (o.start <= at && at < o.end) return { responder: o.responder, layer: 'override' };
  }
  for (let i = schedule.layers.length - 1; i >= 0; i--) {
    const responder = layerAt(schedule.timezone, schedule.layers[i]!, at);
    if (responder !== null) return { responder, layer: i };
  }
  return null;
}

/**
 * Every instant in (from, to] at which `onCallAt` may change, sorted (a superset: the answer is
 * constant between two consecutive ones). Evaluating the answer only at these instants makes the
 * timeline exact to the millisecond without sampling.
 */
function changePoints(schedule: Schedule, from: number, to: number): number[] {
  const zone = schedule.timezone;
  const points: number[] = [];
  const keep = (t: number) => {
    if (t > from && t <= to) points.push(t);
  };
  for (const o of schedule.overrides) {
    keep(o.start);
    keep(o.end);
  }
  let dates: CivilDate[] | null = null;
  for (const layer of schedule.layers) {
    const r = layer.rotation;
    for (let k = Math.max(0, shiftIndex(zone, r, from) + 1); ; k++) {
      const t = shiftStart(zone, r, k);
      if (t > to) break;
      keep(t);
    }
    if (r.restrictions.length === 0) continue;
    // Windows flip where the local time of day crosses an edge, and at local midnight (weekdays).
    const edges = new Set<number>([0]);
    for (const x of r.restrictions) for (const t of x.times) for (const m of [t.start, t.end]) if (m < 1440) edges.add(m * MINUTE);
    dates ??= localDates(zone, from, to);
    for (const date of dates) for (const edge of edges) for (const t of wallClockCrossings(zone, date, edge)) keep(t);
  }
  return [...new Set(points)].sort((a, b) => a - b);
}

/** Local dates touching [from, to], with a day's margin either side for edges near midnight. */
function localDates(zone: string, from: number, to: number): CivilDate[] {
  const first = addDays(wallTime(zone, from), -1);
  const last = addDays(wallTime(zone, to), 1);
  const dates: CivilDate[] = [];
  for (let d = first; ; d = addDays(d, 1)) {
    dates.push(d);
    if (d.year === last.year && d.month === last.month && d.day === last.day) return dates;
  }
}

const sameAnswer = (a: OnCall | null, b: OnCall | null) => a === b || (a !== null && b !== null && a.responder === b.responder && a.layer === b.layer);

/** How far `nextHandoff` looks by default: beyond it the caller simply asks again later. */
export const NEXT_HANDOFF_HORIZON_MS = 60 * DAY;

/**
 * The first instant after `at` at which `onCallAt` answers differently (another responder, a
 * different layer or override, or nobody), exact to the millisecond; null when it does not change
 * within `horizonMs`. Escalation uses it to know when to resolve the schedule again.
 */
export function nextHandoff(schedule: Schedule, at: number, horizonMs: number = NEXT_HANDOFF_HORIZON_MS): number | null {
  const now = onCallAt(schedule, at);
  const limit = at + horizonMs;
  // A week at a time, so a change tomorrow does not pay for two months of candidate instants.
  for (let from = at; from < limit; from += 7 * DAY) {
    for (const t of changePoints(schedule, from, Math.min(from + 7 * DAY, limit))) if (!sameAnswer(onCallAt(schedule, t), now)) return t;
  }
  return null;
}

/**
 * The instant the answer of `onCallAt` at `at` began: the last instant ≤ `at` at which it changed
 * to that answer (so `at` itself when a hand-off falls exactly there), exact to the millisecond;
 * null when it has not changed within the `horizonMs` before `at` (a change at exactly
 * `at − horizonMs` counts). With `nextHandoff` it bounds the duty in force: [previous, next).
 */
export function previousHandoff(schedule: Schedule, at: number, horizonMs: number = NEXT_HANDOFF_HORIZON_MS): number | null {
  const now = onCallAt(schedule, at);
  const limit = at - horizonMs;
  // A week at a time, latest first; `changePoints` takes (from, to], so the last week starts 1 ms early.
  for (let to = at; to >= limit; to -= 7 * DAY) {
    const points = changePoints(schedule, Math.max(to - 7 * DAY, limit - 1), to);
    for (let i = points.length - 1; i >= 0; i--) {
      const t = points[i]!;
      // The answer just before a candidate is the one of the stretch it ends.
      if (!sameAnswer(onCallAt(schedule, t - 1), now)) return t;
    }
  }
  return null;
}

/**
 * The final timeline over [from, to): who is on duty when, after layers and overrides, clipped to
 * the window. Consecutive stretches with the same responder from the same layer (or both from
 * overrides) are one entry; stretches with nobody on duty are absent.
 */
export function shiftsBetween(schedule: Schedule, from: number, to: number): Shift[] {
  if (!(to > from)) return [];
  const cuts = [from, ...changePoints(schedule, from, to).filter((t) => t < to), to];
  const shifts: Shift[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i]!;
    const end = cuts[i + 1]!;
    const who = onCallAt(schedule, start);
    if (who === null) continue;
    const last = shifts[shifts.length - 1];
    if (last && last.end === start && sameAnswer(last, who)) last.end = end;
    else shifts.push({ responder: who.responder, start, end, layer: who.layer });
  }
  return shifts;
}

// ── Configuration ─────────────────────────────────────────────────────────────────────────────

type Problems = ParamProblem[];
type Obj = Record<string, unknown>;

const weekdayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const scheduleKeys = ['name', 'timezone', 'layers', 'overrides'];
const layerKeys = ['rotation'];
const rotationKeys = ['participants', 'length', 'handoff', 'start', 'restrictions'];
const restrictionKeys = ['weekdays', 'times'];
const timeKeys = ['start', 'end'];
const overrideKeys = ['responder', 'start', 'end'];

/** Shorter shifts are a typo (`1m` for `1w`) rather than a rota, and would flood the timeline. */
const MIN_LENGTH_MS = HOUR;

const show = (x: unknown) => (x === undefined ? 'nothing' : JSON.stringify(x));

/**
 * Reads the list under a configuration's top-level `schedules:` key (plain values from YAML or
 * JSON; absent or null is no schedules). Answers the schedules, or every problem found, each
 * naming its field as a path such as `schedules[0].layers[1].rotation.handoff`.
 */
export function parseSchedules(raw: unknown): { value: Schedule[] } | { problems: ParamProblem[] } {
  if (raw === undefined || raw === null) return { value: [] };
  if (!Array.isArray(raw)) return { problems: [{ field: 'schedules', message: `must be a list of schedules, not ${show(raw)}` }] };
  const problems: Problems = [];
  const value = raw.map((item, i) => readSchedule(item, `schedules[${i}]`, problems));
  const seen = new Map<string, number>();
  value.forEach((s, i) => {
    if (s.name === '') return;
    const first = seen.get(s.name);
    if (first === undefined) seen.set(s.name, i);
    else problems.push({ field: `schedules[${i}].name`, message: `duplicate schedule name "${s.name}" (also schedules[${first}].name)` });
  });
  return problems.length > 0 ? { problems } : { value };
}

/** The mapping at `path`, after reporting its unknown keys; null (reported) when it is not one. */
function mapping(raw: unknown, path: string, known: readonly string[], problems: Problems): Obj | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ field: path, message: `must be a mapping with keys ${known.join(', ')}, not ${show(raw)}` });
    return null;
  }
  const obj = raw as Obj;
  for (const key of Object.keys(obj)) if (!known.includes(key)) problems.push({ field: `${path}.${key}`, message: `unknown key "${key}" (known: ${known.join(', ')})` });
  return obj;
}

/** The list at `path`: `what` names its items; an optional list may be absent or empty, others not. */
function list(raw: unknown, path: string, what: string, problems: Problems, optional = false): unknown[] {
  if (raw === undefined && optional) return [];
  if (raw === undefined) problems.push({ field: path, message: `required: a list of ${what}` });
  else if (!Array.isArray(raw)) problems.push({ field: path, message: `must be a list of ${what}, not ${show(raw)}` });
  else if (raw.length === 0 && !optional) problems.push({ field: path, message: `must not be empty: list at least one of the ${what}` });
  else return raw;
  return [];
}

/** A non-empty string at `path`, or '' after reporting the problem. */
function text(raw: unknown, path: string, what: string, problems: Problems): string {
  if (raw === undefined) problems.push({ field: path, message: `required: ${what}` });
  else if (typeof raw !== 'string' || raw.trim() === '') problems.push({ field: path, message: `must be ${what}, not ${show(raw)}` });
  else return raw;
  return '';
}

function readSchedule(raw: unknown, path: string, problems: Problems): Schedule {
  const o = mapping(raw, path, scheduleKeys, problems);
  // A schedule that is not a mapping is one problem, not one per missing key.
  if (!o) return { name: '', timezone: 'UTC', layers: [], overrides: [] };
  const name = text(o['name'], `${path}.name`, 'a schedule name', problems);
  let timezone = 'UTC';
  if (o['timezone'] !== undefined) {
    const zone = o['timezone'];
    if (typeof zone === 'string' && isTimeZone(zone)) timezone = zone;
    else problems.push({ field: `${path}.timezone`, message: `must be an IANA time zone name such as Europe/Berlin, not ${show(zone)}` });
  }
  const layers = list(o['layers'], `${path}.layers`, 'layers', problems).map((l, i) => readLayer(l, `${path}.layers[${i}]`, problems));
  const overrides = list(o['overrides'], `${path}.overrides`, 'overrides', problems, true).map((x, i) => readOverride(x, `${path}.overrides[${i}]`, problems));
  return { name, timezone, layers, overrides };
}

function readLayer(raw: unknown, path: string, problems: Problems): Layer {
  const o = mapping(raw, path, layerKeys, problems);
  if (!o) return { rotation: placeholderRotation() };
  return { rotation: readRotation(o['rotation'], `${path}.rotation`, problems) };
}

/** Stands in for a rotation that had problems: never returned, since problems reject the whole list. */
const placeholderRotation = (): Rotation => ({ participants: [], length: DAY, handoff: 0, start: { year: 1970, month: 1, day: 1 }, restrictions: [] });

function readRotation(raw: unknown, path: string, problems: Problems): Rotation {
  if (raw === undefined) problems.push({ field: path, message: `required: a rotation with keys ${rotationKeys.join(', ')}` });
  const o = raw === undefined ? null : mapping(raw, path, rotationKeys, problems);
  if (!o) return placeholderRotation();
  const participants = list(o['participants'], `${path}.participants`, 'responder ids', problems).map((p, i) => text(p, `${path}.participants[${i}]`, 'a responder id', problems));
  let length = DAY;
  const rawLength = o['length'];
  const ms = typeof rawLength === 'string' ? parsePromDuration(rawLength) : null;
  if (rawLength === undefined) problems.push({ field: `${path}.length`, message: 'required: a shift length such as 1d, 1w or 12h' });
  else if (ms === null) problems.push({ field: `${path}.length`, message: `must be a duration such as 1d, 1w or 12h, not ${show(rawLength)}` });
  else if (ms < MIN_LENGTH_MS) problems.push({ field: `${path}.length`, message: `must be at least 1h, not ${show(rawLength)}` });
  else length = ms;
  const handoff = clock(o['handoff'], `${path}.handoff`, false, problems) ?? 0;
  const start = civilDate(o['start'], `${path}.start`, problems) ?? placeholderRotation().start;
  const restrictions = list(o['restrictions'], `${path}.restrictions`, 'restrictions', problems, true).map((x, i) => readRestriction(x, `${path}.restrictions[${i}]`, problems));
  return { participants, length, handoff, start, restrictions };
}

function readRestriction(raw: unknown, path: string, problems: Problems): Restriction {
  const o = mapping(raw, path, restrictionKeys, problems);
  if (!o) return { weekdays: [], times: [] };
  if (o['weekdays'] === undefined && o['times'] === undefined) problems.push({ field: path, message: 'must give weekdays, times or both (leave the restriction out to cover all the time)' });
  let weekdays = [0, 1, 2, 3, 4, 5, 6];
  if (o['weekdays'] !== undefined) {
    const days = new Set<number>();
    list(o['weekdays'], `${path}.weekdays`, 'weekday ranges such as monday:friday', problems).forEach((w, i) => {
      for (const d of weekdayRange(w, `${path}.weekdays[${i}]`, problems)) days.add(d);
    });
    weekdays = [...days].sort((a, b) => a - b);
  }
  let times: TimeRange[] = [{ start: 0, end: 1440 }];
  if (o['times'] !== undefined) times = list(o['times'], `${path}.times`, 'time ranges such as { start: 08:00, end: 18:00 }', problems).flatMap((t, i) => timeRange(t, `${path}.times[${i}]`, problems));
  return { weekdays, times };
}

/**
 * `monday` or `monday:friday`, case-insensitive. Unlike Alertmanager's Sunday-first ranges, a
 * range may wrap past the week's end (`saturday:sunday`, `friday:monday`): a rota's week is a cycle.
 */
function weekdayRange(raw: unknown, path: string, problems: Problems): number[] {
  const bad = () => (problems.push({ field: path, message: `must be a weekday or a range of them such as monday:friday, not ${show(raw)}` }), []);
  if (typeof raw !== 'string') return bad();
  const ends = raw.split(':').map((s) => weekdayNames.indexOf(s.trim().toLowerCase()));
  const first = ends[0]!;
  const last = ends[ends.length - 1]!;
  if (ends.length > 2 || first < 0 || last < 0) return bad();
  const days: number[] = [];
  for (let d = first; ; d = (d + 1) % 7) {
    days.push(d);
    if (d === last) return days;
  }
}

function timeRange(raw: unknown, path: string, problems: Problems): TimeRange[] {
  const o = mapping(raw, path, timeKeys, problems);
  if (!o) return [];
  const start = clock(o['start'], `${path}.start`, false, problems);
  const end = clock(o['end'], `${path}.end`, true, problems);
  if (start === null || end === null) return [];
  if (start >= end) {
    problems.push({ field: `${path}.end`, message: `must be after start (${show(o['start'])}); for a window across midnight write two ranges, one ending at 24:00` });
    return [];
  }
  return [{ start, end }];
}

/** `HH:MM` as minutes after midnight; `24:00` only as a window's end. Null once reported. */
function clock(raw: unknown, path: string, isEnd: boolean, problems: Problems): number | null {
  const m = typeof raw === 'string' ? /^(\d\d):(\d\d)$/.exec(raw) : null;
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (raw === undefined) problems.push({ field: path, message: 'required: a local time HH:MM' });
  else if (!m || Number(m[2]) > 59 || minutes > 1440 || (minutes === 1440 && !isEnd)) {
    problems.push({ field: path, message: `must be a local time HH:MM from 00:00 to ${isEnd ? '24:00' : '23:59'} (quoted in YAML), not ${show(raw)}` });
  } else return minutes;
  return null;
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : (monthDays[month - 1] ?? 0));

/** `YYYY-MM-DD`, a real calendar date. Null once reported. */
function civilDate(raw: unknown, path: string, problems: Problems): CivilDate | null {
  const m = typeof raw === 'string' ? /^(\d{4})-(\d\d)-(\d\d)$/.exec(raw) : null;
  if (raw === undefined) {
    problems.push({ field: path, message: 'required: the local date of the first shift, YYYY-MM-DD' });
    return null;
  }
  const date = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  if (!date || date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) {
    problems.push({ field: path, message: `must be a calendar date YYYY-MM-DD, not ${show(raw)}` });
    return null;
  }
  return date;
}

const instantShape = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,3})?)?(?:Z|[+-](\d\d):(\d\d))$/;

/** An ISO 8601 instant with `Z` or a `±HH:MM` offset (a bare local time would be ambiguous). */
function instant(raw: unknown, path: string, problems: Problems): number | null {
  const m = typeof raw === 'string' ? instantShape.exec(raw) : null;
  if (raw === undefined) {
    problems.push({ field: path, message: 'required: an instant such as 2026-03-29T08:00:00+02:00' });
    return null;
  }
  const valid =
    m !== null &&
    Number(m[2]) >= 1 &&
    Number(m[2]) <= 12 &&
    Number(m[3]) >= 1 &&
    Number(m[3]) <= daysInMonth(Number(m[1]), Number(m[2])) &&
    Number(m[4]) <= 23 &&
    Number(m[5]) <= 59 &&
    Number(m[6] ?? 0) <= 59 &&
    Number(m[7] ?? 0) <= 23 &&
    Number(m[8] ?? 0) <= 59;
  if (!valid) {
    problems.push({ field: path, message: `must be an ISO 8601 instant with Z or an offset, such as 2026-03-29T08:00:00+02:00, not ${show(raw)}` });
    return null;
  }
  return Date.parse(raw as string);
}

function readOverride(raw: unknown, path: string, problems: Problems): Override {
  const o = mapping(raw, path, overrideKeys, problems);
  if (!o) return { responder: '', start: 0, end: 0 };
  const responder = text(o['responder'], `${path}.responder`, 'a responder id', problems);
  const start = instant(o['start'], `${path}.start`, problems);
  const end = instant(o['end'], `${path}.end`, problems);
  if (start !== null && end !== null && start >= end) problems.push({ field: `${path}.end`, message: `must be after start (${show(o['start'])})` });
  return { responder, start: start ?? 0, end: end ?? 0 };
}
