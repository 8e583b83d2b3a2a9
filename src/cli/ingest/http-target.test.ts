import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseBatch } from '../../domain/observations/parse-batch.ts';
import {
  counted,
  csvWithBadLines,
  escapeRegExp,
  ingest,
  listedRejections as listedIn,
  ndjsonWithBadLines,
  start,
  type Run,
} from './testing/ingest-harness.ts';

let dir: string;

function file(name: string, lines: string[]): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, lines.join('\n'));
  return p;
}

function listedRejections(run: Run): string[] {
  return listedIn(run, dir);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-ingest-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A stand-in for `POST /api/v1/observations` that keeps the real route's contract: Bearer token,
 * NDJSON or CSV, 202 {accepted, duplicates, rejected, rejectedCount}, and 400 with the rejections
 * in error.details when no line of a batch was good. The lead's end-to-end test covers the real one.
 */
async function standInServer(): Promise<{ app: FastifyInstance; url: string; seen: string[]; failNext: (n: number, status: number) => void }> {
  const app = Fastify({ logger: false });
  const keys = new Set<string>();
  const seen: string[] = [];
  let failures = 0;
  let failStatus = 503;
  app.addContentTypeParser(['application/x-ndjson', 'text/csv'], { parseAs: 'string' }, (_r, body, done) => done(null, body));
  app.post('/api/v1/observations', async (request, reply) => {
    seen.push(String(request.headers['content-type']));
    if (failures > 0) {
      failures--;
      return reply.code(failStatus).send({ error: { code: 'TOCSIN_STORE_UNAVAILABLE', message: 'shutting down' } });
    }
    if (request.headers.authorization !== 'Bearer s3cret') {
      return reply.code(401).send({ error: { code: 'TOCSIN_UNAUTHENTICATED', message: 'no valid credentials' } });
    }
    const format = request.headers['content-type'] === 'text/csv' ? 'csv' : 'ndjson';
    const batch = parseBatch(request.body as string, format, start);
    let accepted = 0;
    for (const o of batch.observations) {
      const key = `${o.series}|${o.t}`;
      if (!keys.has(key)) accepted++;
      keys.add(key);
    }
    if (batch.observations.length === 0) {
      return reply.code(400).send({
        error: { code: 'TOCSIN_VALIDATION', message: 'no observation accepted', details: { rejected: batch.rejected, rejectedCount: batch.rejected.length } },
      });
    }
    return reply.code(202).send({ accepted, duplicates: batch.observations.length - accepted, rejected: batch.rejected, rejectedCount: batch.rejected.length });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url,
    seen,
    failNext: (n, status) => {
      failures = n;
      failStatus = status;
    },
  };
}

describe('tocsin ingest --url', () => {
  let server: Awaited<ReturnType<typeof standInServer>>;
  beforeAll(async () => {
    server = await standInServer();
  });
  afterAll(async () => {
    await server.app.close();
  });

  it('posts batches with the right content type and maps rejections to file lines', async () => {
    const nd = file('url.ndjson', ndjsonWithBadLines.map((l) => l.replaceAll('nd.', 'url.')));
    const csv = file('url.csv', csvWithBadLines.map((l) => l.replaceAll('csv.', 'urlcsv.')));
    const run = await ingest(['--quiet', '--batch', '2', '--url', server.url, '--token', 's3cret', nd, csv], null);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^2 files, 13 lines in .*, into ${escapeRegExp(server.url)}$`, 'm'));
    expect([counted(run, 'accepted'), counted(run, 'duplicates'), counted(run, 'rejected')]).toEqual([8, 0, 5]);
    // Batch [3,4] of the NDJSON file has no good line: the server's 400 still counts as rejections.
    expect(listedRejections(run).map((l) => l.split(': ')[0])).toEqual([`${nd}:3`, `${nd}:5`, `${nd}:7`, `${csv}:3`, `${csv}:7`]);
    expect(new Set(server.seen)).toEqual(new Set(['application/x-ndjson', 'text/csv']));

    const again = await ingest(['--quiet', '--url', `${server.url}/`, '--token', 's3cret', nd, csv], null);
    expect([counted(again, 'accepted'), counted(again, 'duplicates'), counted(again, 'rejected')]).toEqual([0, 8, 5]);
  });

  it('reads the server and token from TOCSIN_URL and TOCSIN_TOKEN', async () => {
    vi.stubEnv('TOCSIN_URL', server.url);
    vi.stubEnv('TOCSIN_TOKEN', 's3cret');
    try {
      const nd = file('env.ndjson', ['{"series":"env.a","t":"2026-01-09T00:00:00Z","v":1}']);
      const run = await ingest(['--quiet', nd], null);
      expect(run.code).toBe(0);
      expect(counted(run, 'accepted')).toBe(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('retries 5xx answers with backoff, then carries on', async () => {
    const nd = file('retry.ndjson', ['{"series":"retry.a","t":"2026-01-09T00:00:00Z","v":1}']);
    server.failNext(2, 503);
    const run = await ingest(['--quiet', '--url', server.url, '--token', 's3cret', nd], null);
    expect(run.code).toBe(0);
    expect(counted(run, 'accepted')).toBe(1);
    expect(run.sleeps).toEqual([500, 1000]);
  });

  it('gives up on a server that keeps failing, with one line and exit 2', async () => {
    const nd = file('down.ndjson', ['{"series":"down.a","t":"2026-01-09T00:00:00Z","v":1}']);
    server.failNext(10, 500);
    const run = await ingest(['--quiet', '--url', server.url, '--token', 's3cret', nd], null);
    server.failNext(0, 503);
    expect(run.code).toBe(2);
    expect(run.sleeps).toEqual([500, 1000, 2000, 4000]);
    expect(run.stderr).toBe(`tocsin ingest: server at ${server.url} kept failing on ${nd} from line 1: 500 shutting down\n`);
  });

  it('stops at a 4xx with the server\'s reason', async () => {
    const nd = file('denied.ndjson', ['{"series":"denied.a","t":"2026-01-09T00:00:00Z","v":1}']);
    const run = await ingest(['--quiet', '--url', server.url, '--token', 'wrong', nd], null);
    expect(run.code).toBe(2);
    expect(run.sleeps).toEqual([]);
    expect(run.stderr).toBe(`tocsin ingest: server refused ${nd} from line 1: 401 no valid credentials\n`);
  });

  it('exits 2 when the server cannot be reached, and when no token is given', async () => {
    const nd = file('unreachable.ndjson', ['{"series":"u.a","t":"2026-01-09T00:00:00Z","v":1}']);
    const closed = Fastify({ logger: false });
    const url = await closed.listen({ host: '127.0.0.1', port: 0 });
    await closed.close();
    const run = await ingest(['--quiet', '--url', url, '--token', 's3cret', nd], null);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`tocsin ingest: server unreachable at ${url}: ECONNREFUSED\n`);
    const noToken = await ingest(['--quiet', '--url', url, nd], null);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('--url needs an API token');
  });
});
