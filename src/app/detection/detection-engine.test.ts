import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../../store/testing/stores-under-test.ts';
import { SeriesRepo } from '../../store/repos/series-repo.ts';
import { DetectionRepo, type SignalRecord } from '../../store/repos/detection-repo.ts';
import type { DetectorDefinition } from '../../domain/detect/detector.ts';
import type { Level } from '../../domain/detect/levels.ts';
import { EventHub, type TocsinEvent } from '../event-hub.ts';
import { manualClock } from '../../domain/kernel/clock.ts';
import { DetectionEngine } from './detection-engine.ts';
import { detectionPorts } from './detection-ports.ts';
import type { ActiveRule } from './active-rule.ts';
import type { ObservationRows, Store } from '../../store/sql-client.ts';
import { stalenessDetector } from '../../domain/detect/staleness.ts';
import { ewmaDetector } from '../../domain/detect/ewma.ts';

/** A tiny test detector: yellow above 5, red above 8; its state counts the steps (to see it persist). */
const threshold: DetectorDefinition<{ yellow: number; red: number }, { steps: number }> = {
  type: 'test-threshold',
  summary: 'test only',
  parseParams: () => ({ params: { yellow: 5, red: 8 } }),
  init: () => ({ steps: 0 }),
  step: (p, s, input) => ({
    state: { steps: s.steps + 1 },
    output: { level: input.v > p.red ? 'red' : input.v > p.yellow ? 'yellow' : null, upperbound: p.yellow, extras: { steps: s.steps + 1 } },
  }),
};

function rule(name: string, forMs = 0, fingerprint = 'v1'): ActiveRule {
  return {
    name,
    fingerprint,
    matches: (s) => s.indicator === 'level',
    detector: threshold as unknown as ActiveRule['detector'],
    params: { yellow: 5, red: 8 },
    forMs,
    labels: { hazard: 'flood' },
    levelOf: (o) => o.level,
    annotations: (c) => ({ summary: `${c.series} is ${c.level ?? 'normal'} (${c.value})` }),
  };
}

const t0 = Date.UTC(2026, 10, 21);
const minute = 60_000;

function rows(seriesId: number, values: number[], startMinute = 0): ObservationRows {
  return {
    seriesIds: new Int32Array(values.length).fill(seriesId),
    times: Float64Array.from(values, (_, i) => t0 + (startMinute + i) * minute),
    values: Float64Array.from(values),
    length: values.length,
  };
}

const summary = (signals: readonly SignalRecord[]) =>
  signals.map((s) => `${s.rule}@${(s.t - t0) / minute}:${s.kind}:${s.previousLevel ?? '-'}>${s.level ?? '-'}`);

describeEachStore('the detection engine', (store: () => Store) => {
  let seriesId: number;
  let otherId: number;
  beforeAll(async () => {
    const ids = await new SeriesRepo(store()).ensure([
      { key: 'ENG-1.level', meta: { area: 'D01', labels: { basin: 'pearl' } } },
      { key: 'ENG-2.rain' },
    ]);
    seriesId = ids.get('ENG-1.level')!;
    otherId = ids.get('ENG-2.rain')!;
  });

  it('raises, escalates and resolves signals with the labels alerts route on, and tells listeners', async () => {
    const events = new EventHub();
    const seen: TocsinEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const engine = new DetectionEngine(detectionPorts(store(), events, manualClock(t0)));
    engine.setRules([rule('river-a')]);
    const signals = await engine.submit(rows(seriesId, [1, 6, 7, 9, 6, 2]));
    expect(summary(signals)).toEqual(['river-a@1:firing:->yellow', 'river-a@3:changed:yellow>red', 'river-a@4:changed:red>yellow', 'river-a@5:resolved:yellow>-']);
    expect(signals[0]!.labels).toEqual({
      alertname: 'river-a',
      series: 'ENG-1.level',
      indicator: 'level',
      area: 'D01',
      level: 'yellow',
      basin: 'pearl',
      hazard: 'flood',
    });
    expect(signals[0]!.annotations).toEqual({ summary: 'ENG-1.level is yellow (6)' });
    expect(signals[0]!.upperbound).toBe(5);
    expect(seen.filter((e) => e.type === 'signal')).toHaveLength(4);
    // A series the rule does not select is never evaluated.
    expect(await engine.submit(rows(otherId, [100]))).toEqual([]);
  });

  it('evaluates each series in time order and skips late or repeated observations', async () => {
    const engine = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    engine.setRules([rule('river-b')]);
    const shuffled = rows(seriesId, [1, 9, 1]);
    [shuffled.times[0], shuffled.times[2]] = [shuffled.times[2]!, shuffled.times[0]!];
    [shuffled.values[0], shuffled.values[2]] = [shuffled.values[2]!, shuffled.values[0]!];
    expect(summary(await engine.submit(shuffled))).toEqual(['river-b@1:firing:->red', 'river-b@2:resolved:red>-']);
    expect(await engine.submit(rows(seriesId, [9], 1))).toEqual([]);
    expect(engine.counters.late).toBe(1);
  });

  it('resumes after a crash from checkpointed state and stored observations: no signal missed or repeated', async () => {
    const values = [1, 6, 6, 6, 2, 9, 9, 9, 3, 7, 7, 7, 9, 9, 1];
    // An uninterrupted run on its own series, as the reference.
    const ids = await new SeriesRepo(store()).ensure([{ key: 'ENG-REF.level' }, { key: 'ENG-CUT.level' }]);
    const reference = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    reference.setRules([rule('river-c', 2 * minute)]);
    const expected = summary(await reference.submit(rows(ids.get('ENG-REF.level')!, values)));
    expect(expected.length).toBe(6);

    for (let cut = 1; cut < values.length; cut += 3) {
      const key = `ENG-CUT-${cut}.level`;
      const id = (await new SeriesRepo(store()).ensure([{ key }])).get(key)!;
      const first = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
      first.setRules([rule('river-c', 2 * minute)]);
      const before = await first.submit(rows(id, values.slice(0, cut)));
      await first.checkpoint();
      // More observations are stored (and one even processed) after the checkpoint, then the process dies.
      const tail = rows(id, values.slice(cut), cut);
      await store().insertObservations(tail);
      await store().insertObservations(rows(id, values.slice(0, cut)));
      const lostAfterCheckpoint = cut + 1 < values.length ? await first.submit(rows(id, values.slice(cut, cut + 1), cut)) : [];

      const second = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
      second.setRules([rule('river-c', 2 * minute)]);
      const recovered = await second.recover();
      const all = [...before, ...lostAfterCheckpoint, ...recovered];
      expect(summary(all), `cut at ${cut}`).toEqual(expected);
      const storedSignals = await new DetectionRepo(store()).listSignals({ seriesKey: key, limit: 100 });
      expect(storedSignals).toHaveLength(expected.length);
    }
  });

  it('steps detectors with an in-place form without losing their state across a checkpoint and a crash', async () => {
    const parsed = ewmaDetector.parseParams({ lambda: 0.3, L: 2.5, warmup: 5, side: 'both' });
    if (!('params' in parsed)) throw new Error('bad params');
    const chart: ActiveRule = { ...rule('chart'), detector: ewmaDetector as unknown as ActiveRule['detector'], params: parsed.params };
    const values = [5, 6, 5, 4, 5, 5, 9, 12, 12, 5, 5, 5, 5, 5, 5, 5, 0, -3, -3, 5, 5, 5, 5, 5, 5, 5];
    // The reference: the plain `step` run over the whole series, as `tocsin detect` runs it.
    let state = ewmaDetector.init(parsed.params);
    const levels = values.map((v, i) => {
      const r = ewmaDetector.step(parsed.params, state, { t: t0 + i * minute, v });
      state = r.state;
      return r.output;
    });
    const ids = await new SeriesRepo(store()).ensure([{ key: 'ENG-EWMA.level' }]);
    const id = ids.get('ENG-EWMA.level')!;
    const cut = 8;
    const first = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    first.setRules([chart]);
    const before = await first.submit(rows(id, values.slice(0, cut)));
    await first.checkpoint();
    // What was written is the detector's JSON state after `cut` steps, not the engine's numbers.
    let reference = ewmaDetector.init(parsed.params);
    for (let i = 0; i < cut; i++) reference = ewmaDetector.step(parsed.params, reference, { t: t0 + i * minute, v: values[i]! }).state;
    const saved = (await new DetectionRepo(store()).allStates()).find((s) => s.rule === 'chart' && s.seriesId === id)!;
    expect((saved.state as { detector: unknown }).detector).toEqual(reference);
    await store().insertObservations(rows(id, values));
    const second = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    second.setRules([chart]);
    const after = await second.recover();
    const signals = [...before, ...after];
    // Every change of the reference's level is one signal, with the reference's own figures.
    const changes = levels.flatMap((o, i) => (o.level !== (levels[i - 1]?.level ?? null) ? [{ t: t0 + i * minute, level: o.level, upperbound: o.upperbound ?? null, extras: o.extras }] : []));
    expect(changes.length).toBeGreaterThanOrEqual(4);
    expect(signals.map((s) => ({ t: s.t, level: s.level, upperbound: s.upperbound, extras: s.extras }))).toEqual(changes);
  });

  it('starts a changed rule from a fresh state', async () => {
    const id = (await new SeriesRepo(store()).ensure([{ key: 'ENG-FP.level' }])).get('ENG-FP.level')!;
    const engine = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    engine.setRules([rule('river-d')]);
    const fired = await engine.submit(rows(id, [9]));
    expect(fired[0]!.extras).toEqual({ steps: 1 });
    engine.setRules([rule('river-d', 0, 'v2')]);
    const again = await engine.submit(rows(id, [9], 1));
    expect(summary(again)).toEqual(['river-d@1:firing:->red']);
    expect(again[0]!.extras).toEqual({ steps: 1 });
  });

  it('flags a series that went silent across a restart, from its recovered state alone', async () => {
    const id = (await new SeriesRepo(store()).ensure([{ key: 'ENG-SILENT.level' }])).get('ENG-SILENT.level')!;
    const params = stalenessDetector.parseParams({ after: '30m' });
    if (!('params' in params)) throw new Error('bad params');
    const silent: ActiveRule = { ...rule('gauge-silent'), detector: stalenessDetector as unknown as ActiveRule['detector'], params: params.params };
    const first = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    first.setRules([silent]);
    await first.submit(rows(id, [3]));
    await first.checkpoint();
    // The process restarts; the gauge never reports again.
    const second = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    second.setRules([silent]);
    await second.recover();
    expect(await second.tick(t0 + 10 * minute)).toEqual([]);
    expect(summary(await second.tick(t0 + 31 * minute))).toEqual(['gauge-silent@31:firing:->yellow']);
  });

  it('lists signals newest first with filters', async () => {
    const repo = new DetectionRepo(store());
    const page = await repo.listSignals({ rule: 'river-a', limit: 2 });
    expect(page.map((s) => s.kind)).toEqual(['resolved', 'changed']);
    const older = await repo.listSignals({ rule: 'river-a', limit: 10, beforeId: page[1]!.id });
    expect(older.map((s) => s.kind)).toEqual(['changed', 'firing']);
    expect((await repo.listSignals({ level: 'red' as Level, rule: 'river-a', limit: 10 })).map((s) => s.kind)).toEqual(['changed']);
  });
});
