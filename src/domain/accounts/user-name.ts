import { TocsinError } from '../kernel/errors.ts';

// Lower-case ASCII so names compare without case folding, read the same in logs and audit trails,
// and are safe on a command line; 2–64 characters.
const userNamePattern = /^[a-z][a-z0-9_.-]{1,63}$/;

/** What is wrong with `name` as a user name, or null when it is fine. */
export function userNameProblem(name: string): string | null {
  if (userNamePattern.test(name)) return null;
  return (
    `"${name}" is not a valid user name: use 2 to 64 characters, lower-case letters, digits, ` +
    `"_", "." or "-", starting with a letter`
  );
}

/** Throws TOCSIN_VALIDATION naming `field` when `name` is not a valid user name. */
export function assertUserName(name: string, field = 'name'): void {
  const problem = userNameProblem(name);
  if (problem) throw new TocsinError('TOCSIN_VALIDATION', `${field}: ${problem}`, { fields: [field] });
}
