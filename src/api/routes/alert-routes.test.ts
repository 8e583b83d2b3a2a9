import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../store/testing/stores-under-test.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { aboveTenRule } from '../testing/above-ten-rule.ts';
import { parseAlertingConfig } from '../../domain/alerting/config/alerting-config.ts';
import type { TocsinEvent } from '../../app/event-hub.ts';

const rule = aboveTenRule('gauge-red', 'ALR-', { labels: { hazard: 'flood' }, annotations: (c) => ({ summary: `${c.series} at ${c.value}` }) });
// The same test detector with a 30-minute hold: its series is *pending* until the hold runs out.
const held = { ...aboveTenRule('gauge-held', 'HLD-', { labels: { hazard: 'flood' } }), forMs: 30 * 60_000 };
const config = parseAlertingConfig(`
route:
  receiver: duty
  group_by: [hazard]
  routes:
    - matchers: ['series="ALR-2.level"']
      receiver: quiet
receivers:
  - name: duty
    webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }]
  - name: quiet
`);

describe('alerts over HTTP', () => {
  let t: TestApp;
  let dispose: () => Promise<void>;
  let reader: string;
  let duty: string;
  const seen: TocsinEvent[] = [];
  const t0 = Date.UTC(2026, 10, 21, 0, 0);

  beforeAll(async () => {
    const opened = await openTestStore('pglite');
    dispose = opened.dispose;
    t = await createTestApp(opened.store, { rules: [rule, held], alerting: { config } });
    t.events.subscribe((e) => seen.push(e));
    reader = await t.bearer('viewer');
    duty = await t.bearer('duty_officer');
    const writer = await t.bearer('analyst');
    const lines = [
      { series: 'ALR-1.level', t: t0, v: 12 },
      { series: 'ALR-2.level', t: t0, v: 15 },
      { series: 'ALR-3.level', t: t0, v: 11 },
      { series: 'ALR-3.level', t: t0 + 60_000, v: 2 },
      { series: 'HLD-1.level', t: t0, v: 12 },
      { series: 'HLD-1.level', t: t0 + 10 * 60_000, v: 13 },
    ];
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'content-type': 'application/x-ndjson', authorization: writer },
      payload: lines.map((l) => JSON.stringify(l)).join('\n'),
    });
    expect(res.statusCode).toBe(202);
    await t.detection.drain();
    await t.alerting!.drain();
  });
  afterAll(async () => {
    await t.app.close();
    await dispose();
  });

  const list = async (query = '') => (await t.app.inject({ url: `/api/v1/alerts${query}`, headers: { authorization: reader } })).json();

  it('lists alerts from signals, with their routes and state, filtered by matchers', async () => {
    const all = await list();
    expect(all.items.map((a: { labels: { series: string }; status: { state: string } }) => [a.labels.series, a.status.state]).sort()).toEqual([
      ['ALR-1.level', 'active'],
      ['ALR-2.level', 'active'],
      ['ALR-3.level', 'resolved'],
      ['HLD-1.level', 'pending'],
    ]);
    const firing = await list('?state=firing&filter=' + encodeURIComponent('series=~"ALR-[12].level"'));
    expect(firing.items).toHaveLength(2);
    const quiet = await list('?receiver=quiet');
    expect(quiet.items.map((a: { labels: { series: string }; receivers: { name: string }[] }) => [a.labels.series, a.receivers])).toEqual([['ALR-2.level', [{ name: 'quiet' }]]]);
  });

  it('lists alerts still held through their rule\'s `for` as pending, with the labels they will fire with', async () => {
    const pending = await list('?state=pending');
    expect(pending.items).toHaveLength(1);
    expect(pending.items[0]).toMatchObject({
      labels: { alertname: 'gauge-held', series: 'HLD-1.level', level: 'red', hazard: 'flood' },
      startsAt: new Date(t0).toISOString(),
      status: { state: 'pending' },
      receivers: [{ name: 'duty' }],
    });
    expect((await list()).items.filter((a: { status: { state: string } }) => a.status.state === 'pending')).toHaveLength(1);
    expect((await list('?state=firing')).items.some((a: { labels: { series: string } }) => a.labels.series === 'HLD-1.level')).toBe(false);
  });

  it('acknowledges with the caller as the responder, shows it, and keeps the history', async () => {
    const [alert] = (await list('?filter=' + encodeURIComponent('series="ALR-1.level"'))).items;
    const ack = await t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert.fingerprint}/acknowledgements`,
      headers: { authorization: duty },
      payload: { comment: 'crew on the way' },
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json().status.acknowledgedBy).toMatchObject([{ comment: 'crew on the way' }]);
    const one = (await t.app.inject({ url: `/api/v1/alerts/${alert.fingerprint}`, headers: { authorization: reader } })).json();
    expect(one.history.map((h: { kind: string }) => h.kind)).toEqual(['fired', 'acknowledged']);
    const withdrawn = await t.app.inject({ method: 'DELETE', url: `/api/v1/alerts/${alert.fingerprint}/acknowledgements`, headers: { authorization: duty } });
    expect(withdrawn.json().status.acknowledgedBy).toEqual([]);
  });

  it('keeps comments in the history without acknowledging', async () => {
    const [alert] = (await list('?filter=' + encodeURIComponent('series="ALR-1.level"'))).items;
    const posted = await t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert.fingerprint}/comments`,
      headers: { authorization: duty },
      payload: { comment: 'gauge checked by phone: reading is real' },
    });
    expect(posted.statusCode).toBe(201);
    expect(posted.json()).toMatchObject({ comment: 'gauge checked by phone: reading is real' });
    const one = (await t.app.inject({ url: `/api/v1/alerts/${alert.fingerprint}`, headers: { authorization: reader } })).json();
    expect(one.history.at(-1)).toMatchObject({ kind: 'commented', actor: posted.json().by, detail: { comment: 'gauge checked by phone: reading is real' } });
    expect(one.status.acknowledgedBy).toEqual([]);
  });

  it.each([
    ['a viewer may not acknowledge', 'POST', '/api/v1/alerts/0123456789abcdef/acknowledgements', { comment: 'x' }, 'viewer', 403],
    ['an unknown alert is 404', 'POST', '/api/v1/alerts/0123456789abcdef/acknowledgements', { comment: 'x' }, 'duty', 404],
    ['a fingerprint must be 16 hex digits', 'GET', '/api/v1/alerts/not-a-fingerprint', undefined, 'viewer', 400],
    ['an acknowledgement needs a comment', 'POST', '/api/v1/alerts/0123456789abcdef/acknowledgements', {}, 'duty', 400],
    ['a viewer may not comment', 'POST', '/api/v1/alerts/0123456789abcdef/comments', { comment: 'x' }, 'viewer', 403],
    ['a comment on an unknown alert is 404', 'POST', '/api/v1/alerts/0123456789abcdef/comments', { comment: 'x' }, 'duty', 404],
    ['an empty comment is refused', 'POST', '/api/v1/alerts/0123456789abcdef/comments', { comment: '' }, 'duty', 400],
    ['a bad matcher names the filter', 'GET', '/api/v1/alerts?filter=' + encodeURIComponent('area=~"("'), undefined, 'viewer', 400],
  ] as const)('%s', async (_what, method, url, payload, who, status) => {
    const res = await t.app.inject({ method, url, headers: { authorization: who === 'duty' ? duty : reader }, ...(payload ? { payload } : {}) });
    expect(res.statusCode).toBe(status);
    if (url.includes('filter')) expect(res.json().error.message).toMatch(/querystring\.filter\[0\]: .*error parsing regexp/);
  });

  it('announces alert changes to the console as events', () => {
    const alertEvents = seen.filter((e) => e.type.startsWith('alert.')).map((e) => [e.type, (e.data['labels'] as Record<string, string>)['series']]);
    expect(alertEvents).toEqual(
      expect.arrayContaining([
        ['alert.fired', 'ALR-1.level'],
        ['alert.fired', 'ALR-3.level'],
        ['alert.resolved', 'ALR-3.level'],
      ]),
    );
  });

  it('shows the notification log after a flush', async () => {
    await t.alerting!.tick(t0 + 30_000);
    const log = (await t.app.inject({ url: '/api/v1/notifications?receiver=duty', headers: { authorization: reader } })).json();
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ receiver: 'duty', integration: 'webhook[0]', reason: 'first notification', status: 'delivered', attempts: 1 });
    expect(seen.filter((e) => e.type.startsWith('notification.')).map((e) => e.type)).toEqual(['notification.decided', 'notification.delivered']);
  });
});
