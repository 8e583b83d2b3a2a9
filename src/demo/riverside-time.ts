// Time in the Riverside demo: durations, and the city's local clock (UTC+8) for daily rhythms.

/** Durations in milliseconds; a model year is 365.25 days. */
export const MINUTE_MS = 60_000;
/** One hour in ms. */
export const HOUR_MS = 60 * MINUTE_MS;
/** One day in ms. */
export const DAY_MS = 24 * HOUR_MS;
/** One week in ms. */
export const WEEK_MS = 7 * DAY_MS;
/** One (Julian) year in ms. */
export const YEAR_MS = 365.25 * DAY_MS;
// Riverside keeps China Standard Time: UTC+8 all year, no daylight saving.
const LOCAL_OFFSET_MS = 8 * HOUR_MS;

/** Local (UTC+8) hour of day as a fraction in [0, 24). */
export function localHour(t: number): number {
  const ms = (t + LOCAL_OFFSET_MS) % DAY_MS;
  return (ms < 0 ? ms + DAY_MS : ms) / HOUR_MS;
}

/** Local day of week, 0 = Sunday (1970-01-01 was a Thursday). */
export function localWeekday(t: number): number {
  return (Math.floor((t + LOCAL_OFFSET_MS) / DAY_MS) + 4) % 7;
}

/** Fraction of the year in [0, 1); drifts under a day from the calendar, which no model notices. */
export function yearFraction(t: number): number {
  const f = (t / YEAR_MS) % 1;
  return f < 0 ? f + 1 : f;
}

/** A bump of height 1 at hour `centre` of the day, `width` hours wide, wrapping at midnight. */
export function hourBump(hour: number, centre: number, width: number): number {
  const d = ((hour - centre + 36) % 24) - 12;
  return Math.exp(-(d * d) / (2 * width * width));
}
