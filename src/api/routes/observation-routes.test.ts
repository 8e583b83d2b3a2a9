import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachStore } from '../../store/testing/stores-under-test.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { ObservationsRepo } from '../../store/repos/observations-repo.ts';
import { SeriesRepo } from '../../store/repos/series-repo.ts';
import type { TocsinEvent } from '../../app/event-hub.ts';

const ndjson = 'application/x-ndjson';

function lines(...objects: unknown[]): string {
  return objects.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n') + '\n';
}

describeEachStore('POST /api/v1/observations', (store) => {
  let t: TestApp;
  let analyst: string;

  beforeAll(async () => {
    t = await createTestApp(store(), { bodyLimitBytes: 64 * 1024 });
    analyst = await t.bearer('analyst');
  });

  const post = (body: string, contentType: string, auth: string | null = analyst) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': contentType, ...(auth ? { authorization: auth } : {}) },
      payload: body,
    });

  it('keeps the good lines of a batch and refuses each bad one with its line and reason', async () => {
    const body = lines(
      { series: 'OBS1.level', t: '2026-11-21T10:00:00Z', v: 3.42 },
      '{"series":"OBS1.level","t":"2026-11-21T10:05:00Z","v":',
      { series: 'OBS1.level', t: '2026-11-21 10:10', v: 3.5 },
      '',
      { series: 'OBS1.level', t: 1763719800000, v: 'high' },
      { series: 'OBS1.level', t: '2026-11-21T10:15:00+08:00', v: 3.6 },
      { series: 'bad key!', t: '2026-11-21T10:20:00Z', v: 1 },
      { series: 'OBS1.level', t: '2026-11-21T10:25:00Z', v: 1, colour: 'red' },
      { series: 'OBS1.level', t: '2026-11-21T10:30:00Z', v: 1, domain: 'politics' },
      { series: 'OBS1.level', t: 1763719800, v: 1 },
    );
    const res = await post(body, ndjson);
    expect(res.statusCode).toBe(202);
    const answer = res.json();
    expect(answer.accepted).toBe(2);
    expect(answer.duplicates).toBe(0);
    expect(answer.rejectedCount).toBe(7);
    const byLine = Object.fromEntries(answer.rejected.map((r: { line: number; error: string }) => [r.line, r.error]));
    expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 5, 7, 8, 9, 10]);
    expect(byLine[2]).toMatch(/not valid JSON/);
    expect(byLine[3]).toMatch(/^t: .*ISO-8601 with an offset/);
    expect(byLine[5]).toMatch(/^v: expected a finite number/);
    expect(byLine[7]).toMatch(/^series: /);
    expect(byLine[8]).toMatch(/^colour: unknown field/);
    expect(byLine[9]).toMatch(/^domain: "politics" is not one of natural/);
    expect(byLine[10]).toMatch(/looks like epoch seconds/);
    // Line 4 is blank: it is neither accepted nor refused, and the numbering still counts it.
  });

  it('is idempotent on (series, t): re-posting a batch stores nothing new', async () => {
    const body = lines(
      { series: 'IDEM-API.level', t: '2026-11-21T10:00:00Z', v: 1 },
      { series: 'IDEM-API.level', t: '2026-11-21T10:01:00Z', v: 2 },
      { series: 'IDEM-API.rain', t: '2026-11-21T10:00:00Z', v: 0.2 },
    );
    expect((await post(body, ndjson)).json()).toMatchObject({ accepted: 3, duplicates: 0, rejected: [] });
    const again = await post(body, ndjson);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 3, rejected: [] });
    // The same instant written another way is the same observation.
    const sameInstant = lines({ series: 'IDEM-API.level', t: '2026-11-21T18:00:00+08:00', v: 99 });
    expect((await post(sameInstant, ndjson)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const id = (await new SeriesRepo(store()).byKey('IDEM-API.level'))!.id;
    expect((await new ObservationsRepo(store()).range(id, {}, 10)).map((o) => o.v)).toEqual([1, 2]);
  });

  it('reads a JSON array and CSV, naming lines the way the sender counts them', async () => {
    const json = JSON.stringify([
      { series: 'FMT.level', t: '2026-11-21T11:00:00Z', v: 1 },
      { series: 'FMT.level', t: 'yesterday', v: 2 },
    ]);
    const a = await post(json, 'application/json');
    expect(a.statusCode).toBe(202);
    expect(a.json()).toMatchObject({ accepted: 1, rejected: [{ line: 2 }] });

    const csv = 'series,t,v\r\nFMT.level,2026-11-21T12:00:00Z,4.5\r\nFMT.level,1763726400000,oops\r\n"FMT.level",2026-11-21T12:10:00Z,4.7\r\n';
    const c = await post(csv, 'text/csv; charset=utf-8');
    expect(c.statusCode).toBe(202);
    expect(c.json()).toMatchObject({ accepted: 2, rejectedCount: 1 });
    expect(c.json().rejected[0]).toEqual({ line: 3, error: 'v: expected a finite number, got "oops"' });
  });

  it('creates unknown series on first sight with the metadata the first observation carries', async () => {
    const body = lines({
      series: 'META1.level',
      t: '2026-11-21T10:00:00Z',
      v: 3.42,
      indicator: 'river_level',
      domain: 'natural',
      unit: 'm',
      area: 'D01',
      lon: 113.2,
      lat: 23.1,
      labels: { basin: 'pearl' },
    });
    expect((await post(body, ndjson)).statusCode).toBe(202);
    const res = await t.app.inject({ url: '/api/v1/series/META1.level', headers: { authorization: analyst } });
    expect(res.json()).toMatchObject({
      key: 'META1.level',
      indicator: 'river_level',
      domain: 'natural',
      unit: 'm',
      area: 'D01',
      location: { lon: 113.2, lat: 23.1 },
      labels: { basin: 'pearl' },
      latest: { t: '2026-11-21T10:00:00.000Z', v: 3.42 },
    });
  });

  it('announces stored batches as observations.accepted events', async () => {
    const seen: TocsinEvent[] = [];
    const stop = t.events.subscribe((e) => seen.push(e));
    await post(lines({ series: 'EVT.level', t: '2026-11-21T10:00:00Z', v: 1 }), ndjson);
    stop();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'observations.accepted', data: { accepted: 1, duplicates: 0, series: 1, source: 'http' } });
  });

  it('answers 400 when no line at all could be taken, with every reason', async () => {
    const res = await post(lines({ series: 'X.level', v: 1 }, { series: 'X.level', t: 'soon', v: 1 }), ndjson);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('TOCSIN_VALIDATION');
    expect(res.json().error.message).toMatch(/line 1: t: missing/);
    expect(res.json().error.details.rejected).toHaveLength(2);
    expect((await post('', ndjson)).statusCode).toBe(400);
    const badArray = await post('{"series":"X"}', 'application/json');
    expect(badArray.statusCode).toBe(400);
    expect(badArray.json().error.message).toMatch(/JSON array/);
    const noHeader = await post('a,b,c\n1,2,3\n', 'text/csv');
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.json().error.message).toMatch(/line 1: .*series,t,v/);
  });

  it('refuses a body over the limit with 413 and an unknown content type with 415', async () => {
    const big = lines(...Array.from({ length: 2000 }, (_, i) => ({ series: 'BIG.level', t: 1763719200000 + i * 1000, v: i })));
    const tooLarge = await post(big, ndjson);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error).toMatchObject({ code: 'TOCSIN_PAYLOAD_TOO_LARGE' });
    expect(tooLarge.json().error.message).toMatch(/65536 bytes/);
    const xml = await post('<obs/>', 'application/xml');
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.message).toMatch(/application\/xml .*application\/x-ndjson/);
  });

  it('needs credentials (401) and a role that may write (403)', async () => {
    const body = lines({ series: 'AUTH.level', t: '2026-11-21T10:00:00Z', v: 1 });
    const anonymous = await post(body, ndjson, null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/Bearer/);
    expect((await post(body, ndjson, 'Bearer tcs_not-a-real-token')).statusCode).toBe(401);
    const viewer = await post(body, ndjson, await t.bearer('viewer'));
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().error.code).toBe('TOCSIN_FORBIDDEN');
    expect((await post(body, ndjson, await t.bearer('duty_officer'))).statusCode).toBe(202);
    expect((await post(body, ndjson, await t.bearer('admin'))).json()).toMatchObject({ duplicates: 1 });
  });

  it('counts what it took in /metrics', async () => {
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/tocsin_observations_accepted_total\{source="http"\} \d+/);
    expect(res.body).toMatch(/tocsin_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/observations"/);
  });
});

describe('the observations endpoint without a store', () => {
  it('is documented in the OpenAPI description at /docs/json', async () => {
    const { openTestStore } = await import('../../store/testing/stores-under-test.ts');
    const { store, dispose } = await openTestStore('pglite');
    try {
      const t = await createTestApp(store);
      const res = await t.app.inject({ url: '/docs/json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/observations', '/api/v1/series', '/api/v1/series/{key}/observations', '/healthz']));
      expect((await t.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
    } finally {
      await dispose();
    }
  });
});

describe('compressed observation bodies', () => {
  it('reads gzip and deflate, refuses other encodings with 415, corrupt streams with 400 and bombs with 413', async () => {
    const { gzipSync, deflateSync } = await import('node:zlib');
    const { openTestStore } = await import('../../store/testing/stores-under-test.ts');
    const { store, dispose } = await openTestStore('pglite');
    try {
      const t = await createTestApp(store, { bodyLimitBytes: 64 * 1024 });
      const auth = await t.bearer('analyst');
      const body = lines(
        { series: 'GZ.level', t: '2026-11-21T10:00:00Z', v: 1 },
        { series: 'GZ.level', t: '2026-11-21T10:01:00Z', v: 2 },
      );
      const send = (payload: Buffer | string, encoding: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/observations',
          headers: { 'content-type': ndjson, 'content-encoding': encoding, authorization: auth },
          payload,
        });
      expect((await send(gzipSync(body), 'gzip')).json()).toMatchObject({ accepted: 2 });
      expect((await send(deflateSync(body), 'deflate')).json()).toMatchObject({ duplicates: 2 });
      const br = await send(body, 'br');
      expect(br.statusCode).toBe(415);
      expect(br.json().error.message).toMatch(/Content-Encoding br/);
      const corrupt = await send(Buffer.from('definitely not gzip'), 'gzip');
      expect(corrupt.statusCode).toBe(400);
      expect(corrupt.json().error.message).toMatch(/^body is not valid gzip/);
      // 2 MB of one repeated line compresses to a few KB, far under the limit; decompressed it is over.
      const bomb = gzipSync(lines(...Array.from({ length: 30_000 }, () => ({ series: 'GZ.level', t: '2026-11-21T10:00:00Z', v: 1 }))));
      expect(bomb.length).toBeLessThan(64 * 1024);
      expect((await send(bomb, 'gzip')).statusCode).toBe(413);
    } finally {
      await dispose();
    }
  });
});
