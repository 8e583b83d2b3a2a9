import fs from 'node:fs';
import type { Store } from '../store/sql-client.ts';
import { AlertingRepo, type StoredNotification } from '../store/repos/alerting-repo.ts';
import { SilencesRepo } from '../store/repos/silences-repo.ts';
import { AlertingService, type DeliveryOutcome, type Integration } from '../app/alerting/alerting-service.ts';
import { SilenceBook } from '../app/alerting/silence-book.ts';
import { suppressionPort } from '../app/alerting/suppression.ts';
import type { AlertingConfig } from '../domain/alerting/config/alerting-config.ts';
import { defaultSilenceRetentionMs } from '../domain/alerting/silences.ts';
import { sendWebhook } from '../connectors/webhook/webhook-sender.ts';
import { defaultRetryPolicy, retryDecision } from '../connectors/webhook/retry-policy.ts';
import { renderAlertEmail, sendEmail, type AlertEmailInput } from '../connectors/smtp/email-sender.ts';
import { sendSms } from '../connectors/sms/sms-sender.ts';
import type { Clock } from '../domain/kernel/clock.ts';
import type { EventPublisher } from '../app/event-hub.ts';

/**
 * Alerting as the server runs it: the configuration file (Alertmanager's format), the store,
 * the receivers' real connectors (webhook, SMTP), retries with backoff, silences, inhibition and
 * dependencies. Without a file, alerts are kept and listed and nothing is sent.
 */

/** Delivers one notification through one integration with the real connectors; never throws. */
export async function deliverNotification(notification: StoredNotification, integration: Integration, clock: Clock): Promise<DeliveryOutcome> {
  if (integration.kind === 'webhook') {
    const c = integration.config;
    let url = c.url;
    if (url === undefined && c.urlFile !== undefined) {
      try {
        url = fs.readFileSync(c.urlFile, 'utf8').trim();
      } catch (err) {
        return { ok: false, status: null, error: `cannot read url_file ${c.urlFile}: ${(err as Error).message}`, retryable: true, durationMs: 0 };
      }
    }
    return sendWebhook(
      { url: url!, body: notification.payload, timeoutMs: c.timeoutMs, ...(c.bearerToken ? { bearerToken: c.bearerToken } : {}), ...(c.signatureSecret ? { secret: c.signatureSecret } : {}) },
      clock.now(),
      () => clock.now(),
    );
  }
  const message = JSON.parse(notification.payload) as {
    receiver: string;
    status: 'firing' | 'resolved';
    alerts: { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; status: string; fingerprint: string }[];
    groupLabels: Record<string, string>;
    externalURL: string;
    changed?: { firing: string[]; resolved: string[] };
  };
  // Tocsin's `changed` (absent from pages and older notifications): mark each alert it names.
  const changed = message.changed ? new Set([...message.changed.firing, ...message.changed.resolved]) : null;
  const alerts = message.alerts.map((a) => ({ ...a, ...(changed ? { changed: changed.has(a.fingerprint) } : {}) }));
  if (integration.kind === 'sms') {
    return sendSms(integration.config, { status: message.status, alerts, groupLabels: message.groupLabels }, () => clock.now());
  }
  const input: AlertEmailInput = {
    receiver: notification.receiver,
    status: message.status,
    alerts: alerts.map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.status === 'firing' ? null : a.endsAt,
      ...(a.changed !== undefined ? { changed: a.changed } : {}),
    })),
    groupLabels: message.groupLabels,
    externalURL: message.externalURL,
  };
  return sendEmail(integration.config, renderAlertEmail(input), { now: () => clock.now() });
}

/** Builds the dispatcher and the silences over the store, and loads what a previous run left. */
export async function startAlerting(
  store: Store,
  config: AlertingConfig,
  options: { clock: Clock; externalURL: string; events?: EventPublisher },
): Promise<{ service: AlertingService; silences: SilenceBook }> {
  const silences = new SilenceBook(new SilencesRepo(store), defaultSilenceRetentionMs);
  await silences.load();
  let service: AlertingService | null = null;
  service = new AlertingService(
    config,
    {
      repo: new AlertingRepo(store),
      deliver: (notification, integration) => deliverNotification(notification, integration, options.clock),
      // The jitter seed spreads retries of different notifications without making one test vary.
      retry: (outcome, attempt, now) => retryDecision(outcome, attempt, defaultRetryPolicy, now),
      suppression: suppressionPort(silences, () => service!.currentConfig()),
      ...(options.events ? { events: options.events } : {}),
    },
    {
      externalURL: options.externalURL,
      generatorURL: (labels) => `${options.externalURL}/api/v1/series/${encodeURIComponent(labels['series'] ?? '')}`,
    },
  );
  await service.start({ now: options.clock.now() });
  return { service, silences };
}
