/**
 * Console sessions. The cookie holds 32 random bytes in base64url; the store keeps only their
 * sha256 as the session id. A session lives 12 hours from its last use (sliding, so a duty officer
 * working a shift is never signed out mid-incident) and never more than 7 days from sign-in, so a
 * forgotten browser does not stay signed in for ever.
 */
export const sessionPolicy = {
  cookieName: 'tocsin_session',
  secretBytes: 32,
  /** Idle lifetime (ms): the session ends this long after its last use. */
  idleMs: 12 * 3_600_000,
  /** Absolute lifetime (ms) from sign-in, however active the session. */
  absoluteMs: 7 * 86_400_000,
  /** last_seen_at and expires_at are written at most this often (ms), not on every request. */
  touchResolutionMs: 60_000,
} as const;

const secretPattern = /^[A-Za-z0-9_-]{43}$/;

/** The cookie value for 32 random bytes. */
export function formatSessionSecret(bytes: Uint8Array): string {
  if (bytes.length !== sessionPolicy.secretBytes) {
    throw new RangeError(`a session secret needs exactly ${sessionPolicy.secretBytes} random bytes`);
  }
  return Buffer.from(bytes).toString('base64url');
}

/** True when `text` has the shape of a session secret. */
export function looksLikeSessionSecret(text: string): boolean {
  return secretPattern.test(text);
}

/** When a session created at `createdAtMs` and last used at `nowMs` expires (epoch ms). */
export function sessionExpiry(createdAtMs: number, nowMs: number): number {
  return Math.min(nowMs + sessionPolicy.idleMs, createdAtMs + sessionPolicy.absoluteMs);
}

/** True when the session can still be used at `nowMs`. */
export function sessionIsLive(session: { expiresAt: number; revokedAt: number | null }, nowMs: number): boolean {
  return session.revokedAt === null && nowMs < session.expiresAt;
}

/** True when a use at `nowMs` should slide the session forward (written at most once a minute). */
export function shouldTouchSession(lastSeenAt: number, nowMs: number): boolean {
  return nowMs - lastSeenAt >= sessionPolicy.touchResolutionMs;
}
