import { describe, expect, it } from 'vitest';
import type { ObservationInput } from '../domain/observations/observation.ts';
import { createDemoGenerator, describeScenario, historyWeeks } from './generate.ts';
import { countByDomain } from './series-catalogue.ts';
import { HOUR_MS, MINUTE_MS, WEEK_MS, YEAR_MS } from './riverside-time.ts';

// An unaligned start (a Wednesday, 13:07:11.5 UTC) so step arithmetic is exercised.
const startMs = Date.UTC(2025, 2, 12, 13, 7, 11) + 500;
const gen = createDemoGenerator({ seed: 7, startMs });
const { liveStartMs, firstMs } = gen.timeline;

const t0 = performance.now();
const history = gen.observationsBetween(firstMs, liveStartMs);
const historyMs = performance.now() - t0;

const metadataKeys = ['indicator', 'domain', 'unit', 'area', 'lon', 'lat', 'labels'] as const;

describe('createDemoGenerator', () => {
  it('places live time historyWeeks after startMs and weekly counts years before it', () => {
    expect(liveStartMs).toBe(startMs + historyWeeks * WEEK_MS);
    expect(startMs - firstMs).toBeGreaterThan(5 * YEAR_MS);
    expect(startMs - firstMs).toBeLessThan(5 * YEAR_MS + 6 * WEEK_MS);
  });

  it('gives the same observations for the same seed, and others for another seed', () => {
    const range = [liveStartMs - 6 * HOUR_MS, liveStartMs + 6 * HOUR_MS] as const;
    const again = createDemoGenerator({ seed: 7, startMs }).observationsBetween(...range);
    expect(again).toEqual(gen.observationsBetween(...range));
    const other = createDemoGenerator({ seed: 8, startMs }).observationsBetween(...range);
    expect(other.map((o) => o.v)).not.toEqual(again.map((o) => o.v));
    expect(other.map((o) => [o.series, o.t])).toEqual(again.map((o) => [o.series, o.t]));
  });

  it('yields the same observations however the range is split', () => {
    const from = startMs - 2 * HOUR_MS; // before the first step: metadata must still land on it
    const to = startMs + 2 * 24 * HOUR_MS;
    const whole = createDemoGenerator({ seed: 3, startMs }).observationsBetween(from, to);
    const pieces: ObservationInput[] = [];
    const split = createDemoGenerator({ seed: 3, startMs });
    // Ticks of an accelerated clock: uneven, fractional, some landing exactly on steps.
    for (let a = from, i = 0; a < to; i++) {
      const b = Math.min(to, a + (i % 3 === 0 ? 15 * MINUTE_MS : 7 * MINUTE_MS + 13_333.25));
      pieces.push(...split.observationsBetween(a, b));
      a = b;
    }
    expect(pieces).toEqual(whole);
    expect(createDemoGenerator({ seed: 3, startMs }).observationsBetween(to, from)).toEqual([]);
  });

  // Per-observation expect() calls would take seconds over 600 000 rows, so collect problems instead.
  it('yields each observation once, in time order, within [from, to)', () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    let last = -Infinity;
    for (const o of history) {
      const t = o.t as number;
      if (t < last) problems.push(`${o.series}@${t} after ${last}`);
      last = t;
      const id = `${o.series}@${t}`;
      if (seen.has(id)) problems.push(`duplicate ${id}`);
      seen.add(id);
    }
    expect(problems).toEqual([]);
    expect(last).toBeLessThan(liveStartMs);
    expect(history[0]!.t).toBe(firstMs);
  });

  it('puts the metadata on each series’ first observation only', () => {
    const defs = new Map(gen.series().map((d) => [d.key, d]));
    const firsts = new Set<string>();
    const problems: string[] = [];
    for (const o of history) {
      const def = defs.get(o.series)!;
      if (!firsts.has(o.series)) {
        firsts.add(o.series);
        const first = def.longBaseline ? firstMs : Math.ceil((startMs - def.phaseMs) / def.cadenceMs) * def.cadenceMs + def.phaseMs;
        expect(o.t).toBe(first);
        for (const k of metadataKeys) expect(o[k], `${o.series}.${k}`).toEqual(def[k]);
      } else if (Object.keys(o).length !== 3) {
        problems.push(`${o.series}@${o.t} carries ${Object.keys(o).join(',')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(firsts.size).toBe(defs.size);
    // A later range starts mid-series: nothing there carries metadata.
    for (const o of gen.observationsBetween(liveStartMs, liveStartMs + HOUR_MS)) expect(o.indicator).toBeUndefined();
  });

  it('generates six weeks of history for every series in well under two seconds', () => {
    const dense = history.filter((o) => (o.t as number) >= startMs);
    expect(dense.length).toBeGreaterThan(500_000);
    expect(dense.length).toBeLessThan(700_000);
    const perDomain = new Map<string, number>();
    const domainOf = new Map(gen.series().map((d) => [d.key, d.domain]));
    for (const o of dense) perDomain.set(domainOf.get(o.series)!, (perDomain.get(domainOf.get(o.series)!) ?? 0) + 1);
    expect([...perDomain.keys()].sort()).toEqual(Object.keys(countByDomain()).sort());
    expect(historyMs).toBeLessThan(2000);
  });

  it('describes the scenario for the banner', () => {
    const lines = describeScenario();
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.join('\n')).toContain(`${gen.series().length} series in 5 domains across 4 districts`);
  });

  it.each([
    [{ seed: 1.5, startMs }, /seed must be an integer/],
    [{ seed: 1, startMs: Number.NaN }, /startMs/],
    [{ seed: 1, startMs, storyCycleHours: 6 }, /storyCycleHours must be >= 12/],
    [{ seed: 1, startMs, historyWeeks: -1 }, /historyWeeks/],
  ])('refuses bad options %j', (options, message) => {
    expect(() => createDemoGenerator(options)).toThrow(message);
  });
});
