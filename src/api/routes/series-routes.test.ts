import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { openTestStore } from '../../store/testing/stores-under-test.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import type { Store } from '../../store/sql-client.ts';

const t0 = Date.UTC(2026, 10, 21, 0, 0, 0);
const minute = 60_000;

describe('series and observation reads', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let t: TestApp;
  let viewer: string;

  beforeAll(async () => {
    ({ store, dispose } = await openTestStore('pglite'));
    t = await createTestApp(store);
    viewer = await t.bearer('viewer');
    const writer = await t.bearer('analyst');
    const rows: string[] = [];
    for (let i = 0; i < 6; i++) {
      rows.push(
        JSON.stringify({
          series: `RD-${i}.level`,
          t: t0,
          v: i,
          domain: i < 4 ? 'natural' : 'environment',
          area: i % 2 ? 'D02' : 'D01',
          labels: { basin: i < 3 ? 'pearl' : 'east' },
        }),
      );
    }
    for (let m = 1; m < 240; m++) rows.push(JSON.stringify({ series: 'RD-0.level', t: t0 + m * minute, v: m }));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': 'application/x-ndjson', authorization: writer },
      payload: rows.join('\n'),
    });
    expect(res.json()).toMatchObject({ accepted: 245 });
  });
  afterAll(async () => {
    await t.app.close();
    await dispose();
  });

  const get = (url: string) => t.app.inject({ url, headers: { authorization: viewer } });

  it('filters series by domain, area and labels and pages in key order', async () => {
    const natural = (await get('/api/v1/series?domain=natural&limit=3')).json();
    expect(natural.total).toBe(4);
    expect(natural.items.map((s: { key: string }) => s.key)).toEqual(['RD-0.level', 'RD-1.level', 'RD-2.level']);
    expect(natural.nextCursor).toBe('RD-2.level');
    const next = (await get(`/api/v1/series?domain=natural&limit=3&cursor=${natural.nextCursor}`)).json();
    expect(next.items.map((s: { key: string }) => s.key)).toEqual(['RD-3.level']);
    expect(next.nextCursor).toBeNull();
    const filtered = (await get('/api/v1/series?area=D01&label=basin=pearl')).json();
    expect(filtered.items.map((s: { key: string }) => s.key)).toEqual(['RD-0.level', 'RD-2.level']);
    const twoLabels = (await get('/api/v1/series?label=basin=east&label=basin=pearl')).json();
    expect(twoLabels.total).toBe(0);
  });

  it('answers 400 naming the parameter for bad filters', async () => {
    const bad = await get('/api/v1/series?domain=weather');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/querystring\.domain/);
    const limit = await get('/api/v1/series?limit=5000');
    expect(limit.statusCode).toBe(400);
    expect(limit.json().error.message).toMatch(/querystring\.limit/);
    const unknown = await get('/api/v1/series?colour=red');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/querystring\.colour: unknown field/);
  });

  it('reads a range [from, to), the latest N, and 404 for an unknown series', async () => {
    const range = (await get(`/api/v1/series/RD-0.level/observations?from=2026-11-21T01:00:00Z&to=${t0 + 64 * minute}`)).json();
    expect(range.observations.map((o: { v: number }) => o.v)).toEqual([60, 61, 62, 63]);
    const latest = (await get('/api/v1/series/RD-0.level/observations?order=desc&limit=2')).json();
    expect(latest.observations).toEqual([
      { t: new Date(t0 + 238 * minute).toISOString(), v: 238 },
      { t: new Date(t0 + 239 * minute).toISOString(), v: 239 },
    ]);
    expect(latest.truncated).toBe(true);
    const missing = await get('/api/v1/series/NOPE.level/observations');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toMatch(/NOPE\.level/);
  });

  it('reads series whose keys hold slashes and colons, URL-encoded', async () => {
    const writer = await t.bearer('analyst');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': 'application/x-ndjson', authorization: writer },
      payload: JSON.stringify({ series: 'plant/pump:3.pressure', t: t0, v: 2.5 }),
    });
    expect(res.statusCode).toBe(202);
    const key = encodeURIComponent('plant/pump:3.pressure');
    expect((await get(`/api/v1/series/${key}`)).json()).toMatchObject({ key: 'plant/pump:3.pressure', latest: { v: 2.5 } });
    expect((await get(`/api/v1/series/${key}/observations`)).json().observations).toHaveLength(1);
  });

  it('aggregates with ?step= into buckets a chart can draw', async () => {
    const hourly = (await get('/api/v1/series/RD-0.level/observations?step=1h')).json();
    expect(hourly.buckets).toHaveLength(4);
    expect(hourly.buckets[1]).toEqual({ t: new Date(t0 + 60 * minute).toISOString(), min: 60, max: 119, mean: 89.5, count: 60 });
    const badStep = await get('/api/v1/series/RD-0.level/observations?step=fortnightly');
    expect(badStep.statusCode).toBe(400);
    expect(badStep.json().error.message).toMatch(/querystring\.step/);
    const badFrom = await get('/api/v1/series/RD-0.level/observations?from=tuesday');
    expect(badFrom.statusCode).toBe(400);
    expect(badFrom.json().error.message).toMatch(/querystring\.from/);
    const reversed = await get('/api/v1/series/RD-0.level/observations?from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z');
    expect(reversed.statusCode).toBe(400);
  });

  it('answers /healthz without credentials and every /api/v1 read with them only', async () => {
    const health = await t.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', store: { kind: 'pglite' } });
    expect((await t.app.inject({ url: '/api/v1/series' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/nothing-here', headers: { authorization: viewer } })).statusCode).toBe(404);
  });

  it('streams observations.accepted as server-sent events', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    const received = new Promise<string>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: '/api/v1/events?types=observations.', headers: { authorization: viewer } },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          let buffer = '';
          res.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            if (buffer.includes('\n\n') && buffer.includes('event: observations.accepted')) {
              req.destroy();
              resolve(buffer);
            } else if (buffer.startsWith(': connected')) {
              // Subscribed: now cause an event.
              t.events.publish({ type: 'observations.accepted', at: t0, data: { accepted: 7 } });
            }
          });
        },
      );
      req.on('error', reject);
    });
    const text = await received;
    expect(text).toMatch(/event: observations\.accepted\ndata: \{"type":"observations\.accepted","at":"2026-11-21T00:00:00\.000Z","accepted":7\}/);
  });
});
