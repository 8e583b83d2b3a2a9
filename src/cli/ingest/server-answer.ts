import type { LineRejection } from '../../domain/observations/observation.ts';
import type { ChunkOutcome } from './chunk-target.ts';

/** `{accepted, duplicates, rejected, rejectedCount?}` from a 202 body, if it is one. */
export function ingestAnswer(body: unknown): ChunkOutcome | undefined {
  const b = body as { accepted?: unknown; duplicates?: unknown } | undefined;
  const rejections = rejectionsIn(body);
  if (typeof b?.accepted !== 'number' || typeof b.duplicates !== 'number' || !rejections) return undefined;
  return { accepted: b.accepted, duplicates: b.duplicates, ...rejections };
}

/** `{rejected, rejectedCount}` of an answer (the server lists at most 1000; the count is complete). */
export function rejectionsIn(value: unknown): { rejected: LineRejection[]; rejectedCount: number } | undefined {
  const v = value as { rejected?: unknown; rejectedCount?: unknown } | undefined;
  if (!Array.isArray(v?.rejected)) return undefined;
  const rejected = (v.rejected as unknown[]).filter(
    (r): r is LineRejection => typeof (r as LineRejection)?.line === 'number' && typeof (r as LineRejection)?.error === 'string',
  );
  return { rejected, rejectedCount: typeof v.rejectedCount === 'number' ? v.rejectedCount : rejected.length };
}

/** The server's message (` …` with a leading space), from our error shape or any JSON or text. */
export function errorMessage(body: { error?: { message?: unknown } | unknown; message?: unknown } | undefined, text: string): string {
  const error = body?.error as { message?: unknown } | string | undefined;
  const message =
    typeof error === 'string'
      ? error
      : typeof error?.message === 'string'
        ? error.message
        : typeof body?.message === 'string'
          ? body.message
          : text.slice(0, 200);
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat === '' ? '' : ` ${flat}`;
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
