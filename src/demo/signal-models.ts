/**
 * Value models of the Riverside demo. Every value is a pure function of (seed, series, time): the
 * random numbers come from a hash of (seed, series, step), weather and story events from hashes of
 * their day or cycle, so any split of a time range yields the same values bit for bit. The caches
 * below only remember answers already computed; they never change one.
 */

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

// ---- Randomness ------------------------------------------------------------------------------

function mix32(h: number): number {
  // The "lowbias32" finaliser: every input bit flips about half of the output bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes up to four integers into an unsigned 32-bit value; order matters, equal inputs agree. */
export function hash32(a: number, b: number, c = 0, d = 0): number {
  let h = mix32(Math.imul(a | 0, 0x9e3779b1) ^ 0x85ebca6b);
  h = mix32((h + 0x27d4eb2f) ^ Math.imul(b | 0, 0xcc9e2d51));
  h = mix32((h + 0x165667b1) ^ Math.imul(c | 0, 0x1b873593));
  return mix32((h + 0x7f4a7c15) ^ Math.imul(d | 0, 0x94d049bb));
}

/** Hashes a string (FNV-1a) so each series key seeds its own random streams. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A uniform number in [0, 1) for (seed, a, b, c). */
export function hashUnit(seed: number, a: number, b: number, c = 0): number {
  return hash32(seed, a, b, c) / 4294967296;
}

/** A short random stream (mulberry32) restarted from a hash for each series and step. */
export class StepRandom {
  private state = 0;

  /** Restarts the stream; the same seed replays the same numbers. */
  reset(seed: number): this {
    this.state = seed | 0;
    return this;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Poisson count by inversion: one uniform per draw keeps the stream short and exact. */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > 500) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const u = this.uniform();
    let p = Math.exp(-lambda);
    let f = p;
    let x = 0;
    const cap = 50 + 10 * lambda; // rounding can leave f just short of u
    while (u > f && x < cap) {
      x++;
      p *= lambda / x;
      f += p;
    }
    return x;
  }
}

/** A smooth random wiggle in [-1, 1] with knots every periodMs, shared by everyone using the salt. */
export function smoothNoise(seed: number, salt: number, t: number, periodMs: number): number {
  const pos = t / periodMs;
  const j = Math.floor(pos);
  const f = pos - j;
  const a = hashUnit(seed, salt, j) * 2 - 1;
  const b = hashUnit(seed, salt, j + 1) * 2 - 1;
  return a + (b - a) * f * f * (3 - 2 * f);
}

// Salts keep the random streams of different phenomena apart.
const SALT = {
  storm: 11, cycle: 12, dip: 13, air: 21, airFast: 22, ozone: 23, disease: 31,
  gridSlow: 41, gridFast: 42, water: 61,
} as const;

// ---- Time and space --------------------------------------------------------------------------

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

/** A point in kilometres east and north of the city's reference point (113.3°E, 23.1°N). */
export interface PointKm {
  x: number;
  y: number;
}

/** Converts lon/lat to kilometres; an equirectangular projection is exact enough across a city. */
export function toKm(lon: number, lat: number): PointKm {
  return { x: (lon - 113.3) * 102.4, y: (lat - 23.1) * 110.6 };
}

// ---- Weather and the story -------------------------------------------------------------------

/** A moving rain cell of background weather. */
interface Storm {
  startMs: number;
  durationMs: number;
  peakMmH: number;
  x0: number;
  y0: number;
  vxKmH: number;
  vyKmH: number;
  sigmaKm: number;
}

const MAX_STORM_MS = 6.5 * HOUR_MS;
// At most one background storm starts in each half day.
const STORM_SLOT_MS = 12 * HOUR_MS;
// History stays calm for this long before live time so the story starts from normal levels.
const QUIET_BEFORE_LIVE_MS = 18 * HOUR_MS;

/** When, within each story cycle, the scripted events happen (hours after the cycle starts). */
export const storyOffsetsHours = {
  rainStarts: 0.5, rainBuildsFor: 3.5, heavyRainFor: 1.5, rainTapersFor: 1,
  smellStarts: 1, gridDipAfterRainStarts: 5, pumpFailsAfterRainStarts: 5.5, pumpFailureLasts: 3.5,
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

/** The live story repeats every cycleMs from liveStartMs; the history before it is background only. */
export interface WorldOptions {
  seed: number;
  liveStartMs: number;
  cycleMs: number;
}

/** Which river network a gauge belongs to; each has its own catchment and response time. */
export type Catchment = 'pearl' | 'willow-creek';

const BIN_MS = 15 * MINUTE_MS;

interface CatchmentShape {
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
const catchments: Record<Catchment, CatchmentShape> = {
  pearl: { points: [{ x: -30, y: 15 }, { x: -18, y: 8 }, { x: -8, y: 3 }, { x: 5, y: 0 }], kernel: gammaKernel(3, 1.1, 56) },
  'willow-creek': { points: [{ x: 0, y: 8 }, { x: -1, y: 5 }], kernel: gammaKernel(2, 0.45, 20) },
};

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

function makeStorm(seed: number, slot: number): Storm | null {
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

function stormIntensity(s: Storm, t: number, p: PointKm): number {
  const f = (t - s.startMs) / s.durationMs;
  if (f < 0 || f >= 1) return 0;
  const h = (t - s.startMs) / HOUR_MS;
  const dx = p.x - (s.x0 + s.vxKmH * h);
  const dy = p.y - (s.y0 + s.vyKmH * h);
  const bell = Math.sin(Math.PI * f);
  return s.peakMmH * bell * bell * Math.exp(-(dx * dx + dy * dy) / (2 * s.sigmaKm * s.sigmaKm));
}

/** The story's rainstorm: it builds over hours, pours, then tapers; wide enough to cover the city. */
function floodIntensity(c: StoryCycle, t: number, p: PointKm): number {
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

// ---- Models per indicator --------------------------------------------------------------------

/** Categories of residents' reports counted per community and hour. */
export const reportCategories = [
  'streetlight', 'noise', 'fire_exit', 'dispute', 'smell', 'waste',
  'water_leak', 'road_damage', 'flooding', 'tree_fall', 'parking', 'stray_animal',
] as const;

/** One category of residents' reports. */
export type ReportCategory = (typeof reportCategories)[number];

type DayProfile = 'day' | 'evening' | 'night';

/** Base rate (reports per hour in a community of 25 000), time-of-day profile and rain response. */
export const reportCategoryTraits: Record<ReportCategory, { ratePerHour: number; profile: DayProfile; rainGain: number }> = {
  streetlight: { ratePerHour: 0.04, profile: 'evening', rainGain: 0 },
  noise: { ratePerHour: 0.08, profile: 'night', rainGain: 0 },
  fire_exit: { ratePerHour: 0.01, profile: 'day', rainGain: 0 },
  dispute: { ratePerHour: 0.015, profile: 'day', rainGain: 0 },
  smell: { ratePerHour: 0.02, profile: 'day', rainGain: 0 },
  waste: { ratePerHour: 0.06, profile: 'day', rainGain: 0 },
  water_leak: { ratePerHour: 0.03, profile: 'day', rainGain: 0 },
  road_damage: { ratePerHour: 0.03, profile: 'day', rainGain: 0.003 },
  flooding: { ratePerHour: 0.005, profile: 'day', rainGain: 0.015 },
  tree_fall: { ratePerHour: 0.005, profile: 'day', rainGain: 0.004 },
  parking: { ratePerHour: 0.07, profile: 'day', rainGain: 0 },
  stray_animal: { ratePerHour: 0.02, profile: 'day', rainGain: 0 },
};

function profileTable(f: (h: number) => number): Float64Array {
  const t = new Float64Array(24);
  for (let h = 0; h < 24; h++) t[h] = f(h + 0.5);
  const mean = t.reduce((a, b) => a + b, 0) / 24;
  return t.map((v) => v / mean); // mean 1, so ratePerHour stays the daily average
}

// People report while awake; streetlights once it is dark; noise late at night.
const dayProfiles: Record<DayProfile, Float64Array> = {
  day: profileTable((h) => 0.1 + hourBump(h, 10, 2.5) + 0.9 * hourBump(h, 15, 3) + 0.6 * hourBump(h, 19.5, 1.5)),
  evening: profileTable((h) => 0.15 + hourBump(h, 20.5, 2)),
  night: profileTable((h) => 0.2 + hourBump(h, 23, 2.2) + 0.3 * hourBump(h, 13, 2)),
};

/** Parameters of the model behind one series. */
export type SignalModel =
  | { kind: 'river_level'; catchment: Catchment; baseM: number; tideAmpM: number; tideLagMs: number; lagMs: number; gain: number }
  | { kind: 'rainfall' }
  | { kind: 'pm25'; baseUgm3: number; traffic: number }
  | { kind: 'o3'; baseUgm3: number }
  | { kind: 'disease_cases'; meanPerWeek: number; outbreak: boolean }
  | { kind: 'grid_frequency' }
  | { kind: 'water_pressure'; baseBar: number; pumpStation: boolean }
  | { kind: 'resident_reports'; category: ReportCategory; ratePerHour: number; rainGain: number; smellExposure: number };

/** What a model needs to know about the series it computes. */
export interface ModelSite {
  point: PointKm;
  /** The series' own salt (hash of its key) for its private slow noise. */
  salt: number;
  cadenceMs: number;
}

/** Largest seasonal rise of the river above its base level; warning bands sit above it. */
export const riverSeasonAmpM = 0.08;

/** Tidal shape in [-1, 1]: M2 and S2 beat into spring and neap tides, K1 adds the diurnal inequality. */
export function tideShape(t: number): number {
  const h = t / HOUR_MS;
  return 0.6 * Math.cos((2 * Math.PI * h) / 12.4206) + 0.25 * Math.cos((2 * Math.PI * h) / 12 + 1.3) + 0.15 * Math.cos((2 * Math.PI * h) / 23.9345 + 0.4);
}

/** River level rise in metres for a catchment flow index; stage grows slower than flow (rating curve). */
export function riverRise(gain: number, flow: number): number {
  return flow > 0 ? gain * flow ** 0.7 : 0;
}

/** Expected weekly cases without any outbreak: seasonal (winter peak) with slow year-to-year drift. */
export function diseaseBaseline(world: RiversideWorld, meanPerWeek: number, t: number): number {
  const mid = t - WEEK_MS / 2; // a weekly count covers the week ending at t
  const season = 1 + 0.3 * Math.cos(2 * Math.PI * (yearFraction(mid) - 0.04));
  return meanPerWeek * season * Math.exp(0.12 * smoothNoise(world.seed, SALT.disease, mid, 20 * WEEK_MS));
}

/** Weeks before live time at which the outbreak begins. */
export const outbreakLeadWeeks = 5;
const OUTBREAK_PEAK_WEEK = 7;

/** Extra weekly cases of the outbreak for the week ending at t: grows 50% a week, peaks, then fades. */
export function outbreakExtra(world: RiversideWorld, meanPerWeek: number, t: number): number {
  const n = Math.ceil((t - (world.liveStartMs - outbreakLeadWeeks * WEEK_MS)) / WEEK_MS);
  if (n < 1) return 0;
  // Week 1 adds a fifth of a usual week; the peak (week 7, two weeks into live time) over twice one.
  const growth = n <= OUTBREAK_PEAK_WEEK ? 1.5 ** (n - 1) : 1.5 ** (OUTBREAK_PEAK_WEEK - 1) * 0.6 ** (n - OUTBREAK_PEAK_WEEK);
  const extra = 0.2 * meanPerWeek * growth;
  return extra < 0.5 ? 0 : extra;
}

function gridDip(world: RiversideWorld, t: number): number {
  let dip = 0;
  // Rare background dips (a generator trips somewhere on the interconnection), about one in eight days.
  for (let day = Math.floor(t / DAY_MS) - 1; day <= Math.floor(t / DAY_MS); day++) {
    if (hashUnit(world.seed, SALT.dip, day, 0) >= 0.12) continue;
    const at = Math.ceil((day + hashUnit(world.seed, SALT.dip, day, 1)) * DAY_MS / (5 * MINUTE_MS)) * 5 * MINUTE_MS;
    dip += dipShape(t - at, 0.12 + 0.18 * hashUnit(world.seed, SALT.dip, day, 2));
  }
  const c = world.cycleAt(t);
  if (c) dip += dipShape(t - c.gridDipMs, c.gridDipHz);
  return dip;
}

function dipShape(sinceMs: number, depthHz: number): number {
  // A sudden drop, then primary and secondary reserves pull frequency back within minutes.
  return sinceMs < 0 || sinceMs > HOUR_MS ? 0 : depthHz * Math.exp(-sinceMs / (7 * MINUTE_MS));
}

function smellBurst(world: RiversideWorld, t: number): number {
  const c = world.cycleAt(t);
  if (!c) return 0;
  const h = (t - c.smellStartMs) / HOUR_MS;
  if (h < 0 || h > 5) return 0;
  const shape = h < 1 ? h : h < 3.5 ? 1 : 1 - (h - 3.5) / 1.5;
  return c.smellPeakPerHour * shape;
}

function pumpFailure(world: RiversideWorld, t: number): number {
  const c = world.cycleAt(t);
  if (!c) return 0;
  const h = (t - c.pumpFailureMs) / HOUR_MS;
  const lasts = storyOffsetsHours.pumpFailureLasts;
  if (h < 0 || h > lasts + 0.75) return 0;
  const shape = h < 0.33 ? h / 0.33 : h < lasts ? 1 : 1 - (h - lasts) / 0.75;
  return c.pumpDropBar * shape;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** The value of one series at instant t (for accumulations: the interval ending at t). */
export function evaluate(world: RiversideWorld, model: SignalModel, site: ModelSite, t: number, rng: StepRandom): number {
  const seed = world.seed;
  switch (model.kind) {
    case 'river_level': {
      const pos = (t - model.lagMs) / BIN_MS;
      const b = Math.floor(pos);
      const fr = pos - b;
      const flow = world.flow(model.catchment, b) * (1 - fr) + world.flow(model.catchment, b + 1) * fr;
      const season = riverSeasonAmpM * Math.sin(2 * Math.PI * (yearFraction(t) - 0.3)); // high in summer
      const drift = 0.03 * smoothNoise(seed, site.salt, t, 6 * HOUR_MS);
      const v = model.baseM + season + model.tideAmpM * tideShape(t - model.tideLagMs) + riverRise(model.gain, flow) + drift + 0.006 * rng.normal();
      return Math.max(0.01, round2(v)); // gauges report to the centimetre
    }
    case 'rainfall': {
      const mmh = world.rainAt(t - site.cadenceMs / 2, site.point);
      const mm = (mmh * site.cadenceMs) / HOUR_MS * Math.exp(0.25 * rng.normal() - 0.03);
      return mm < 0.05 ? 0 : Math.round(mm * 10) / 10;
    }
    case 'pm25': {
      const tm = t - site.cadenceMs / 2;
      const h = localHour(tm);
      const diurnal = 0.75 + model.traffic * (0.45 * hourBump(h, 8.5, 1.5) + 0.55 * hourBump(h, 19, 2)) + 0.25 * hourBump(h, 2, 3) - 0.2 * hourBump(h, 14, 2.5);
      const weather = Math.exp(0.45 * smoothNoise(seed, SALT.air, tm, 30 * HOUR_MS) + 0.2 * smoothNoise(seed, SALT.airFast, tm, 7 * HOUR_MS));
      const season = 1 + 0.35 * Math.cos(2 * Math.PI * (yearFraction(tm) - 0.02)); // stagnant winters
      const local = Math.exp(0.1 * smoothNoise(seed, site.salt, tm, 5 * HOUR_MS));
      const washout = 1 / (1 + 0.12 * world.rainAt(tm, site.point));
      return Math.max(1, Math.round(model.baseUgm3 * diurnal * weather * season * local * washout * Math.exp(0.12 * rng.normal())));
    }
    case 'o3': {
      const tm = t - site.cadenceMs / 2;
      const photo = 0.3 + 1.4 * hourBump(localHour(tm), 14.5, 2.8); // sunlight makes ozone
      const season = 1 + 0.3 * Math.cos(2 * Math.PI * (yearFraction(tm) - 0.72)); // autumn high
      const weather = Math.exp(0.3 * smoothNoise(seed, SALT.ozone, tm, 36 * HOUR_MS));
      const cloud = 1 / (1 + 0.08 * world.rainAt(tm, site.point));
      return Math.max(1, Math.round(model.baseUgm3 * photo * season * weather * cloud * Math.exp(0.1 * rng.normal())));
    }
    case 'disease_cases': {
      const mean = diseaseBaseline(world, model.meanPerWeek, t) + (model.outbreak ? outbreakExtra(world, model.meanPerWeek, t) : 0);
      return rng.poisson(mean * Math.exp(0.1 * rng.normal() - 0.005)); // mild overdispersion
    }
    case 'grid_frequency': {
      const wander = 0.022 * smoothNoise(seed, SALT.gridSlow, t, 23 * MINUTE_MS) + 0.01 * smoothNoise(seed, SALT.gridFast, t, 4 * MINUTE_MS);
      return Math.round((50 + wander + 0.003 * rng.normal() - gridDip(world, t)) * 1000) / 1000;
    }
    case 'water_pressure': {
      const h = localHour(t);
      const demand = 0.12 + 0.6 * hourBump(h, 7.5, 1.2) + 0.35 * hourBump(h, 12, 1.5) + 0.75 * hourBump(h, 19.5, 1.8);
      const slow = 0.04 * smoothNoise(seed, site.salt ^ SALT.water, t, 3 * HOUR_MS);
      const pump = model.pumpStation ? pumpFailure(world, t) : 0;
      return Math.max(0, round2(model.baseBar - 0.85 * demand + slow - pump + 0.015 * rng.normal()));
    }
    case 'resident_reports': {
      const tm = t - site.cadenceMs / 2;
      const { profile } = reportCategoryTraits[model.category];
      const hours = site.cadenceMs / HOUR_MS;
      let rate = model.ratePerHour * dayProfiles[profile][Math.floor(localHour(tm))]!;
      if (model.rainGain > 0) rate += model.rainGain * world.rainAt(tm, site.point);
      if (model.smellExposure > 0) rate += model.smellExposure * smellBurst(world, tm);
      return rng.poisson(rate * hours);
    }
  }
}

