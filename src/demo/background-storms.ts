import { SALT, hashUnit } from './seeded-random.ts';
import { HOUR_MS, yearFraction } from './riverside-time.ts';
import type { PointKm } from './point-km.ts';

/** A moving rain cell of background weather. */
export interface Storm {
  startMs: number;
  durationMs: number;
  peakMmH: number;
  x0: number;
  y0: number;
  vxKmH: number;
  vyKmH: number;
  sigmaKm: number;
}

/** Longest a background storm lasts (ms). */
export const MAX_STORM_MS = 6.5 * HOUR_MS;
/** At most one background storm starts in each half day (ms). */
export const STORM_SLOT_MS = 12 * HOUR_MS;

/** The background storm that starts in half-day slot `slot`, or null when that slot stays dry. */
export function makeStorm(seed: number, slot: number): Storm | null {
  const u = (i: number) => hashUnit(seed, SALT.storm, slot, i);
  const slotStart = slot * STORM_SLOT_MS;
  // South China's wet season peaks in June–August; winter sees a storm every week or two.
  const season = 0.5 * (1 - Math.cos(2 * Math.PI * (yearFraction(slotStart) - 0.04)));
  if (u(0) >= 0.05 + 0.3 * season) return null;
  const heading = ((u(6) - 0.5) * Math.PI) / 3; // mostly west to east
  const speed = 15 + 20 * u(7);
  return {
    startMs: slotStart + u(1) * STORM_SLOT_MS,
    durationMs: (1.5 + 5 * u(2)) * HOUR_MS,
    peakMmH: 2 + 16 * u(3) ** 2,
    x0: -35 + 15 * u(4),
    y0: -12 + 28 * u(5),
    vxKmH: speed * Math.cos(heading),
    vyKmH: speed * Math.sin(heading),
    sigmaKm: 10 + 20 * u(8),
  };
}

/** Rain intensity (mm/h) of one storm at a point and instant: a bell in time, a Gaussian in space. */
export function stormIntensity(s: Storm, t: number, p: PointKm): number {
  const f = (t - s.startMs) / s.durationMs;
  if (f < 0 || f >= 1) return 0;
  const h = (t - s.startMs) / HOUR_MS;
  const dx = p.x - (s.x0 + s.vxKmH * h);
  const dy = p.y - (s.y0 + s.vyKmH * h);
  const bell = Math.sin(Math.PI * f);
  return s.peakMmH * bell * bell * Math.exp(-(dx * dx + dy * dy) / (2 * s.sigmaKm * s.sigmaKm));
}
