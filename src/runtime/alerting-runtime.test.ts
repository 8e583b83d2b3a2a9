import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../store/testing/stores-under-test.ts';
import type { Store } from '../store/sql-client.ts';
import { parseAlertingConfig } from '../domain/alerting/config/alerting-config.ts';
import { verifySignature } from '../connectors/webhook/signature.ts';
import { startAlerting } from './alerting-runtime.ts';

/** A rule's signal that a series went red, as detection hands it to alerting. */
function redSignal(alertname: string, series: string, area: string, summary: string, t: number) {
  return { kind: 'firing' as const, t, level: 'red', previousLevel: null, labels: { alertname, series, area, level: 'red' }, annotations: { summary } };
}

/**
 * The dispatcher with the real connectors, as `tocsin serve` runs it: one alert group notified
 * through a signed webhook, an SMS gateway and an SMTP server, all real and local.
 */
describe('alerting with the real receivers', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let http: Server;
  let smtp: SMTPServer;
  const requests: { path: string; body: string; headers: Record<string, string | string[] | undefined> }[] = [];
  const mails: string[] = [];
  let base = '';
  let smarthost = '';

  beforeAll(async () => {
    ({ store, dispose } = await openTestStore('pglite'));
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body, headers: req.headers });
        res.end();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
        stream.on('end', () => {
          mails.push(raw);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    smarthost = `127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await dispose();
  });

  it('notifies one group through every integration of its receiver, each in its own form', async () => {
    const config = parseAlertingConfig(`
route:
  receiver: duty
  group_by: [area]
  group_wait: 10s
receivers:
  - name: duty
    webhook_configs:
      - url: '${base}/hook'
        signature_secret: s3cret
    email_configs:
      - { to: duty@example.org, from: tocsin@example.org, smarthost: '${smarthost}', require_tls: false }
    sms_configs:
      - { to: '+8613800000000', gateway_url: '${base}/sms', body: '{"to":"{{to}}","text":"{{text}}"}' }
`);
    let now = Date.UTC(2026, 10, 22, 9, 0);
    const { service } = await startAlerting(store, config, { clock: { now: () => now }, externalURL: 'http://tocsin.test' });
    await service.onSignals([redSignal('river-bands', 'RG-01.level', 'D07', 'River level at RG-01 is red (5.6 m)', now)]);
    now += 10_000;
    expect(await service.tick(now)).toEqual({ flushed: 1, delivered: 3 });

    const hook = requests.find((r) => r.path === '/hook')!;
    expect(verifySignature('s3cret', hook.body, hook.headers['x-tocsin-signature'] as string, now)).toEqual({ ok: true });
    expect(JSON.parse(hook.body).groupKey).toBe('{}:{area="D07"}');
    const sms = JSON.parse(requests.find((r) => r.path === '/sms')!.body);
    expect(sms).toEqual({ to: '+8613800000000', text: '[FIRING:1] area=D07: River level at RG-01 is red (5.6 m)' });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/Subject: \[FIRING:1\]/);
    expect(mails[0]).toContain('River level at RG-01 is red (5.6 m)');
  });

  it('pages the on-call responder of an escalation by e-mail and by SMS', async () => {
    const mailsBefore = mails.length;
    const smsBefore = requests.filter((r) => r.path === '/page-sms').length;
    const config = parseAlertingConfig(`
route:
  receiver: desk
  group_by: [area]
  group_wait: 10s
  escalation_policy: ladder
receivers:
  - name: desk
  - name: pager-ana
    email_configs:
      - { to: ana@example.org, from: tocsin@example.org, smarthost: '${smarthost}', require_tls: false }
    sms_configs:
      - { to: '+8613900000000', gateway_url: '${base}/page-sms', body: '{"to":"{{to}}","text":"{{text}}"}' }
responders:
  - { id: ana, receiver: pager-ana }
schedules:
  - name: duty
    layers:
      - rotation: { participants: [ana], length: 1d, handoff: '08:00', start: '2026-11-01' }
escalation_policies:
  - name: ladder
    steps:
      - { notify: [{ schedule: duty }], wait: 15m }
`);
    let now = Date.UTC(2026, 10, 22, 10, 0);
    const { service } = await startAlerting(store, config, { clock: { now: () => now }, externalURL: 'http://tocsin.test' });
    await service.onSignals([redSignal('water-pressure-low', 'WP-3.pressure', 'D09', 'Water pressure at WP-3 is red (1.1 bar)', now)]);
    now += 10_000;
    // The desk has no integration: the first notice goes nowhere, and the escalation pages ana.
    await service.tick(now);
    expect(mails.slice(mailsBefore)).toHaveLength(1);
    expect(mails[mailsBefore]).toContain('To: ana@example.org');
    expect(mails[mailsBefore]).toContain('Water pressure at WP-3 is red (1.1 bar)');
    const pages = requests.filter((r) => r.path === '/page-sms').slice(smsBefore);
    expect(pages.map((r) => JSON.parse(r.body).to)).toEqual(['+8613900000000']);
  });
});
