import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../../store/testing/stores-under-test.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { aboveTenRule } from '../testing/above-ten-rule.ts';
import { parseAlertingConfig } from '../../domain/alerting/config/alerting-config.ts';

const min = 60_000;

// river-duty: weekly in Shanghai (UTC+8), hand-offs Mondays 09:00 local = 01:00Z; ana from
// 2026-11-16, ben from 2026-11-23; dee stands in from Wednesday 18:00 to Thursday 09:00 local.
// office: from 1 December only, and kai has no receiver of their own.
const config = parseAlertingConfig(`
route:
  receiver: duty
  group_by: [hazard]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['hazard="flood"']
      receiver: flood-desk
      group_by: [hazard, series]
      continue: true
      escalation_policy: flood-ladder
    - matchers: ['hazard="flood"', 'level="red"']
      receiver: red-desk
      group_wait: 0s
      repeat_interval: 1h
      mute_time_intervals: [weekends]
receivers:
  - name: duty
  - name: flood-desk
    webhook_configs: [{ url: 'http://127.0.0.1:9/flood' }]
  - name: red-desk
  - name: pager-ana
    webhook_configs: [{ url: 'http://127.0.0.1:9/page/ana' }]
  - name: pager-ben
    webhook_configs: [{ url: 'http://127.0.0.1:9/page/ben' }]
  - name: pager-dee
    webhook_configs: [{ url: 'http://127.0.0.1:9/page/dee' }]
responders:
  - { id: ana, receiver: pager-ana }
  - { id: ben, receiver: pager-ben }
  - { id: dee, receiver: pager-dee }
schedules:
  - name: river-duty
    timezone: Asia/Shanghai
    layers:
      - rotation: { participants: [ana, ben], length: 1w, handoff: '09:00', start: '2026-11-16' }
    overrides:
      - { responder: dee, start: '2026-11-25T18:00:00+08:00', end: '2026-11-26T09:00:00+08:00' }
  - name: office
    timezone: Europe/Berlin
    layers:
      - rotation: { participants: [kai], length: 1d, handoff: '08:00', start: '2026-12-01' }
escalation_policies:
  - name: flood-ladder
    steps:
      - { notify: [{ schedule: river-duty }], wait: 15m }
      - { notify: [{ user: dee }], wait: 30m }
    acknowledgements_required: 2
time_intervals:
  - name: weekends
    time_intervals: [{ weekdays: ['saturday', 'sunday'] }]
`);

const rule = aboveTenRule('gauge-red', 'ESC-', { labels: { hazard: 'flood' } });

describeEachStore('on-call, escalations and the routing test over HTTP', (store) => {
  let t: TestApp;
  let reader: string;

  beforeAll(async () => {
    t = await createTestApp(store(), { rules: [rule], alerting: { config } });
    reader = await t.bearer('viewer');
  });

  const get = (url: string, auth: string | null = reader) => t.app.inject({ url, headers: auth ? { authorization: auth } : {} });
  const routesTest = (payload: unknown, auth: string | null = reader) =>
    t.app.inject({ method: 'POST', url: '/api/v1/alerting/routes/test', headers: auth ? { authorization: auth } : {}, payload: payload as Record<string, unknown> });
  const riverDutyAt = async (at: string) => {
    const res = await get(`/api/v1/oncall?schedule=river-duty&at=${encodeURIComponent(at)}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('answers who is on call either side of a hand-off, with since, until and the receiver they are paged through', async () => {
    expect(await riverDutyAt('2026-11-23T00:59:59.999Z')).toEqual({
      at: '2026-11-23T00:59:59.999Z',
      schedules: [
        { schedule: 'river-duty', timezone: 'Asia/Shanghai', responder: 'ana', source: 'layer', layer: 0, receiver: 'pager-ana', since: '2026-11-16T01:00:00.000Z', until: '2026-11-23T01:00:00.000Z' },
      ],
    });
    // Monday 09:00 in Shanghai: ben takes over, until dee's override begins on Wednesday evening.
    expect((await riverDutyAt('2026-11-23T09:00:00+08:00')).schedules).toEqual([
      { schedule: 'river-duty', timezone: 'Asia/Shanghai', responder: 'ben', source: 'layer', layer: 0, receiver: 'pager-ben', since: '2026-11-23T01:00:00.000Z', until: '2026-11-25T10:00:00.000Z' },
    ]);
  });

  it('answers the override while it runs, and the layer again after it (at as epoch ms or with an offset)', async () => {
    const during = await riverDutyAt(String(Date.parse('2026-11-25T12:00:00Z')));
    expect(during.at).toBe('2026-11-25T12:00:00.000Z');
    expect(during.schedules).toEqual([
      { schedule: 'river-duty', timezone: 'Asia/Shanghai', responder: 'dee', source: 'override', layer: null, receiver: 'pager-dee', since: '2026-11-25T10:00:00.000Z', until: '2026-11-26T01:00:00.000Z' },
    ]);
    expect((await riverDutyAt('2026-11-26T09:00:00+08:00')).schedules).toEqual([
      { schedule: 'river-duty', timezone: 'Asia/Shanghai', responder: 'ben', source: 'layer', layer: 0, receiver: 'pager-ben', since: '2026-11-26T01:00:00.000Z', until: '2026-11-30T01:00:00.000Z' },
    ]);
  });

  it('lists every schedule at the server clock\'s now by default, nobody on duty included', async () => {
    t.clock.set(Date.parse('2026-11-24T03:00:00Z'));
    const res = await get('/api/v1/oncall');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      at: '2026-11-24T03:00:00.000Z',
      schedules: [
        expect.objectContaining({ schedule: 'river-duty', responder: 'ben', source: 'layer', layer: 0 }),
        // office starts on 1 December at 08:00 in Berlin (07:00Z).
        { schedule: 'office', timezone: 'Europe/Berlin', responder: null, source: null, layer: null, receiver: null, since: null, until: '2026-12-01T07:00:00.000Z' },
      ],
    });
    const kai = (await get('/api/v1/oncall?schedule=office&at=2026-12-01T07:00:00Z')).json();
    expect(kai.schedules).toEqual([{ schedule: 'office', timezone: 'Europe/Berlin', responder: 'kai', source: 'layer', layer: 0, receiver: null, since: '2026-12-01T07:00:00.000Z', until: null }]);
  });

  it('answers 404 naming an unknown schedule', async () => {
    const res = await get('/api/v1/oncall?schedule=lake-duty');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'TOCSIN_NOT_FOUND', message: 'no schedule "lake-duty" in the alerting configuration' });
  });

  it.each([
    ['not a time', 'soon'],
    ['no offset', '2026-11-23T09:00:00'],
    ['not a real date', '2026-02-30T09:00:00Z'],
    ['epoch seconds', '1795000000'],
    ['empty', ''],
  ])('answers 400 naming `at` when it is %s', async (_what, at) => {
    const res = await get(`/api/v1/oncall?at=${encodeURIComponent(at)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('TOCSIN_VALIDATION');
    expect(res.json().error.message).toMatch(/^querystring\.at: /);
  });

  it('lists no escalations while nothing fires', async () => {
    const res = await get('/api/v1/escalations');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [] });
  });

  it('shows an escalation once its group flushes, with its next page, and its acknowledgements until enough', async () => {
    const t0 = Date.parse('2026-11-24T03:00:00Z'); // a Tuesday: ben is on duty
    t.clock.set(t0);
    const writer = await t.bearer('analyst');
    const posted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': 'application/x-ndjson', authorization: writer },
      payload: JSON.stringify({ series: 'ESC-1.level', t: t0, v: 12 }) + '\n',
    });
    expect(posted.statusCode).toBe(202);
    await t.detection.drain();
    await t.alerting!.drain();
    // Fired but still within group_wait: no escalation yet.
    expect((await get('/api/v1/escalations')).json()).toEqual({ items: [] });

    const flushedAt = t0 + 30_000;
    t.clock.set(flushedAt);
    await t.alerting!.tick(flushedAt);
    const alert = t.alerting!.current().find((a) => a.labels['series'] === 'ESC-1.level')!;
    // The routing test names the same group as the one escalating.
    const routed = (await routesTest({ labels: alert.labels })).json();
    const flood = routed.routes.find((r: { receiver: string }) => r.receiver === 'flood-desk');
    expect(flood.groupKey).toBe('{}/{hazard="flood"}:{hazard="flood", series="ESC-1.level"}');

    const escalating = (await get('/api/v1/escalations')).json();
    expect(escalating).toEqual({
      items: [
        {
          groupKey: flood.groupKey,
          receiver: 'flood-desk',
          policy: 'flood-ladder',
          status: 'escalating',
          startedAt: new Date(flushedAt).toISOString(),
          statusSince: new Date(flushedAt).toISOString(),
          current: { step: 0, round: 0, pagedAt: new Date(flushedAt).toISOString() },
          next: { step: 1, round: 0, at: new Date(flushedAt + 15 * min).toISOString() },
          exhaustsAt: null,
          pages: 1,
          acknowledgements: [],
          acknowledgementsRequired: 2,
        },
      ],
    });

    const ack = async (comment: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/alerts/${alert.fingerprint}/acknowledgements`,
        headers: { authorization: await t.bearer('duty_officer') },
        payload: { comment },
      });
      expect(res.statusCode).toBe(200);
    };
    t.clock.set(flushedAt + 5 * min);
    await ack('looking');
    const once = (await get('/api/v1/escalations')).json().items[0];
    expect(once).toMatchObject({ status: 'escalating', acknowledgements: [{ at: new Date(flushedAt + 5 * min).toISOString(), comment: 'looking' }], acknowledgementsRequired: 2 });
    expect(once.next.at).toBe(new Date(flushedAt + 15 * min).toISOString());

    t.clock.set(flushedAt + 6 * min);
    await ack('crew on the way');
    const twice = (await get('/api/v1/escalations')).json().items[0];
    expect(twice).toMatchObject({
      status: 'acknowledged',
      statusSince: new Date(flushedAt + 6 * min).toISOString(),
      current: { step: 0, round: 0 },
      next: null,
      exhaustsAt: null,
      pages: 1,
      acknowledgementsRequired: 2,
    });
    expect(twice.acknowledgements.map((a: { comment: string }) => a.comment)).toEqual(['looking', 'crew on the way']);
  });

  it('tests labels against the routing tree: both routes a `continue` lets through, with group, timers, policy and mute', async () => {
    t.clock.set(Date.parse('2026-11-28T10:00:00Z')); // a Saturday: the weekends interval mutes red-desk
    const res = await routesTest({ labels: { hazard: 'flood', level: 'red', area: 'D07' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      receivers: ['flood-desk', 'red-desk'],
      routes: [
        {
          receiver: 'flood-desk',
          path: [0],
          matchers: ['hazard="flood"'],
          continue: true,
          groupBy: ['hazard', 'series'],
          groupLabels: { hazard: 'flood' },
          groupKey: '{}/{hazard="flood"}:{hazard="flood"}',
          groupWaitMs: 30_000,
          groupIntervalMs: 300_000,
          repeatIntervalMs: 4 * 60 * min,
          escalationPolicy: 'flood-ladder',
          muteTimeIntervals: [],
          activeTimeIntervals: [],
          muted: false,
        },
        {
          receiver: 'red-desk',
          path: [1],
          matchers: ['hazard="flood"', 'level="red"'],
          continue: false,
          groupBy: ['hazard'],
          groupLabels: { hazard: 'flood' },
          groupKey: '{}/{hazard="flood",level="red"}:{hazard="flood"}',
          groupWaitMs: 0,
          groupIntervalMs: 300_000,
          repeatIntervalMs: 60 * min,
          escalationPolicy: null,
          muteTimeIntervals: ['weekends'],
          activeTimeIntervals: [],
          muted: true,
        },
      ],
    });
    // On a Monday the same route is not muted; labels no child takes stay at the root.
    t.clock.set(Date.parse('2026-11-30T10:00:00Z'));
    expect((await routesTest({ labels: { hazard: 'flood', level: 'red' } })).json().routes.map((r: { muted: boolean }) => r.muted)).toEqual([false, false]);
    const root = (await routesTest({ labels: { hazard: 'storm' } })).json();
    expect(root).toMatchObject({ receivers: ['duty'], routes: [{ receiver: 'duty', path: [], matchers: [], groupKey: '{}:{hazard="storm"}', escalationPolicy: null }] });
  });

  it.each([
    ['a label value that is not a string', { labels: { a: 1 } }, /^body\.labels\.a: /],
    ['labels that are not an object', { labels: 'hazard=flood' }, /^body\.labels: /],
    ['no labels', {}, /^body\.labels: is required$/],
  ])('refuses %s with a 400 naming the field', async (_what, payload, message) => {
    const res = await routesTest(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('TOCSIN_VALIDATION');
    expect(res.json().error.message).toMatch(message);
  });

  it.each([
    ['GET', '/api/v1/oncall'],
    ['GET', '/api/v1/escalations'],
    ['POST', '/api/v1/alerting/routes/test'],
  ] as const)('answers 401 to %s %s without credentials or with a bad token', async (method, url) => {
    for (const authorization of [undefined, 'Bearer not-a-token']) {
      const res = await t.app.inject({ method, url, headers: authorization ? { authorization } : {}, ...(method === 'POST' ? { payload: { labels: {} } } : {}) });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('TOCSIN_UNAUTHENTICATED');
    }
  });

  it('is open to every role that may read alerts', async () => {
    for (const role of ['viewer', 'responder', 'area_worker'] as const) {
      const auth = await t.bearer(role);
      expect((await get('/api/v1/escalations', auth)).statusCode).toBe(200);
      expect((await routesTest({ labels: {} }, auth)).statusCode).toBe(200);
    }
  });
});
