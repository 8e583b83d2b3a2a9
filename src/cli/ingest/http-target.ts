import { setTimeout as delay } from 'node:timers/promises';
import type { Chunk, Target } from './chunk-target.ts';
import type { IngestCommandDeps } from './ingest-deps.ts';
import { IngestFailure } from './ingest-failure.ts';
import { errorMessage, ingestAnswer, parseJson, rejectionsIn } from './server-answer.ts';

/** Waits before each retry of a 5xx or connection failure (ms): five attempts within ~8 s. */
const retryDelaysMs = [500, 1000, 2000, 4000];
/** Longest wait a 429/503 Retry-After may impose (ms). */
const maxRetryAfterMs = 60_000;
/** One POST may take this long (ms) before it counts as a failed attempt (re-posting is harmless). */
const requestTimeoutMs = 120_000;

const contentTypes: Readonly<Record<'ndjson' | 'csv', string>> = { ndjson: 'application/x-ndjson', csv: 'text/csv' };

/** Posts each batch to `POST {url}/api/v1/observations`, retrying what may pass on a second try. */
export function httpTarget(url: string, token: string | undefined, deps: Pick<IngestCommandDeps, 'fetch' | 'sleep'>): Target {
  let base: URL;
  try {
    base = new URL(url.endsWith('/') ? url : `${url}/`);
  } catch {
    throw new IngestFailure(`--url ${url} is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new IngestFailure(`--url ${url} must be http or https`);
  if (!token) throw new IngestFailure('--url needs an API token: --token or TOCSIN_TOKEN (tocsin token create NAME)');
  const endpoint = new URL('api/v1/observations', base);
  // Never echo credentials someone put in the URL.
  base.username = '';
  base.password = '';
  const server = base.href.replace(/\/$/, '');
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const post = async (chunk: Chunk, format: 'ndjson' | 'csv') => {
    const res = await doFetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': contentTypes[format], authorization: `Bearer ${token}` },
      body: chunk.text,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
  };
  return {
    describe: server,
    async send(chunk, format) {
      const where = `${chunk.label} from line ${chunk.offset + 1}`;
      for (let attempt = 0; ; attempt++) {
        const last = attempt >= retryDelaysMs.length;
        let answer: Awaited<ReturnType<typeof post>>;
        try {
          answer = await post(chunk, format);
        } catch (err) {
          if (last) throw new IngestFailure(`server unreachable at ${server}: ${fetchFailure(err)}`);
          await sleep(retryDelaysMs[attempt]!);
          continue;
        }
        const body = parseJson(answer.text) as { error?: { message?: unknown; details?: unknown } } | undefined;
        if (answer.status >= 200 && answer.status < 300) {
          const outcome = ingestAnswer(body);
          if (!outcome) throw new IngestFailure(`${server} answered ${answer.status} without {accepted, duplicates, rejected}; is it a Tocsin server?`);
          return outcome;
        }
        // The server answers 400 when no line of a batch was good: those are rejected lines, not a fault.
        const allRejected = answer.status === 400 ? rejectionsIn(body?.error?.details) : undefined;
        if (allRejected) return { accepted: 0, duplicates: 0, ...allRejected };
        const reason = `${answer.status}${errorMessage(body, answer.text)}`;
        // Re-posting is harmless (idempotent on series + t), so any transient answer is retried.
        if (answer.status >= 500 || answer.status === 429) {
          if (last) throw new IngestFailure(`server at ${server} kept failing on ${where}: ${reason}`);
          await sleep(retryWait(answer.retryAfter, retryDelaysMs[attempt]!));
          continue;
        }
        const hint = answer.status === 413 ? ' (use a smaller --batch)' : '';
        throw new IngestFailure(`server refused ${where}: ${reason}${hint}`);
      }
    },
    close: async () => {},
  };
}

function retryWait(retryAfter: string | null, fallbackMs: number): number {
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, maxRetryAfterMs) : fallbackMs;
}

function fetchFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${requestTimeoutMs / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
