import type { SerializedDbError } from './pglite/worker-protocol.ts';

/** A database error with its SQLSTATE `code`, the same shape whichever backend raised it. */
export class DbError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly constraint: string | undefined;

  constructor(fields: SerializedDbError) {
    super(fields.message);
    this.name = 'DbError';
    this.code = fields.code;
    this.detail = fields.detail;
    this.constraint = fields.constraint;
  }
}

/** True when `err` is a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}
