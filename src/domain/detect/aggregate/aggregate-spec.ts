import type { ParamProblem } from '../detector.ts';
import { clip, describeValue, isMapping, unknownFieldMessage } from '../rules/field-checks.ts';
import { isTimeZone, periodKinds, periodsPerYear, type PeriodKind } from './periods.ts';

/**
 * A rule's `aggregate`: how raw observations (one per report, per case) become one value per
 * calendar period before the detector sees them. Problems name fields as `aggregate.<field>`.
 */

/** The fields `aggregate` may have, in the order they are written. */
export const aggregateFields = ['period', 'of', 'timezone', 'evaluate'] as const;

/** What a period's value is: the sum of the values, how many observations, their mean or their maximum. */
export const aggregateFunctions = ['sum', 'count', 'mean', 'max'] as const;

/** `closed`: feed a period once it is over; `running`: also evaluate the period in progress at each arrival. */
export const evaluateModes = ['closed', 'running'] as const;

/** A checked `aggregate`, defaults filled in (of `sum`, timezone `UTC`, evaluate `closed`). */
export interface AggregateSpec {
  period: PeriodKind;
  of: (typeof aggregateFunctions)[number];
  /** IANA time zone in which periods begin at local midnight. */
  timezone: string;
  evaluate: (typeof evaluateModes)[number];
}

/** Checks a rule's `aggregate` mapping; answers it with defaults or every problem. */
export function parseAggregateSpec(raw: unknown): { spec: AggregateSpec } | { problems: ParamProblem[] } {
  if (!isMapping(raw)) {
    return { problems: [{ field: 'aggregate', message: `expected a mapping such as { period: isoweek, of: sum }, got ${describeValue(raw)}` }] };
  }
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!(aggregateFields as readonly string[]).includes(key)) problems.push({ field: `aggregate.${key}`, message: unknownFieldMessage(key, aggregateFields) });
  }
  const field = (key: string) => raw[key] ?? undefined;
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T | undefined): T | null => {
    const value = field(key) ?? fallback;
    if (value === undefined) {
      problems.push({ field: `aggregate.${key}`, message: `is required: one of ${allowed.join(', ')}` });
      return null;
    }
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    problems.push({ field: `aggregate.${key}`, message: `expected one of ${allowed.join(', ')}, got ${describeValue(value)}` });
    return null;
  };
  const period = oneOf('period', periodKinds, undefined);
  const of = oneOf('of', aggregateFunctions, 'sum');
  const evaluate = oneOf('evaluate', evaluateModes, 'closed');
  const timezone = field('timezone') ?? 'UTC';
  if (typeof timezone !== 'string' || timezone === '' || timezone.length > 64) {
    problems.push({ field: 'aggregate.timezone', message: `expected an IANA time zone such as Europe/Berlin or UTC, got ${describeValue(timezone)}` });
  } else if (!isTimeZone(timezone)) {
    problems.push({ field: 'aggregate.timezone', message: `"${clip(timezone)}" is not a time zone this runtime knows; use an IANA name such as Asia/Shanghai or UTC` });
  }
  if (problems.length > 0 || period === null || of === null || evaluate === null) return { problems };
  return { spec: { period, of, timezone: timezone as string, evaluate } };
}

/**
 * Why the detector's parameters cannot run on these periods, or null. Only a `freq` of 365, 52 or
 * 12 (periods per year, as Farrington's) is checked: other detectors say nothing of their period.
 */
export function periodMismatch(period: PeriodKind, detectorParams: unknown): string | null {
  const freq = isMapping(detectorParams) ? detectorParams['freq'] : undefined;
  if (freq !== 365 && freq !== 52 && freq !== 12) return null;
  if (periodsPerYear[period] === freq) return null;
  const fitting = periodKinds.find((kind) => periodsPerYear[kind] === freq)!;
  return `${period} periods do not fit detector.freq ${freq}, which counts ${fitting} periods: use period ${fitting}, or freq ${periodsPerYear[period]}`;
}
