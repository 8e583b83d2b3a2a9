import { describe, expect, it } from 'vitest';
import {
  formatSessionSecret,
  looksLikeSessionSecret,
  sessionExpiry,
  sessionIsLive,
  sessionPolicy,
  shouldTouchSession,
} from './session.ts';

const hour = 3_600_000;
const day = 24 * hour;

describe('sessions', () => {
  it('hold 32 random bytes in base64url in the tocsin_session cookie', () => {
    const secret = formatSessionSecret(new Uint8Array(32).fill(255));
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(looksLikeSessionSecret(secret)).toBe(true);
    expect(looksLikeSessionSecret(`${secret};`)).toBe(false);
    expect(sessionPolicy.cookieName).toBe('tocsin_session');
  });

  it.each([
    { name: 'new session', created: 0, now: 0, expires: 12 * hour },
    { name: 'slides with use', created: 0, now: 30 * hour, expires: 42 * hour },
    { name: 'capped at 7 days', created: 0, now: 6.8 * day, expires: 7 * day },
    { name: 'capped past 7 days', created: 0, now: 8 * day, expires: 7 * day },
  ])('expiry: $name', ({ created, now, expires }) => {
    expect(sessionExpiry(created, now)).toBe(expires);
  });

  it.each([
    { expiresAt: 100, revokedAt: null, now: 99, live: true },
    { expiresAt: 100, revokedAt: null, now: 100, live: false },
    { expiresAt: 100, revokedAt: 50, now: 60, live: false },
  ])('live at $now (expires $expiresAt, revoked $revokedAt): $live', ({ now, live, ...session }) => {
    expect(sessionIsLive(session, now)).toBe(live);
  });

  it.each([
    { last: 0, now: 59_999, touch: false },
    { last: 0, now: 60_000, touch: true },
  ])('touches after $last at $now: $touch', ({ last, now, touch }) => {
    expect(shouldTouchSession(last, now)).toBe(touch);
  });
});
