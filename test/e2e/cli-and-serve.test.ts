import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTocsin, startServe, tokenFor, type ServerProcess } from '../support/tocsin-process.ts';

const t0 = Date.UTC(2026, 10, 21, 0, 0, 0);

describe('tocsin serve and the CLI on one data folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-cli-'));
  const dataDir = path.join(dir, 'data');
  let server: ServerProcess | undefined;

  beforeAll(() => {
    const lines = [
      ...Array.from({ length: 300 }, (_, i) => JSON.stringify({ series: 'CLI-1.level', t: t0 + i * 60_000, v: i / 10 })),
      '{"series":"CLI-1.level","t":"not a time","v":1}',
    ];
    fs.writeFileSync(path.join(dir, 'obs.ndjson'), lines.join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'obs.csv'), 'series,t,v\nCLI-2.rain,2026-11-21T00:00:00Z,0.4\nCLI-2.rain,2026-11-21T00:10:00Z,1.2\n');
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a one-time admin password on first start, which signs in', async () => {
    server = await startServe(['--data', dataDir]);
    const m = /one-time password: (\S+)/.exec(server.stderr());
    expect(m).not.toBeNull();
    const token = await tokenFor(server.url, 'admin', m![1]!);
    expect(token).toMatch(/^tcs_/);
  });

  it('serves /healthz, /docs and /metrics', async () => {
    const health = await fetch(`${server!.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', store: { kind: 'pglite' } });
    const docs = await fetch(`${server!.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
    const spec = (await (await fetch(`${server!.url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain('/api/v1/observations');
    const metrics = await fetch(`${server!.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    for (const name of [
      'tocsin_observations_accepted_total',
      'tocsin_observations_rejected_total',
      'tocsin_http_request_duration_seconds_bucket',
      'tocsin_store_write_duration_seconds',
      'tocsin_event_loop_lag_seconds',
      'tocsin_sse_clients',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('refuses a second process on the folder the server holds, in one line', async () => {
    const res = await runTocsin(['user', 'add', 'alice', '--role', 'analyst', '--data', dataDir]);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split('\n')[0]).toMatch(/^tocsin: data folder .* is in use by process \d+/);
  });

  it('ingests a file into the running server over HTTP with a summary', async () => {
    const m = /one-time password: (\S+)/.exec(server!.stderr());
    const token = await tokenFor(server!.url, 'admin', m![1]!);
    const res = await runTocsin(['ingest', path.join(dir, 'obs.ndjson'), '--url', server!.url, '--token', token, '--quiet']);
    expect(res.code).toBe(1); // one line refused; the good ones are stored
    expect(res.stdout).toMatch(/accepted\D+300/);
    expect(res.stdout).toMatch(/obs\.ndjson:301: t: /);
    const again = await runTocsin(['ingest', path.join(dir, 'obs.ndjson'), '--url', server!.url, '--token', token, '--quiet']);
    expect(again.stdout).toMatch(/duplicates\D+300/);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await server!.stop('SIGTERM')).toBe(0);
    server = undefined;
  });

  it('adds users and tokens, migrates and ingests straight into the folder while no server runs', async () => {
    const add = await runTocsin(['user', 'add', 'alice', '--role', 'analyst', '--password', 'correct-horse-battery', '--data', dataDir]);
    expect(add.code).toBe(0);
    const badRole = await runTocsin(['user', 'add', 'bob', '--role', 'overlord', '--data', dataDir]);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/overlord.*admin, analyst, duty_officer/);
    const token = await runTocsin(['token', 'create', 'alice', '--data', dataDir]);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^tcs_[A-Za-z0-9_-]+$/);
    const migrate = await runTocsin(['migrate', '--data', dataDir]);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/already up to date/);
    const csv = await runTocsin(['ingest', path.join(dir, 'obs.csv'), '--data', dataDir, '--quiet']);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toMatch(/accepted\D+2/);

    // The analyst's token works against the restarted server, and sees what the CLI stored.
    server = await startServe(['--data', dataDir]);
    const auth = { authorization: `Bearer ${token.stdout.trim()}` };
    const rain = await fetch(`${server.url}/api/v1/series/CLI-2.rain/observations`, { headers: auth });
    expect(((await rain.json()) as { observations: unknown[] }).observations).toHaveLength(2);
    const write = await fetch(`${server.url}/api/v1/observations`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: 'series,t,v\nCLI-2.rain,2026-11-21T00:20:00Z,2.0\n',
    });
    expect(write.status).toBe(202);
  });

  it('rejects bad settings with one line naming each problem', async () => {
    const res = await runTocsin(['serve', '--port', 'eighty', '--data', dataDir], { TOCSIN_COLOUR: 'red', TOCSIN_RETENTION: 'forever' });
    expect(res.code).toBe(2);
    const first = res.stderr.trim().split('\n')[0]!;
    expect(first).toMatch(/^tocsin: invalid configuration: /);
    expect(first).toMatch(/TOCSIN_COLOUR: unknown setting/);
    expect(first).toMatch(/--port: "eighty" is not a port number/);
    expect(first).toMatch(/TOCSIN_RETENTION: "forever" is not a duration/);
  });

  it('has --help on every command', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['ingest', '--help'], ['migrate', '--help'], ['user', 'add', '--help'], ['token', 'create', '--help'], ['demo', '--help']]) {
      const res = await runTocsin(args);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/Usage: tocsin/);
    }
    expect((await runTocsin(['serve', '--help'])).stdout).toMatch(/TOCSIN_BODY_LIMIT/);
  });
});
