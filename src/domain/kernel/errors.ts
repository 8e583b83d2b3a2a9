/**
 * The one catalogue of coded errors. The domain throws `TocsinError` with a code from here;
 * the HTTP layer maps the code to a status in one place (api/error-handler.ts) and the CLI
 * prints the message on one line. docs/ERRORS.md lists every code (a test keeps them in step).
 */
export const errorCatalogue = {
  TOCSIN_VALIDATION: { status: 400, summary: 'A request or value is malformed; the message names the field.' },
  TOCSIN_UNAUTHENTICATED: { status: 401, summary: 'No valid credentials (session cookie or Bearer token).' },
  TOCSIN_FORBIDDEN: { status: 403, summary: "The caller's role may not do this." },
  TOCSIN_NOT_FOUND: { status: 404, summary: 'The named resource does not exist.' },
  TOCSIN_CONFLICT: { status: 409, summary: 'The resource already exists or changed meanwhile.' },
  TOCSIN_PAYLOAD_TOO_LARGE: { status: 413, summary: 'The request body is larger than the configured limit.' },
  TOCSIN_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The Content-Type is not one this endpoint reads.' },
  TOCSIN_RATE_LIMITED: { status: 429, summary: 'Too many requests; retry after the given time.' },
  TOCSIN_CONFIG_INVALID: { status: 500, summary: 'Configuration is invalid; every problem is listed at once.' },
  TOCSIN_STORE_UNAVAILABLE: { status: 503, summary: 'The store cannot be reached or is shutting down.' },
  TOCSIN_MIGRATION_FAILED: { status: 500, summary: 'A schema migration failed; the message names it.' },
  TOCSIN_INTERNAL: { status: 500, summary: 'An unexpected fault; details are in the server log, not the response.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** A coded, user-facing error: its message names what was wrong and where. */
export class TocsinError extends Error {
  readonly code: ErrorCode;
  /** Structured details safe to show to the caller (field, line, value, …). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'TocsinError';
    this.code = code;
    this.details = details;
  }
}

/** True when `err` is one of ours (and so its message is safe to show). */
export function isTocsinError(err: unknown): err is TocsinError {
  return err instanceof TocsinError;
}

/** The HTTP status for a code: the single mapping the API layer uses. */
export function statusOf(code: ErrorCode): number {
  return errorCatalogue[code].status;
}
