import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMatchers } from '../../domain/alerting/matchers.ts';
import { webhookBody, type PayloadInput } from '../../domain/alerting/webhook-payload.ts';
import { retryDecision, type DeliveryOutcome, type RetryDecision } from './retry-policy.ts';
import { verifySignature } from './signature.ts';
import { sendWebhook, userAgent } from './webhook-sender.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  method: string | undefined;
}

/** A real receiver on 127.0.0.1: answers each request with the next scripted reply (the last one repeats). */
async function receiver(replies: readonly (number | { status: number; body: string } | 'hang')[]) {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  let arrived: () => void = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks), method: req.method });
      const reply = replies[Math.min(received.length - 1, replies.length - 1)]!;
      arrived();
      if (reply === 'hang') {
        hanging.push(res);
        return;
      }
      const { status, body } = typeof reply === 'number' ? { status: reply, body: '' } : reply;
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle = {
    url: `http://127.0.0.1:${port}/hook?token=abc`,
    received,
    hanging,
    /** Resolves when the next request has been read in full. */
    nextArrival: () => new Promise<void>((resolve) => (arrived = resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  opened.push(handle);
  return handle;
}

const opened: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const input: PayloadInput = {
  receiver: 'flood.desk',
  alerts: [
    {
      labels: { alertname: 'river-bands', area: 'D07', level: 'red' },
      // Non-ASCII and HTML characters: the bytes on the wire must be exactly webhookBody's.
      annotations: { summary: 'Rivière haute à D07 <niveau 3> & montant' },
      startsAt: '2026-11-22T08:00:00+08:00',
      endsAt: null,
      generatorURL: 'http://tocsin.example/series/ST01',
    },
  ],
  groupLabels: { alertname: 'river-bands', area: 'D07' },
  routePath: [parseMatchers('hazard="flood"')],
  routeLabels: {},
  externalURL: 'http://tocsin.example',
  maxAlerts: 0,
  notificationReason: 'first notification',
};
const body = webhookBody(input);
const secret = 'whsec_flood-desk';
const t0 = Date.UTC(2026, 10, 22, 0, 0, 0, 250);

/** Drives attempts the way the notification loop will: send at the instant the last decision gave. */
async function deliver(url: string, timeoutMs = 5000) {
  const log: { attempt: number; at: number; outcome: DeliveryOutcome; decision: RetryDecision }[] = [];
  let at = t0;
  for (let attempt = 1; ; attempt++) {
    const outcome = await sendWebhook({ url, body, secret, timeoutMs, bearerToken: 'tok-123' }, at);
    const decision = retryDecision(outcome, attempt, undefined, at);
    log.push({ attempt, at, outcome, decision });
    if (decision.kind !== 'retry') return log;
    expect(log.length).toBeLessThan(10);
    at = decision.at;
  }
}

describe('sendWebhook with retryDecision, against a real receiver', () => {
  it('retries two 503s at 1 s then 2 s, is delivered on the third attempt, with exact bytes and a verifiable signature', async () => {
    const server = await receiver([{ status: 503, body: 'down for\nmaintenance' }, 503, 200]);
    const log = await deliver(server.url);

    expect(log.map((l) => [l.attempt, l.at, l.outcome.status, l.outcome.ok, l.decision])).toEqual([
      [1, t0, 503, false, { kind: 'retry', at: t0 + 1000 }],
      [2, t0 + 1000, 503, false, { kind: 'retry', at: t0 + 3000 }],
      [3, t0 + 3000, 200, true, { kind: 'delivered' }],
    ]);
    expect(log[0]!.outcome.error).toBe('HTTP 503 Service Unavailable: down for maintenance');
    expect(log[0]!.outcome.retryable).toBe(true);
    expect(log[2]!.outcome).toMatchObject({ ok: true, status: 200, error: null, retryable: false });

    expect(server.received).toHaveLength(3);
    for (const [i, req] of server.received.entries()) {
      expect(req.method).toBe('POST');
      expect(req.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['user-agent']).toBe(userAgent);
      expect(req.headers['authorization']).toBe('Bearer tok-123');
      // Each attempt is signed afresh at its own instant: a receiver checking freshness accepts it then.
      const header = req.headers['x-tocsin-signature'] as string;
      expect(header.startsWith(`t=${Math.floor(log[i]!.at / 1000)},v1=`)).toBe(true);
      expect(verifySignature(secret, req.body, header, log[i]!.at)).toEqual({ ok: true });
      expect(verifySignature(secret, req.body, header, log[i]!.at + 301_000)).toEqual({ ok: false, reason: 'stale timestamp' });
      expect(verifySignature('another secret', req.body, header, log[i]!.at)).toEqual({ ok: false, reason: 'bad signature' });
    }
    expect(userAgent).toMatch(/^Tocsin\/\d+\.\d+\.\d+/);
  });

  it('dead-letters after maxAttempts against a receiver that always answers 500', async () => {
    const server = await receiver([500]);
    const log = await deliver(server.url);
    expect(log.map((l) => l.at - t0)).toEqual([0, 1000, 3000, 7000, 15_000]);
    expect(log.at(-1)!.decision).toEqual({ kind: 'dead-letter', reason: 'gave up after 5 attempts: HTTP 500 Internal Server Error' });
    expect(server.received).toHaveLength(5);
  });

  it('dead-letters a 400 at once', async () => {
    const server = await receiver([{ status: 400, body: 'unknown field "receiver"' }]);
    const log = await deliver(server.url);
    expect(log).toHaveLength(1);
    expect(log[0]!.outcome).toMatchObject({ ok: false, status: 400, retryable: false });
    expect(log[0]!.decision).toEqual({ kind: 'dead-letter', reason: 'not retryable: HTTP 400 Bad Request: unknown field "receiver"' });
    expect(server.received).toHaveLength(1);
  });

  it('times out on a receiver that never answers, and that is retryable', async () => {
    const server = await receiver(['hang']);
    const outcome = await sendWebhook({ url: server.url, body, timeoutMs: 200 }, t0);
    expect(outcome).toMatchObject({ ok: false, status: null, error: 'timed out after 200 ms', retryable: true });
    expect(retryDecision(outcome, 1, undefined, t0)).toEqual({ kind: 'retry', at: t0 + 1000 });
    expect(server.received).toHaveLength(1);
  });
});

describe('sendWebhook', () => {
  it.each([
    [408, true],
    [429, true],
    [502, true],
    [401, false],
    [404, false],
    [413, false],
  ])('treats HTTP %i as retryable: %s', async (status, retryable) => {
    const server = await receiver([status]);
    const outcome = await sendWebhook({ url: server.url, body, timeoutMs: 5000 }, t0);
    expect(outcome).toMatchObject({ ok: false, status, retryable });
  });

  it('counts any 2xx as delivered, and sends no signature or Authorization unless configured', async () => {
    const server = await receiver([{ status: 202, body: 'queued' }]);
    const outcome = await sendWebhook({ url: server.url, body, timeoutMs: 5000 }, t0);
    expect(outcome).toMatchObject({ ok: true, status: 202, error: null });
    expect(server.received[0]!.headers['x-tocsin-signature']).toBeUndefined();
    expect(server.received[0]!.headers['authorization']).toBeUndefined();
  });

  it('waits as long as it takes when timeoutMs is 0', async () => {
    const server = await receiver(['hang']);
    const arrival = server.nextArrival();
    const pending = sendWebhook({ url: server.url, body, timeoutMs: 0 }, t0);
    // Settling before the request even arrives would mean it was aborted.
    expect(await Promise.race([arrival.then(() => 'arrived'), pending.then(() => 'settled')])).toBe('arrived');
    // Answer only once the request is in: a timer of 0 ms (instead of none) would have aborted by now.
    await new Promise((resolve) => setImmediate(resolve));
    server.hanging[0]!.writeHead(200).end();
    expect(await pending).toMatchObject({ ok: true, status: 200 });
  });

  it('measures durationMs with the injected clock only', async () => {
    const server = await receiver([200]);
    let ticks = 0;
    const outcome = await sendWebhook({ url: server.url, body, timeoutMs: 5000 }, t0, () => 1000 + 37 * ticks++);
    expect(outcome.durationMs).toBe(37);
    expect((await sendWebhook({ url: server.url, body, timeoutMs: 5000 }, t0)).durationMs).toBe(0);
  });

  it('keeps a long error page out of the outcome', async () => {
    const server = await receiver([{ status: 500, body: 'x'.repeat(100_000) }]);
    const outcome = await sendWebhook({ url: server.url, body, timeoutMs: 5000 }, t0);
    expect(outcome.error!.length).toBeLessThan(600);
    expect(outcome.error).toMatch(/^HTTP 500 Internal Server Error: x+$/);
  });

  it('reports a refused connection as retryable, naming the cause', async () => {
    const server = await receiver([200]);
    await server.close();
    const outcome = await sendWebhook({ url: server.url, body, timeoutMs: 5000 }, t0);
    expect(outcome).toMatchObject({ ok: false, status: null, retryable: true });
    expect(outcome.error).toMatch(/ECONNREFUSED/);
  });

  it.each([
    ['an unparsable URL', { url: 'not a url' }, 'invalid URL'],
    ['a non-HTTP scheme', { url: 'file:///etc/passwd' }, 'unsupported URL scheme file: (http: or https: only)'],
    ['a negative timeout', { timeoutMs: -1 }, 'timeoutMs must be 0 (none) or more, got -1'],
    ['a NaN timeout', { timeoutMs: Number.NaN }, 'timeoutMs must be 0 (none) or more, got NaN'],
    ['an empty secret', { secret: '' }, 'cannot sign: signature secret must not be empty'],
    ['a bearer token with a line break', { bearerToken: 'tok\r\nX-Evil: 1' }, 'bearer token must not contain line breaks'],
  ])('refuses %s without sending, not retryable, never throwing', async (_name, change, error) => {
    const server = await receiver([200]);
    const outcome = await sendWebhook({ url: server.url, body, timeoutMs: 5000, ...change }, t0);
    expect(outcome).toEqual({ ok: false, status: null, error, retryable: false, durationMs: 0 });
    expect(server.received).toHaveLength(0);
    expect(retryDecision(outcome, 1, undefined, t0).kind).toBe('dead-letter');
  });

  it('never echoes the URL (it may carry a token) in an error', async () => {
    const outcome = await sendWebhook({ url: 'http://[bad-host/hook?token=s3cret', body, timeoutMs: 5000 }, t0);
    expect(outcome.error).not.toMatch(/s3cret/);
  });
});
