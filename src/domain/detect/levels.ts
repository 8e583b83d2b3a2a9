/** Warning levels, lowest first (DESIGN.md: blue < yellow < orange < red; CAP Minor…Extreme). */
export const levels = ['blue', 'yellow', 'orange', 'red'] as const;

/** One level of the scale. */
export type Level = (typeof levels)[number];

/** Position of a level on the scale (blue 0 … red 3), for comparisons. */
export function levelRank(level: Level): number {
  return levels.indexOf(level);
}

/** True when `value` names a level. */
export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (levels as readonly string[]).includes(value);
}
