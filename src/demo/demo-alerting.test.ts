import { describe, expect, it } from 'vitest';
import { parseAlertingConfig } from '../domain/alerting/config/alerting-config.ts';
import { receiversFor } from '../domain/alerting/routing.ts';
import { onCallAt } from '../domain/alerting/oncall/schedule.ts';
import { inhibitedBy } from '../domain/alerting/inhibition.ts';
import { suppressedByDependency } from '../domain/alerting/dependencies.ts';
import { fingerprint } from '../domain/alerting/fingerprint.ts';
import { demoAlertingConfig, demoResponders } from './demo-alerting.ts';

const config = parseAlertingConfig(demoAlertingConfig('http://127.0.0.1:9', '2026-11-15'));
const flood = (level: string, area = 'D07', series = 'RG-01.level') => ({ alertname: 'river-rg-01', hazard: 'flood', level, area, series });
const withFingerprint = (labels: Record<string, string>) => ({ fingerprint: fingerprint(labels), labels });

describe('the demo alerting configuration', () => {
  it('loads with every receiver deliverable and a pager per responder', () => {
    expect(config.unsupported).toEqual([]);
    expect(config.receivers.map((r) => r.name)).toEqual(['duty-desk', 'flood-desk', ...demoResponders.map((id) => `pager-${id}`)]);
    expect(config.receivers.every((r) => r.webhooks[0]?.signatureSecret === 'riverside-demo')).toBe(true);
  });

  it('sends serious floods to the flood desk (which escalates), the rest to the duty desk', () => {
    expect(receiversFor(config.route, flood('red'))).toEqual(['flood-desk']);
    expect(receiversFor(config.route, flood('yellow'))).toEqual(['duty-desk']);
    expect(receiversFor(config.route, { alertname: 'pm25-ewma', hazard: 'air_quality', level: 'yellow' })).toEqual(['duty-desk']);
    expect(config.route.routes[0]!.escalationPolicy).toBe('flood-ladder');
  });

  it('has a river engineer on call at every hour of the week', () => {
    const roster = config.schedules.get('river-duty')!;
    const start = Date.UTC(2026, 10, 22);
    const seen = new Set<string>();
    for (let h = 0; h < 7 * 24; h++) {
      const onCall = onCallAt(roster, start + h * 3_600_000);
      expect(onCall).not.toBeNull();
      seen.add(onCall!.responder);
    }
    expect([...seen].sort()).toEqual(['li.wei', 'maria.santos', 'tom.okafor']);
  });

  it('mutes a yellow flood alert under a red one of the same area, and a silent gauge its own flood alerts', () => {
    const red = withFingerprint(flood('red', 'D07', 'RG-02.level'));
    expect(inhibitedBy(config.inhibitRules, withFingerprint(flood('yellow', 'D07')), [red])).toEqual([red.fingerprint]);
    expect(inhibitedBy(config.inhibitRules, withFingerprint(flood('yellow', 'D08')), [red])).toEqual([]);
    const silent = withFingerprint({ alertname: 'river-gauge-silent', hazard: 'monitoring', level: 'yellow', series: 'RG-01.level' });
    expect(suppressedByDependency(config.dependencies, withFingerprint(flood('orange')), [silent]).map((d) => d.parent)).toEqual([silent.fingerprint]);
    expect(suppressedByDependency(config.dependencies, withFingerprint(flood('orange', 'D07', 'RG-05.level')), [silent])).toEqual([]);
  });
});
