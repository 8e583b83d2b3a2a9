import { createHash } from 'node:crypto';

/**
 * The sha256 hex digest under which a bearer secret (session cookie, API token) is stored.
 * A fast hash is right here, unlike for passwords: the secrets are 256 random bits, so there is
 * nothing to brute-force, and the lookup runs on every request.
 */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
