import { hazardDomains, isHazardDomain } from './hazard-domains.ts';
import type { Observation, SeriesMetadata } from './observation.ts';

/** Limits on what one observation may say, with units; shown in errors so a sender can fix its data. */
export const observationLimits = {
  /** Characters in a series key. */
  keyLength: 200,
  /** How far ahead of the receiving clock `t` may be (ms): catches seconds-vs-ms and clock errors. */
  maxFutureMs: 24 * 3600_000,
  /** Labels on one series. */
  maxLabels: 32,
  /** Characters in a label value, unit, indicator or area. */
  textLength: 256,
} as const;

// Keys are plain identifiers: no spaces, no glob characters (rules select series by key globs).
const keyPattern = /^[A-Za-z0-9_.:/-]+$/;
// ISO-8601 date-time with an explicit offset; seconds and fractions optional.
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const labelNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Epoch ms below this (1973-03-03) are far likelier epoch seconds sent by mistake.
const smallestPlausibleEpochMs = 1e11;
const largestEpochMs = 8.64e15;

const knownFields = new Set(['series', 't', 'v', 'indicator', 'domain', 'unit', 'area', 'lon', 'lat', 'labels']);

/** Reads `t` as epoch ms: ISO-8601 with offset, or epoch milliseconds as a number. Answers a reason when it can't. */
export function parseTime(t: unknown): number | string {
  if (typeof t === 'number') {
    if (!Number.isFinite(t) || !Number.isInteger(t)) return `t: ${t} is not a whole number of epoch milliseconds`;
    if (Math.abs(t) > largestEpochMs) return `t: ${t} is out of range`;
    if (t >= 0 && t < smallestPlausibleEpochMs) {
      return `t: ${t} looks like epoch seconds; send epoch milliseconds or ISO-8601`;
    }
    return t;
  }
  if (typeof t === 'string') {
    const fast = parseCanonicalIso(t, 0, t.length);
    if (fast !== null) return fast;
    if (!isoPattern.test(t)) {
      return `t: "${clip(t)}" is not ISO-8601 with an offset (e.g. 2026-11-21T10:00:00Z) nor epoch milliseconds`;
    }
    const ms = Date.parse(t);
    if (!Number.isFinite(ms) || !calendarValid(t)) return `t: "${clip(t)}" is not a real date and time`;
    return ms;
  }
  if (t === undefined || t === null) return 't: missing';
  return `t: expected an ISO-8601 string or epoch milliseconds, got ${typeName(t)}`;
}

const cumulativeDays = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const daysInMonths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two decimal digits at text[i], or -1 when they are not both digits. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The common shapes `2026-11-21T10:00:00Z`, `…:00.123Z` and `…:00+08:00`, read with integer
 * arithmetic: parsing time is most of validating a line, and Date.parse with a regex costs about
 * ten times more. Reads `text` from `from` up to (not including) `to`. Answers null for anything
 * else, which then takes the general path. The NDJSON fast path reads the same shapes from bytes
 * (flat-line.ts readIso), character for character as here, and shares isoFieldsToMs.
 */
export function parseCanonicalIso(text: string, from: number, to: number): number | null {
  const n = to - from;
  if (n < 20 || n > 29 || text.charCodeAt(from + 4) !== 45 || text.charCodeAt(from + 7) !== 45 || text.charCodeAt(from + 10) !== 84) {
    return null;
  }
  if (text.charCodeAt(from + 13) !== 58 || text.charCodeAt(from + 16) !== 58) return null;
  let i = from + 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    if (n < 24 || text.charCodeAt(from + 23) === 46) return null;
    const tenths = text.charCodeAt(from + 20) - 48;
    const rest = twoDigits(text, from + 21);
    if (tenths < 0 || tenths > 9 || rest < 0) return null;
    ms = tenths * 100 + rest;
    i = from + 23;
  }
  const sign = text.charCodeAt(i);
  let offsetMinutes = 0;
  if (sign === 90 && i + 1 === to) offsetMinutes = 0;
  else if ((sign === 43 || sign === 45) && i + 6 === to && text.charCodeAt(i + 3) === 58) {
    offsetMinutes = offsetToMinutes(sign, twoDigits(text, i + 1), twoDigits(text, i + 4));
    if (offsetMinutes === invalidOffset) return null;
  } else return null;
  return isoFieldsToMs(
    twoDigits(text, from),
    twoDigits(text, from + 2),
    twoDigits(text, from + 5),
    twoDigits(text, from + 8),
    twoDigits(text, from + 11),
    twoDigits(text, from + 14),
    twoDigits(text, from + 17),
    ms,
    offsetMinutes,
  );
}

/** offsetToMinutes' answer for an hour or minute out of range (or not digits). */
export const invalidOffset = 1e9;

/**
 * A `±hh:mm` offset in minutes east of UTC, from its sign character and two-digit fields (-1 when
 * not digits). Date.parse refuses an offset of 24 hours or more, and so does the general path.
 */
export function offsetToMinutes(sign: number, hours: number, minutes: number): number {
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return invalidOffset;
  return (sign === 43 ? 1 : -1) * (hours * 60 + minutes);
}

/**
 * Epoch ms of a civil date and time read by parseCanonicalIso or the NDJSON fast path (two-digit
 * fields, -1 where not digits; `ms` already checked), or null when a field is out of range or the
 * day does not exist in its month.
 */
export function isoFieldsToMs(
  century: number,
  yy: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  offsetMinutes: number,
): number | null {
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return null;
  }
  const year = century * 100 + yy;
  const leap = isLeap(year);
  if (day > (month === 2 ? (leap ? 29 : 28) : daysInMonths[month - 1]!)) return null;
  // Days since 1970-01-01 for the civil date, by the proleptic Gregorian calendar.
  const y = year - 1;
  const daysBeforeYear = 365 * (year - 1970) + (Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) - 477;
  const days = daysBeforeYear + cumulativeDays[month - 1]! + (month > 2 && leap ? 1 : 0) + day - 1;
  return ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000 + second * 1000 + ms;
}

/** Date.parse rolls 2026-02-30 over to March; a real calendar date must survive the round trip. */
function calendarValid(iso: string): boolean {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  const hour = Number(iso.slice(11, 13));
  const minute = Number(iso.slice(14, 16));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/**
 * Checks one decoded observation and answers it with time in epoch ms, or the reason it is refused
 * (naming the field and the value). `now` is the receiving clock, for the future-time check.
 */
export function validateObservation(raw: unknown, now: number): Observation | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return `expected an object {"series","t","v"}, got ${typeName(raw)}`;
  }
  const o = raw as Record<string, unknown>;
  const series = o['series'];
  if (typeof series !== 'string' || series.length === 0) {
    return series === undefined ? 'series: missing' : `series: expected a non-empty string, got ${typeName(series)}`;
  }
  if (series.length > observationLimits.keyLength) return `series: longer than ${observationLimits.keyLength} characters`;
  if (!keyPattern.test(series)) {
    return `series: "${clip(series)}" may hold only letters, digits and _ . : / -`;
  }
  const t = parseTime(o['t']);
  if (typeof t === 'string') return t;
  if (t > now + observationLimits.maxFutureMs) {
    return `t: ${new Date(t).toISOString()} is more than 24 h ahead of the server clock`;
  }
  const v = o['v'];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return v === undefined || v === null ? 'v: missing' : `v: expected a finite number, got ${typeName(v)}`;
  }
  let fieldCount = 0;
  for (const key in o) {
    fieldCount++;
    if (!knownFields.has(key)) return `${clip(key)}: unknown field (known: ${[...knownFields].join(', ')})`;
  }
  if (fieldCount === 3) return { series, t, v };
  const meta: SeriesMetadata = {};
  const problem = readMetadata(o, meta);
  if (problem) return problem;
  return { series, t, v, meta };
}

function readMetadata(o: Record<string, unknown>, meta: SeriesMetadata): string | null {
  for (const field of ['indicator', 'unit', 'area'] as const) {
    const value = o[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > observationLimits.textLength) {
      return `${field}: expected a non-empty string of at most ${observationLimits.textLength} characters`;
    }
    meta[field] = value;
  }
  const domain = o['domain'];
  if (domain !== undefined) {
    if (!isHazardDomain(domain)) return `domain: "${clip(String(domain))}" is not one of ${hazardDomains.join(', ')}`;
    meta.domain = domain;
  }
  const lon = o['lon'];
  const lat = o['lat'];
  if ((lon === undefined) !== (lat === undefined)) return 'lon, lat: give both or neither';
  if (lon !== undefined) {
    if (typeof lon !== 'number' || !(lon >= -180 && lon <= 180)) return `lon: expected a number from -180 to 180`;
    if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90)) return `lat: expected a number from -90 to 90`;
    meta.lon = lon;
    meta.lat = lat;
  }
  const labels = o['labels'];
  if (labels !== undefined) {
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return 'labels: expected an object of strings';
    const entries = Object.entries(labels as Record<string, unknown>);
    if (entries.length > observationLimits.maxLabels) return `labels: more than ${observationLimits.maxLabels}`;
    for (const [name, value] of entries) {
      if (!labelNamePattern.test(name)) return `labels.${clip(name)}: a label name must match [A-Za-z_][A-Za-z0-9_]*`;
      if (typeof value !== 'string' || value.length > observationLimits.textLength) {
        return `labels.${name}: expected a string of at most ${observationLimits.textLength} characters`;
      }
    }
    meta.labels = labels as Record<string, string>;
  }
  return null;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${clip(value)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Keeps echoed input short, so an error answer never balloons with a sender's bad data. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
