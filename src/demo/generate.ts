/**
 * The demo's data set: weeks of realistic history, then a live story that repeats with new
 * variation. Pure: time and seed are arguments, and every value is a function of (seed, series,
 * step), so [a, b) then [b, c) yields exactly what [a, c) yields.
 */
import { TocsinError } from '../domain/kernel/errors.ts';
import type { HazardDomain } from '../domain/observations/hazard-domains.ts';
import type { ObservationInput } from '../domain/observations/observation.ts';
import { riversideCommunities, riversideDistricts, areaById } from './riverside.ts';
import { countByDomain, outbreakDistrict, seriesCatalogue, type SeriesDefinition } from './series-catalogue.ts';
import { toKm } from './point-km.ts';
import { HOUR_MS, WEEK_MS, YEAR_MS } from './riverside-time.ts';
import { RiversideWorld } from './riverside-world.ts';
import { StepRandom, hash32, hashString } from './seeded-random.ts';
import { evaluate, outbreakLeadWeeks, type ModelSite } from './signal-models.ts';
import { storyOffsetsHours, type StoryCycle } from './story-cycle.ts';

/** Weeks of dense history (every series) replayed before live time. */
export const historyWeeks = 6;

/** Years of weekly disease counts before startMs: Farrington's defaults look back 5 years. */
export const baselineYears = 5;

/** Demo hours of one story cycle (rainstorm, flood, smell burst, grid dip, pump failure, recovery). */
export const storyCycleHours = 16;

// The story's events take 12 hours; shorter cycles would overlap them.
const MIN_CYCLE_HOURS = 12;

/** Options of the demo generator; only seed and startMs are required. */
export interface DemoGeneratorOptions {
  /** Any integer (its low 32 bits count); the same seed gives the same data bit for bit. */
  seed: number;
  /** Start of the dense history, epoch ms; live time (the story) begins historyWeeks later. */
  startMs: number;
  historyWeeks?: number;
  baselineYears?: number;
  storyCycleHours?: number;
}

/** Where the story sits in time, for the runtime and the console banner. */
export interface DemoTimeline {
  /** Earliest observation of any series (the weekly baseline starts years before startMs). */
  firstMs: number;
  startMs: number;
  liveStartMs: number;
  cycleMs: number;
  outbreakOnsetMs: number;
  outbreakArea: string;
  smellArea: string;
  pumpFailureArea: string;
  /** The gauge that goes silent for a while in every story cycle (staleness). */
  silentGauge: string;
}

/** A seeded generator of the Riverside data set. */
export interface DemoGenerator {
  /** The series definitions, in catalogue order. */
  series(): readonly SeriesDefinition[];
  /** Every observation with fromMs <= t < toMs, ordered by t; metadata rides on each series' first one. */
  observationsBetween(fromMs: number, toMs: number): ObservationInput[];
  /** The story cycle at t (null before live time): when its rain, smell, dip and pump failure happen. */
  storyAt(t: number): StoryCycle | null;
  readonly timeline: DemoTimeline;
}

interface Member {
  def: SeriesDefinition;
  salt: number;
  site: ModelSite;
}

/** Series sharing a cadence, phase and start; their steps coincide, so they are emitted together. */
interface Group {
  cadenceMs: number;
  phaseMs: number;
  firstStep: number;
  members: Member[];
}

/** Builds the generator; throws TOCSIN_VALIDATION when an option is out of range. */
export function createDemoGenerator(options: DemoGeneratorOptions): DemoGenerator {
  const o = checkOptions(options);
  const liveStartMs = o.startMs + o.historyWeeks * WEEK_MS;
  const cycleMs = o.storyCycleHours * HOUR_MS;
  const world = new RiversideWorld({ seed: o.seed, liveStartMs, cycleMs });
  // A few weeks beyond the years so Farrington's window around the oldest compared week is filled.
  const baselineMs = o.baselineYears * YEAR_MS + (o.baselineYears > 0 ? 4 * WEEK_MS : 0);
  const groups = groupSeries(seriesCatalogue, o.startMs, baselineMs);
  const rng = new StepRandom();
  // In every story cycle the first river gauge loses power as the flood recedes and goes silent, so the
  // staleness rule has something to show: a gauge that stops reporting during a flood is a hazard.
  const silentGauge = seriesCatalogue.find((d) => d.indicator === 'river_level')!.key;
  const isSilent = (key: string, t: number): boolean => {
    if (key !== silentGauge) return false;
    const c = world.cycleAt(t);
    if (!c) return false;
    const from = c.rainStartMs + storyOffsetsHours.gaugeSilentAfterRainStarts * HOUR_MS;
    return t >= from && t < from + storyOffsetsHours.gaugeSilentFor * HOUR_MS;
  };

  function observationsBetween(fromMs: number, toMs: number): ObservationInput[] {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
      throw new TocsinError('TOCSIN_VALIDATION', `demo range must be finite epoch ms, got [${fromMs}, ${toMs})`, { fromMs, toMs });
    }
    const out: ObservationInput[] = [];
    const cursors = groups.map((g) => ({
      g,
      step: Math.max(g.firstStep, Math.ceil((fromMs - g.phaseMs) / g.cadenceMs)),
      end: Math.ceil((toMs - g.phaseMs) / g.cadenceMs),
    }));
    // Merge the groups' step sequences so the output is in time order (ties: catalogue group order).
    for (;;) {
      let best: (typeof cursors)[number] | undefined;
      let bestT = Infinity;
      for (const c of cursors) {
        if (c.step >= c.end) continue;
        const t = c.step * c.g.cadenceMs + c.g.phaseMs;
        if (t < bestT) [best, bestT] = [c, t];
      }
      if (!best) return out;
      const first = best.step === best.g.firstStep;
      for (const m of best.g.members) {
        if (isSilent(m.def.key, bestT)) continue;
        rng.reset(hash32(o.seed, m.salt, best.step));
        const v = evaluate(world, m.def.model, m.site, bestT, rng);
        out.push(first ? withMetadata(m.def, bestT, v) : { series: m.def.key, t: bestT, v });
      }
      best.step++;
    }
  }

  const firstMs = Math.min(...groups.map((g) => g.firstStep * g.cadenceMs + g.phaseMs));
  const timeline: DemoTimeline = Object.freeze({
    firstMs, startMs: o.startMs, liveStartMs, cycleMs,
    outbreakOnsetMs: liveStartMs - outbreakLeadWeeks * WEEK_MS,
    outbreakArea: outbreakDistrict,
    smellArea: riversideCommunities.find((c) => c.traits.includes('industrial'))!.id,
    pumpFailureArea: riversideCommunities.find((c) => c.traits.includes('pump-station'))!.id,
    silentGauge,
  });
  return {
    series: () => seriesCatalogue,
    observationsBetween,
    storyAt: (t) => world.cycleAt(t),
    timeline,
  };
}

function checkOptions(options: DemoGeneratorOptions): Required<DemoGeneratorOptions> {
  const o = {
    historyWeeks, baselineYears, storyCycleHours,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as Required<DemoGeneratorOptions>;
  const problems: string[] = [];
  if (!Number.isSafeInteger(o.seed)) problems.push(`seed must be an integer, got ${o.seed}`);
  if (!Number.isSafeInteger(o.startMs)) problems.push(`startMs must be integer epoch ms, got ${o.startMs}`);
  if (!(o.historyWeeks >= 0 && Number.isFinite(o.historyWeeks))) problems.push(`historyWeeks must be >= 0, got ${o.historyWeeks}`);
  if (!(o.baselineYears >= 0 && o.baselineYears <= 20)) problems.push(`baselineYears must be 0..20, got ${o.baselineYears}`);
  if (!(o.storyCycleHours >= MIN_CYCLE_HOURS && Number.isFinite(o.storyCycleHours))) {
    problems.push(`storyCycleHours must be >= ${MIN_CYCLE_HOURS}, got ${o.storyCycleHours}`);
  }
  if (problems.length > 0) throw new TocsinError('TOCSIN_VALIDATION', `demo generator: ${problems.join('; ')}`, { problems });
  return o;
}

function groupSeries(defs: readonly SeriesDefinition[], startMs: number, baselineMs: number): Group[] {
  const groups = new Map<string, Group>();
  for (const def of defs) {
    const from = startMs - (def.longBaseline ? baselineMs : 0);
    const firstStep = Math.ceil((from - def.phaseMs) / def.cadenceMs);
    const id = `${def.cadenceMs}/${def.phaseMs}/${firstStep}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { cadenceMs: def.cadenceMs, phaseMs: def.phaseMs, firstStep, members: [] }));
    const salt = hashString(def.key);
    g.members.push({ def, salt, site: { point: toKm(def.lon, def.lat), salt, cadenceMs: def.cadenceMs } });
  }
  return [...groups.values()];
}

function withMetadata(def: SeriesDefinition, t: number, v: number): ObservationInput {
  const { key, indicator, domain, unit, area, lon, lat, labels } = def;
  return { series: key, t, v, indicator, domain, unit, area, lon, lat, labels: { ...labels } };
}

/** A few lines about the scenario for the console banner. */
export function describeScenario(options: Pick<DemoGeneratorOptions, 'historyWeeks' | 'storyCycleHours'> = {}): string[] {
  const counts = Object.entries(countByDomain()) as [HazardDomain, number][];
  const cycle = options.storyCycleHours ?? storyCycleHours;
  const weeks = options.historyWeeks ?? historyWeeks;
  const smell = riversideCommunities.find((c) => c.traits.includes('industrial'))!;
  const pump = riversideCommunities.find((c) => c.traits.includes('pump-station'))!;
  const s = storyOffsetsHours;
  return [
    `Riverside (23.1°N 113.3°E): ${riversideDistricts.length} districts, ${riversideCommunities.length} communities`,
    `${seriesCatalogue.length} series in ${counts.length} domains across ${riversideDistricts.length} districts: ` +
      counts.map(([d, n]) => `${d} ${n}`).join(', '),
    `History: ${weeks} weeks of every series, ${baselineYears} years of weekly disease counts; ` +
      `gastroenteritis outbreak growing in ${areaById(outbreakDistrict).name} (${outbreakDistrict}) since ${outbreakLeadWeeks} weeks before live time`,
    `Every ${cycle} demo hours: rain builds from +${s.rainStarts} h and the river crosses yellow, orange, red ` +
      `upstream to downstream; smell complaints near ${smell.name} (${smell.id}); grid frequency dips; ` +
      `water pressure fails in ${pump.name} (${pump.id}); a river gauge loses power for ${s.gaugeSilentFor} h at +${s.gaugeSilentAfterRainStarts} h`,
  ];
}
