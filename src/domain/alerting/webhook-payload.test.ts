import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMatchers } from './matchers.ts';
import { groupKey, webhookBody, webhookMessage, type PayloadInput } from './webhook-payload.ts';
import { sharedAlertmanagerFolder } from './testing/shared-alertmanager.ts';

const flood = (area: string, endsAt: string | null): PayloadInput['alerts'][number] => ({
  labels: { alertname: 'river-bands', area, level: 'red', hazard: 'flood' },
  annotations: { summary: `River high in ${area}`, runbook: 'https://example.org/flood' },
  startsAt: '2026-11-22T08:00:00+08:00',
  endsAt,
  generatorURL: 'http://tocsin.example/series/ST01',
});

const input: PayloadInput = {
  receiver: 'web.hook',
  alerts: [flood('D07', null), flood('D08', '2026-11-22T09:00:00+08:00')],
  groupLabels: { hazard: 'flood' },
  routePath: [parseMatchers('hazard="flood", level=~"red|orange"')],
  routeLabels: {},
  externalURL: 'http://tocsin.example',
  maxAlerts: 0,
  notificationReason: 'first notification',
};

describe('webhook payload', () => {
  it('has every field of Alertmanager 0.34 in its order, firing while any alert fires', () => {
    const body = webhookBody(input);
    expect(body.endsWith('}\n')).toBe(true);
    const message = JSON.parse(body);
    expect(Object.keys(message)).toEqual(['receiver', 'status', 'alerts', 'notification_reason', 'groupLabels', 'commonLabels', 'commonAnnotations', 'routeLabels', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
    expect(Object.keys(message.alerts[0])).toEqual(['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
    expect(message.receiver).toBe('web\\.hook');
    expect(message.status).toBe('firing');
    expect(message.alerts.map((a: { status: string; endsAt: string }) => [a.status, a.endsAt])).toEqual([
      ['firing', '0001-01-01T00:00:00Z'],
      ['resolved', '2026-11-22T09:00:00+08:00'],
    ]);
    expect(message.commonLabels).toEqual({ alertname: 'river-bands', hazard: 'flood', level: 'red' });
    expect(message.commonAnnotations).toEqual({ runbook: 'https://example.org/flood' });
    expect(message.groupKey).toBe('{}/{hazard="flood",level=~"red|orange"}:{hazard="flood"}');
    expect(message.version).toBe('4');
  });

  it('names what changed since the last notification after all of Alertmanager\'s fields, only when told', () => {
    const message = webhookMessage({ ...input, changed: { firing: ['a1'], resolved: [] } });
    expect(Object.keys(message).at(-1)).toBe('changed');
    expect(message.changed).toEqual({ firing: ['a1'], resolved: [] });
    expect('changed' in webhookMessage(input)).toBe(false);
  });

  it('escapes HTML characters as Go does and sorts map keys', () => {
    const body = webhookBody({ ...input, alerts: [{ ...flood('D07', null), annotations: { z: 'a<b & c>d', a: '1' } }] });
    expect(body).toContain('"annotations":{"a":"1","z":"a\\u003cb \\u0026 c\\u003ed"}');
  });

  it('truncates to max_alerts first, so common labels are those of the alerts sent', () => {
    const message = webhookMessage({ ...input, maxAlerts: 1 });
    expect(message.alerts).toHaveLength(1);
    expect(message.truncatedAlerts).toBe(1);
    expect(message.commonLabels['area']).toBe('D07');
  });

  it('is resolved when every alert sent is', () => {
    expect(webhookMessage({ ...input, alerts: [flood('D08', '2026-11-22T09:00:00+08:00')] }).status).toBe('resolved');
  });

  const folder = sharedAlertmanagerFolder();
  const file = folder ? join(folder, 'webhook', 'bougou-pkg-models-alert.json') : '';
  it.skipIf(!folder || !existsSync(file))(`rebuilds a real Alertmanager capture's fingerprint, common labels and groupKey${folder ? '' : ' (skipped: no shared folder)'}`, () => {
    const real = JSON.parse(readFileSync(file, 'utf8'));
    const ours = webhookMessage({
      receiver: real.receiver,
      alerts: real.alerts.map((a: { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; generatorURL: string }) => ({ ...a, endsAt: null })),
      groupLabels: real.groupLabels,
      routePath: [],
      routeLabels: {},
      externalURL: real.externalURL,
      maxAlerts: 0,
      notificationReason: 'first notification',
    });
    expect(ours.alerts[0]!.fingerprint).toBe(real.alerts[0].fingerprint);
    expect(ours.commonLabels).toEqual(real.commonLabels);
    expect(ours.groupKey).toBe(real.groupKey);
    expect(groupKey([[]], {})).toBe('{}/{}:{}'); // the zulip fixture's key: a child route without matchers
  });
});
