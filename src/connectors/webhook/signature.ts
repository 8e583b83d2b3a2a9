import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed webhooks, in Stripe's scheme: `X-Tocsin-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`
 * over `"<t>.<body>"`. The MAC proves the body came from someone holding the shared secret; the
 * timestamp inside it (not beside it) lets a receiver refuse an old request replayed at it.
 * Time is always an argument, so tests and receivers choose the instant.
 */

/** The header's name, exported so senders and receivers cannot spell it two ways. */
export const signatureHeaderName = 'X-Tocsin-Signature';

/** Five minutes, Stripe's default: enough for queueing and modest clock skew, short for a replay. */
export const defaultToleranceMs = 300_000;

/** Why a signature was refused; fixed strings so a receiver can count or switch on them. */
export type SignatureFailure = 'malformed header' | 'stale timestamp' | 'bad signature' | 'empty secret';

/** The verdict on one request: accepted, or refused with the reason. */
export type VerifyResult = { ok: true } | { ok: false; reason: SignatureFailure };

// A header this long is not ours; refusing it early bounds the work an attacker can cause.
const maxHeaderLength = 4096;

function mac(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  // Two updates hash the same bytes as one concatenation, without copying a large body.
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The header value for `body` sent at `nowMs`; throws on an empty secret (a MAC with no key proves nothing). */
export function signatureHeader(secret: string, body: string | Uint8Array, nowMs: number): string {
  if (secret.length === 0) throw new RangeError('signature secret must not be empty');
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new RangeError(`signature time must be a non-negative number of milliseconds, got ${nowMs}`);
  const t = String(Math.floor(nowMs / 1000));
  return `t=${t},v1=${mac(secret, t, body).toString('hex')}`;
}

/**
 * Checks `header` against `body` at `nowMs`. Accepts any of several `v1` values (so a sender can
 * sign with an old and a new secret while rotating) and ignores unknown schemes (a future `v2`).
 * A timestamp further than `toleranceMs` from now, in either direction, is stale: a clock far ahead
 * would otherwise mint requests that stay replayable for as long as it is ahead.
 */
export function verifySignature(
  secret: string,
  body: string | Uint8Array,
  header: string | null | undefined,
  nowMs: number,
  toleranceMs: number = defaultToleranceMs,
): VerifyResult {
  if (secret.length === 0) return { ok: false, reason: 'empty secret' };
  const parsed = parseHeader(header);
  if (parsed === null) return { ok: false, reason: 'malformed header' };
  if (!Number.isFinite(nowMs) || !(toleranceMs >= 0) || Math.abs(nowMs - Number(parsed.t) * 1000) > toleranceMs) {
    return { ok: false, reason: 'stale timestamp' };
  }
  const expected = mac(secret, parsed.t, body);
  let match = false;
  // Compare against every candidate without stopping early, so timing says nothing about which matched.
  for (const candidate of parsed.v1) if (timingSafeEqual(expected, candidate)) match = true;
  return match ? { ok: true } : { ok: false, reason: 'bad signature' };
}

function parseHeader(header: string | null | undefined): { t: string; v1: Buffer[] } | null {
  if (typeof header !== 'string' || header.length === 0 || header.length > maxHeaderLength) return null;
  let t: string | undefined;
  const v1: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      // Two timestamps would leave it open which one the MAC covers.
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return null;
      t = value;
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return null;
      v1.push(Buffer.from(value, 'hex'));
    }
  }
  return t === undefined || v1.length === 0 ? null : { t, v1 };
}
