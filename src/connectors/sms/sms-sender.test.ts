import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillSmsTemplate, sendSms, smsText, type SmsConfig } from './sms-sender.ts';

const requests: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
const statuses: number[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ body, headers: req.headers });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const input = {
  status: 'firing' as const,
  alerts: [{ labels: { alertname: 'river-bands' }, annotations: { summary: 'River "RG-01" is red (5.6 m)' } }],
  groupLabels: { hazard: 'flood', area: 'D07' },
};
const config = (over: Partial<SmsConfig> = {}): SmsConfig => ({
  to: '+8613800000000',
  gatewayUrl: url,
  body: '{"to":"{{to}}","message":"{{text}}"}',
  contentType: 'application/json',
  headers: { Authorization: 'Bearer gw-token' },
  sendResolved: true,
  maxLength: 160,
  timeoutMs: 2000,
  ...over,
});

describe('SMS through an HTTP gateway', () => {
  it('writes a short text: status, count, group, the first summary; cut with an ellipsis', () => {
    expect(smsText(input, 160)).toBe('[FIRING:1] area=D07 hazard=flood: River "RG-01" is red (5.6 m)');
    expect(smsText(input, 20)).toBe('[FIRING:1] area=D07…');
    expect(smsText({ ...input, status: 'resolved' }, 160)).toMatch(/^\[RESOLVED\] area=D07 hazard=flood/);
  });

  it('leads with what changed: the first new alert\'s summary, and how many are new when not all are', () => {
    const grown = {
      ...input,
      alerts: [
        { labels: { alertname: 'river-bands' }, annotations: { summary: 'RG-01 red since noon' }, changed: false },
        { labels: { alertname: 'river-bands' }, annotations: { summary: 'RG-02 now red' }, changed: true },
      ],
    };
    expect(smsText(grown, 160)).toBe('[FIRING:2, 1 new] area=D07 hazard=flood: RG-02 now red');
    const allNew = { ...grown, alerts: grown.alerts.map((a) => ({ ...a, changed: true })) };
    expect(smsText(allNew, 160)).toBe('[FIRING:2] area=D07 hazard=flood: RG-01 red since noon');
  });

  it.each([
    ['application/json', '{"t":"{{text}}"}', '{"t":"a \\"b\\"\\n"}'],
    ['application/x-www-form-urlencoded', 'to={{to}}&text={{text}}', 'to=%2B86&text=a%20%22b%22%0A'],
    ['text/plain', '{{ text }}', 'a "b"\n'],
  ])('escapes the values for %s', (type, template, want) => {
    expect(fillSmsTemplate(template, type, { to: '+86', text: 'a "b"\n' })).toBe(want);
  });

  it('posts the filled template with the configured headers, and JSON stays valid', async () => {
    const seen = requests.length;
    const outcome = await sendSms(config(), input);
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    const sent = requests[seen]!;
    expect(JSON.parse(sent.body)).toEqual({ to: '+8613800000000', message: '[FIRING:1] area=D07 hazard=flood: River "RG-01" is red (5.6 m)' });
    expect(sent.headers['authorization']).toBe('Bearer gw-token');
    expect(sent.headers['content-type']).toBe('application/json');
  });

  it('reports failures for the retry policy: 5xx and 429 retryable, other 4xx not, an unreachable gateway retryable', async () => {
    statuses.push(503);
    expect(await sendSms(config(), input)).toMatchObject({ ok: false, status: 503, retryable: true });
    statuses.push(400);
    expect(await sendSms(config(), input)).toMatchObject({ ok: false, status: 400, retryable: false, error: 'gateway answered HTTP 400' });
    const down = await sendSms(config({ gatewayUrl: 'http://127.0.0.1:9/send' }), input);
    expect(down).toMatchObject({ ok: false, status: null, retryable: true });
    expect(down.error).toMatch(/cannot reach the gateway/);
  });
});
