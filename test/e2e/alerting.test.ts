import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTocsin, startServe, tokenFor, type ServerProcess } from '../support/tocsin-process.ts';
import { eventually } from '../support/eventually.ts';
import { verifySignature } from '../../src/connectors/webhook/signature.ts';

const password = 'e2e-secret-passphrase-1';


describe('alerting in tocsin serve', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-alerting-'));
  const received: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
  let hook: Server;
  let hookUrl = '';
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ body, headers: req.headers });
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses to start on a configuration Alertmanager refuses, with Alertmanager's message and the file", async () => {
    const bad = path.join(dir, 'bad.yml');
    fs.writeFileSync(bad, 'route:\n  receiver: nobody\nreceivers:\n  - name: duty\n');
    const r = await runTocsin(['serve', '--port', '0', '--data', path.join(dir, 'bad-data'), '--config', bad], { TOCSIN_ADMIN_PASSWORD: password });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${bad}: undefined receiver "nobody" used in route`);
  });

  it('sends an Alertmanager webhook for a rule that fires, and lists the alert', async () => {
    const rules = path.join(dir, 'rules');
    fs.mkdirSync(rules);
    fs.writeFileSync(path.join(rules, 'river.yaml'), 'name: river-bands\nselect: { indicator: river_level }\ndetector: { type: bands, levels: { red: 5 } }\nlabels: { hazard: flood }\n');
    const config = path.join(dir, 'alertmanager.yml');
    fs.writeFileSync(
      config,
      `route:\n  receiver: duty\n  group_by: [area]\n  group_wait: 1s\n  group_interval: 1m\nreceivers:\n  - name: duty\n    webhook_configs:\n      - url: '${hookUrl}'\n        signature_secret: e2e-shared-secret\n  - name: chat\n    slack_configs: [{ api_url: 'https://hooks.example/x' }]\n`,
    );
    server = await startServe(['--data', path.join(dir, 'data'), '--rules', rules, '--config', config, '--log-level', 'warn'], { TOCSIN_ADMIN_PASSWORD: password });
    const token = await tokenFor(server.url, 'admin', password);
    const auth = { authorization: `Bearer ${token}` };
    const t = Date.now();
    const body = [4, 6].map((v, i) => JSON.stringify({ series: 'RG-9.level', t: t - 60_000 + i * 30_000, v, ...(i === 0 ? { indicator: 'river_level', area: 'D09' } : {}) })).join('\n');
    const posted = await fetch(`${server.url}/api/v1/observations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body });
    expect(posted.status).toBe(202);

    const first = await eventually(() => received[0]);
    const payload = JSON.parse(first.body);
    expect(payload).toMatchObject({ receiver: 'duty', status: 'firing', version: '4', groupKey: '{}:{area="D09"}', notification_reason: 'first notification' });
    expect(payload.alerts[0].labels).toMatchObject({ alertname: 'river-bands', series: 'RG-9.level', level: 'red', hazard: 'flood', area: 'D09' });
    expect(first.headers['user-agent']).toMatch(/^Tocsin\//);
    // Signed with the secret Tocsin's addition to webhook_configs names: the receiver can check it.
    expect(verifySignature('e2e-shared-secret', first.body, first.headers['x-tocsin-signature'] as string, Date.now())).toEqual({ ok: true });

    const alerts = (await (await fetch(`${server.url}/api/v1/alerts?state=firing`, { headers: auth })).json()) as { items: { fingerprint: string; receivers: { name: string }[] }[] };
    expect(alerts.items).toHaveLength(1);
    expect(alerts.items[0]!.fingerprint).toBe(payload.alerts[0].fingerprint);
    const log = (await (await fetch(`${server.url}/api/v1/notifications`, { headers: auth })).json()) as { items: { status: string }[] };
    expect(log.items.map((n) => n.status)).toEqual(['delivered']);

    // SIGHUP re-reads the file; a receiver added there is in force without a restart.
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8') + "  - name: night-desk\n    webhook_configs: [{ url: 'http://127.0.0.1:9/night' }]\n");
    server.child.kill('SIGHUP');
    await eventually(async () => {
      const c = (await (await fetch(`${server!.url}/api/v1/alerting/config`, { headers: auth })).json()) as { receivers: { name: string }[] };
      return c.receivers.some((r) => r.name === 'night-desk') ? true : undefined;
    });
  });
});
