import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectorRegistry } from '../../domain/detect/registry.ts';
import { parseRuleFile } from '../../domain/detect/rules/rule-file.ts';
import type { Rule } from '../../domain/detect/rules/rule.ts';
import { manualClock } from '../../domain/kernel/clock.ts';
import type { Observation } from '../../domain/observations/observation.ts';
import { parseBatch } from '../../domain/observations/parse-batch.ts';
import { openStore } from '../../store/open-store.ts';
import { DetectionRepo, type SignalRecord } from '../../store/repos/detection-repo.ts';
import { SeriesRepo } from '../../store/repos/series-repo.ts';
import type { Store } from '../../store/sql-client.ts';
import { toActiveRule } from '../detection/active-rules.ts';
import { DetectionEngine } from '../detection/detection-engine.ts';
import { detectionPorts } from '../detection/detection-ports.ts';
import { EventHub } from '../event-hub.ts';
import { storeParsedBatch, type IngestDeps } from '../ingest-observations.ts';
import { SeriesResolver } from '../series-resolver.ts';
import { backtestData } from './backtest-data.ts';
import { defaultTickMs, runBacktest, type BacktestResult } from './run-backtest.ts';
import { parseTruthCsv } from './truth.ts';
import { floodObservations, floodRulesYaml, floodTruthCsv, hour, minute, t0 } from './testing/flood-history.ts';

const registry = detectorRegistry();

function rulesOf(yaml: string): Rule[] {
  const { rules, problems } = parseRuleFile(yaml, 'rules.yaml', registry);
  expect(problems).toEqual([]);
  return rules;
}

const at = (hours: number) => new Date(t0 + hours * hour).toISOString().slice(0, 16);
const brief = (signals: readonly SignalRecord[]) => signals.map((s) => `${s.rule} ${s.seriesKey} ${new Date(s.t).toISOString().slice(0, 16)} ${s.kind} ${s.level ?? '-'}`);

/** An object's entries in key order (the store's jsonb does not keep the order they were written in). */
const sorted = (o: Record<string, unknown> | null) => (o === null ? null : Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Everything about a signal but its storage id, creation time and series id (which differ between stores). */
const comparable = (signals: readonly SignalRecord[]) =>
  signals
    .map((s) =>
      JSON.stringify([s.rule, s.seriesKey, s.t, s.kind, s.level, s.previousLevel, s.value, s.upperbound, sorted(s.labels), sorted(s.annotations), sorted(s.extras)]),
    )
    .sort();

describe('runBacktest over a crafted flood and a silent gauge', () => {
  const rules = rulesOf(floodRulesYaml);
  const truth = parseTruthCsv(floodTruthCsv).periods;
  let result: BacktestResult;
  beforeAll(async () => {
    result = await runBacktest({ rules, registry, data: backtestData(floodObservations()), truth, tickMs: minute });
  });

  it('raises the signals worked out by hand', () => {
    expect(brief(result.signals)).toEqual([
      `river-level-bands ST001.level ${at(11.5)} firing yellow`,
      `gauge-silent ST002.level ${at(13 + 1 / 60)} firing yellow`,
      `river-level-bands ST001.level ${at(14.5)} changed orange`,
      `river-level-bands ST001.level ${at(15)} resolved -`,
      `gauge-silent ST002.level ${at(15)} resolved -`,
      `river-level-bands ST001.level ${at(30.5)} firing yellow`,
      `river-level-bands ST001.level ${at(31)} resolved -`,
    ]);
    expect(result.signals[0]!.labels).toMatchObject({ alertname: 'river-level-bands', series: 'ST001.level', area: 'D01', domain: 'natural', hazard: 'flood' });
    expect(result.signals[0]!.annotations).toEqual({ summary: 'River level at ST001.level is yellow (4.8 m)' });
    expect(result).toMatchObject({ observations: 373, series: 2, ticks: 2865, evaluated: 2 * 373, late: 0, withTruth: true });
  });

  it('scores the bands rule: one flood caught, one missed, one false alarm', () => {
    const bands = result.rules.find((r) => r.rule === 'river-level-bands')!;
    const span = (47 * hour + 45 * minute) / (365.25 * 24 * hour);
    expect(bands.watched).toBe(2);
    expect(bands.total).toEqual({
      alarms: 2,
      events: 2,
      detected: 1,
      sensitivity: 0.5,
      falseAlarms: 1, // the spike of the 21st, 06:30
      falseAlarmsPerYear: 1 / span,
      ppv: 0.5,
      medianDelayMs: 1.5 * hour, // 10:00 → 11:30
      medianLeadMs: 2.5 * hour, // 11:30 → known at the 14:00 peak
    });
    expect(bands.series.map((s) => [s.series, s.signals, s.metrics.alarms, s.metrics.events])).toEqual([
      ['ST001.level', 5, 2, 2],
      // ST002 is in D02 and the outage row is truth for gauge-* rules only.
      ['ST002.level', 0, 0, 0],
    ]);
    expect(bands.events.map((e) => [e.id, e.label, e.detected, e.firstAlarm?.series ?? null])).toEqual([
      [2, 'Flood of 20 November', true, 'ST001.level'],
      [3, 'Minor flood <not seen>', false, null],
    ]);
  });

  it('scores the staleness rule on the outage alone', () => {
    const silent = result.rules.find((r) => r.rule === 'gauge-silent')!;
    expect(silent.total).toEqual({
      alarms: 1,
      events: 1,
      detected: 1,
      sensitivity: 1,
      falseAlarms: 0,
      falseAlarmsPerYear: 0,
      ppv: 1,
      medianDelayMs: hour + minute, // silent after 12:00, more than 1 h at the 13:01 tick
      medianLeadMs: null, // the outage row has no `known`
    });
  });

  it('gives the same signals whatever the chunking and the order of the input', async () => {
    const shuffled = floodObservations();
    // A fixed permutation (no randomness): every 7th element first, and so on.
    const permuted = Array.from({ length: 7 }, (_, k) => shuffled.filter((_, i) => i % 7 === k)).flat();
    for (const [observations, chunkSize] of [
      [permuted, 10_000],
      [floodObservations(), 1],
      [permuted, 37],
    ] as [Observation[], number][]) {
      const again = await runBacktest({ rules, registry, data: backtestData(observations), truth, tickMs: minute, chunkSize });
      expect(comparable(again.signals)).toEqual(comparable(result.signals));
      expect(again.rules).toEqual(result.rules);
    }
  });

  it('counts alarms alone without truth, reports progress, and handles no data', async () => {
    const seen: number[] = [];
    const bare = await runBacktest({ rules, registry, data: backtestData(floodObservations()), tickMs: minute, onProgress: (done) => seen.push(done) });
    expect(bare.withTruth).toBe(false);
    expect(bare.rules.map((r) => [r.rule, r.total.alarms, r.total.sensitivity])).toEqual([
      ['river-level-bands', 2, null],
      ['gauge-silent', 1, null],
    ]);
    expect(seen[seen.length - 1]).toBe(373);
    const empty = await runBacktest({ rules, registry, data: backtestData([]) });
    expect(empty).toMatchObject({ span: null, observations: 0, ticks: 0, signals: [] });
  });

  it('ticks every minute by default, coarser only for long histories', () => {
    expect(defaultTickMs(2 * 24 * hour)).toBe(minute);
    expect(defaultTickMs(60 * 24 * hour)).toBe(minute);
    expect(defaultTickMs(365 * 24 * hour)).toBe(10 * minute);
    expect(defaultTickMs(10 * 365 * 24 * hour)).toBe(60 * minute);
  });
});

/** ST003.level, a second gauge in D01 one hour downstream of ST001: the same readings an hour later. */
function withNeighbour(): Observation[] {
  const all = floodObservations();
  const st003 = all.filter((o) => o.series === 'ST001.level').map((o) => ({ ...o, series: 'ST003.level', t: o.t + hour }));
  return [...all, ...st003];
}

const districtRule = `
- name: district-flood
  select: { indicator: river_level }
  detector: { type: composite, rules: [river-level-bands], count: 2, within: 2h }
`;

describe('runBacktest with a composite rule over the bands rule', () => {
  it('fires when two gauges of one area are in alarm within the window, and is scored by area', async () => {
    const rules = [...rulesOf(floodRulesYaml), ...rulesOf(districtRule)];
    const truth = parseTruthCsv(`${floodTruthCsv},D01,district-*,2026-11-20T10:00:00Z,2026-11-20T18:00:00Z,,District flood\n`).periods;
    const result = await runBacktest({ rules, registry, data: backtestData(withNeighbour()), truth, tickMs: minute });
    const district = result.signals.filter((s) => s.rule === 'district-flood');
    // ST001 fires at 11:30 and ST003 an hour later: two in alarm at 12:30; the spikes of the 21st
    // (06:30 and 07:30) are within two hours of each other too.
    expect(district.filter((s) => s.kind === 'firing').map((s) => [s.seriesKey, s.t])).toEqual([
      ['area=D01', t0 + 12.5 * hour],
      ['area=D01', t0 + 31.5 * hour],
    ]);
    const scored = result.rules.find((r) => r.rule === 'district-flood')!;
    expect(scored.watched).toBe(3);
    expect(scored.series.map((s) => [s.series, s.area])).toEqual([['area=D01', 'D01']]);
    expect(scored.total).toMatchObject({ alarms: 2, events: 1, detected: 1, falseAlarms: 1, ppv: 0.5, medianDelayMs: 2.5 * hour });
  });
});

describe('a backtest gives the signals live detection gives', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: null });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
  });

  /** The server's path: parse a batch, store it, hand the committed rows to the engine over the store. */
  function live(rules: Rule[]) {
    const engine = new DetectionEngine(detectionPorts(store, new EventHub(), manualClock(t0)));
    engine.setRules(rules.map((r) => toActiveRule(r, registry)));
    const deps: IngestDeps = {
      store,
      series: new SeriesResolver(new SeriesRepo(store), (ids) => engine.forgetSeries(ids)),
      clock: manualClock(t0 + 30 * 24 * hour),
      events: { publish() {} },
      afterStore: (rows) => void engine.submit(rows),
    };
    const ingest = async (observations: readonly Observation[]) => {
      const body = observations.map((o) => JSON.stringify({ series: o.series, t: o.t, v: o.v, ...(o.meta ?? {}) })).join('\n');
      await storeParsedBatch(deps, parseBatch(body, 'ndjson', deps.clock.now()), 'test');
    };
    const signals = async (names: string[]) =>
      (await new DetectionRepo(store).listSignals({ limit: 1000 })).filter((s) => names.includes(s.rule));
    return { engine, ingest, signals };
  }

  it('for rules over arrivals, with the file ingested in its own order in batches of any size', async () => {
    const rules = rulesOf(`
- name: live-bands
  select: { indicator: river_level }
  detector: { type: bands, levels: { yellow: 4.5, orange: 5.0 }, hysteresis: 0.1 }
  for: 30m
  annotations: { summary: "{{series}} {{level}} {{value}}" }
- name: live-rise
  select: { key: "ST*.level" }
  detector: { type: rate-of-change, window: 1h, rise: 0.5 }
- name: live-ewma
  select: { area: D01 }
  detector: { type: ewma, warmup: 20, lambda: 0.3 }
`);
    const { engine, ingest, signals } = live(rules);
    // The file lists all of ST001, then all of ST002; batches of 50 lines cut across both.
    const file = floodObservations();
    for (let i = 0; i < file.length; i += 50) await ingest(file.slice(i, i + 50));
    await engine.drain();
    const liveSignals = await signals(rules.map((r) => r.name));
    expect(liveSignals.length).toBeGreaterThan(5);

    const backtest = await runBacktest({ rules, registry, data: backtestData(file) });
    expect(backtest.ticks).toBe(0);
    expect(comparable(backtest.signals)).toEqual(comparable(liveSignals));
  });

  it('for time-driven rules too, when the live clock ticks at the same instants', async () => {
    const rules = rulesOf((floodRulesYaml + districtRule).replaceAll('name: ', 'name: ticked-').replace('[river-level-bands]', '[ticked-river-level-bands]'));
    const { engine, ingest, signals } = live(rules);
    const byTime = withNeighbour().sort((a, b) => a.t - b.t);
    let next = 0;
    const last = byTime[byTime.length - 1]!.t;
    // A server that receives each reading as it is taken, its clock ticking every minute.
    for (let now = t0 + minute; now <= last; now += minute) {
      const due: Observation[] = [];
      while (next < byTime.length && byTime[next]!.t <= now) due.push(byTime[next++]!);
      if (due.length > 0) await ingest(due);
      await engine.drain();
      await engine.tick(now);
    }
    const liveSignals = await signals(rules.map((r) => r.name));
    for (const rule of ['ticked-gauge-silent', 'ticked-district-flood']) {
      expect(liveSignals.filter((s) => s.rule === rule).map((s) => s.kind)).toEqual(expect.arrayContaining(['firing', 'resolved']));
    }

    const backtest = await runBacktest({ rules, registry, data: backtestData(withNeighbour()), tickMs: minute });
    expect(comparable(backtest.signals)).toEqual(comparable(liveSignals));
  });
});
