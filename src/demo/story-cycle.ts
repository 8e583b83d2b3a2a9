import { HOUR_MS } from './riverside-time.ts';
import type { PointKm } from './point-km.ts';

/** When, within each story cycle, the scripted events happen (hours after the cycle starts). */
export const storyOffsetsHours = {
  rainStarts: 0.5, rainBuildsFor: 3.5, heavyRainFor: 1.5, rainTapersFor: 1,
  smellStarts: 1, gridDipAfterRainStarts: 5, pumpFailsAfterRainStarts: 5.5, pumpFailureLasts: 3.5,
  gaugeSilentAfterRainStarts: 10, gaugeSilentFor: 1.5,
} as const;

/** The scripted events of one story cycle, with this cycle's random variation. */
export interface StoryCycle {
  index: number;
  startMs: number;
  rainStartMs: number;
  rainPeakMmH: number;
  rainCentre: PointKm;
  smellStartMs: number;
  smellPeakPerHour: number;
  gridDipMs: number;
  gridDipHz: number;
  pumpFailureMs: number;
  pumpDropBar: number;
}

/** The story's rainstorm: it builds over hours, pours, then tapers; wide enough to cover the city. */
export function floodIntensity(c: StoryCycle, t: number, p: PointKm): number {
  const o = storyOffsetsHours;
  const h = (t - c.rainStartMs) / HOUR_MS;
  if (h < 0) return 0;
  let shape: number;
  if (h < o.rainBuildsFor) shape = 0.06 + 0.94 * (h / o.rainBuildsFor) ** 2;
  else if (h < o.rainBuildsFor + o.heavyRainFor) shape = 1;
  else if (h < o.rainBuildsFor + o.heavyRainFor + o.rainTapersFor) {
    shape = (1 - (h - o.rainBuildsFor - o.heavyRainFor) / o.rainTapersFor) ** 2;
  } else return 0;
  const dx = p.x - c.rainCentre.x;
  const dy = p.y - c.rainCentre.y;
  return c.rainPeakMmH * shape * Math.exp(-(dx * dx + dy * dy) / (2 * 45 * 45));
}
