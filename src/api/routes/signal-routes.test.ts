import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../store/testing/stores-under-test.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import type { TocsinEvent } from '../../app/event-hub.ts';
import type { ActiveRule } from '../../app/detection/active-rule.ts';
import { aboveTenRule } from '../testing/above-ten-rule.ts';

const rule = aboveTenRule('gauge-red', 'SIG-', { labels: { hazard: 'flood' }, annotations: (c) => ({ summary: `${c.series} at ${c.value}` }) });

describe('signals from ingested observations', () => {
  let t: TestApp;
  let dispose: () => Promise<void>;
  let reader: string;
  const seen: TocsinEvent[] = [];

  beforeAll(async () => {
    const opened = await openTestStore('pglite');
    dispose = opened.dispose;
    t = await createTestApp(opened.store, { rules: [rule] });
    t.events.subscribe((e) => seen.push(e));
    reader = await t.bearer('viewer');
    const writer = await t.bearer('analyst');
    const body = [5, 12, 14, 3, 11].map((v, i) => JSON.stringify({ series: 'SIG-1.level', t: Date.UTC(2026, 10, 21, 0, i), v })).join('\n');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': 'application/x-ndjson', authorization: writer },
      payload: body,
    });
    expect(res.statusCode).toBe(202);
    await t.detection.drain();
  });
  afterAll(async () => {
    await t.app.close();
    await dispose();
  });

  it('lists what the rules raised, newest first, with paging and filters', async () => {
    const all = (await t.app.inject({ url: '/api/v1/signals', headers: { authorization: reader } })).json();
    expect(all.items.map((s: { kind: string; t: string }) => `${s.kind}@${s.t.slice(11, 16)}`)).toEqual(['firing@00:04', 'resolved@00:03', 'firing@00:01']);
    expect(all.items[0]).toMatchObject({ rule: 'gauge-red', series: 'SIG-1.level', level: 'red', value: 11, labels: { alertname: 'gauge-red', hazard: 'flood', level: 'red' }, annotations: { summary: 'SIG-1.level at 11' } });
    const page = (await t.app.inject({ url: '/api/v1/signals?limit=2', headers: { authorization: reader } })).json();
    expect(page.items).toHaveLength(2);
    const rest = (await t.app.inject({ url: `/api/v1/signals?limit=2&cursor=${page.nextCursor}`, headers: { authorization: reader } })).json();
    expect(rest.items.map((s: { kind: string }) => s.kind)).toEqual(['firing']);
    expect(rest.nextCursor).toBeNull();
    const resolved = (await t.app.inject({ url: '/api/v1/signals?kind=resolved', headers: { authorization: reader } })).json();
    expect(resolved.items).toHaveLength(1);
  });

  it('streams each signal as a `signal` event', () => {
    expect(seen.filter((e) => e.type === 'signal').map((e) => e.data['kind'])).toEqual(['firing', 'resolved', 'firing']);
  });

  it('answers 400 naming the parameter and 401 without credentials', async () => {
    const bad = await t.app.inject({ url: '/api/v1/signals?level=purple', headers: { authorization: reader } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/querystring\.level/);
    const badTime = await t.app.inject({ url: '/api/v1/signals?from=noon', headers: { authorization: reader } });
    expect(badTime.json().error.message).toMatch(/querystring\.from/);
    expect((await t.app.inject({ url: '/api/v1/signals' })).statusCode).toBe(401);
  });
});

describe('a series whose description changes after detection first saw it', () => {
  it('is selected by a rule once its metadata says it should be', async () => {
    const { store, dispose } = await openTestStore('pglite');
    try {
      const byIndicator: ActiveRule = { ...rule, name: 'by-indicator', matches: (s) => s.indicator === 'river_level' };
      const t = await createTestApp(store, { rules: [byIndicator] });
      const writer = await t.bearer('analyst');
      const post = async (lines: object[]) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/observations',
          headers: { 'content-type': 'application/x-ndjson', authorization: writer },
          payload: lines.map((l) => JSON.stringify(l)).join('\n'),
        });
        expect(res.statusCode).toBe(202);
        await t.detection.drain();
      };
      // Its key names no indicator the rule knows ("RIV-9.gauge" → indicator "gauge"): not selected.
      await post([{ series: 'RIV-9.gauge', t: Date.UTC(2026, 10, 21, 0, 0), v: 20 }]);
      expect(t.detection.counters.signals).toBe(0);
      // The gateway now says what it is: the rule selects it from the next observation on.
      await post([{ series: 'RIV-9.gauge', t: Date.UTC(2026, 10, 21, 0, 1), v: 20, indicator: 'river_level' }]);
      expect(t.detection.counters.signals).toBe(1);
      await t.app.close();
    } finally {
      await dispose();
    }
  });
});
