import { createHash } from 'node:crypto';

/**
 * What to do after one delivery attempt. Pure: the caller says what happened and when, and gets
 * back an instant to try again (or a final verdict) to store in the notification history. No timer
 * lives here, so a restart loses nothing and tests step through time exactly.
 */

/** The result of one attempt at delivering a notification, from any connector (webhook, e-mail). */
export interface DeliveryOutcome {
  /** True when the receiver accepted the notification. */
  ok: boolean;
  /** HTTP status, or the SMTP reply code; null when no answer came (network error, timeout, bad config). */
  status: number | null;
  /** What went wrong, for the operator; null when ok. Never contains secrets. */
  error: string | null;
  /** Whether trying again later could succeed (a 503 could; a 400 or a bad address will not). */
  retryable: boolean;
  /** Time the attempt took by the injected clock (0 when none was given). */
  durationMs: number;
}

/** How often and how far apart to retry. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait after the first failed attempt. */
  initialBackoffMs: number;
  /** Ceiling on any single wait. */
  maxBackoffMs: number;
  /** Growth of the wait per failed attempt. */
  multiplier: number;
  /** Share of each wait (0..1) that jitter may take off when a seed is given; 0.5 when absent. */
  jitter?: number;
}

/** The next step for a notification: done, try again at an instant, or give up. */
export type RetryDecision = { kind: 'delivered' } | { kind: 'retry'; at: number } | { kind: 'dead-letter'; reason: string };

/** 1 s, 2 s, 4 s, 8 s between five attempts: a receiver restarting gets ~15 s to come back. */
export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({ maxAttempts: 5, initialBackoffMs: 1000, maxBackoffMs: 60_000, multiplier: 2 });

const defaultJitter = 0.5;

/** The wait after failed attempt `attempt` (1-based), before jitter: initial × multiplier^(attempt−1), capped. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const raw = policy.initialBackoffMs * policy.multiplier ** (attempt - 1);
  // `**` can overflow to Infinity for large attempts; min() with the ceiling still gives a number.
  return Math.min(policy.maxBackoffMs, raw);
}

/**
 * A number in [0, 1) fixed by the seed and the attempt. Many notifications failing against one
 * receiver at once would otherwise all retry at the same instants and knock it over again; seeding
 * with e.g. the group key spreads them while keeping every decision reproducible.
 */
export function jitterFraction(seed: string, attempt: number): number {
  const digest = createHash('sha256').update(`${seed}\u0000${attempt}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Decides after attempt `attempt` (1-based) ended with `outcome` at `nowMs`. Gives up at once on a
 * failure that retrying cannot fix, and after the last allowed attempt; otherwise retries after the
 * backoff, shortened by up to `policy.jitter` of it when `jitterSeed` is given (never lengthened, so
 * `maxBackoffMs` stays a true ceiling). Throws RangeError on arguments no caller should pass.
 */
export function retryDecision(
  outcome: DeliveryOutcome,
  attempt: number,
  policy: RetryPolicy = defaultRetryPolicy,
  nowMs: number,
  jitterSeed?: string,
): RetryDecision {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer from 1, got ${attempt}`);
  if (!Number.isFinite(nowMs)) throw new RangeError(`nowMs must be a finite number, got ${nowMs}`);
  const checked = parseRetryPolicy(policy);
  if (!checked.ok) throw new RangeError(`invalid retry policy: ${checked.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  if (outcome.ok) return { kind: 'delivered' };
  const why = outcome.error ?? (outcome.status !== null ? `status ${outcome.status}` : 'failed');
  if (!outcome.retryable) return { kind: 'dead-letter', reason: `not retryable: ${why}` };
  const p = checked.policy;
  if (attempt >= p.maxAttempts) return { kind: 'dead-letter', reason: `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${why}` };
  let wait = backoffMs(p, attempt);
  if (jitterSeed !== undefined) wait -= wait * (p.jitter ?? defaultJitter) * jitterFraction(jitterSeed, attempt);
  return { kind: 'retry', at: nowMs + Math.round(wait) };
}

/** One thing wrong with a policy, naming the field so an operator can find it. */
export interface PolicyProblem {
  field: string;
  message: string;
}

// Describes a wrong value without JSON.stringify, which throws on a BigInt.
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

const fields = ['maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'multiplier', 'jitter'] as const;

/**
 * Reads a policy from configuration (an object with the fields of RetryPolicy, each optional,
 * defaults filling the gaps), listing every problem at once rather than stopping at the first.
 */
export function parseRetryPolicy(raw: unknown): { ok: true; policy: RetryPolicy } | { ok: false; problems: PolicyProblem[] } {
  if (raw === undefined || raw === null) return { ok: true, policy: { ...defaultRetryPolicy } };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, problems: [{ field: '(policy)', message: 'must be an object' }] };
  const input = raw as Record<string, unknown>;
  const problems: PolicyProblem[] = [];
  for (const key of Object.keys(input)) {
    if (!(fields as readonly string[]).includes(key)) problems.push({ field: key, message: `unknown field (known: ${fields.join(', ')})` });
  }
  // A wrong value is reported and the default used in its place, so later checks still run.
  const num = (field: (typeof fields)[number], fallback: number, check: (n: number) => string | null): number => {
    const value = input[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push({ field, message: `must be a finite number, got ${shown(value)}` });
      return fallback;
    }
    const problem = check(value);
    if (problem === null) return value;
    problems.push({ field, message: `${problem}, got ${value}` });
    return fallback;
  };
  const wholeMs = (n: number) => (Number.isInteger(n) && n >= 0 ? null : 'must be a whole number of milliseconds, 0 or more');
  const maxAttempts = num('maxAttempts', defaultRetryPolicy.maxAttempts, (n) => (Number.isInteger(n) && n >= 1 && n <= 100 ? null : 'must be an integer from 1 to 100'));
  const initialBackoffMs = num('initialBackoffMs', defaultRetryPolicy.initialBackoffMs, wholeMs);
  const maxBackoffMs = num('maxBackoffMs', defaultRetryPolicy.maxBackoffMs, wholeMs);
  const multiplier = num('multiplier', defaultRetryPolicy.multiplier, (n) => (n >= 1 && n <= 100 ? null : 'must be from 1 to 100 (below 1 the waits would shrink)'));
  const jitter = num('jitter', defaultJitter, (n) => (n >= 0 && n <= 1 ? null : 'must be from 0 to 1'));
  if (maxBackoffMs < initialBackoffMs) {
    problems.push({ field: 'maxBackoffMs', message: `must be at least initialBackoffMs (${initialBackoffMs}), got ${maxBackoffMs}` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    policy: { maxAttempts, initialBackoffMs, maxBackoffMs, multiplier, ...(input['jitter'] !== undefined ? { jitter } : {}) },
  };
}

/**
 * Starts timing one delivery attempt; answers the function that turns its end into an outcome
 * (ok when there is no error; never retryable when ok). `now`, when given, measures `durationMs`;
 * without it the duration is 0, as nothing here may read the clock.
 */
export function startAttempt(now?: () => number): (status: number | null, error: string | null, retryable: boolean) => DeliveryOutcome {
  const startedAt = now?.() ?? 0;
  return (status, error, retryable) => ({
    ok: error === null,
    status,
    error,
    retryable: error === null ? false : retryable,
    durationMs: now === undefined ? 0 : Math.max(0, now() - startedAt),
  });
}
