import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../../store/testing/stores-under-test.ts';
import type { Store } from '../../store/sql-client.ts';
import { AlertingRepo } from '../../store/repos/alerting-repo.ts';
import { DetectionRepo } from '../../store/repos/detection-repo.ts';
import { parseAlertingConfig } from '../../domain/alerting/config/alerting-config.ts';
import type { SignalForAlerting } from '../../domain/alerting/alert.ts';
import { AlertingService, type AlertingPorts, type DeliveryOutcome } from './alerting-service.ts';

const s = 1000;
const min = 60 * s;
const t0 = Date.UTC(2026, 10, 22, 8, 0, 0);

/** A webhook receiver: records every body; answers with the statuses queued, then 200. */
interface Receiver {
  url: string;
  bodies: string[];
  failNext(...statuses: number[]): void;
}

let server: Server;
const received: string[] = [];
const paths: string[] = [];
const statuses: number[] = [];
const receiver: Receiver = {
  url: '',
  bodies: received,
  failNext: (...codes) => statuses.push(...codes),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push(body);
      paths.push(req.url ?? '');
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function config(groupWait = '30s') {
  return parseAlertingConfig(`
route:
  receiver: duty
  group_by: [area]
  group_wait: ${groupWait}
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: duty
    webhook_configs: [{ url: '${receiver.url}' }]
`);
}

/** The test's own plain delivery (the connectors have their own tests): POST the payload, 2xx is ok. */
const ports = (store: Store): AlertingPorts => ({
  repo: new AlertingRepo(store),
  async deliver(notification, integration): Promise<DeliveryOutcome> {
    if (integration.kind !== 'webhook') throw new Error('webhook only here');
    const res = await fetch(integration.config.url!, { method: 'POST', body: notification.payload, headers: { 'content-type': 'application/json' } });
    return { ok: res.ok, status: res.status, error: res.ok ? null : `HTTP ${res.status}`, retryable: res.status >= 500, durationMs: 0 };
  },
  // Retry after 10 s, 20 s, … up to 3 attempts.
  retry: (outcome, attempt, now) =>
    outcome.ok ? { kind: 'delivered' } : outcome.retryable && attempt < 3 ? { kind: 'retry', at: now + 10 * s * attempt } : { kind: 'dead-letter', reason: outcome.error ?? 'failed' },
});

const options = { externalURL: 'http://tocsin.test', generatorURL: (l: Record<string, string>) => `http://tocsin.test/series/${l['series']}` };

const signal = (kind: SignalForAlerting['kind'], series: string, area: string, at: number, level = 'red'): SignalForAlerting => ({
  kind,
  t: at,
  level: kind === 'resolved' ? null : level,
  previousLevel: kind === 'resolved' ? level : null,
  labels: { alertname: 'river-bands', series, area, level },
  annotations: { summary: `${series} is ${kind === 'resolved' ? 'normal' : level}` },
});

type Payload = {
  status: string;
  alerts: { status: string; labels: Record<string, string>; fingerprint: string }[];
  notification_reason: string;
  groupKey: string;
  changed?: { firing: string[]; resolved: string[] };
};
const payloads = (from: number) => received.slice(from).map((b) => JSON.parse(b) as Payload);

describeEachStore('the alert dispatcher', (store: () => Store) => {
  it('groups, waits, notifies once per change, survives a restart without repeating, and sends the resolution', async () => {
    const seen = received.length;
    const first = new AlertingService(config(), ports(store()), options);
    await first.start();
    await first.onSignals([signal('firing', 'ST01.level', 'D07', t0)]);
    expect(await first.tick(t0 + 29 * s)).toEqual({ flushed: 0, delivered: 0 });
    // A second alert of the same area inside group_wait goes out with the first.
    await first.onSignals([signal('firing', 'ST02.level', 'D07', t0 + 10 * s)]);
    expect(await first.tick(t0 + 30 * s)).toEqual({ flushed: 1, delivered: 1 });
    expect(payloads(seen).map((p) => [p.notification_reason, p.alerts.length, p.groupKey])).toEqual([['first notification', 2, '{}:{area="D07"}']]);

    // A third alert after the first flush waits for the next group interval.
    await first.onSignals([signal('firing', 'ST03.level', 'D07', t0 + 60 * s)]);
    expect((await first.tick(t0 + 60 * s)).delivered).toBe(0);

    // The process stops here; a new one resumes from the store.
    const second = new AlertingService(config(), ports(store()), options);
    await second.start();
    expect((await second.tick(t0 + 30 * s + 5 * min)).delivered).toBe(1);
    expect(payloads(seen).at(-1)!.notification_reason).toBe('new alerts firing');
    expect(payloads(seen).at(-1)!.alerts).toHaveLength(3);
    // What changed since the first notice: only the third alert.
    const third = payloads(seen).at(-1)!.alerts.find((a) => a.labels['series'] === 'ST03.level')!;
    expect(payloads(seen).at(-1)!.changed).toEqual({ firing: [third.fingerprint], resolved: [] });
    expect(payloads(seen)[0]!.changed!.firing).toHaveLength(2);
    // Nothing new: no repeat before four hours.
    expect((await second.tick(t0 + 30 * s + 10 * min)).delivered).toBe(0);
    expect(received.length - seen).toBe(2);

    await second.onSignals(['ST01.level', 'ST02.level', 'ST03.level'].map((series) => signal('resolved', series, 'D07', t0 + 12 * min)));
    expect((await second.tick(t0 + 30 * s + 15 * min)).delivered).toBe(1);
    const last = payloads(seen).at(-1)!;
    expect([last.status, last.notification_reason, last.alerts.map((a) => a.status)]).toEqual(['resolved', 'all alerts resolved', ['resolved', 'resolved', 'resolved']]);
    // The group has ended: nothing more, ever.
    expect(second.nextDueAt()).toBeNull();
    // Its log entry stays for dedup until the retention purge's cutoff passes it.
    expect(second.forgetLogBefore(t0)).toBe(0);
    expect(second.forgetLogBefore(t0 + 60 * min)).toBeGreaterThanOrEqual(1);
    expect((await second.tick(t0 + 5 * 60 * min)).delivered).toBe(0);

    const history = await new AlertingRepo(store()).history(JSON.parse(received[seen]!).alerts[0].fingerprint);
    expect(history.map((e) => e.kind)).toEqual(['fired', 'resolved']);
  });

  it('retries a failing receiver at the instants the policy gives, then gives up into a dead letter', async () => {
    const seen = received.length;
    const service = new AlertingService(config(), ports(store()), options);
    await service.start();
    await service.onSignals([signal('firing', 'ST10.level', 'D10', t0)]);
    receiver.failNext(503, 503);
    expect((await service.tick(t0 + 30 * s)).delivered).toBe(0);
    expect((await service.tick(t0 + 39 * s)).delivered).toBe(0); // the retry is due at +40 s
    expect((await service.tick(t0 + 40 * s)).delivered).toBe(0); // second failure; next at +60 s
    expect((await service.tick(t0 + 60 * s)).delivered).toBe(1);
    expect(received.length - seen).toBe(3);
    const repo = new AlertingRepo(store());
    const [delivered] = await repo.listNotifications({ receiver: 'duty', limit: 1 });
    expect([delivered!.status, delivered!.attempts]).toEqual(['delivered', 3]);

    await service.onSignals([signal('firing', 'ST11.level', 'D11', t0 + 2 * min)]);
    receiver.failNext(500, 500, 500);
    await service.tick(t0 + 2 * min + 30 * s);
    await service.tick(t0 + 2 * min + 40 * s);
    await service.tick(t0 + 2 * min + 60 * s);
    const [dead] = await repo.listNotifications({ receiver: 'duty', status: 'dead-letter', limit: 1 });
    expect([dead!.attempts, dead!.lastError]).toEqual([3, 'HTTP 500']);
  });

  it('records acknowledgements with who, when and why, once per responder', async () => {
    const service = new AlertingService(config(), ports(store()), options);
    await service.start();
    await service.onSignals([signal('firing', 'ST20.level', 'D20', t0)]);
    const alert = service.current().find((a) => a.labels['series'] === 'ST20.level')!;
    await service.acknowledge(alert.fingerprint, 'duty-officer', 'crew sent', t0 + min);
    const twice = await service.acknowledge(alert.fingerprint, 'duty-officer', 'again', t0 + 2 * min);
    expect(twice!.acks).toEqual([{ by: 'duty-officer', at: t0 + min, comment: 'crew sent' }]);
    expect((await new AlertingRepo(store()).alert(alert.fingerprint))!.acks).toHaveLength(1);
    await service.unacknowledge(alert.fingerprint, 'duty-officer', t0 + 3 * min);
    const history = await new AlertingRepo(store()).history(alert.fingerprint);
    expect(history.map((e) => [e.kind, e.actor])).toEqual([
      ['fired', null],
      ['acknowledged', 'duty-officer'],
      ['unacknowledged', 'duty-officer'],
    ]);
  });

  it('escalates an unacknowledged group step by step across a restart, pages each responder once, and stops at the acknowledgement', async () => {
    const base = receiver.url.replace(/\/hook$/, '');
    const escalating = () =>
      parseAlertingConfig(`
route:
  receiver: duty
  group_by: [area]
  group_wait: 30s
  escalation_policy: flood-ladder
receivers:
  - name: duty
    webhook_configs: [{ url: '${base}/duty' }]
  - name: alice-pager
    webhook_configs: [{ url: '${base}/page/alice' }]
  - name: bob-pager
    webhook_configs: [{ url: '${base}/page/bob' }]
  - name: chief-pager
    webhook_configs: [{ url: '${base}/page/chief' }]
responders:
  - { id: alice, receiver: alice-pager }
  - { id: bob, receiver: bob-pager }
  - { id: chief, receiver: chief-pager }
schedules:
  - name: river-duty
    timezone: UTC
    layers:
      - rotation: { participants: [alice, bob], length: 1d, handoff: '08:00', start: '2026-11-21' }
escalation_policies:
  - name: flood-ladder
    steps:
      - notify: [{ schedule: river-duty }]
        wait: 5m
      - notify: [{ user: chief }]
        wait: 10m
    acknowledgements_required: 1
`);
    // Earlier tests left groups in this store; this one starts from an idle dispatcher.
    await store().query('delete from alert_groups');
    await store().query("update notifications set status = 'dead-letter' where status = 'pending'");
    const seen = received.length;
    const pagesSince = () => paths.slice(seen).filter((p) => p.startsWith('/page/'));
    const first = new AlertingService(escalating(), ports(store()), options);
    await first.start();
    await first.onSignals([signal('firing', 'ST30.level', 'D30', t0)]);
    // The first notice goes to the route's receiver, and step 1 pages whoever is on duty (bob on 2026-11-22 from 08:00).
    await first.tick(t0 + 30 * s);
    expect(paths.slice(seen)).toEqual(['/duty', '/page/bob']);
    expect((await first.tick(t0 + 30 * s + 5 * min - 1)).delivered).toBe(0);

    // The process dies here; a new one resumes the escalation from the store.
    const second = new AlertingService(escalating(), ports(store()), options);
    await second.start();
    await second.tick(t0 + 30 * s + 5 * min);
    expect(pagesSince()).toEqual(['/page/bob', '/page/chief']);
    // Asked again at the same instant, and later within the wait: nothing is paged twice.
    await second.tick(t0 + 30 * s + 5 * min);
    await second.tick(t0 + 30 * s + 10 * min);
    expect(pagesSince()).toEqual(['/page/bob', '/page/chief']);

    const alert = second.current().find((a) => a.labels['series'] === 'ST30.level')!;
    await second.acknowledge(alert.fingerprint, 'chief', 'taking command', t0 + 30 * s + 12 * min);
    const group = second.escalationOf('{}:{area="D30"}', 'duty')!;
    expect(group.status).toBe('acknowledged');
    // The policy would have started a second round at +15 min; acknowledged, it pages nobody.
    await second.tick(t0 + 30 * s + 20 * min);
    expect(pagesSince()).toEqual(['/page/bob', '/page/chief']);
    const page = JSON.parse(received[seen + 1]!) as Payload;
    expect(page.notification_reason).toBe('escalation step 1, round 1: page bob');
  });

  it('holds a flapping alert until it settles, then notifies it once', async () => {
    const seen = received.length;
    const service = new AlertingService(config(), ports(store()), options);
    await service.start();
    // Fired, resolved, fired, resolved, fired: five changes in four minutes.
    for (const [k, kind] of (['firing', 'resolved', 'firing', 'resolved', 'firing'] as const).entries()) {
      await service.onSignals([signal(kind, 'ST40.level', 'D40', t0 + k * min)], t0);
    }
    const alert = service.current().find((a) => a.labels['series'] === 'ST40.level')!;
    expect(service.suppressionsOf([alert], t0 + 4 * min + 30 * s)[0]!.flapping).toBe(true);
    const forD40 = () => received.slice(seen).filter((b) => b.includes('"area":"D40"'));
    // Flushes at +30 s, then every 5 minutes: held while it flaps (until 10 minutes after the last change).
    for (const at of [t0 + 30 * s, t0 + 5 * min + 30 * s, t0 + 10 * min + 30 * s]) await service.tick(at);
    expect(forD40()).toEqual([]);
    await service.tick(t0 + 15 * min + 30 * s);
    expect(forD40().map((b) => (JSON.parse(b) as Payload).notification_reason)).toEqual(['first notification']);
  });

  it('applies at start the signals a crash kept from alerting, so no alert is lost', async () => {
    const first = new AlertingService(config(), ports(store()), options);
    await first.start();
    const stored = await new DetectionRepo(store()).insertSignals(
      ['ST50.level', 'ST51.level'].map((series) => {
        const sig = signal('firing', series, 'D50', t0);
        return { rule: 'river-bands', seriesId: null, seriesKey: series, t: sig.t, kind: sig.kind, level: 'red' as const, previousLevel: null, value: 6, upperbound: null, labels: sig.labels, annotations: sig.annotations, extras: null };
      }),
    );
    expect(stored).toHaveLength(2);
    // Detection stored both; the process died after alerting took the first.
    await first.onSignals([stored[0]!]);
    const second = new AlertingService(config(), ports(store()), options);
    await second.start({ now: t0 + min });
    expect(second.current().filter((a) => a.labels['area'] === 'D50').map((a) => a.labels['series']).sort()).toEqual(['ST50.level', 'ST51.level']);
    // Applied once: a third start finds nothing left to apply.
    const third = new AlertingService(config(), ports(store()), options);
    await third.start();
    expect((await new AlertingRepo(store()).history(second.current().find((a) => a.labels['series'] === 'ST51.level')!.fingerprint)).map((e) => e.kind)).toEqual(['fired']);
  });

  it('flushes a group due on arrival with the signals themselves, sends it once without a tick, and a crash mid-delivery resends only after the claim', async () => {
    const immediate = () => config('0s');
    const forArea = (area: string, from: number) => payloads(from).filter((p) => p.groupKey.includes(`area="${area}"`));
    const seen = received.length;
    const live = new AlertingService(immediate(), ports(store()), options);
    await live.start();
    await live.onSignals([signal('firing', 'ST60.level', 'D60', t0)], t0);
    await live.drain();
    // Out with the signals' write: no tick ran.
    expect(forArea('D60', seen).map((p) => [p.notification_reason, p.alerts.length])).toEqual([['first notification', 1]]);
    // Recorded as delivered: the next tick sends nothing more.
    expect((await live.tick(t0 + 2 * min)).delivered).toBe(0);
    expect(forArea('D60', seen)).toHaveLength(1);
    const log = (await new AlertingRepo(store()).listNotifications({ receiver: 'duty', limit: 1000 })).filter((n) => n.groupKey === '{}:{area="D60"}');
    expect(log.map((n) => [n.status, n.attempts])).toEqual([['delivered', 1]]);

    // A process that decides a notice and dies before its delivery is recorded (its delivery hangs).
    const dying = new AlertingService(immediate(), { ...ports(store()), deliver: () => new Promise<DeliveryOutcome>(() => {}) }, options);
    await dying.start();
    await dying.onSignals([signal('firing', 'ST61.level', 'D61', t0)], t0);
    const next = new AlertingService(immediate(), ports(store()), options);
    await next.start();
    // Claimed by the dead process for a minute: a tick before then leaves it alone …
    await next.tick(t0 + 59 * s);
    expect(forArea('D61', seen)).toHaveLength(0);
    // … after it, the notice goes out, once.
    await next.tick(t0 + 60 * s);
    await next.tick(t0 + 2 * min);
    expect(forArea('D61', seen).map((p) => p.notification_reason)).toEqual(['first notification']);
  });
});
