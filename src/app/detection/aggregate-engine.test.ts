import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../../store/testing/stores-under-test.ts';
import { SeriesRepo } from '../../store/repos/series-repo.ts';
import { parseRule } from '../../domain/detect/rules/rule.ts';
import { detectorRegistry } from '../../domain/detect/registry.ts';
import { EventHub } from '../event-hub.ts';
import { manualClock } from '../../domain/kernel/clock.ts';
import { DetectionEngine } from './detection-engine.ts';
import { detectionPorts } from './detection-ports.ts';
import { toActiveRule } from './active-rules.ts';
import type { ObservationRows, Store } from '../../store/sql-client.ts';

const day = 86_400_000;
const d0 = Date.UTC(2026, 10, 2); // a Monday, midnight UTC

function events(seriesId: number, perDay: number[]): ObservationRows {
  const times: number[] = [];
  perDay.forEach((n, d) => {
    for (let i = 0; i < n; i++) times.push(d0 + d * day + (i + 1) * 60_000);
  });
  return { seriesIds: new Int32Array(times.length).fill(seriesId), times: Float64Array.from(times), values: new Float64Array(times.length).fill(1), length: times.length };
}

describeEachStore('aggregated rules in the detection engine', (store: () => Store) => {
  let seriesId: number;
  beforeAll(async () => {
    const ids = await new SeriesRepo(store()).ensure([{ key: 'AGG-1.reports', meta: { indicator: 'smell_reports', area: 'C0101' } }]);
    seriesId = ids.get('AGG-1.reports')!;
  });

  it('counts raw reports per day, judges each closed day, and signals with the day total', async () => {
    const registry = detectorRegistry();
    const parsed = parseRule(
      {
        name: 'smell-daily',
        select: { indicator: 'smell_reports' },
        aggregate: { period: 'day', of: 'count' },
        detector: { type: 'ears', method: 'C1', baseline: 3, minSigma: 0.5 },
        annotations: { summary: '{{value}} smell reports in {{area}} in a day' },
      },
      registry,
      'test',
    );
    if (!('rule' in parsed)) throw new Error(JSON.stringify(parsed.problems));
    const engine = new DetectionEngine(detectionPorts(store(), new EventHub(), manualClock(d0)));
    engine.setRules([toActiveRule(parsed.rule, registry)]);
    // Days 0–3: two reports a day; day 4: nine; day 5: the first report closes day 4.
    expect(await engine.submit(events(seriesId, [2, 2, 2, 2, 9]))).toEqual([]);
    const fired = await engine.submit({ ...events(seriesId, [0, 0, 0, 0, 0, 1]) });
    expect(fired.map((s) => s.kind)).toEqual(['firing']);
    expect(fired[0]!.value).toBe(9);
    expect(fired[0]!.extras?.['period']).toBe(d0 + 4 * day);
    expect(fired[0]!.annotations['summary']).toBe('9 smell reports in C0101 in a day');
    // Day 5 ends with one report: the clock closes it and the alarm resolves without a new arrival.
    const resolved = await engine.tick(d0 + 6 * day + 1);
    expect(resolved.map((s) => `${s.kind}:${s.value}`)).toEqual(['resolved:1']);
  });
});
