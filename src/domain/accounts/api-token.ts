import { TocsinError } from '../kernel/errors.ts';

/**
 * API tokens: `tcs_` + 32 random bytes in base64url (43 characters), 47 characters in all.
 * The prefix makes a leaked token easy to recognise in logs and by secret scanners; only the
 * sha256 of the whole token is stored, and `tcs_` + its first 8 characters are kept for display.
 */
export const apiTokenFormat = {
  marker: 'tcs_',
  randomBytes: 32,
  /** Characters of the random part kept in clear after the marker, to tell tokens apart. */
  displayChars: 8,
  /** Longest lifetime a caller may ask for, in days; without one the token lasts until revoked. */
  maxExpiresInDays: 3650,
  /** last_used_at is written at most this often (ms), so a busy script does not write on each call. */
  lastUsedResolutionMs: 60_000,
} as const;

const tokenPattern = /^tcs_[A-Za-z0-9_-]{43}$/;

/** The token text for 32 random bytes. */
export function formatApiToken(bytes: Uint8Array): string {
  if (bytes.length !== apiTokenFormat.randomBytes) {
    throw new RangeError(`an API token needs exactly ${apiTokenFormat.randomBytes} random bytes`);
  }
  return apiTokenFormat.marker + Buffer.from(bytes).toString('base64url');
}

/** True when `text` has the shape of a Tocsin API token (says nothing about whether it is valid). */
export function looksLikeApiToken(text: string): boolean {
  return tokenPattern.test(text);
}

/** The part of a token shown in lists: `tcs_` and the first 8 characters. */
export function apiTokenPrefix(token: string): string {
  return token.slice(0, apiTokenFormat.marker.length + apiTokenFormat.displayChars);
}

/** When a token made at `createdAtMs` expires (epoch ms), or null for no expiry; checks the range. */
export function apiTokenExpiry(createdAtMs: number, expiresInDays: number | undefined): number | null {
  if (expiresInDays === undefined) return null;
  if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > apiTokenFormat.maxExpiresInDays) {
    throw new TocsinError(
      'TOCSIN_VALIDATION',
      `expiresInDays: ${expiresInDays} is not a whole number of days from 1 to ${apiTokenFormat.maxExpiresInDays}`,
      { fields: ['expiresInDays'], value: expiresInDays },
    );
  }
  return createdAtMs + expiresInDays * 86_400_000;
}

/** A token's state at `nowMs`: usable, past its expiry, or revoked. */
export function apiTokenState(
  token: { expiresAt: number | null; revokedAt: number | null },
  nowMs: number,
): 'active' | 'expired' | 'revoked' {
  if (token.revokedAt !== null && token.revokedAt <= nowMs) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= nowMs) return 'expired';
  return 'active';
}

/** True when a use at `nowMs` should be written as the token's last use. */
export function shouldRecordTokenUse(lastUsedAt: number | null, nowMs: number): boolean {
  return lastUsedAt === null || nowMs - lastUsedAt >= apiTokenFormat.lastUsedResolutionMs;
}

/** Throws TOCSIN_VALIDATION when a token's label is empty or longer than 100 characters. */
export function assertTokenLabel(label: string, field = 'name'): void {
  const length = [...label.trim()].length;
  if (length === 0 || length > 100) {
    throw new TocsinError('TOCSIN_VALIDATION', `${field}: a token's label needs 1 to 100 characters, not ${length}`, {
      fields: [field],
    });
  }
}
