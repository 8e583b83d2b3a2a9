import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tocsinBin, tokenFor } from '../support/tocsin-process.ts';

/** Reads the demo's stdout until `pattern` appears (bounded by `timeoutMs`). */
function waitFor(child: ChildProcess, output: { text: string }, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(output.text);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(m);
      }
    };
    const timer = setTimeout(() => reject(new Error(`demo never printed ${pattern}:\n${output.text.slice(-2000)}`)), timeoutMs);
    child.stdout!.on('data', check);
    check();
  });
}

async function acceptedFromDemo(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /tocsin_observations_accepted_total\{source="demo"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('tocsin demo', () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-demo-')), 'demo');
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('serves the API with weeks of history across five domains, then live observations', async () => {
    const output = { text: '' };
    child = spawn(process.execPath, [tocsinBin, 'demo', '--port', '0', '--data', dataDir, '--speed', '600'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TOCSIN_ADMIN_PASSWORD: '' },
    });
    child.stdout!.on('data', (c: Buffer) => (output.text += c.toString()));
    child.stderr!.resume();
    const [, url] = await waitFor(child, output, /Open\s+(http:\/\/\S+)/, 60_000);
    const [, password] = await waitFor(child, output, /Sign in admin \/ (\S+)/, 5_000);
    await waitFor(child, output, /Loaded\s+[\d,]+ observations of history/, 120_000);
    const history = await acceptedFromDemo(url!);
    expect(history).toBeGreaterThan(500_000);

    const token = await tokenFor(url!, 'admin', password!);
    const headers = { authorization: `Bearer ${token}` };
    const all = (await (await fetch(`${url}/api/v1/series?limit=1000`, { headers })).json()) as {
      total: number;
      items: { domain: string }[];
    };
    expect(all.total).toBeGreaterThanOrEqual(300);
    expect(new Set(all.items.map((s) => s.domain)).size).toBeGreaterThanOrEqual(5);
    const weekly = (await (await fetch(`${url}/api/v1/series/GE-D02.cases/observations?order=desc&limit=400`, { headers })).json()) as {
      observations: unknown[];
    };
    expect(weekly.observations.length).toBeGreaterThan(52); // years of weekly counts for a seasonal baseline

    // Live data keeps arriving: poll the counter (bounded) rather than sleep a fixed time.
    const deadline = Date.now() + 30_000;
    let live = history;
    while (live <= history && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      live = await acceptedFromDemo(url!);
    }
    expect(live).toBeGreaterThan(history);
    expect((await fetch(`${url}/docs/json`)).status).toBe(200);

    // Alerts from the demo's signals are routed by its Alertmanager-format configuration and
    // notified to its own listener (bounded poll: flushes run on the server's timers).
    expect(output.text).toMatch(/Alerts\s+routed by .*alertmanager\.yml/);
    const alertingDeadline = Date.now() + 30_000;
    let delivered = 0;
    while (delivered === 0 && Date.now() < alertingDeadline) {
      const log = (await (await fetch(`${url}/api/v1/notifications?status=delivered`, { headers })).json()) as { items: unknown[] };
      delivered = log.items.length;
      if (delivered === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(delivered).toBeGreaterThan(0);
    const config = (await (await fetch(`${url}/api/v1/alerting/config`, { headers })).json()) as { escalationPolicies: string[]; schedules: string[] };
    expect(config).toMatchObject({ escalationPolicies: ['flood-ladder'], schedules: ['river-duty'] });
  });
});
