/** A point in kilometres east and north of the city's reference point (113.3°E, 23.1°N). */
export interface PointKm {
  x: number;
  y: number;
}

/** Converts lon/lat to kilometres; an equirectangular projection is exact enough across a city. */
export function toKm(lon: number, lat: number): PointKm {
  return { x: (lon - 113.3) * 102.4, y: (lat - 23.1) * 110.6 };
}
