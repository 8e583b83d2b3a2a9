import { version } from '../../runtime/version.ts';
import { startAttempt, type DeliveryOutcome } from './retry-policy.ts';
import { signatureHeader, signatureHeaderName } from './signature.ts';

/**
 * One POST of a notification to a webhook receiver. It never throws and never waits to retry: it
 * reports what happened as a DeliveryOutcome, and `retryDecision` says when to try again, so the
 * schedule lives in the notification history rather than in a timer that a restart would lose.
 */

/** What to send where; `body` is sent byte for byte (e.g. `webhookBody(...)`), so the signature matches. */
export interface WebhookRequest {
  url: string;
  body: string;
  /** Shared secret for `X-Tocsin-Signature`; absent: unsigned, as Alertmanager sends. */
  secret?: string;
  /** Whole request, body read included; 0: none (Alertmanager's default for webhooks). */
  timeoutMs: number;
  /** `http_config.bearer_token` of the receiver. */
  bearerToken?: string;
}

/** Sent on every request, so receivers' logs show which Tocsin called. */
export const userAgent = `Tocsin/${version}`;

// Enough of an error page to tell the operator what the receiver said, not so much that a huge
// response fills the notification history.
const maxErrorBodyBytes = 512;

/**
 * Whether a status is worth retrying. As in Alertmanager (notify/util.go), a 4xx is the sender's
 * fault and will fail again, except 429 (slow down) and 408 (the receiver timed out reading us).
 */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * POSTs `request.body` as JSON, signed at `nowMs` when a secret is set. `now`, when given, measures
 * `durationMs`; nothing here reads the clock otherwise.
 */
export async function sendWebhook(request: WebhookRequest, nowMs: number, now?: () => number): Promise<DeliveryOutcome> {
  const finish = startAttempt(now);

  const problem = checkRequest(request);
  if (problem !== null) return finish(null, problem, false);

  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': userAgent };
  if (request.secret !== undefined) {
    try {
      headers[signatureHeaderName] = signatureHeader(request.secret, request.body, nowMs);
    } catch (err) {
      return finish(null, `cannot sign: ${(err as Error).message}`, false);
    }
  }
  if (request.bearerToken !== undefined) headers['Authorization'] = `Bearer ${request.bearerToken}`;

  const controller = new AbortController();
  // The one timer here bounds a single request; it is not a retry and is cleared before returning.
  const timer = request.timeoutMs > 0 ? setTimeout(() => controller.abort(), request.timeoutMs) : undefined;
  try {
    const response = await fetch(request.url, { method: 'POST', headers, body: request.body, signal: controller.signal, redirect: 'follow' });
    const status = response.status;
    if (status >= 200 && status < 300) {
      // Drain without keeping it, so the connection can be reused.
      await response.body?.cancel();
      return finish(status, null, false);
    }
    const said = await readSome(response);
    return finish(status, `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${said ? `: ${said}` : ''}`, retryableStatus(status));
  } catch (err) {
    if (controller.signal.aborted) return finish(null, `timed out after ${request.timeoutMs} ms`, true);
    return finish(null, describeNetworkError(err), true);
  } finally {
    clearTimeout(timer);
  }
}

function checkRequest(request: WebhookRequest): string | null {
  if (typeof request.body !== 'string') return 'body must be a string';
  if (!Number.isFinite(request.timeoutMs) || request.timeoutMs < 0) return `timeoutMs must be 0 (none) or more, got ${request.timeoutMs}`;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    // The URL itself is not echoed: webhook URLs often carry a token (Alertmanager treats them as secrets).
    return 'invalid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `unsupported URL scheme ${url.protocol} (http: or https: only)`;
  if (request.bearerToken !== undefined && /[\r\n]/.test(request.bearerToken)) return 'bearer token must not contain line breaks';
  return null;
}

/** The start of the response body, one line, for the error message. */
async function readSome(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxErrorBodyBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // What the receiver said is a courtesy; the status already decides the outcome.
  } finally {
    reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, maxErrorBodyBytes).toString('utf8');
  return text.replace(/\s+/g, ' ').trim();
}

/** Undici's `fetch failed` hides the reason in `cause` (ECONNREFUSED, ENOTFOUND…); bring it out. */
function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  const message = e.message ?? String(err);
  return cause ? `${message}: ${cause}` : message;
}
