/**
 * Value models of the Riverside demo. Every value is a pure function of (seed, series, time): the
 * random numbers come from a hash of (seed, series, step), weather and story events from hashes of
 * their day or cycle, so any split of a time range yields the same values bit for bit. The world's
 * caches only remember answers already computed; they never change one.
 */
import { BIN_MS, type Catchment } from './catchments.ts';
import type { PointKm } from './point-km.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS, hourBump, localHour, yearFraction } from './riverside-time.ts';
import type { RiversideWorld } from './riverside-world.ts';
import { SALT, hashUnit, smoothNoise, type StepRandom } from './seeded-random.ts';
import { storyOffsetsHours } from './story-cycle.ts';

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
