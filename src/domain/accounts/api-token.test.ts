import { describe, expect, it } from 'vitest';
import {
  apiTokenExpiry,
  apiTokenPrefix,
  apiTokenState,
  assertTokenLabel,
  formatApiToken,
  looksLikeApiToken,
  shouldRecordTokenUse,
} from './api-token.ts';
import { secretHash } from './secret-hash.ts';

const day = 86_400_000;

describe('API tokens', () => {
  const token = formatApiToken(new Uint8Array(32).map((_, i) => i * 7));

  it('are tcs_ and 43 base64url characters, shown by a 12-character prefix', () => {
    expect(token).toMatch(/^tcs_[A-Za-z0-9_-]{43}$/);
    expect(looksLikeApiToken(token)).toBe(true);
    expect(apiTokenPrefix(token)).toBe(token.slice(0, 12));
    expect(() => formatApiToken(new Uint8Array(16))).toThrow(RangeError);
  });

  it.each(['', 'tcs_', `tcs_${'a'.repeat(42)}`, `tcs_${'a'.repeat(44)}`, `xyz_${'a'.repeat(43)}`, `tcs_${'a'.repeat(42)}=`])(
    'rejects the shape of %j',
    (text) => expect(looksLikeApiToken(text)).toBe(false),
  );

  it('are stored as sha256 hex', () => {
    expect(secretHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it.each([
    { days: undefined, expected: null },
    { days: 1, expected: 1000 + day },
    { days: 3650, expected: 1000 + 3650 * day },
  ])('expire after $days days', ({ days, expected }) => {
    expect(apiTokenExpiry(1000, days)).toBe(expected);
  });

  it.each([0, -1, 1.5, 3651, Number.NaN])('refuse a lifetime of %s days, naming the field', (days) => {
    expect(() => apiTokenExpiry(0, days)).toThrow(/^expiresInDays: .* is not a whole number of days from 1 to 3650$/);
  });

  it.each([
    { expiresAt: null, revokedAt: null, now: 5, state: 'active' },
    { expiresAt: 10, revokedAt: null, now: 9, state: 'active' },
    { expiresAt: 10, revokedAt: null, now: 10, state: 'expired' },
    { expiresAt: 10, revokedAt: 3, now: 20, state: 'revoked' },
    { expiresAt: null, revokedAt: 3, now: 3, state: 'revoked' },
  ] as const)('state at $now with expiry $expiresAt, revoked $revokedAt → $state', ({ now, state, ...token }) => {
    expect(apiTokenState(token, now)).toBe(state);
  });

  it.each([
    { last: null, now: 0, record: true },
    { last: 0, now: 59_999, record: false },
    { last: 0, now: 60_000, record: true },
  ])('records a use after $last at $now: $record', ({ last, now, record }) => {
    expect(shouldRecordTokenUse(last, now)).toBe(record);
  });

  it.each(['', '   ', 'x'.repeat(101)])('refuse the label %j', (label) => {
    expect(() => assertTokenLabel(label)).toThrow(/^name: a token's label needs 1 to 100 characters/);
  });
});
