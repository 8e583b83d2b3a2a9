import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../store/testing/stores-under-test.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { aboveTenRule } from '../testing/above-ten-rule.ts';
import { parseAlertingConfig } from '../../domain/alerting/config/alerting-config.ts';

const rule = aboveTenRule('gauge-red', 'SIL-', { labels: { hazard: 'flood' }, annotations: (c) => ({ summary: `${c.series} at ${c.value}` }) });
// SIL-9 stands for a station whose "offline" alert is the parent of its gauges' alerts.
const config = parseAlertingConfig(`
route:
  receiver: duty
  group_by: [hazard]
receivers:
  - name: duty
    webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }]
inhibit_rules:
  - source_matchers: ['series="SIL-1.level"']
    target_matchers: ['series="SIL-2.level"']
    equal: [hazard]
dependencies:
  - name: station-offline
    parent: ['series="SIL-9.level"']
    children: ['series="SIL-8.level"']
`);

describe('silences over HTTP, and what mutes an alert', () => {
  let t: TestApp;
  let dispose: () => Promise<void>;
  let reader: string;
  let duty: string;
  const t0 = Date.UTC(2026, 10, 22, 11, 0);
  const hour = 3_600_000;

  beforeAll(async () => {
    const opened = await openTestStore('pglite');
    dispose = opened.dispose;
    t = await createTestApp(opened.store, { rules: [rule], alerting: { config }, nowMs: t0 + 60_000 });
    reader = await t.bearer('viewer');
    duty = await t.bearer('duty_officer');
    const writer = await t.bearer('analyst');
    const body = ['SIL-1.level', 'SIL-2.level', 'SIL-3.level', 'SIL-8.level', 'SIL-9.level'].map((series) => JSON.stringify({ series, t: t0, v: 20 })).join('\n');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/observations', headers: { 'content-type': 'application/x-ndjson', authorization: writer }, payload: body });
    expect(res.statusCode).toBe(202);
    await t.detection.drain();
    await t.alerting!.drain();
  });
  afterAll(async () => {
    await t.app.close();
    await dispose();
  });

  const states = async () => {
    const res = (await t.app.inject({ url: '/api/v1/alerts', headers: { authorization: reader } })).json();
    return Object.fromEntries(
      res.items.map((a: { labels: { series: string }; status: { state: string; silencedBy: string[]; inhibitedBy: string[] } }) => [
        a.labels.series,
        [a.status.state, a.status.silencedBy.length, a.status.inhibitedBy.length],
      ]),
    );
  };

  it('inhibits by the configured rule and suppresses children of a firing parent', async () => {
    expect(await states()).toEqual({
      'SIL-1.level': ['active', 0, 0],
      'SIL-2.level': ['suppressed', 0, 1],
      'SIL-3.level': ['active', 0, 0],
      'SIL-8.level': ['suppressed', 0, 1],
      'SIL-9.level': ['active', 0, 0],
    });
  });

  it('previews, creates with the caller as author, silences exactly what matches, and expires', async () => {
    const preview = await t.app.inject({ method: 'POST', url: '/api/v1/silences/preview', headers: { authorization: reader }, payload: { matchers: ['series=~"SIL-[34].level"'] } });
    expect(preview.json().items.map((a: { labels: { series: string } }) => a.labels.series)).toEqual(['SIL-3.level']);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: { authorization: duty },
      payload: { matchers: ['series=~"SIL-[34].level"'], createdBy: 'someone-else', comment: 'gauge under maintenance', startsAt: t0, endsAt: t0 + 2 * hour },
    });
    expect(created.statusCode).toBe(201);
    const silence = created.json();
    expect(silence.createdBy).toMatch(/^duty-officer-/);
    expect(silence.status.state).toBe('active');
    expect(silence.silences).toHaveLength(1);
    expect((await states())['SIL-3.level']).toEqual(['suppressed', 1, 0]);
    expect((await states())['SIL-1.level']).toEqual(['active', 0, 0]);

    // The first flush leaves every muted alert out: only SIL-1 and SIL-9 are notified.
    await t.alerting!.tick(t0 + 60_000);
    const log = (await t.app.inject({ url: '/api/v1/notifications', headers: { authorization: reader } })).json();
    expect(log.items).toHaveLength(1);

    const expired = await t.app.inject({ method: 'DELETE', url: `/api/v1/silences/${silence.id}`, headers: { authorization: duty } });
    expect(expired.json().status.state).toBe('expired');
    expect((await states())['SIL-3.level']).toEqual(['active', 0, 0]);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/silences/${silence.id}`, headers: { authorization: duty } });
    expect(again.statusCode).toBe(409);
    const listed = (await t.app.inject({ url: '/api/v1/silences?state=expired', headers: { authorization: reader } })).json();
    expect(listed.items.map((s: { id: string }) => s.id)).toContain(silence.id);
  });

  it.each([
    ['no matchers', { matchers: [], comment: 'x', startsAt: t0, endsAt: t0 + hour }, /body\.matchers/],
    ['a silence that would match every alert', { matchers: ['series=~".*"'], comment: 'x', startsAt: t0, endsAt: t0 + hour }, /must not match the empty string/],
    ['no comment', { matchers: ['series="SIL-1.level"'], startsAt: t0, endsAt: t0 + hour }, /body\.comment/],
    ['an end before the start', { matchers: ['series="SIL-1.level"'], comment: 'x', startsAt: t0 + hour, endsAt: t0 }, /body\.endsAt: start time must be before end time/],
    ['a bad matcher', { matchers: ['series=~"("'], comment: 'x', startsAt: t0, endsAt: t0 + hour }, /body\.matchers\[0\]/],
  ])('refuses a silence with %s, naming the field', async (_what, payload, message) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/silences', headers: { authorization: duty }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(message);
  });

  it('lets only duty officers silence', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/silences', headers: { authorization: reader }, payload: {} });
    expect(res.statusCode).toBe(403);
  });
});
