import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from './signature.ts';

const secret = 'whsec_flood-desk';
const body = '{"receiver":"river","status":"firing"}\n';
// 2026-11-22T00:00:00.750Z: the fraction checks that t is whole seconds, rounded down.
const now = Date.UTC(2026, 10, 22) + 750;

describe('webhook signature', () => {
  it('has the Stripe shape: whole unix seconds, then the hex HMAC-SHA256 of "<t>.<body>"', () => {
    const header = signatureHeader(secret, body, now);
    const t = Math.floor(now / 1000);
    const hex = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${hex}`);
  });

  it('verifies what it signed, with bytes as with a string', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(secret, body, header, now)).toEqual({ ok: true });
    expect(verifySignature(secret, Buffer.from(body), header, now + 1000)).toEqual({ ok: true });
  });

  it('refuses a body with one byte changed', () => {
    const header = signatureHeader(secret, body, now);
    const tampered = body.replace('firing', 'firinG');
    expect(verifySignature(secret, tampered, header, now)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('refuses another secret', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(`${secret}x`, body, header, now)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('refuses a timestamp moved to make an old request look fresh (the MAC covers it)', () => {
    const header = signatureHeader(secret, body, now);
    const moved = header.replace(/^t=\d+/, `t=${Math.floor(now / 1000) + 600}`);
    expect(verifySignature(secret, body, moved, now + 600_000)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('refuses a replay older than the tolerance, and a timestamp too far ahead', () => {
    const header = signatureHeader(secret, body, now);
    // t is rounded down to 00:00:00, so the edge is 300 s after that second, not after `now`.
    const t0 = Math.floor(now / 1000) * 1000;
    expect(verifySignature(secret, body, header, t0 + 300_000)).toEqual({ ok: true });
    expect(verifySignature(secret, body, header, t0 + 300_001)).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifySignature(secret, body, header, t0 - 300_001)).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifySignature(secret, body, header, t0 + 60_001, 60_000)).toEqual({ ok: false, reason: 'stale timestamp' });
  });

  it('accepts any of several v1 values (secret rotation) and ignores unknown schemes', () => {
    const good = signatureHeader(secret, body, now);
    const old = signatureHeader('old-secret', body, now).replace(/^t=\d+,/, '');
    expect(verifySignature(secret, body, `${good},${old},v0=abc`, now)).toEqual({ ok: true });
    // Only the old value: the order of candidates must not matter, and none of them matching must fail.
    expect(verifySignature(secret, body, `t=${Math.floor(now / 1000)},${old}`, now)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('is checkable with plain node:crypto, as a receiver written without Tocsin would', () => {
    const header = signatureHeader(secret, body, now);
    // A receiver's own code: parse, recompute over "<t>.<raw body>", compare in constant time, check age.
    const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
    const expected = createHmac('sha256', secret).update(`${fields['t']}.${body}`).digest();
    const given = Buffer.from(fields['v1'] ?? '', 'hex');
    expect(given.length).toBe(expected.length);
    expect(timingSafeEqual(given, expected)).toBe(true);
    expect(Math.abs(now / 1000 - Number(fields['t']))).toBeLessThan(300);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['no v1', `t=${Math.floor(now / 1000)}`],
    ['no t', `v1=${'a'.repeat(64)}`],
    ['two timestamps', `t=1,t=2,v1=${'a'.repeat(64)}`],
    ['a non-numeric t', `t=soon,v1=${'a'.repeat(64)}`],
    ['a short v1', `t=1,v1=abcd`],
    ['a non-hex v1', `t=1,v1=${'z'.repeat(64)}`],
    ['a part without "="', `t=1,v1=${'a'.repeat(64)},junk`],
    ['an oversized header', `t=1,v1=${'a'.repeat(64)},x=${'y'.repeat(5000)}`],
  ])('refuses a malformed header: %s', (_name, header) => {
    expect(verifySignature(secret, body, header, now)).toEqual({ ok: false, reason: 'malformed header' });
  });

  it('refuses to sign or verify with an empty secret, and to sign at a nonsensical time', () => {
    expect(() => signatureHeader('', body, now)).toThrow(/secret must not be empty/);
    expect(verifySignature('', body, signatureHeader(secret, body, now), now)).toEqual({ ok: false, reason: 'empty secret' });
    expect(() => signatureHeader(secret, body, Number.NaN)).toThrow(/non-negative/);
    expect(() => signatureHeader(secret, body, -1)).toThrow(/non-negative/);
  });

  it('treats a time it cannot compare as stale rather than fresh', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(secret, body, header, Number.NaN)).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifySignature(secret, body, header, now, Number.NaN)).toEqual({ ok: false, reason: 'stale timestamp' });
  });
});
