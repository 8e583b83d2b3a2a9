import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../store/testing/stores-under-test.ts';
import type { Store } from '../../store/sql-client.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

const routed = `route:\n  receiver: duty\n  routes:\n    - matchers: ['hazard="flood"']\n      receiver: flood-desk\nreceivers:\n  - name: duty\n    webhook_configs: [{ url: 'http://127.0.0.1:9/duty' }]\n  - name: flood-desk\n    email_configs: [{ to: desk@example.org, from: tocsin@example.org, smarthost: 'mail:25' }]\n`;

describe('the alerting configuration over HTTP', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let t: TestApp;
  let admin: string;
  let reader: string;

  beforeAll(async () => {
    const opened = await openTestStore('pglite');
    store = opened.store;
    dispose = opened.dispose;
    t = await createTestApp(store, { alerting: {} });
    admin = await t.bearer('admin');
    reader = await t.bearer('viewer');
  });
  afterAll(async () => {
    await t.app.close();
    await dispose();
  });

  const get = async (who: string) => (await t.app.inject({ url: '/api/v1/alerting/config', headers: { authorization: who } })).json();

  it('starts quiet: one receiver without integrations', async () => {
    const c = await get(admin);
    expect(c.origin).toEqual({ kind: 'default' });
    expect(c.receivers).toEqual([{ name: 'console', integrations: [], unsupported: [] }]);
  });

  it("refuses a configuration Alertmanager refuses, in its words, and keeps the one in force", async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/alerting/config', headers: { authorization: admin }, payload: { text: 'route:\n  receiver: ghost\nreceivers:\n  - name: duty\n' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('body: undefined receiver "ghost" used in route');
    expect((await get(admin)).origin.kind).toBe('default');
  });

  it('applies a good one at once, keeps it in the store, shows its text to administrators only', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/alerting/config', headers: { authorization: admin }, payload: { text: routed } });
    expect(res.statusCode).toBe(200);
    expect(res.json().receivers.map((r: { name: string; integrations: string[] }) => [r.name, r.integrations])).toEqual([
      ['duty', ['webhook[0]']],
      ['flood-desk', ['email[0]']],
    ]);
    expect(t.alerting!.receiversOf({ hazard: 'flood' })).toEqual(['flood-desk']);
    expect((await get(admin)).text).toBe(routed);
    expect((await get(reader)).text).toBeUndefined();
    // A restart reads it back from the store.
    const again = await createTestApp(store, { alerting: {} });
    expect(again.alerting!.receiversOf({ hazard: 'flood' })).toEqual(['flood-desk']);
    await again.app.close();
  });

  it('lets only administrators replace it', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/alerting/config', headers: { authorization: reader }, payload: { text: routed } });
    expect(res.statusCode).toBe(403);
  });

  it('refuses to edit a configuration that comes from a --config file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-amcfg-'));
    const file = path.join(dir, 'alertmanager.yml');
    fs.writeFileSync(file, routed);
    const fromFile = await createTestApp(store, { alerting: { file } });
    const token = await fromFile.bearer('admin');
    const res = await fromFile.app.inject({ method: 'PUT', url: '/api/v1/alerting/config', headers: { authorization: token }, payload: { text: routed } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toBe(`alerting is configured from ${file}: edit the file and send SIGHUP to reload it`);
    await fromFile.app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
