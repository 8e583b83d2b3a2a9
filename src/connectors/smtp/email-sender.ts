import { createTransport } from 'nodemailer';
import type { EmailConfig } from '../../domain/alerting/config/receivers.ts';
import { sortedNames, type Labels } from '../../domain/alerting/fingerprint.ts';
import { startAttempt, type DeliveryOutcome } from '../webhook/retry-policy.ts';

/**
 * E-mail notifications through an SMTP smarthost, as Alertmanager's email integration sends them:
 * STARTTLS required unless `require_tls: false` (then plain, never upgraded), AUTH only when the
 * server offers it. Like the webhook sender it never throws and never retries by itself: the
 * DeliveryOutcome goes to `retryDecision`.
 */

/** What to send: the renderer's output (or an operator's template, rendered elsewhere). */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** Knobs that are not in alertmanager.yml. */
export interface EmailSendOptions {
  /** Injected clock: stamps the Date header and measures durationMs (without it nodemailer dates the mail). */
  now?: () => number;
  /** Bound on connecting, on the greeting, and on any silence during the session; default 30 s. */
  timeoutMs?: number;
}

// Nodemailer's own defaults (2 min to connect, 10 min of socket silence) would hold a notification
// slot far longer than any retry backoff; 30 s is Alertmanager's usual notify timeout order.
const defaultTimeoutMs = 30_000;

// Headers that nodemailer derives from the message structure; a copy from config would contradict
// the multipart body it builds, so they are not taken from config.
const structuralHeaders = new Set(['Content-Type', 'Content-Transfer-Encoding', 'Mime-Version']);

/** `host:port` or `[v6]:port` into its parts; null when either is missing, as Alertmanager requires both. */
export function parseSmarthost(smarthost: string): { host: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(smarthost.trim());
  if (match === null) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return null;
  return { host: (match[1] ?? match[2])!, port };
}

/**
 * Sends one message to `config.to` (comma-separated addresses allowed) through `config.smarthost`.
 * Port 465 speaks TLS from the first byte, as in Alertmanager; any other port starts plain.
 */
export async function sendEmail(config: EmailConfig, message: EmailMessage, options: EmailSendOptions = {}): Promise<DeliveryOutcome> {
  const { now } = options;
  const finish = startAttempt(now);

  const checked = checkConfig(config, message, options);
  if (typeof checked === 'string') return finish(null, checked, false);
  const { host, port, timeoutMs } = checked;
  // Alertmanager's global default for smtp_require_tls is true; an unset value means it.
  const requireTls = config.requireTls !== false;

  const transport = createTransport({
    host,
    port,
    secure: port === 465,
    name: config.hello ?? 'localhost',
    requireTLS: requireTls,
    // Alertmanager with require_tls false never issues STARTTLS, even when offered; the same here,
    // so a server with a broken certificate behaves the same under both.
    ignoreTLS: !requireTls,
    ...(config.authUsername !== undefined ? { auth: { user: config.authUsername, pass: config.authPassword ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });

  const headers: Record<string, string> = {};
  let subject = message.subject;
  let from = config.from!;
  let to = config.to;
  for (const [name, value] of Object.entries(config.headers)) {
    // In alertmanager.yml these three headers ARE the fields (the defaults are templates for them).
    if (name === 'Subject') subject = value;
    else if (name === 'From') from = value;
    else if (name === 'To') to = value;
    else if (!structuralHeaders.has(name)) headers[name] = value;
  }

  try {
    const info = await transport.sendMail({
      from,
      to,
      subject,
      text: message.text,
      html: message.html,
      headers,
      ...(now !== undefined ? { date: new Date(now()) } : {}),
    });
    const replyCode = Number(/^\d{3}/.exec(info.response)?.[0] ?? Number.NaN);
    const status = Number.isFinite(replyCode) ? replyCode : null;
    if (info.rejected.length > 0) {
      // Some recipients have the mail already; retrying would send it to them twice.
      return finish(status, `delivered to ${info.accepted.length} recipient(s) but refused for: ${info.rejected.join(', ')}`, false);
    }
    return finish(status, null, false);
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; permanent?: boolean; command?: string; message?: string };
    return finish(e.responseCode ?? null, describeSmtpError(e, config.smarthost!, requireTls), smtpRetryable(e));
  } finally {
    transport.close();
  }
}

function checkConfig(config: EmailConfig, message: EmailMessage, options: EmailSendOptions): { host: string; port: number; timeoutMs: number } | string {
  if (!config.smarthost) return 'no smarthost configured';
  const hostPort = parseSmarthost(config.smarthost);
  if (hostPort === null) return `smarthost must be host:port, got ${JSON.stringify(config.smarthost)}`;
  if (!config.from) return 'no from address configured';
  if (!config.to || config.to.trim() === '') return 'no to address configured';
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return `timeoutMs must be more than 0, got ${timeoutMs}`;
  // A line break in a header value would let the value start a header (or the body) of its own.
  for (const [name, value] of [['Subject', message.subject], ['From', config.from], ['To', config.to], ...Object.entries(config.headers)] as const) {
    if (/[\r\n]/.test(value)) return `header ${name} must not contain a line break`;
    if (!/^[!-9;-~]+$/.test(name)) return `header name ${JSON.stringify(name)} is not a valid header name`;
  }
  return { ...hostPort, timeoutMs };
}

/** SMTP's own rule (RFC 5321): 4yz is transient, 5yz permanent; and a lost connection may come back. */
function smtpRetryable(e: { code?: string; responseCode?: number; permanent?: boolean }): boolean {
  // TLS, authentication and configuration failures need an operator, not another try.
  if (e.code === 'ETLS' || e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.code === 'ECONFIG' || e.code === 'EREQUIRETLS') return false;
  if (e.responseCode !== undefined) return e.permanent !== undefined ? !e.permanent : e.responseCode < 500;
  // Envelope errors without a reply are nodemailer refusing an address before sending anything.
  if (e.code === 'EENVELOPE') return false;
  return true;
}

function describeSmtpError(e: { code?: string; responseCode?: number; command?: string; message?: string }, smarthost: string, requireTls: boolean): string {
  const message = e.message ?? 'unknown error';
  if (e.code === 'ETLS' && requireTls && e.command === 'STARTTLS' && e.responseCode !== undefined) {
    // Alertmanager's wording, so an operator searching for it finds the same advice.
    return `'require_tls' is true but "${smarthost}" does not advertise the STARTTLS extension (${message})`;
  }
  return e.code ? `${e.code}: ${message}` : message;
}

/** One alert as the e-mail shows it. */
export interface EmailAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  /** null while firing. */
  endsAt: string | null;
  /** This notice is the first to tell its status (newly firing or newly resolved); absent: unknown. */
  changed?: boolean;
}

/** What the default e-mail is made from: one notification of one alert group. */
export interface AlertEmailInput {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: readonly EmailAlert[];
  groupLabels: Labels;
  externalURL: string;
}

/** Every character HTML gives a meaning to, so a label value can only ever be text. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function commonLabels(alerts: readonly EmailAlert[]): Record<string, string> {
  if (alerts.length === 0) return {};
  const out: Record<string, string> = { ...alerts[0]!.labels };
  for (const a of alerts.slice(1)) for (const name of Object.keys(out)) if (a.labels[name] !== out[name]) delete out[name];
  return out;
}

/**
 * Alertmanager's default subject (`__subject`): `[FIRING:<firing count>]` or `[RESOLVED]`, the group
 * labels' values sorted by name, then in parentheses the values of the other labels all alerts share.
 * Line breaks become spaces, since a subject is one header line.
 */
export function alertEmailSubject(input: AlertEmailInput): string {
  const firing = input.alerts.filter((a) => a.endsAt === null).length;
  const prefix = input.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const group = sortedNames(input.groupLabels).map((n) => input.groupLabels[n]!);
  const common = commonLabels(input.alerts);
  const extra = sortedNames(common).filter((n) => !(n in input.groupLabels)).map((n) => common[n]!);
  const parts = [prefix, ...group, ...(extra.length > 0 ? [`(${extra.join(' ')})`] : [])];
  // Alertmanager's template leaves a trailing space when there is no parenthesis; not copied.
  return parts.join(' ').replace(/[\r\n]+/g, ' ').trim();
}

function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The e-mail's sections: what changed first and emphasised — newly firing, newly resolved — then
 * what the receiver was already told (still firing, resolved earlier). Without change marks, as
 * Alertmanager: firing, then resolved.
 */
function emailSections(alerts: readonly EmailAlert[]): { title: string; alerts: EmailAlert[]; emphasis: boolean }[] {
  const firing = alerts.filter((a) => a.endsAt === null);
  const resolved = alerts.filter((a) => a.endsAt !== null);
  const marked = alerts.some((a) => a.changed !== undefined);
  const sections = marked
    ? [
        { title: 'Newly firing', alerts: firing.filter((a) => a.changed), emphasis: true },
        { title: 'Newly resolved', alerts: resolved.filter((a) => a.changed), emphasis: true },
        { title: 'Still firing', alerts: firing.filter((a) => !a.changed), emphasis: false },
        { title: 'Resolved earlier', alerts: resolved.filter((a) => !a.changed), emphasis: false },
      ]
    : [
        { title: 'Firing', alerts: firing, emphasis: false },
        { title: 'Resolved', alerts: resolved, emphasis: false },
      ];
  return sections.filter((s) => s.alerts.length > 0);
}

/**
 * A plain default e-mail for an alert group: the subject above, a text part and an HTML part
 * listing the alerts by section (see `emailSections`) with their labels and annotations. Every value is escaped in
 * the HTML, and the external URL is linked only when it is http(s), since alert content comes from
 * rules and sensors, not from someone trusted to write HTML.
 */
export function renderAlertEmail(input: AlertEmailInput): EmailMessage {
  const subject = alertEmailSubject(input);
  const sections = emailSections(input.alerts);
  const pairs = (labels: Labels) => sortedNames(labels).map((n) => [n, labels[n]!] as const);

  const text: string[] = [subject, '', `Receiver: ${input.receiver}`, `Group: ${pairs(input.groupLabels).map(([n, v]) => `${n}=${v}`).join(', ')}`];
  if (input.externalURL) text.push(`Open Tocsin: ${input.externalURL}`);
  for (const s of sections) {
    text.push('', s.emphasis ? `*** ${s.title} (${s.alerts.length}) ***` : `${s.title} (${s.alerts.length})`);
    for (const a of s.alerts) {
      text.push('', '  Labels:', ...pairs(a.labels).map(([n, v]) => `    ${n} = ${v}`));
      if (Object.keys(a.annotations).length > 0) text.push('  Annotations:', ...pairs(a.annotations).map(([n, v]) => `    ${n} = ${v}`));
      text.push(`  Started: ${a.startsAt}`);
      if (a.endsAt !== null) text.push(`  Ended: ${a.endsAt}`);
    }
  }

  const e = escapeHtml;
  const list = (labels: Labels) => `<ul>${pairs(labels).map(([n, v]) => `<li><b>${e(n)}</b> = ${e(v)}</li>`).join('')}</ul>`;
  const html: string[] = [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${e(subject)}</title></head><body>`,
    `<h1>${e(subject)}</h1>`,
    `<p>Receiver: ${e(input.receiver)}</p>`,
  ];
  if (input.externalURL) {
    html.push(isWebUrl(input.externalURL) ? `<p><a href="${e(input.externalURL)}">Open Tocsin</a></p>` : `<p>Tocsin: ${e(input.externalURL)}</p>`);
  }
  for (const s of sections) {
    html.push(s.emphasis ? `<h2><strong>${s.alerts.length} ${s.title}</strong></h2>` : `<h2>${s.alerts.length} ${s.title}</h2>`);
    for (const a of s.alerts) {
      html.push(s.emphasis ? '<div class="alert changed" style="border-left:4px solid #c00;padding-left:8px">' : '<div class="alert">', '<h3>Labels</h3>', list(a.labels));
      if (Object.keys(a.annotations).length > 0) html.push('<h3>Annotations</h3>', list(a.annotations));
      html.push(`<p>Started: ${e(a.startsAt)}${a.endsAt !== null ? `<br>Ended: ${e(a.endsAt)}` : ''}</p>`, '</div>');
    }
  }
  html.push('</body></html>');
  return { subject, text: `${text.join('\n')}\n`, html: `${html.join('\n')}\n` };
}
