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

  it('hashes and orders any text exactly as its UTF-8 bytes do (generated strings: ASCII, accents, CJK, U+E000–U+FFFF, emoji, lone surrogates)', () => {
    const encoder = new TextEncoder();
    const pool = ['a', 'z', '_', '0', 'é', 'ß', '水', '\ue000', '\uffee', '\ufffd', '😀', '\ud800', '\udfff'];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const text = (valid: boolean) => Array.from({ length: Math.floor(next() * 6) }, () => pool[Math.floor(next() * (valid ? pool.length - 2 : pool.length))]!).join('');
    // The reference: FNV-1a 64 over TextEncoder's bytes, in BigInt.
    const reference = (labels: Record<string, string>) => {
      let h = 0xcbf29ce484222325n;
      const mix = (byte: number) => (h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn);
      const names = Object.keys(labels).sort((x, y) => Buffer.compare(Buffer.from(encoder.encode(x)), Buffer.from(encoder.encode(y))));
      for (const name of names) {
        for (const b of encoder.encode(name)) mix(b);
        mix(0xff);
        for (const b of encoder.encode(labels[name]!)) mix(b);
        mix(0xff);
      }
      return h.toString(16).padStart(16, '0');
    };
    for (let k = 0; k < 2000; k++) {
      const a = text(true);
      const b = text(true);
      expect(Math.sign(compareBytes(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(Math.sign(Buffer.compare(Buffer.from(encoder.encode(a)), Buffer.from(encoder.encode(b)))));
      const labels = { [`n${a}`]: text(false), [`m${b}`]: text(false) };
      expect(fingerprint(labels)).toBe(reference(labels));
    }
  });

  const dir = sharedAlertmanagerFolder();
  const capture = dir ? join(dir, 'webhook', 'bougou-pkg-models-alert.json') : null;
  it.skipIf(!capture || !existsSync(capture))(`agrees with a real Alertmanager webhook capture${capture ? '' : ' (skipped: no ../shared/conformance/alertmanager here)'}`, () => {
    const payload = JSON.parse(readFileSync(capture!, 'utf8')) as { alerts: { labels: Record<string, string>; fingerprint: string }[] };
    for (const alert of payload.alerts) expect(fingerprint(alert.labels)).toBe(alert.fingerprint);
  });
});
