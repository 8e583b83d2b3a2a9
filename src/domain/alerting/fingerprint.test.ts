import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareBytes, fingerprint } from './fingerprint.ts';
import { sharedAlertmanagerFolder } from './testing/shared-alertmanager.ts';

describe('fingerprint', () => {
  it("is Prometheus' FNV-1a of the sorted labels (Alertmanager 0.33.1 printed this one)", () => {
    expect(fingerprint({ severity: 'warning', alertname: 'DiskFull', instance: 'a' })).toBe('01172818e646f3d9');
  });

  it('of no labels is the FNV-1a offset basis', () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
  });

  it('changes with any name or value, and not with the order labels were given in', () => {
    const base = fingerprint({ a: '1', b: '2' });
    expect(fingerprint({ b: '2', a: '1' })).toBe(base);
    expect(fingerprint({ a: '1', b: '3' })).not.toBe(base);
    expect(fingerprint({ a: '12', b: '' })).not.toBe(base);
  });

  it('orders names by UTF-8 bytes, as Go does', () => {
    expect(['b', 'é', 'a', '😀', 'ｚ'].sort(compareBytes)).toEqual(['a', 'b', 'é', 'ｚ', '😀']);
  });

  const dir = sharedAlertmanagerFolder();
  const capture = dir ? join(dir, 'webhook', 'bougou-pkg-models-alert.json') : null;
  it.skipIf(!capture || !existsSync(capture))(`agrees with a real Alertmanager webhook capture${capture ? '' : ' (skipped: no ../shared/conformance/alertmanager here)'}`, () => {
    const payload = JSON.parse(readFileSync(capture!, 'utf8')) as { alerts: { labels: Record<string, string>; fingerprint: string }[] };
    for (const alert of payload.alerts) expect(fingerprint(alert.labels)).toBe(alert.fingerprint);
  });
});
