import { describe, expect, it } from 'vitest';
import type { ObservationInput } from '../domain/observations/observation.ts';
import { createDemoGenerator, type DemoGenerator } from './generate.ts';
import { HOUR_MS, WEEK_MS, localHour } from './riverside-time.ts';
import { RiversideWorld } from './riverside-world.ts';
import { seriesCatalogue } from './series-catalogue.ts';
import { diseaseBaseline, tideShape } from './signal-models.ts';

/** Observations grouped by series key. */
function bySeries(obs: readonly ObservationInput[]): Map<string, { t: number; v: number }[]> {
  const out = new Map<string, { t: number; v: number }[]>();
  for (const o of obs) {
    let a = out.get(o.series);
    if (!a) out.set(o.series, (a = []));
    a.push({ t: o.t as number, v: o.v });
  }
  return out;
}

const keysOf = (indicator: string) => seriesCatalogue.filter((d) => d.indicator === indicator).map((d) => d.key);
const valuesOf = (m: Map<string, { t: number; v: number }[]>, indicator: string) => keysOf(indicator).flatMap((k) => m.get(k)!.map((x) => x.v));
const max = (xs: readonly number[]) => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const min = (xs: readonly number[]) => xs.reduce((a, b) => Math.min(a, b), Infinity);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('tide', () => {
  it('keeps the tide shape within [-1, 1]', () => {
    for (let h = 0; h < 24 * 30; h += 0.25) expect(Math.abs(tideShape(h * HOUR_MS))).toBeLessThanOrEqual(1);
  });
});

// Six weeks of June history: the wet season, when background storms are most frequent.
const june = createDemoGenerator({ seed: 11, startMs: Date.UTC(2025, 5, 2) });
const history = bySeries(june.observationsBetween(june.timeline.startMs, june.timeline.liveStartMs));

describe('values in plausible ranges (six weeks of history)', () => {
  it('river levels are positive, to the centimetre, and stay below yellow before the story', () => {
    for (const def of seriesCatalogue.filter((d) => d.indicator === 'river_level')) {
      const vs = history.get(def.key)!.map((x) => x.v);
      expect(min(vs)).toBeGreaterThan(0);
      expect(vs.every((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6)).toBe(true);
      expect(max(vs), def.key).toBeLessThan(def.bands!.yellow);
    }
  });

  it('counts are non-negative integers', () => {
    for (const indicator of ['resident_reports', 'gastroenteritis_cases']) {
      expect(valuesOf(history, indicator).every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    }
  });

  it('grid frequency stays within 49.5–50.5 Hz nearly always and never leaves 49–51', () => {
    const f = valuesOf(history, 'grid_frequency');
    expect(f.filter((v) => v >= 49.5 && v <= 50.5).length / f.length).toBeGreaterThan(0.995);
    expect(min(f)).toBeGreaterThan(49);
    expect(max(f)).toBeLessThan(51);
    expect(Math.abs(mean(f) - 50)).toBeLessThan(0.01);
  });

  it('rain, air quality and water pressure stay in their physical ranges', () => {
    const rain = valuesOf(history, 'rainfall');
    expect(min(rain)).toBe(0);
    expect(max(rain)).toBeLessThan(30);
    expect(rain.filter((v) => v > 0).length).toBeGreaterThan(100); // it does rain in June
    for (const [indicator, hi] of [['pm25', 300], ['o3', 400]] as const) {
      const v = valuesOf(history, indicator);
      expect(v.every((x) => Number.isInteger(x) && x >= 1 && x <= hi)).toBe(true);
    }
    const p = valuesOf(history, 'water_pressure');
    expect(min(p)).toBeGreaterThan(1.5);
    expect(max(p)).toBeLessThan(5);
  });

  it('follows the city’s day: traffic peaks in PM2.5, afternoon ozone, evening water demand', () => {
    const atHours = (key: string, hours: number[]) => mean(history.get(key)!.filter((x) => hours.includes(Math.floor(localHour(x.t - 1)))).map((x) => x.v));
    expect(atHours('AQ-D02-02.pm25', [8, 19])).toBeGreaterThan(atHours('AQ-D02-02.pm25', [13, 14]));
    expect(atHours('AQ-D02-02.o3', [13, 14])).toBeGreaterThan(2 * atHours('AQ-D02-02.o3', [4, 5]));
    expect(atHours('WP-D02-01.pressure', [3])).toBeGreaterThan(atHours('WP-D02-01.pressure', [19]) + 0.3);
    const reports = (hours: number[]) => mean(keysOf('resident_reports').map((k) => atHours(k, hours)));
    expect(reports([10, 11, 15, 16])).toBeGreaterThan(2 * reports([3, 4, 5]));
  });
});

/** The first story cycle of a generator, with the calm hours before it. */
function firstCycle(gen: DemoGenerator) {
  const { liveStartMs, cycleMs } = gen.timeline;
  return bySeries(gen.observationsBetween(liveStartMs - 12 * HOUR_MS, liveStartMs + cycleMs));
}

describe('the flood', () => {
  it.each([
    [1, Date.UTC(2025, 0, 6)],
    [2, Date.UTC(2025, 5, 16)],
    [3, Date.UTC(2025, 9, 1, 5, 30)],
  ])('seed %i from %i: rain builds, then every gauge rises past red, upstream first', (seed, startMs) => {
    const gen = createDemoGenerator({ seed, startMs });
    const { liveStartMs, cycleMs } = gen.timeline;
    const obs = firstCycle(gen);
    const cityRain = mean(keysOf('rainfall').map((k) => obs.get(k)!.filter((x) => x.t >= liveStartMs).reduce((a, x) => a + x.v, 0)));
    expect(cityRain).toBeGreaterThan(100); // mm in the storm: a red rainstorm by Guangdong's scale
    const firstYellow: number[] = [];
    for (const def of seriesCatalogue.filter((d) => d.indicator === 'river_level')) {
      const series = obs.get(def.key)!;
      const before = series.filter((x) => x.t < liveStartMs).map((x) => x.v);
      const during = series.filter((x) => x.t >= liveStartMs && x.t < liveStartMs + cycleMs);
      expect(max(before), def.key).toBeLessThan(def.bands!.yellow);
      expect(max(during.map((x) => x.v)), def.key).toBeGreaterThanOrEqual(def.bands!.red);
      expect(max(during.map((x) => x.v)) - mean(before)).toBeGreaterThan(1.5);
      if (def.labels['river'] === 'pearl') firstYellow.push(during.find((x) => x.v >= def.bands!.yellow)!.t);
    }
    // The flood wave travels downstream: the last Pearl gauge crosses yellow hours after the first.
    expect(firstYellow[firstYellow.length - 1]! - firstYellow[0]!).toBeGreaterThan(1.5 * HOUR_MS);
    // And the river falls back below yellow before the next cycle begins.
    for (const def of seriesCatalogue.filter((d) => d.indicator === 'river_level')) {
      const last = obs.get(def.key)!.at(-1)!;
      expect(last.v, def.key).toBeLessThan(def.bands!.yellow);
    }
  });
});

describe('the rest of the story', () => {
  const gen = createDemoGenerator({ seed: 5, startMs: Date.UTC(2025, 3, 7) });
  const { liveStartMs } = gen.timeline;
  const obs = firstCycle(gen);
  const live = (key: string) => obs.get(key)!.filter((x) => x.t >= liveStartMs).map((x) => x.v);
  const calm = (key: string) => obs.get(key)!.filter((x) => x.t < liveStartMs).map((x) => x.v);

  it('bursts smell complaints near the industrial site, far above its usual trickle', () => {
    const burst = live('RR-D03-C02.smell');
    expect(burst.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(12);
    expect(max(burst)).toBeGreaterThanOrEqual(4);
    expect(mean(history.get('RR-D03-C02.smell')!.map((x) => x.v))).toBeLessThan(0.1);
    expect(live('RR-D01-C02.smell').reduce((a, b) => a + b, 0)).toBeLessThan(4);
  });

  it('dips the grid frequency and drops water pressure at the flooded pump station only', () => {
    expect(min(live('GF-D02-01.freq'))).toBeLessThan(49.75);
    expect(min(calm('GF-D02-01.freq'))).toBeGreaterThan(49.9);
    expect(min(live('WP-D04-03.pressure'))).toBeLessThan(2.2);
    for (const key of keysOf('water_pressure').filter((k) => k !== 'WP-D04-03.pressure')) expect(min(live(key)), key).toBeGreaterThan(2.2);
  });

  it('brings flooding reports from low-lying communities while the rain pours', () => {
    const lowLying = ['D01-C04', 'D02-C03', 'D03-C04', 'D04-C03'].map((c) => `RR-${c}.flooding`);
    expect(lowLying.reduce((a, k) => a + live(k).reduce((x, y) => x + y, 0), 0)).toBeGreaterThanOrEqual(8);
  });
});

describe('the outbreak', () => {
  it.each([
    [1, Date.UTC(2025, 0, 6)], [2, Date.UTC(2025, 0, 6)], [3, Date.UTC(2025, 6, 7)], [4, Date.UTC(2025, 6, 7)],
  ])('seed %i from %i: only the outbreak district runs clearly above its seasonal baseline', (seed, startMs) => {
    const gen = createDemoGenerator({ seed, startMs });
    const { liveStartMs, cycleMs, outbreakArea } = gen.timeline;
    const world = new RiversideWorld({ seed, liveStartMs, cycleMs });
    const defs = seriesCatalogue.filter((d) => d.indicator === 'gastroenteritis_cases');
    const phase = defs[0]!.phaseMs;
    const lastWeek = Math.ceil((liveStartMs - phase) / WEEK_MS - 1) * WEEK_MS + phase; // last count before live time
    for (const def of defs) {
      let counts = 0;
      let baseline = 0;
      for (let i = 0; i < 3; i++) {
        const t = lastWeek - i * WEEK_MS;
        counts += gen.observationsBetween(t, t + 1).find((o) => o.series === def.key)!.v; // only steps at t
        baseline += diseaseBaseline(world, def.model.kind === 'disease_cases' ? def.model.meanPerWeek : 0, t);
      }
      if (def.area === outbreakArea) expect(counts / baseline, def.key).toBeGreaterThan(1.4);
      else expect(counts / baseline, def.key).toBeLessThan(1.3);
    }
  });
});
