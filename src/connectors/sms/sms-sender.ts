import { startAttempt, type DeliveryOutcome } from '../webhook/retry-policy.ts';
import { retryableStatus, userAgent } from '../webhook/webhook-sender.ts';
import type { SmsConfig } from '../../domain/alerting/config/receivers.ts';

export type { SmsConfig };

/**
 * SMS through an HTTP gateway (Tocsin's addition to Alertmanager's receivers, `sms_configs`):
 * every gateway wants its own request, so the body is a template with `{{to}}` and `{{text}}`,
 * each filled in escaped for the body's content type (JSON string, form-encoded, or as is). The
 * text is short by nature: the status, the count, the group and the first alert's summary, cut to
 * `maxLength` characters.
 */
/** What the text is made from: one notification of one alert group. */
export interface SmsInput {
  status: 'firing' | 'resolved';
  /** `changed`: this notice is the first to tell the alert's status (see the webhook's `changed`). */
  alerts: { labels: Record<string, string>; annotations: Record<string, string>; changed?: boolean }[];
  groupLabels: Record<string, string>;
}

/**
 * `[FIRING:2] area=D07 hazard=flood: River level at RG-01 is red (5.6 m)`, cut to `maxLength` with
 * an ellipsis. What changed leads: the summary is the first changed alert's, and when only some
 * are new the head says how many (`[FIRING:3, 1 new]`).
 */
export function smsText(input: SmsInput, maxLength: number): string {
  const group = Object.keys(input.groupLabels)
    .sort()
    .map((k) => `${k}=${input.groupLabels[k]}`)
    .join(' ');
  const fresh = input.alerts.filter((a) => a.changed).length;
  const someNew = input.status === 'firing' && fresh > 0 && fresh < input.alerts.length;
  const head = input.status === 'firing' ? `[FIRING:${input.alerts.length}${someNew ? `, ${fresh} new` : ''}]` : '[RESOLVED]';
  const first = input.alerts.find((a) => a.changed) ?? input.alerts[0];
  const summary = first ? (first.annotations['summary'] ?? first.labels['alertname'] ?? '') : '';
  const text = [head, group].filter(Boolean).join(' ') + (summary ? `: ${summary}` : '');
  const chars = [...text.replace(/[\r\n]+/g, ' ')];
  return chars.length <= maxLength ? chars.join('') : `${chars.slice(0, Math.max(0, maxLength - 1)).join('')}…`;
}

/** Fills the template, escaping each value for the body's content type. */
export function fillSmsTemplate(template: string, contentType: string, values: { to: string; text: string }): string {
  const escape = contentType.includes('json')
    ? (v: string) => JSON.stringify(v).slice(1, -1)
    : contentType.includes('x-www-form-urlencoded')
      ? (v: string) => encodeURIComponent(v)
      : (v: string) => v;
  return template.replace(/\{\{\s*(to|text)\s*\}\}/g, (_m, name: 'to' | 'text') => escape(values[name]));
}

/** Sends one SMS through the gateway; never throws. `now`, when given, measures `durationMs`. */
export async function sendSms(config: SmsConfig, input: SmsInput, now?: () => number): Promise<DeliveryOutcome> {
  const finish = startAttempt(now);
  const body = fillSmsTemplate(config.body, config.contentType, { to: config.to, text: smsText(input, config.maxLength) });
  const controller = new AbortController();
  const timer = config.timeoutMs > 0 ? setTimeout(() => controller.abort(), config.timeoutMs) : null;
  try {
    const res = await fetch(config.gatewayUrl, {
      method: 'POST',
      headers: { 'Content-Type': config.contentType, 'User-Agent': userAgent, ...config.headers },
      body,
      signal: controller.signal,
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return finish(res.status, null, false);
    return finish(res.status, `gateway answered HTTP ${res.status}`, retryableStatus(res.status));
  } catch (err) {
    const aborted = (err as Error).name === 'AbortError';
    return finish(null, aborted ? `no answer within ${config.timeoutMs} ms` : `cannot reach the gateway: ${(err as Error).message}`, true);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
