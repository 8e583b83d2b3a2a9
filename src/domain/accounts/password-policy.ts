import { TocsinError } from '../kernel/errors.ts';

/** The password rules for people; machine accounts have no password and use API tokens. */
export const passwordPolicy = {
  /** Characters (Unicode code points). Length matters more than character classes (NIST SP 800-63B §5.1.1.2). */
  minLength: 12,
  /** Characters; bounds the hashing work an attacker can ask of the server. */
  maxLength: 1024,
} as const;

/** What is wrong with `password` for the user `userName`, or null when it is acceptable. */
export function passwordProblem(password: string, userName?: string): string | null {
  const length = [...password].length;
  if (length < passwordPolicy.minLength) {
    return `the password is ${length} characters long; it needs at least ${passwordPolicy.minLength}`;
  }
  if (length > passwordPolicy.maxLength) {
    return `the password is ${length} characters long; at most ${passwordPolicy.maxLength} are accepted`;
  }
  if (password.trim() === '') return 'the password is only spaces';
  // Names shorter than 4 characters would forbid too many good passwords for little gain.
  if (userName !== undefined && userName.length >= 4 && password.toLowerCase().includes(userName.toLowerCase())) {
    return 'the password must not contain the user name';
  }
  return null;
}

/** Throws TOCSIN_VALIDATION naming `field` when `password` breaks the policy. */
export function assertPassword(password: string, userName?: string, field = 'password'): void {
  const problem = passwordProblem(password, userName);
  if (problem) throw new TocsinError('TOCSIN_VALIDATION', `${field}: ${problem}`, { fields: [field] });
}

/**
 * A password made from random bytes, for `user add` without `--password` and the first admin.
 * 18 bytes give 144 bits of entropy in 24 base64url characters, well past the minimum length.
 */
export function passwordFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 12) throw new RangeError('a generated password needs at least 12 random bytes');
  return Buffer.from(bytes).toString('base64url');
}
