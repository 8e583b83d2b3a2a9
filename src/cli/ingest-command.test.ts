import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../domain/kernel/clock.ts';
import { parseBatch } from '../domain/observations/parse-batch.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/sql-client.ts';
import { registerIngestCommand, type TextOutput } from './ingest-command.ts';

const start = Date.parse('2026-01-10T00:00:00Z');

function buffer(isTTY = false): TextOutput & { text: string } {
  const out = {
    text: '',
    isTTY,
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  return out;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Times the command closed the store it opened. */
  closed: number;
  sleeps: number[];
}

/** Runs `tocsin ingest ARGS` as the bin would, against `store` (whose close the test keeps for itself). */
async function ingest(args: string[], store: Store | null, extra: { stdin?: AsyncIterable<Buffer | string> } = {}): Promise<Run> {
  const stdout = buffer();
  const stderr = buffer();
  const sleeps: number[] = [];
  let closed = 0;
  const clock = manualClock(start);
  const program = new Command('tocsin').exitOverride().configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  registerIngestCommand(program, {
    openStoreFromOptions: async () => {
      if (!store) throw new Error('this test does not open a store');
      // The command closes what it opens; the suite's store must outlive one run.
      return new Proxy(store, {
        get(target, key) {
          if (key === 'close') return async () => void closed++;
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
    clock: { now: () => (clock.advance(250), clock.now()) },
    stdout,
    stderr,
    ...(extra.stdin ? { stdin: extra.stdin } : {}),
    sleep: async (ms) => void sleeps.push(ms),
  });
  let code = 0;
  try {
    await program.parseAsync(['ingest', ...args], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    code = err.exitCode;
  }
  return { code, stdout: stdout.text, stderr: stderr.text, closed, sleeps };
}

/** The count on a summary line such as `  accepted    3`. */
function counted(run: Run, what: 'accepted' | 'duplicates' | 'rejected'): number {
  const m = new RegExp(`^  ${what} +(\\d+)$`, 'm').exec(run.stdout);
  if (!m) throw new Error(`no ${what} line in:\n${run.stdout}`);
  return Number(m[1]);
}

function listedRejections(run: Run): string[] {
  return run.stdout.split('\n').filter((l) => l.startsWith(dir) || l.startsWith('<stdin>'));
}

let dir: string;
let store: Store;

function file(name: string, lines: string[]): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, lines.join('\n'));
  return p;
}

async function stored(prefix: string): Promise<number> {
  const r = await store.query<{ n: number }>(
    `select count(*)::int as n from observations o join series s on s.id = o.series_id where s.key like $1`,
    [`${prefix}%`],
  );
  return r.rows[0]!.n;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-ingest-'));
  store = await openStore({ dataDir: null });
}, 60_000);

afterAll(async () => {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ndjsonWithBadLines = [
  '{"series":"nd.a","t":"2026-01-01T00:00:00Z","v":1}',
  '{"series":"nd.a","t":"2026-01-01T00:01:00Z","v":2}',
  'not json',
  '',
  '{"series":"nd.a","t":"2026-01-01T00:02:00Z"}',
  '{"series":"nd.b","t":1767225600000,"v":3}',
  '{"series":"nd.b","t":"2026-01-01T00:03:00Z","v":"high"}',
  '{"series":"nd.b","t":"2026-01-01T00:04:00Z","v":4,"unit":"m"}',
];

const csvWithBadLines = [
  'series,t,v',
  'csv.a,2026-01-01T00:00:00Z,1.5',
  'csv.a,2026-01-01T00:01:00Z,oops',
  'csv.a,2026-01-01T00:02:00Z,2.5',
  '',
  'csv.b,1767225600000,3',
  'csv.b,2026-01-01T00:03:00Z',
  'csv.b,2026-01-01T00:04:00Z,4',
];

describe('tocsin ingest into the store', () => {
  it('stores the good lines of NDJSON and CSV files, names bad ones by file line, exits 1', async () => {
    const nd = file('mixed.ndjson', ndjsonWithBadLines);
    const csv = file('mixed.csv', csvWithBadLines);
    // Batches of 2 lines make every rejection land in a later batch than the first.
    const run = await ingest(['--batch', '2', '--quiet', nd, csv], store);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^2 files, 13 lines in \d+\.\d\d s \(\d+ rows\/s\), into .+$/m);
    expect(counted(run, 'accepted')).toBe(8);
    expect(counted(run, 'duplicates')).toBe(0);
    expect(counted(run, 'rejected')).toBe(5);
    const listed = listedRejections(run);
    expect(listed.map((l) => l.split(': ')[0])).toEqual([
      `${nd}:3`,
      `${nd}:5`,
      `${nd}:7`,
      `${csv}:3`,
      `${csv}:7`,
    ]);
    expect(listed[0]).toContain('not valid JSON');
    expect(listed[1]).toContain('v');
    expect(listed[3]).toContain('oops');
    expect(listed[4]).toContain('expected 3 fields, found 2');
    expect(run.stderr).toBe('');
    expect(run.closed).toBe(1);
    expect(await stored('nd.')).toBe(4);
    expect(await stored('csv.')).toBe(4);
  });

  it('is idempotent: a second run finds only duplicates and exits 0 when no line is bad', async () => {
    const clean = file('clean.jsonl', [
      '{"series":"idem.a","t":"2026-01-02T00:00:00Z","v":1}',
      '{"series":"idem.a","t":"2026-01-02T00:01:00Z","v":2}',
      '{"series":"idem.b","t":"2026-01-02T00:00:00Z","v":3}',
    ]);
    const first = await ingest(['--quiet', clean], store);
    expect(first.code).toBe(0);
    expect([counted(first, 'accepted'), counted(first, 'duplicates'), counted(first, 'rejected')]).toEqual([3, 0, 0]);
    const second = await ingest(['--quiet', '--batch', '1', clean], store);
    expect(second.code).toBe(0);
    expect([counted(second, 'accepted'), counted(second, 'duplicates'), counted(second, 'rejected')]).toEqual([0, 3, 0]);
    expect(await stored('idem.')).toBe(3);
  });

  it('repeats the CSV header for every batch and keeps file line numbers past leading blank lines', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `hdr.a,2026-01-03T00:${String(i).padStart(2, '0')}:00Z,${i === 17 ? 'x' : i}`);
    const csv = file('long.csv', ['', 'series,t,v', ...rows, '']);
    const run = await ingest(['--quiet', '--batch', '4', csv], store);
    expect(run.code).toBe(1);
    expect(counted(run, 'accepted')).toBe(24);
    // Row i sits on file line i + 3 (a blank line, then the header).
    const listed = listedRejections(run);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatch(new RegExp(`^${escape(csv)}:20: v: `));
  });

  it('lists the first 20 rejections and counts the rest', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `{"series":"many.a","t":"bad-${i}","v":1}`);
    const nd = file('many-bad.ndjson', [...lines, '{"series":"many.a","t":"2026-01-04T00:00:00Z","v":1}']);
    const run = await ingest(['--quiet', '--batch', '7', nd], store);
    expect(run.code).toBe(1);
    expect(counted(run, 'rejected')).toBe(30);
    const listed = listedRejections(run);
    expect(listed).toHaveLength(20);
    expect(listed[19]).toMatch(new RegExp(`^${escape(nd)}:20: t: `));
    expect(run.stdout).toContain('… and 10 more');
  });

  it('reads stdin for "-", as NDJSON unless --format says CSV', async () => {
    const nd = await ingest(['--quiet', '-'], store, {
      stdin: Readable.from([Buffer.from('{"series":"stdin.a","t":"2026-01-05T00:00:00Z",'), Buffer.from('"v":1}\n\n{"series":"stdin.a"')]),
    });
    expect(nd.code).toBe(1);
    expect(counted(nd, 'accepted')).toBe(1);
    expect(listedRejections(nd)).toEqual(['<stdin>:3: not valid JSON: ' + notJsonReason('{"series":"stdin.a"')]);
    const csv = await ingest(['--quiet', '--format', 'csv', '-'], store, {
      stdin: Readable.from(['series,t,v\r\nstdin.b,2026-01-05T00:00:00Z,2\r\n']),
    });
    expect(csv.code).toBe(0);
    expect(counted(csv, 'accepted')).toBe(1);
  });

  it('splits lines correctly when a multi-byte character straddles two reads', async () => {
    const line = '{"series":"utf.a","t":"2026-01-06T00:00:00Z","v":1,"unit":"m³"}\n';
    const bytes = Buffer.from(line);
    const at = bytes.indexOf(Buffer.from('³')) + 1;
    const run = await ingest(['--quiet', '-'], store, { stdin: Readable.from([bytes.subarray(0, at), bytes.subarray(at)]) });
    expect(run.code).toBe(0);
    expect(counted(run, 'accepted')).toBe(1);
  });

  it('accepts any extension with --format', async () => {
    const txt = file('readings.txt', ['{"series":"fmt.a","t":"2026-01-07T00:00:00Z","v":1}']);
    expect((await ingest(['--quiet', txt], store)).code).toBe(2);
    expect((await ingest(['--quiet', '--format', 'ndjson', txt], store)).code).toBe(0);
  });
});

describe('tocsin ingest failures', () => {
  it('exits 2 with one line when a file is missing, before storing anything', async () => {
    const good = file('before-missing.ndjson', ['{"series":"miss.a","t":"2026-01-08T00:00:00Z","v":1}']);
    const run = await ingest(['--quiet', good, path.join(dir, 'nope.ndjson')], store);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`tocsin ingest: cannot read ${path.join(dir, 'nope.ndjson')}: ENOENT\n`);
    expect(run.closed).toBe(0);
    expect(await stored('miss.')).toBe(0);
  });

  it('exits 2 on a CSV without its header, naming the file and line', async () => {
    const csv = file('no-header.csv', ['nohdr.a,2026-01-08T00:00:00Z,1']);
    const run = await ingest(['--quiet', csv], store);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^tocsin ingest: ${escape(csv)}:1: unknown CSV column|^tocsin ingest: ${escape(csv)}:1: the CSV header`));
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await stored('nohdr.')).toBe(0);
  });

  it('exits 2 on a bad --batch and on a folder', async () => {
    const nd = file('ok.ndjson', ['{"series":"x.a","t":"2026-01-08T00:00:00Z","v":1}']);
    expect((await ingest(['--batch', '0', nd], store)).stderr).toContain('--batch 0');
    const run = await ingest(['--quiet', dir], store);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is a folder');
  });

  it('exits 2 when the store cannot be opened', async () => {
    const nd = file('nostore.ndjson', ['{"series":"x.a","t":"2026-01-08T00:00:00Z","v":1}']);
    const run = await ingest(['--quiet', nd], null);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tocsin ingest: this test does not open a store\n');
  });
});

describe('tocsin ingest output', () => {
  it('prints plain progress lines, not escape codes, when stderr is not a terminal', async () => {
    const nd = file('progress.ndjson', ['{"series":"prog.a","t":"2026-01-09T00:00:00Z","v":1}']);
    const run = await ingest([nd], store);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('100%');
    expect(run.stderr).toContain('progress.ndjson');
    expect(run.stderr).not.toContain('\x1b');
  });

  it('has help with examples and exit statuses', async () => {
    const run = await ingest(['--help'], store);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: tocsin ingest [options] <files...>');
    expect(run.stdout).toContain('$ tocsin ingest gauges.ndjson rain.csv');
    expect(run.stdout).toContain('Exit status');
    expect(run.stdout).toContain('(env: TOCSIN_URL)');
  });
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
    expect(run.stdout).toMatch(new RegExp(`^2 files, 13 lines in .*, into ${escape(server.url)}$`, 'm'));
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function notJsonReason(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
