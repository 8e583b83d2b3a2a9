import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmailConfig } from '../../domain/alerting/config/receivers.ts';
import { retryDecision } from '../webhook/retry-policy.ts';
import { alertEmailSubject, escapeHtml, parseSmarthost, renderAlertEmail, sendEmail, type AlertEmailInput } from './email-sender.ts';

interface Delivered {
  raw: string;
  from: string | false;
  to: string[];
  secure: boolean;
  hello: string;
}

/** A real SMTP server on 127.0.0.1, plain unless `starttls`, keeping every message it accepts. */
async function smtpServer(options: Partial<SMTPServerOptions> & { starttls?: boolean } = {}) {
  const { starttls = false, ...rest } = options;
  const delivered: Delivered[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: starttls ? [] : ['STARTTLS'],
    logger: false,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        delivered.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          from: session.envelope.mailFrom === false ? false : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          hello: session.hostNameAppearsAs,
        });
        callback();
      });
    },
    ...rest,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  opened.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { smarthost: `127.0.0.1:${port}`, delivered };
}

const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((close) => close()));
});

const config = (smarthost: string, change: Partial<EmailConfig> = {}): EmailConfig => ({
  to: 'duty@flood.example',
  from: 'tocsin@flood.example',
  smarthost,
  hello: 'tocsin.flood.example',
  sendResolved: false,
  requireTls: false,
  headers: { 'X-Tocsin-Receiver': 'flood-desk' },
  ...change,
});

const flood = (area: string, endsAt: string | null, summary = `River high in ${area}`): AlertEmailInput['alerts'][number] => ({
  labels: { alertname: 'river-bands', area: 'D07', level: 'red', station: area },
  annotations: { summary },
  startsAt: '2026-11-22T08:00:00+08:00',
  endsAt,
});

const input: AlertEmailInput = {
  receiver: 'flood-desk',
  status: 'firing',
  alerts: [flood('ST01', null), flood('ST02', null)],
  groupLabels: { alertname: 'river-bands', area: 'D07' },
  externalURL: 'http://tocsin.example',
};

/** The decoded text of a MIME part of `raw` (quoted-printable or 7bit, as nodemailer writes them). */
function part(raw: string, type: 'text/plain' | 'text/html'): string {
  const start = raw.indexOf(`Content-Type: ${type}`);
  expect(start).toBeGreaterThan(-1);
  const headerEnd = raw.indexOf('\r\n\r\n', start);
  const end = raw.indexOf('\r\n--', headerEnd);
  const headers = raw.slice(start, headerEnd);
  const body = raw.slice(headerEnd + 4, end);
  if (!/quoted-printable/i.test(headers)) return body;
  const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

describe('sendEmail through a real SMTP server', () => {
  it('delivers From, To, Subject, the configured header, and the summary in the body', async () => {
    const server = await smtpServer();
    const outcome = await sendEmail(config(server.smarthost), renderAlertEmail(input));
    expect(outcome).toMatchObject({ ok: true, status: 250, error: null, retryable: false });

    expect(server.delivered).toHaveLength(1);
    const mail = server.delivered[0]!;
    expect(mail.from).toBe('tocsin@flood.example');
    expect(mail.to).toEqual(['duty@flood.example']);
    expect(mail.hello).toBe('tocsin.flood.example');
    expect(mail.secure).toBe(false);
    expect(mail.raw).toMatch(/^From: tocsin@flood\.example\r$/m);
    expect(mail.raw).toMatch(/^To: duty@flood\.example\r$/m);
    expect(mail.raw).toMatch(/^Subject: \[FIRING:2\] river-bands D07 \(red\)\r$/m);
    expect(mail.raw).toMatch(/^X-Tocsin-Receiver: flood-desk\r$/m);
    expect(part(mail.raw, 'text/plain')).toContain('summary = River high in ST01');
    expect(part(mail.raw, 'text/html')).toContain('River high in ST02');
  });

  it('escapes a label value carrying <script> in the HTML part', async () => {
    const server = await smtpServer();
    const hostile = { ...input, alerts: [{ ...flood('ST01', null), labels: { alertname: 'river-bands', station: '<script>alert(1)</script>' } }] };
    expect((await sendEmail(config(server.smarthost), renderAlertEmail(hostile))).ok).toBe(true);
    const html = part(server.delivered[0]!.raw, 'text/html');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('stamps Date from the injected clock and measures durationMs with it', async () => {
    const server = await smtpServer();
    let ticks = 0;
    const at = Date.UTC(2026, 10, 22, 1, 2, 3);
    const outcome = await sendEmail(config(server.smarthost), renderAlertEmail(input), { now: () => at + 40 * ticks++ });
    expect(outcome.durationMs).toBe(80);
    expect(server.delivered[0]!.raw).toMatch(/^Date: Sun, 22 Nov 2026 01:02:03 \+0000\r$/m);
  });

  it('lets config headers To/From/Subject replace the fields, as in alertmanager.yml', async () => {
    const server = await smtpServer();
    const headers = { Subject: 'Flood desk page', From: 'pager@flood.example', To: 'a@flood.example, b@flood.example', 'Content-Type': 'text/evil' };
    expect((await sendEmail(config(server.smarthost, { headers }), renderAlertEmail(input))).ok).toBe(true);
    const mail = server.delivered[0]!;
    expect(mail.raw).toMatch(/^Subject: Flood desk page\r$/m);
    expect(mail.from).toBe('pager@flood.example');
    expect(mail.to).toEqual(['a@flood.example', 'b@flood.example']);
    expect(mail.raw).not.toContain('text/evil');
  });

  it('with require_tls false never upgrades, even when the server offers STARTTLS', async () => {
    // The server's certificate is self-signed: an upgrade would either fail verification or show as secure.
    const server = await smtpServer({ starttls: true });
    expect((await sendEmail(config(server.smarthost), renderAlertEmail(input))).ok).toBe(true);
    expect(server.delivered[0]!.secure).toBe(false);
  });

  it('with require_tls true fails clearly against a server without STARTTLS, not retryable, sending nothing', async () => {
    const server = await smtpServer();
    const outcome = await sendEmail(config(server.smarthost, { requireTls: true }), renderAlertEmail(input));
    expect(outcome.ok).toBe(false);
    expect(outcome.retryable).toBe(false);
    expect(outcome.error).toMatch(new RegExp(`^'require_tls' is true but "${server.smarthost}" does not advertise the STARTTLS extension`));
    expect(server.delivered).toHaveLength(0);
    expect(retryDecision(outcome, 1, undefined, 0)).toMatchObject({ kind: 'dead-letter' });
  });

  it('treats an unset require_tls as true, Alertmanager\'s default', async () => {
    const server = await smtpServer();
    const { requireTls: _unset, ...rest } = config(server.smarthost);
    const outcome = await sendEmail(rest, renderAlertEmail(input));
    expect(outcome.error).toMatch(/does not advertise the STARTTLS extension/);
  });

  it('reports a recipient refused with 550 as a permanent failure with the reply code', async () => {
    const server = await smtpServer({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
      },
    });
    const outcome = await sendEmail(config(server.smarthost), renderAlertEmail(input));
    expect(outcome).toMatchObject({ ok: false, status: 550, retryable: false });
    expect(outcome.error).toMatch(/all recipients were rejected.*550 5\.1\.1 mailbox unavailable/);
    expect(server.delivered).toHaveLength(0);
  });

  it('reports a recipient deferred with 450 as retryable', async () => {
    const server = await smtpServer({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('4.2.1 try later'), { responseCode: 450 }));
      },
    });
    const outcome = await sendEmail(config(server.smarthost), renderAlertEmail(input));
    expect(outcome).toMatchObject({ ok: false, status: 450, retryable: true });
  });

  it('does not count a partly refused message as delivered, nor retry it (the others have it)', async () => {
    const server = await smtpServer({
      onRcptTo(address, _session, callback) {
        callback(address.address.startsWith('gone') ? Object.assign(new Error('no such user'), { responseCode: 550 }) : undefined);
      },
    });
    const outcome = await sendEmail(config(server.smarthost, { to: 'duty@flood.example, gone@flood.example' }), renderAlertEmail(input));
    expect(outcome).toMatchObject({ ok: false, retryable: false, error: 'delivered to 1 recipient(s) but refused for: gone@flood.example' });
    expect(server.delivered[0]!.to).toEqual(['duty@flood.example']);
  });

  it('authenticates when credentials are configured and the server offers AUTH', async () => {
    const seen: string[] = [];
    const server = await smtpServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        seen.push(`${auth.username}:${auth.password}`);
        callback(null, { user: auth.username });
      },
    });
    const outcome = await sendEmail(config(server.smarthost, { authUsername: 'tocsin', authPassword: 'pw' }), renderAlertEmail(input));
    expect(outcome.ok).toBe(true);
    expect(seen).toEqual(['tocsin:pw']);
  });

  it('reports refused credentials as not retryable', async () => {
    const server = await smtpServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(_auth, _session, callback) {
        callback(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
      },
    });
    const outcome = await sendEmail(config(server.smarthost, { authUsername: 'tocsin', authPassword: 'wrong' }), renderAlertEmail(input));
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(outcome.error).toMatch(/^EAUTH/);
  });

  it('reports a refused connection as retryable', async () => {
    const server = await smtpServer();
    await opened.pop()!();
    const outcome = await sendEmail(config(server.smarthost), renderAlertEmail(input));
    expect(outcome).toMatchObject({ ok: false, status: null, retryable: true });
    expect(outcome.error).toMatch(/ECONNREFUSED/);
  });

  it('times out on a server that never greets, and that is retryable', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    opened.push(() => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      silent.close(() => resolve());
    }));
    const { port } = silent.address() as AddressInfo;
    const outcome = await sendEmail(config(`127.0.0.1:${port}`), renderAlertEmail(input), { timeoutMs: 200 });
    expect(outcome).toMatchObject({ ok: false, status: null, retryable: true });
    expect(outcome.error).toMatch(/^ETIMEDOUT/);
  });

  it.each([
    ['no smarthost', { smarthost: undefined }, 'no smarthost configured'],
    ['a smarthost without a port', { smarthost: 'mail.example' }, 'smarthost must be host:port, got "mail.example"'],
    ['a port out of range', { smarthost: 'mail.example:70000' }, 'smarthost must be host:port, got "mail.example:70000"'],
    ['no from', { from: undefined }, 'no from address configured'],
    ['an empty to', { to: ' ' }, 'no to address configured'],
    ['a header value with a line break', { headers: { 'X-Note': 'a\r\nBcc: spy@evil.example' } }, 'header X-Note must not contain a line break'],
    ['a header name with a colon', { headers: { 'X:Y': 'v' } }, 'header name "X:Y" is not a valid header name'],
  ])('refuses %s without connecting, not retryable', async (_name, change, error) => {
    const server = await smtpServer();
    const outcome = await sendEmail(config(server.smarthost, change as Partial<EmailConfig>), renderAlertEmail(input));
    expect(outcome).toEqual({ ok: false, status: null, error, retryable: false, durationMs: 0 });
    expect(server.delivered).toHaveLength(0);
  });

  it('refuses a subject with a line break and a timeout of 0', async () => {
    const server = await smtpServer();
    const message = { ...renderAlertEmail(input), subject: 'a\nBcc: spy@evil.example' };
    expect((await sendEmail(config(server.smarthost), message)).error).toBe('header Subject must not contain a line break');
    expect((await sendEmail(config(server.smarthost), renderAlertEmail(input), { timeoutMs: 0 })).error).toBe('timeoutMs must be more than 0, got 0');
    expect(server.delivered).toHaveLength(0);
  });
});

describe('parseSmarthost', () => {
  it('reads host:port and [v6]:port, and nothing else', () => {
    expect(parseSmarthost('smtp.example.org:587')).toEqual({ host: 'smtp.example.org', port: 587 });
    expect(parseSmarthost('[::1]:25')).toEqual({ host: '::1', port: 25 });
    expect(parseSmarthost('::1:25')).toBeNull();
    expect(parseSmarthost('smtp.example.org')).toBeNull();
    expect(parseSmarthost('smtp.example.org:0')).toBeNull();
    expect(parseSmarthost(':25')).toBeNull();
  });
});

describe('renderAlertEmail', () => {
  it('has Alertmanager\'s subject shape: firing count, group values by label name, other common values in parentheses', () => {
    expect(alertEmailSubject(input)).toBe('[FIRING:2] river-bands D07 (red)');
    const sameStation = { ...input, alerts: [flood('ST01', null), flood('ST01', null)] };
    expect(alertEmailSubject(sameStation)).toBe('[FIRING:2] river-bands D07 (red ST01)');
    const onlyGroup = { ...input, alerts: [{ ...flood('ST01', null), labels: { area: 'D07', alertname: 'river-bands' } }] };
    expect(alertEmailSubject(onlyGroup)).toBe('[FIRING:1] river-bands D07');
  });

  it('counts only firing alerts, and says RESOLVED without a count', () => {
    const mixed = { ...input, alerts: [flood('ST01', null), flood('ST02', '2026-11-22T09:00:00+08:00')] };
    expect(alertEmailSubject(mixed)).toBe('[FIRING:1] river-bands D07 (red)');
    const done = { ...input, status: 'resolved' as const, alerts: [flood('ST02', '2026-11-22T09:00:00+08:00')] };
    expect(alertEmailSubject(done)).toBe('[RESOLVED] river-bands D07 (red ST02)');
  });

  it('puts what changed first and emphasised — newly firing, newly resolved — then what the receiver already knew', () => {
    const email = renderAlertEmail({
      ...input,
      alerts: [
        { ...flood('ST01', null, 'Old news'), changed: false },
        { ...flood('ST02', '2026-11-22T09:00:00+08:00', 'Just back to normal'), changed: true },
        { ...flood('ST03', null, 'Just rose'), changed: true },
      ],
    });
    const order = ['*** Newly firing (1) ***', 'Just rose', '*** Newly resolved (1) ***', 'Just back to normal', 'Still firing (1)', 'Old news'].map((t) => email.text.indexOf(t));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(email.html).toContain('<h2><strong>1 Newly firing</strong></h2>');
    expect(email.html).toContain('<h2>1 Still firing</h2>');
    expect(email.html.match(/class="alert changed"/g)).toHaveLength(2);
  });

  it('lists firing then resolved alerts in both parts, with their times', () => {
    const mixed = renderAlertEmail({ ...input, alerts: [flood('ST02', '2026-11-22T09:00:00+08:00', 'Back to normal'), flood('ST01', null)] });
    expect(mixed.text.indexOf('Firing (1)')).toBeLessThan(mixed.text.indexOf('Resolved (1)'));
    expect(mixed.text.indexOf('River high in ST01')).toBeLessThan(mixed.text.indexOf('Back to normal'));
    expect(mixed.text).toContain('  Ended: 2026-11-22T09:00:00+08:00');
    expect(mixed.html.indexOf('1 Firing')).toBeLessThan(mixed.html.indexOf('1 Resolved'));
    expect(mixed.text).toContain('Open Tocsin: http://tocsin.example');
    expect(mixed.html).toContain('<a href="http://tocsin.example">Open Tocsin</a>');
  });

  it('escapes every label, annotation and receiver value in HTML, names included', () => {
    const nasty = '"><img src=x onerror=alert(1)>&\'';
    const email = renderAlertEmail({
      ...input,
      receiver: nasty,
      groupLabels: { alertname: nasty },
      alerts: [{ labels: { alertname: nasty, [`x${nasty}`]: 'v' }, annotations: { summary: nasty }, startsAt: nasty, endsAt: null }],
    });
    expect(email.html).not.toMatch(/<img|alert\(1\)>|x"/);
    expect(email.html.split(escapeHtml(nasty)).length - 1).toBeGreaterThanOrEqual(6);
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('links the external URL only when it is http(s)', () => {
    const email = renderAlertEmail({ ...input, externalURL: 'javascript:alert(1)' });
    expect(email.html).not.toContain('href');
    expect(email.html).toContain('Tocsin: javascript:alert(1)');
  });

  it('keeps the subject on one line when a label value has line breaks', () => {
    const subject = alertEmailSubject({ ...input, groupLabels: { alertname: 'river\r\nBcc: spy@evil.example' } });
    expect(subject).toBe('[FIRING:2] river Bcc: spy@evil.example (D07 red)');
  });
});
