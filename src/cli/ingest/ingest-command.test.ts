import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/sql-client.ts';
import {
  counted,
  csvWithBadLines,
  escapeRegExp,
  ingest,
  listedRejections as listedIn,
  ndjsonWithBadLines,
  notJsonReason,
  type Run,
} from './testing/ingest-harness.ts';

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

function listedRejections(run: Run): string[] {
  return listedIn(run, dir);
}

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
    expect(listed[0]).toMatch(new RegExp(`^${escapeRegExp(csv)}:20: v: `));
  });

  it('lists the first 20 rejections and counts the rest', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `{"series":"many.a","t":"bad-${i}","v":1}`);
    const nd = file('many-bad.ndjson', [...lines, '{"series":"many.a","t":"2026-01-04T00:00:00Z","v":1}']);
    const run = await ingest(['--quiet', '--batch', '7', nd], store);
    expect(run.code).toBe(1);
    expect(counted(run, 'rejected')).toBe(30);
    const listed = listedRejections(run);
    expect(listed).toHaveLength(20);
    expect(listed[19]).toMatch(new RegExp(`^${escapeRegExp(nd)}:20: t: `));
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
    expect(run.stderr).toMatch(new RegExp(`^tocsin ingest: ${escapeRegExp(csv)}:1: unknown CSV column|^tocsin ingest: ${escapeRegExp(csv)}:1: the CSV header`));
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
