/**
 * The demo's series: every sensor and count of Riverside, with the metadata its first observation
 * carries and the parameters of the model that generates it (signal-models.ts).
 */
import type { HazardDomain } from '../domain/observations/hazard-domains.ts';
import { gaugeSites, nearestCommunity, riversideCommunities, riversideDistricts, areaById, type DemoArea } from './riverside.ts';
import { toKm } from './point-km.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS } from './riverside-time.ts';
import { hashString } from './seeded-random.ts';
import { reportCategories, reportCategoryTraits, riverSeasonAmpM, type SignalModel } from './signal-models.ts';

/** Warning levels of a river gauge in metres, as the city's flood plan sets them. */
export interface LevelBands {
  yellow: number;
  orange: number;
  red: number;
}

/** One series of the demo: its metadata, cadence and generating model. */
export interface SeriesDefinition {
  key: string;
  title: string;
  indicator: string;
  domain: HazardDomain;
  unit: string;
  area: string;
  lon: number;
  lat: number;
  labels: Readonly<Record<string, string>>;
  /** Time between observations; steps fall at phaseMs + k·cadenceMs (epoch milliseconds). */
  cadenceMs: number;
  phaseMs: number;
  /** Farrington compares a week with the same weeks of earlier years, so these series need years of history. */
  longBaseline: boolean;
  /** Warning levels, for river gauges only. */
  bands?: LevelBands;
  model: SignalModel;
}

// Weekly counts close at Monday 00:00 in Riverside (UTC+8): 1970-01-05 was a Monday.
const MONDAY_PHASE_MS = 4 * DAY_MS - 8 * HOUR_MS;

const num = (n: number) => String(n).padStart(2, '0');
const r2 = (v: number) => Math.round(v * 100) / 100;
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

type Base = Omit<SeriesDefinition, 'phaseMs' | 'longBaseline' | 'bands'> & Partial<Pick<SeriesDefinition, 'phaseMs' | 'longBaseline' | 'bands'>>;

function def(d: Base): SeriesDefinition {
  return Object.freeze({ phaseMs: 0, longBaseline: false, ...d, labels: Object.freeze({ ...d.labels }) });
}

/** Distances in km along a chain of sites, from the first one. */
function chainage(sites: readonly { lon: number; lat: number }[]): number[] {
  let total = 0;
  return sites.map((s, i) => {
    const prev = sites[i - 1];
    if (prev) {
      const a = toKm(prev.lon, prev.lat);
      const b = toKm(s.lon, s.lat);
      total += Math.hypot(b.x - a.x, b.y - a.y);
    }
    return total;
  });
}

/** Numbers stations per district in the order given: D01-01, D01-02, D02-01… */
function numberer(): (district: string) => string {
  const seen = new Map<string, number>();
  return (district) => {
    const n = (seen.get(district) ?? 0) + 1;
    seen.set(district, n);
    return `${district}-${num(n)}`;
  };
}

function riverGauges(): SeriesDefinition[] {
  const next = numberer();
  const out: SeriesDefinition[] = [];
  for (const river of ['pearl', 'willow-creek'] as const) {
    const sites = gaugeSites.filter((s) => s.river === river);
    const km = chainage(sites);
    const length = km[km.length - 1]!;
    sites.forEach((s, i) => {
      const f = km[i]! / length; // 0 upstream … 1 downstream
      const area = nearestCommunity(s.lon, s.lat);
      const station = next(area.parent!);
      const pearl = river === 'pearl';
      // The Pearl is tidal: the tide is strongest downstream and arrives there first.
      const tideAmpM = pearl ? 0.15 + 0.7 * f : 0.03 + 0.1 * f;
      const baseM = pearl ? 3.4 - 2 * f : 4.6 - 1.2 * f;
      // Bands allow for most of the tide: a spring high tide alone must not raise a warning.
      const yellow = baseM + riverSeasonAmpM + 0.7 * tideAmpM + (pearl ? 1.1 : 1.4);
      const step = pearl ? 0.5 : 0.4;
      out.push(def({
        key: `RG-${station}.level`, title: `${pearl ? 'Pearl River' : 'Willow Creek'} at ${area.name}`,
        indicator: 'river_level', domain: 'natural', unit: 'm', area: area.id, lon: s.lon, lat: s.lat,
        labels: { basin: 'pearl', river, kind: 'river_gauge' }, cadenceMs: 10 * MINUTE_MS,
        bands: { yellow: r2(yellow), orange: r2(yellow + step), red: r2(yellow + 2 * step) },
        model: {
          kind: 'river_level', catchment: river, baseM: r2(baseM), tideAmpM: r2(tideAmpM),
          // A flood wave travels about 9 km/h down the Pearl and 6 km/h down the creek; the tide 20 km/h up.
          lagMs: Math.round(((km[i]! / (pearl ? 9 : 6)) * HOUR_MS) / MINUTE_MS) * MINUTE_MS,
          tideLagMs: pearl ? Math.round((((length - km[i]!) / 20) * HOUR_MS) / MINUTE_MS) * MINUTE_MS : 0,
          // More catchment drains past the lower gauges, so the same rain lifts them further.
          gain: pearl ? 0.25 * (1 + 0.35 * f) : 0.2,
        },
      }));
    });
  }
  return out;
}


function rainGauges(): SeriesDefinition[] {
  return riversideCommunities.map((c, i) => {
    // Gauges stand on school and station roofs a few hundred metres from the community centre.
    const lon = r4(c.lon + 0.004 * ((i % 3) - 1));
    const lat = r4(c.lat + 0.003 * (((i + 1) % 3) - 1));
    return def({
      key: `RN-${c.parent}-${c.id.slice(-2)}.rain`, title: `Rain gauge ${c.name}`, indicator: 'rainfall',
      domain: 'natural', unit: 'mm', area: c.id, lon, lat, labels: { basin: 'pearl', kind: 'rain_gauge' },
      cadenceMs: 15 * MINUTE_MS, model: { kind: 'rainfall' },
    });
  });
}

type StationType = 'urban' | 'traffic' | 'industrial' | 'suburban';
const airStations: readonly [community: string, type: StationType][] = [
  ['D01-C02', 'urban'], ['D01-C05', 'traffic'], ['D01-C01', 'suburban'],
  ['D02-C01', 'urban'], ['D02-C02', 'traffic'], ['D02-C04', 'urban'],
  ['D03-C01', 'traffic'], ['D03-C02', 'industrial'], ['D03-C05', 'suburban'],
  ['D04-C02', 'urban'], ['D04-C04', 'traffic'], ['D04-C05', 'suburban'],
];
// Traffic sites see more PM2.5 and less ozone (fresh NO eats O3); suburbs the reverse.
const airBase: Record<StationType, { pm25: number; traffic: number; o3: number }> = {
  urban: { pm25: 26, traffic: 1, o3: 62 },
  traffic: { pm25: 32, traffic: 1.4, o3: 50 },
  industrial: { pm25: 38, traffic: 0.9, o3: 55 },
  suburban: { pm25: 22, traffic: 0.6, o3: 72 },
};

function airQuality(): SeriesDefinition[] {
  const next = numberer();
  return airStations.flatMap(([communityId, type]) => {
    const c = areaById(communityId);
    const station = `AQ-${next(c.parent!)}`;
    const common = {
      domain: 'environment' as const, unit: 'µg/m3', area: c.id, lon: r4(c.lon + 0.002), lat: r4(c.lat - 0.002),
      labels: { network: 'riverside-aq', station_type: type }, cadenceMs: HOUR_MS,
    };
    const b = airBase[type];
    return [
      def({ ...common, key: `${station}.pm25`, title: `PM2.5 at ${c.name}`, indicator: 'pm25', model: { kind: 'pm25', baseUgm3: b.pm25, traffic: b.traffic } }),
      def({ ...common, key: `${station}.o3`, title: `Ozone at ${c.name}`, indicator: 'o3', model: { kind: 'o3', baseUgm3: b.o3 } }),
    ];
  });
}

/** The district where the demo's gastroenteritis outbreak happens. */
export const outbreakDistrict = 'D02';

function diseaseCounts(): SeriesDefinition[] {
  return riversideDistricts.map((d) => def({
    key: `GE-${d.id}.cases`, title: `Gastroenteritis cases, ${d.name}`, indicator: 'gastroenteritis_cases',
    domain: 'health', unit: 'count', area: d.id, lon: d.lon, lat: d.lat,
    labels: { disease: 'gastroenteritis', source: 'sentinel-clinics' },
    cadenceMs: WEEK_MS, phaseMs: MONDAY_PHASE_MS, longBaseline: true,
    // Sentinel clinics see about one case a week per 4 000 residents.
    model: { kind: 'disease_cases', meanPerWeek: d.population / 4000, outbreak: d.id === outbreakDistrict },
  }));
}

const substations: readonly string[] = ['D01-C02', 'D02-C01', 'D02-C04', 'D03-C02', 'D03-C04', 'D04-C02'];

function gridAndWater(): SeriesDefinition[] {
  const next = numberer();
  const grid = substations.map((id) => {
    const c = areaById(id);
    return def({
      key: `GF-${next(c.parent!)}.freq`, title: `Grid frequency, ${c.name} 110 kV`, indicator: 'grid_frequency',
      domain: 'infrastructure', unit: 'Hz', area: c.id, lon: r4(c.lon - 0.003), lat: r4(c.lat + 0.002),
      labels: { network: 'riverside-grid', substation: `${c.name} 110 kV` }, cadenceMs: 5 * MINUTE_MS,
      model: { kind: 'grid_frequency' },
    });
  });
  const water = riversideCommunities.map((c) => def({
    key: `WP-${c.parent}-${c.id.slice(-2)}.pressure`, title: `Water pressure, ${c.name}`, indicator: 'water_pressure',
    domain: 'infrastructure', unit: 'bar', area: c.id, lon: r4(c.lon + 0.001), lat: r4(c.lat + 0.003),
    labels: { network: 'riverside-water', dma: c.id }, cadenceMs: 15 * MINUTE_MS,
    // Districts far from the treatment works get a little less head.
    model: { kind: 'water_pressure', baseBar: 3.2 + (hashString(c.id) % 50) / 100, pumpStation: c.traits.includes('pump-station') },
  }));
  return [...grid, ...water];
}

function smellExposure(c: DemoArea, site: DemoArea | undefined): number {
  if (!site) return 0;
  if (c.id === site.id) return 1;
  const a = toKm(c.lon, c.lat);
  const b = toKm(site.lon, site.lat);
  return Math.hypot(a.x - b.x, a.y - b.y) < 3 ? 0.3 : 0; // the plume reaches the next streets
}

function residentReports(): SeriesDefinition[] {
  const smellSite = riversideCommunities.find((c) => c.traits.includes('industrial'));
  return riversideCommunities.flatMap((c) => reportCategories.map((category) => {
    const t = reportCategoryTraits[category];
    const lowLying = c.traits.includes('low-lying');
    return def({
      key: `RR-${c.id}.${category}`, title: `Reports of ${category.replace('_', ' ')}, ${c.name}`,
      indicator: 'resident_reports', domain: 'community', unit: 'count', area: c.id, lon: c.lon, lat: c.lat,
      labels: { category, source: 'residents' }, cadenceMs: HOUR_MS,
      model: {
        kind: 'resident_reports', category, ratePerHour: r4((t.ratePerHour * c.population) / 25_000),
        rainGain: category === 'flooding' && lowLying ? 3 * t.rainGain : t.rainGain,
        smellExposure: category === 'smell' ? smellExposure(c, smellSite) : 0,
      },
    });
  }));
}

/** Every series of the demo, in a fixed order (river, rain, air, disease, grid, water, reports). */
export const seriesCatalogue: readonly SeriesDefinition[] = Object.freeze([
  ...riverGauges(), ...rainGauges(), ...airQuality(), ...diseaseCounts(), ...gridAndWater(), ...residentReports(),
]);

/** Number of series per hazard domain. */
export function countByDomain(series: readonly SeriesDefinition[] = seriesCatalogue): Partial<Record<HazardDomain, number>> {
  const out: Partial<Record<HazardDomain, number>> = {};
  for (const s of series) out[s.domain] = (out[s.domain] ?? 0) + 1;
  return out;
}
