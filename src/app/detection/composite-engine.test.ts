import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../../store/testing/stores-under-test.ts';
import { SeriesRepo } from '../../store/repos/series-repo.ts';
import { DetectionRepo, type SignalRecord } from '../../store/repos/detection-repo.ts';
import type { DetectorDefinition } from '../../domain/detect/detector.ts';
import { compositeDetector, parseCompositeParams } from '../../domain/detect/composite.ts';
import { EventHub } from '../event-hub.ts';
import { manualClock } from '../../domain/kernel/clock.ts';
import { DetectionEngine } from './detection-engine.ts';
import { detectionPorts } from './detection-ports.ts';
import type { ActiveRule } from './active-rule.ts';
import type { ObservationRows, Store } from '../../store/sql-client.ts';

/** Yellow above 5: enough to make member rules fire on demand. */
const threshold: DetectorDefinition<null, null> = {
  type: 'test-threshold',
  summary: 'test only',
  parseParams: () => ({ params: null }),
  init: () => null,
  step: (_p, s, input) => ({ state: s, output: { level: input.v > 5 ? 'yellow' : null } }),
};

const memberRule: ActiveRule = {
  name: 'gauge-high',
  fingerprint: 'm1',
  matches: (s) => s.indicator === 'level',
  detector: threshold as unknown as ActiveRule['detector'],
  params: null,
  forMs: 0,
  labels: {},
  levelOf: (o) => o.level,
  annotations: () => ({}),
};

function compositeRule(name: string, raw: Record<string, unknown>, fingerprint = 'c1'): ActiveRule {
  const parsed = parseCompositeParams(raw);
  if (!('params' in parsed)) throw new Error(JSON.stringify(parsed.problems));
  return {
    name,
    fingerprint,
    matches: (s) => s.indicator === 'level',
    detector: compositeDetector as unknown as ActiveRule['detector'],
    params: parsed.params,
    forMs: 0,
    labels: { hazard: 'flood' },
    levelOf: (o) => (o.level ? 'orange' : null),
    annotations: (c) => ({ summary: `${c.value} gauges in alarm in ${c.labels['area']}` }),
  };
}

const t0 = Date.UTC(2026, 10, 22);
const minute = 60_000;

function rows(points: [seriesId: number, minute: number, value: number][]): ObservationRows {
  return {
    seriesIds: Int32Array.from(points, (p) => p[0]),
    times: Float64Array.from(points, (p) => t0 + p[1] * minute),
    values: Float64Array.from(points, (p) => p[2]),
    length: points.length,
  };
}

const summary = (signals: readonly SignalRecord[]) => signals.map((s) => `${s.rule}@${(s.t - t0) / minute}:${s.seriesKey}:${s.kind}:${s.level ?? '-'}`);

describeEachStore('composite rules in the detection engine', (store: () => Store) => {
  let a: number;
  let b: number;
  let c: number;
  let elsewhere: number;
  beforeAll(async () => {
    const ids = await new SeriesRepo(store()).ensure([
      { key: 'CMP-A.level', meta: { indicator: 'level', area: 'D07' } },
      { key: 'CMP-B.level', meta: { indicator: 'level', area: 'D07' } },
      { key: 'CMP-C.level', meta: { indicator: 'level', area: 'D07' } },
      { key: 'CMP-X.level', meta: { indicator: 'level', area: 'D08' } },
    ]);
    [a, b, c, elsewhere] = ['CMP-A.level', 'CMP-B.level', 'CMP-C.level', 'CMP-X.level'].map((k) => ids.get(k)!) as [number, number, number, number];
  });

  it('fires for an area when enough of its series are in alarm within the window, and resolves when the window runs out', async () => {
    const engine = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    engine.setRules([memberRule, compositeRule('district-cluster', { rules: 'gauge-*', count: 3, within: '1h' })]);
    const first = await engine.submit(rows([[a, 0, 9], [b, 10, 9], [elsewhere, 15, 9], [a, 20, 1]]));
    expect(summary(first).filter((s) => s.startsWith('district'))).toEqual([]);
    // C goes into alarm at 50: A (resolved at 20), B and C all count within the hour.
    const second = await engine.submit(rows([[c, 50, 9]]));
    expect(summary(second)).toEqual(['gauge-high@50:CMP-C.level:firing:yellow', 'district-cluster@50:area=D07:firing:orange']);
    const fired = second[1]!;
    expect(fired.seriesId).toBeNull();
    expect(fired.labels).toEqual({ alertname: 'district-cluster', area: 'D07', level: 'orange', hazard: 'flood' });
    expect(fired.value).toBe(3);
    expect(fired.upperbound).toBe(3);
    expect(fired.annotations).toEqual({ summary: '3 gauges in alarm in D07' });
    // A's episode ended at 20: at 80 it still counts, after 80 it does not.
    expect(await engine.tick(t0 + 80 * minute)).toEqual([]);
    expect(summary(await engine.tick(t0 + 81 * minute))).toEqual(['district-cluster@81:area=D07:resolved:-']);
    const stored = await new DetectionRepo(store()).listSignals({ rule: 'district-cluster', limit: 10 });
    expect(stored.map((s) => `${s.kind}:${s.seriesKey}:${s.seriesId}`)).toEqual(['resolved:area=D07:null', 'firing:area=D07:null']);
  });

  it('resumes counting after a restart from the checkpointed composite state', async () => {
    const rules = () => [{ ...memberRule, name: 'gauge-r' }, compositeRule('district-restart', { rules: ['gauge-r'], count: 2, within: '1h' })];
    const first = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    first.setRules(rules());
    await first.submit(rows([[a, 100, 9]]));
    await first.checkpoint();
    // The process dies; a new one recovers and sees the second gauge go into alarm.
    const second = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    second.setRules(rules());
    await second.recover();
    expect(summary(await second.submit(rows([[b, 110, 9]])))).toEqual(['gauge-r@110:CMP-B.level:firing:yellow', 'district-restart@110:area=D07:firing:orange']);
  });

  it('a changed composite rule starts its groups afresh', async () => {
    const first = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    first.setRules([{ ...memberRule, name: 'gauge-f' }, compositeRule('district-fresh', { rules: 'gauge-f', count: 2, within: '1h' }, 'v1')]);
    await first.submit(rows([[a, 200, 9]]));
    await first.checkpoint();
    const second = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(t0)));
    second.setRules([{ ...memberRule, name: 'gauge-f' }, compositeRule('district-fresh', { rules: 'gauge-f', count: 2, within: '1h' }, 'v2')]);
    await second.recover();
    expect(summary(await second.submit(rows([[b, 210, 9]]))).filter((s) => s.startsWith('district'))).toEqual([]);
  });
});
