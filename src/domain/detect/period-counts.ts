import { isTocsinError } from '../kernel/errors.ts';
import type { ParamProblem } from './detector.ts';

/**
 * What the streaming detectors over period counts (count-cusum, glrnb, bayes) share: the period
 * calendar, the arrival policy of the Farrington detector, and reading an R control list into
 * problems that name their field.
 *
 * Arrival policy: a later period appends (skipped periods in between count as missing, R's NA);
 * a value for the newest period replaces it and is evaluated again (counts are revised); a value
 * for an older period is ignored.
 */

/** Periods per year: 52 (ISO weeks), 12 (months) or 365 (days). */
export type PeriodFreq = 52 | 12 | 365;

const DAY_MS = 86_400_000;

/** Reads `freq` (default 52), adding a problem when it is not 52, 12 or 365. */
export function readFreq(raw: Record<string, unknown>, problems: ParamProblem[]): PeriodFreq {
  const freq = raw['freq'] ?? 52;
  if (freq === 52 || freq === 12 || freq === 365) return freq;
  problems.push({ field: 'detector.freq', message: `must be 52 (weekly), 12 (monthly) or 365 (daily), got ${JSON.stringify(freq)}` });
  return 52;
}

/** Whole periods from `from` to `to` (negative when `to` is earlier); as the Farrington detector counts them. */
export function periodsBetween(from: number, to: number, freq: PeriodFreq): number {
  if (freq === 12) {
    const a = new Date(from);
    const b = new Date(to);
    return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  }
  return Math.round((to - from) / (freq === 52 ? 7 * DAY_MS : DAY_MS));
}

/** The place in its year of the period starting at `t` — ISO week, month or day of year — as R's sts `start[2]`. */
export function periodOfYear(t: number, freq: PeriodFreq): number {
  const date = new Date(t);
  const year = date.getUTCFullYear();
  if (freq === 12) return date.getUTCMonth() + 1;
  if (freq === 365) return Math.floor((Date.UTC(year, date.getUTCMonth(), date.getUTCDate()) - Date.UTC(year, 0, 1)) / DAY_MS) + 1;
  // ISO 8601: a week belongs to the year of its Thursday, and week 1 holds the year's first Thursday.
  const thursday = Date.UTC(year, date.getUTCMonth(), date.getUTCDate() - ((date.getUTCDay() + 6) % 7) + 3);
  return Math.floor((thursday - Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1)) / (7 * DAY_MS)) + 1;
}

/** How an input's period relates to the newest one seen: the first, a later one (after `skipped` missing ones), the same, or older. */
export type Arrival = { kind: 'first' } | { kind: 'later'; skipped: number } | { kind: 'same' } | { kind: 'older' };

/** Classifies the period starting at `t` against the newest period's start (null before any). */
export function arrival(newest: number | null, t: number, freq: PeriodFreq): Arrival {
  if (newest === null) return { kind: 'first' };
  const gap = periodsBetween(newest, t, freq);
  if (gap < 0) return { kind: 'older' };
  if (gap === 0) return { kind: 'same' };
  return { kind: 'later', skipped: gap - 1 };
}

/** A count as these detectors read it: null (R's NA) unless finite and ≥ 0. */
export function countOf(v: number): number | null {
  return Number.isFinite(v) && v >= 0 ? v : null;
}

/**
 * Splits a rule's raw parameters into R's control arguments, adding a problem for each unknown
 * name and for `range` (R's monitored indices mean nothing in a stream: every new period counts).
 */
export function rControl(
  raw: Record<string, unknown>,
  detector: string,
  rNames: readonly string[],
  ownNames: readonly string[],
  problems: ParamProblem[],
): Record<string, unknown> {
  const control: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'range') problems.push({ field: 'detector.range', message: 'not used by the streaming detector: every new period is evaluated' });
    else if (rNames.includes(key)) control[key] = value;
    else if (!ownNames.includes(key)) problems.push({ field: `detector.${key}`, message: `unknown parameter (${detector} knows ${[...rNames, ...ownNames].join(', ')})` });
  }
  return control;
}

/**
 * Runs one of the batch parsers of R's control lists, which throw TOCSIN_VALIDATION with
 * `details.problems` as "name: message" lines; answers its result, or null after adding each
 * line as a problem of the field `detector.<name>`.
 */
export function checkedControl<T>(parse: () => T, problems: ParamProblem[]): T | null {
  try {
    return parse();
  } catch (err) {
    const lines = isTocsinError(err) ? err.details?.['problems'] : undefined;
    if (!Array.isArray(lines)) throw err;
    for (const line of lines as string[]) {
      const named = /^([\w.]+): (.*)$/s.exec(line);
      problems.push(named ? { field: `detector.${named[1]}`, message: named[2]! } : { field: 'detector', message: line });
    }
    return null;
  }
}
