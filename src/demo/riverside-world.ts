import { MAX_STORM_MS, STORM_SLOT_MS, makeStorm, stormIntensity, type Storm } from './background-storms.ts';
import { BIN_MS, catchments, type Catchment } from './catchments.ts';
import type { PointKm } from './point-km.ts';
import { HOUR_MS, MINUTE_MS } from './riverside-time.ts';
import { SALT, hashUnit } from './seeded-random.ts';
import { floodIntensity, storyOffsetsHours, type StoryCycle } from './story-cycle.ts';

// History stays calm for this long before live time so the story starts from normal levels.
const QUIET_BEFORE_LIVE_MS = 18 * HOUR_MS;

/** The live story repeats every cycleMs from liveStartMs; the history before it is background only. */
export interface WorldOptions {
  seed: number;
  liveStartMs: number;
  cycleMs: number;
}

/** The shared weather and story of one demo run: storms, rain, catchment flow, scripted events. */
export class RiversideWorld {
  readonly seed: number;
  readonly liveStartMs: number;
  readonly cycleMs: number;
  private readonly storms = new Map<number, Storm | null>();
  private readonly cycles = new Map<number, StoryCycle>();
  private readonly rain: Record<Catchment, Map<number, number>> = { pearl: new Map(), 'willow-creek': new Map() };
  private readonly flows: Record<Catchment, Map<number, number>> = { pearl: new Map(), 'willow-creek': new Map() };

  constructor(options: WorldOptions) {
    this.seed = options.seed | 0;
    this.liveStartMs = options.liveStartMs;
    this.cycleMs = options.cycleMs;
  }

  /** Rain intensity in mm/h at a point and instant: background storms plus the story's rainstorm. */
  rainAt(t: number, p: PointKm): number {
    let r = 0;
    const last = Math.floor(t / STORM_SLOT_MS);
    for (let j = Math.floor((t - MAX_STORM_MS) / STORM_SLOT_MS); j <= last; j++) {
      const s = this.storm(j);
      if (s) r += stormIntensity(s, t, p);
    }
    if (t >= this.liveStartMs) {
      const c = Math.floor((t - this.liveStartMs) / this.cycleMs);
      r += floodIntensity(this.cycle(c), t, p);
      if (c > 0) r += floodIntensity(this.cycle(c - 1), t, p);
    }
    return r;
  }

  /** Catchment flow index (smoothed catchment rain, mm/h) at the start of 15-minute bin `bin`. */
  flow(catchment: Catchment, bin: number): number {
    const cache = this.flows[catchment];
    let f = cache.get(bin);
    if (f === undefined) {
      const { kernel } = catchments[catchment];
      f = 0;
      for (let i = 0; i < kernel.length; i++) f += kernel[i]! * this.catchmentRain(catchment, bin - 1 - i);
      remember(cache, bin, f);
    }
    return f;
  }

  /** The scripted events of story cycle `index` (0 = the first after liveStartMs). */
  cycle(index: number): StoryCycle {
    let c = this.cycles.get(index);
    if (!c) {
      const u = (i: number) => hashUnit(this.seed, SALT.cycle, index, i);
      const o = storyOffsetsHours;
      const startMs = this.liveStartMs + index * this.cycleMs;
      const rainStartMs = startMs + (o.rainStarts + 0.5 * u(0)) * HOUR_MS;
      // Grid telemetry comes every 5 minutes; starting the dip on a sample makes its depth visible.
      const dipAt = rainStartMs + o.gridDipAfterRainStarts * HOUR_MS;
      c = {
        index, startMs, rainStartMs,
        rainPeakMmH: 50 + 10 * u(1),
        rainCentre: { x: -8 + 6 * (u(2) - 0.5), y: 4 + 4 * (u(3) - 0.5) },
        smellStartMs: startMs + (o.smellStarts + u(4)) * HOUR_MS,
        smellPeakPerHour: 5 + 3 * u(5),
        gridDipMs: Math.ceil(dipAt / (5 * MINUTE_MS)) * 5 * MINUTE_MS,
        gridDipHz: 0.34 + 0.08 * u(6),
        pumpFailureMs: rainStartMs + o.pumpFailsAfterRainStarts * HOUR_MS,
        pumpDropBar: 1.5 + 0.4 * u(7),
      };
      this.cycles.set(index, c);
    }
    return c;
  }

  /** Story cycle containing t, or null before live time. */
  cycleAt(t: number): StoryCycle | null {
    return t < this.liveStartMs ? null : this.cycle(Math.floor((t - this.liveStartMs) / this.cycleMs));
  }

  private catchmentRain(catchment: Catchment, bin: number): number {
    const cache = this.rain[catchment];
    let r = cache.get(bin);
    if (r === undefined) {
      const { points } = catchments[catchment];
      const t = (bin + 0.5) * BIN_MS;
      r = 0;
      for (const p of points) r += this.rainAt(t, p);
      r /= points.length;
      remember(cache, bin, r);
    }
    return r;
  }

  private storm(slot: number): Storm | null {
    let s = this.storms.get(slot);
    if (s === undefined) {
      s = makeStorm(this.seed, slot);
      // Keep the hours before live time dry so the rainstorm starts from normal river levels.
      if (s && s.startMs + s.durationMs > this.liveStartMs - QUIET_BEFORE_LIVE_MS) s = null;
      remember(this.storms, slot, s);
    }
    return s;
  }
}

function remember<V>(cache: Map<number, V>, key: number, value: V): void {
  // A live demo runs for days; bounding the caches keeps memory flat (a miss only recomputes).
  if (cache.size > 200_000) cache.clear();
  cache.set(key, value);
}
