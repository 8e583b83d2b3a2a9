import { compareBytes, fingerprint, sortedNames, type Labels } from './fingerprint.ts';
import { formatMatcher, goQuote, type Matcher } from './matchers.ts';

/**
 * Alertmanager's webhook message (notify/webhook, template.Data, version "4"), byte for byte as
 * Go's encoder writes it: keys in struct order, maps with sorted keys, compact, HTML characters
 * escaped, one final newline. Receivers written for Alertmanager read Tocsin's unchanged.
 */

export interface PayloadAlert {
  labels: Labels;
  annotations: Labels;
  /** RFC 3339 as received (Alertmanager keeps the offset it was given). */
  startsAt: string;
  /** RFC 3339, or null while the alert is firing (sent as Go's zero time). */
  endsAt: string | null;
  generatorURL: string;
}

export interface PayloadInput {
  receiver: string;
  alerts: readonly PayloadAlert[];
  groupLabels: Labels;
  /** The matchers of each route from the root's child down to the route that grouped the alerts. */
  routePath: readonly (readonly Matcher[])[];
  routeLabels: Labels;
  externalURL: string;
  /** `max_alerts` of the webhook; 0 sends all. */
  maxAlerts: number;
  /** e.g. "first notification", "all alerts resolved" (Alertmanager 0.32+). */
  notificationReason: string;
  /**
   * Tocsin's addition: the alerts (by fingerprint) whose status this notification is the first to
   * tell the receiver — newly firing, newly resolved — so a reader sees what changed in a group
   * without comparing it with the last message. Sent as `changed`, after Alertmanager's fields.
   */
  changed?: { firing: readonly string[]; resolved: readonly string[] };
}

const goZeroTime = '0001-01-01T00:00:00Z';

/** A route's key: `{}` for the root, then `/{matchers}` per level, matchers sorted as Alertmanager sorts them. */
export function routeKey(routePath: readonly (readonly Matcher[])[]): string {
  return ['{}', ...routePath.map((ms) => `{${[...ms].sort(compareMatchers).map(formatMatcher).join(',')}}`)].join('/');
}

function compareMatchers(a: Matcher, b: Matcher): number {
  return compareBytes(a.name, b.name) || compareBytes(a.value, b.value) || compareBytes(a.type, b.type);
}

/** A label set as Prometheus prints it: `{a="b", c="d"}`, names sorted. */
export function formatLabelSet(labels: Labels): string {
  return `{${sortedNames(labels).map((n) => `${n}=${goQuote(labels[n]!)}`).join(', ')}}`;
}

/** `<routeKey>:<groupLabels>`, the group's identity in payloads and the notification log. */
export function groupKey(routePath: readonly (readonly Matcher[])[], groupLabels: Labels): string {
  return `${routeKey(routePath)}:${formatLabelSet(groupLabels)}`;
}

/** Labels (or annotations) with the same value in every alert. */
function common(sets: readonly Labels[]): Record<string, string> {
  if (sets.length === 0) return {};
  const out: Record<string, string> = { ...sets[0]! };
  for (const set of sets.slice(1)) for (const name of Object.keys(out)) if (set[name] !== out[name]) delete out[name];
  return out;
}

/** The message object, keys in Alertmanager's order (see `webhookBody` for the exact bytes). */
export function webhookMessage(input: PayloadInput) {
  // Alertmanager truncates before it builds the message, so the common labels are the sent alerts'.
  const sent = input.maxAlerts > 0 ? input.alerts.slice(0, input.maxAlerts) : input.alerts;
  const firing = (a: PayloadAlert) => a.endsAt === null;
  return {
    // Receiver names pass through regexp.QuoteMeta in Alertmanager (template.go): `web.hook` → `web\.hook`.
    receiver: input.receiver.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'),
    status: sent.some(firing) ? 'firing' : 'resolved',
    alerts: sent.map((a) => ({
      status: firing(a) ? 'firing' : 'resolved',
      labels: sorted(a.labels),
      annotations: sorted(a.annotations),
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? goZeroTime,
      generatorURL: a.generatorURL,
      fingerprint: fingerprint(a.labels),
    })),
    notification_reason: input.notificationReason,
    groupLabels: sorted(input.groupLabels),
    commonLabels: sorted(common(sent.map((a) => a.labels))),
    commonAnnotations: sorted(common(sent.map((a) => a.annotations))),
    routeLabels: sorted(input.routeLabels),
    externalURL: input.externalURL,
    version: '4',
    groupKey: groupKey(input.routePath, input.groupLabels),
    truncatedAlerts: input.alerts.length - sent.length,
    ...(input.changed ? { changed: { firing: [...input.changed.firing], resolved: [...input.changed.resolved] } } : {}),
  };
}

function sorted(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of sortedNames(labels)) out[name] = labels[name]!;
  return out;
}

/** The bytes Alertmanager sends: Go's json.Encoder output (HTML-escaped, compact, newline-terminated). */
export function webhookBody(input: PayloadInput): string {
  const json = JSON.stringify(webhookMessage(input)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${json}\n`;
}
