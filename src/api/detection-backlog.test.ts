import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../store/testing/stores-under-test.ts';
import { createTestApp, type TestApp } from './testing/test-app.ts';
import { aboveTenRule } from './testing/above-ten-rule.ts';

const rule = aboveTenRule('backlog-red', 'BL-');

function post(t: TestApp, writer: string, key: string, values: number[]) {
  const payload = values.map((v, i) => JSON.stringify({ series: key, t: Date.UTC(2026, 10, 21, 0, i), v })).join('\n');
  return t.app.inject({ method: 'POST', url: '/api/v1/observations', headers: { 'content-type': 'application/x-ndjson', authorization: writer }, payload });
}

describe('detection behind ingest', () => {
  let dispose: () => Promise<void>;
  let store: Awaited<ReturnType<typeof openTestStore>>['store'];
  const apps: TestApp[] = [];
  beforeAll(async () => {
    const opened = await openTestStore('pglite');
    dispose = opened.dispose;
    store = opened.store;
  });
  afterAll(async () => {
    for (const t of apps) await t.app.close();
    await dispose();
  });

  it('makes ingest wait for detection once the backlog passes its limit, so the queue cannot grow without bound', async () => {
    const t = await createTestApp(store, { rules: [rule], detectionBacklog: 0 });
    apps.push(t);
    const writer = await t.bearer('analyst');
    // Over the limit (0), the answer comes only once detection has run the batch: no drain needed
    // for its signal to be stored and the queue to be empty when the client hears 202.
    const res = await post(t, writer, 'BL-1.level', [5, 12]);
    expect(res.statusCode).toBe(202);
    expect(t.detection.queuedObservations).toBe(0);
    expect(t.detection.counters.signals).toBe(1);
  });

  it('exposes evaluations, late observations, signals and the queue at /metrics', async () => {
    const t = await createTestApp(store, { rules: [rule] });
    apps.push(t);
    const writer = await t.bearer('analyst');
    expect((await post(t, writer, 'BL-2.level', [1, 11, 12])).statusCode).toBe(202);
    await t.detection.drain();
    // The same minutes again: stored already, and not newer than what the rule saw.
    expect((await post(t, writer, 'BL-2.level', [1, 11])).statusCode).toBe(202);
    await t.detection.drain();
    const text = (await t.app.inject({ url: '/metrics' })).body;
    expect(text).toContain('tocsin_detection_evaluations_total{outcome="evaluated"} 3');
    expect(text).toContain('tocsin_detection_evaluations_total{outcome="late"} 2');
    expect(text).toContain('tocsin_detection_signals_total 1');
    expect(text).toContain('tocsin_detection_queue_observations 0');
    expect(text).toMatch(/# TYPE tocsin_detection_evaluations_total counter/);
  });
});
