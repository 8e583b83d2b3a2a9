import { HOUR_MS, MINUTE_MS } from './riverside-time.ts';
import type { PointKm } from './point-km.ts';

/** Which river network a gauge belongs to; each has its own catchment and response time. */
export type Catchment = 'pearl' | 'willow-creek';

/** Width of the time bins (ms) in which catchment rain and flow are computed. */
export const BIN_MS = 15 * MINUTE_MS;

/** Where rain over a catchment is sampled, and how the catchment spreads it over time. */
export interface CatchmentShape {
  points: readonly PointKm[];
  kernel: Float64Array;
}

/** A discretised gamma unit hydrograph: how a catchment spreads a pulse of rain over time. */
function gammaKernel(shape: number, scaleHours: number, bins: number): Float64Array {
  const k = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < bins; i++) {
    const h = ((i + 0.5) * BIN_MS) / HOUR_MS;
    k[i] = h ** (shape - 1) * Math.exp(-h / scaleHours);
    total += k[i]!;
  }
  for (let i = 0; i < bins; i++) k[i]! /= total;
  return k;
}

// The Pearl drains a large area north-west of the city and answers within hours; the creek is flashy.
/** The shape of each catchment. */
export const catchments: Record<Catchment, CatchmentShape> = {
  pearl: { points: [{ x: -30, y: 15 }, { x: -18, y: 8 }, { x: -8, y: 3 }, { x: 5, y: 0 }], kernel: gammaKernel(3, 1.1, 56) },
  'willow-creek': { points: [{ x: 0, y: 8 }, { x: -1, y: 5 }], kernel: gammaKernel(2, 0.45, 20) },
};
