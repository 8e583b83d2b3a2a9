import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffMs, defaultRetryPolicy, jitterFraction, parseRetryPolicy, retryDecision, type DeliveryOutcome, type RetryPolicy } from './retry-policy.ts';

const t0 = Date.UTC(2026, 10, 22, 8);
const failed = (status: number | null, retryable: boolean, error = `HTTP ${status}`): DeliveryOutcome => ({ ok: false, status, error, retryable, durationMs: 3 });
const delivered: DeliveryOutcome = { ok: true, status: 200, error: null, retryable: false, durationMs: 3 };

describe('retryDecision', () => {
  it('says delivered on success, whatever the attempt', () => {
    expect(retryDecision(delivered, 1, undefined, t0)).toEqual({ kind: 'delivered' });
    expect(retryDecision(delivered, 5, undefined, t0)).toEqual({ kind: 'delivered' });
  });

  it('backs off 1, 2, 4, 8 s by default and dead-letters after the fifth attempt', () => {
    const f = failed(503, true);
    expect([1, 2, 3, 4].map((n) => retryDecision(f, n, undefined, t0))).toEqual([
      { kind: 'retry', at: t0 + 1000 },
      { kind: 'retry', at: t0 + 2000 },
      { kind: 'retry', at: t0 + 4000 },
      { kind: 'retry', at: t0 + 8000 },
    ]);
    expect(retryDecision(f, 5, undefined, t0)).toEqual({ kind: 'dead-letter', reason: 'gave up after 5 attempts: HTTP 503' });
  });

  it('caps each wait at maxBackoffMs, even where the exponent overflows', () => {
    const policy: RetryPolicy = { maxAttempts: 100, initialBackoffMs: 1000, maxBackoffMs: 60_000, multiplier: 10 };
    expect(retryDecision(failed(503, true), 2, policy, t0)).toEqual({ kind: 'retry', at: t0 + 10_000 });
    expect(retryDecision(failed(503, true), 3, policy, t0)).toEqual({ kind: 'retry', at: t0 + 60_000 });
    expect(backoffMs(policy, 99)).toBe(60_000);
  });

  it('dead-letters a failure retrying cannot fix at once, with its error', () => {
    expect(retryDecision(failed(400, false, 'HTTP 400 Bad Request'), 1, undefined, t0)).toEqual({ kind: 'dead-letter', reason: 'not retryable: HTTP 400 Bad Request' });
    expect(retryDecision({ ...failed(404, false), error: null }, 1, undefined, t0)).toEqual({ kind: 'dead-letter', reason: 'not retryable: status 404' });
  });

  it('with one attempt allowed, a retryable failure is final', () => {
    expect(retryDecision(failed(null, true, 'timed out'), 1, { ...defaultRetryPolicy, maxAttempts: 1 }, t0)).toEqual({ kind: 'dead-letter', reason: 'gave up after 1 attempt: timed out' });
  });

  it('jitters deterministically from the seed: exact, within bounds, and different for another seed', () => {
    const f = failed(503, true);
    // The derivation spelled out: the first 48 bits of SHA-256("<seed>\0<attempt>") as a fraction.
    const fraction = (seed: string, attempt: number) => createHash('sha256').update(`${seed}\u0000${attempt}`).digest().readUIntBE(0, 6) / 2 ** 48;
    expect(jitterFraction('group-a', 3)).toBe(fraction('group-a', 3));
    const at = (seed: string, attempt: number, jitter?: number) => {
      const d = retryDecision(f, attempt, { ...defaultRetryPolicy, ...(jitter !== undefined ? { jitter } : {}) }, t0, seed);
      return d.kind === 'retry' ? d.at : Number.NaN;
    };
    expect(at('group-a', 3)).toBe(t0 + Math.round(4000 - 4000 * 0.5 * fraction('group-a', 3)));
    expect(at('group-a', 3)).toBe(at('group-a', 3));
    expect(at('group-a', 3)).not.toBe(at('group-b', 3));
    for (const seed of ['a', 'b', 'c', 'd', 'e']) {
      const v = at(seed, 3);
      expect(v).toBeGreaterThan(t0 + 2000 - 1);
      expect(v).toBeLessThanOrEqual(t0 + 4000);
    }
    expect(at('group-a', 3, 0)).toBe(t0 + 4000);
    expect(at('group-a', 3, 1)).toBe(t0 + Math.round(4000 - 4000 * fraction('group-a', 3)));
  });

  it('refuses arguments no caller should pass', () => {
    expect(() => retryDecision(delivered, 0, undefined, t0)).toThrow(/attempt must be an integer from 1/);
    expect(() => retryDecision(delivered, 1.5, undefined, t0)).toThrow(/attempt/);
    expect(() => retryDecision(delivered, 1, undefined, Number.NaN)).toThrow(/nowMs/);
    expect(() => retryDecision(delivered, 1, { ...defaultRetryPolicy, maxAttempts: 0 }, t0)).toThrow(/invalid retry policy: maxAttempts/);
  });
});

describe('parseRetryPolicy', () => {
  it('fills gaps with the defaults, and takes nothing as the default policy', () => {
    expect(parseRetryPolicy(undefined)).toEqual({ ok: true, policy: defaultRetryPolicy });
    expect(parseRetryPolicy({ maxAttempts: 8, jitter: 0.25 })).toEqual({ ok: true, policy: { ...defaultRetryPolicy, maxAttempts: 8, jitter: 0.25 } });
  });

  it('names every wrong field at once', () => {
    const result = parseRetryPolicy({ maxAttempts: 0, initialBackoffMs: -5, multiplier: '2', jitter: 2, maxBackof: 10 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual(['initialBackoffMs', 'jitter', 'maxAttempts', 'maxBackof', 'multiplier']);
    expect(result.problems.find((p) => p.field === 'multiplier')?.message).toBe('must be a finite number, got "2"');
    expect(result.problems.find((p) => p.field === 'maxBackof')?.message).toMatch(/^unknown field/);
  });

  it.each([
    ['a fractional attempt count', { maxAttempts: 2.5 }, 'maxAttempts'],
    ['too many attempts', { maxAttempts: 101 }, 'maxAttempts'],
    ['a shrinking multiplier', { multiplier: 0.5 }, 'multiplier'],
    ['infinity', { maxBackoffMs: Number.POSITIVE_INFINITY }, 'maxBackoffMs'],
    ['a ceiling below the first wait', { initialBackoffMs: 5000, maxBackoffMs: 1000 }, 'maxBackoffMs'],
    ['a BigInt', { maxAttempts: 5n }, 'maxAttempts'],
  ])('refuses %s', (_name, raw, field) => {
    const result = parseRetryPolicy(raw);
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual([field]);
  });

  it.each([['a string', 'fast'], ['an array', [1, 2]], ['a number', 3]])('refuses %s in place of an object', (_name, raw) => {
    expect(parseRetryPolicy(raw)).toEqual({ ok: false, problems: [{ field: '(policy)', message: 'must be an object' }] });
  });
});
