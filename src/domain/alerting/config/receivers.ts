import type { Node } from 'yaml';
import { checkUrl, type GlobalConfig } from './alerting-config.ts';
import type { FieldNode, YamlDecoder } from './yaml-decoder.ts';

/**
 * Receivers as Alertmanager reads them. Tocsin delivers to webhooks and e-mail; every other kind
 * Alertmanager knows is accepted (with the checks Alertmanager makes on it) and listed by name in
 * `unsupported`, so an operator sees at load time what will not be delivered.
 */

export interface WebhookConfig {
  url?: string;
  urlFile?: string;
  /** Alertmanager's default for webhooks: true. */
  sendResolved: boolean;
  /** 0: no limit. */
  maxAlerts: number;
  /** 0: none. */
  timeoutMs: number;
  bearerToken?: string;
  /** Tocsin's addition: a shared secret to sign each payload with (X-Tocsin-Signature, HMAC-SHA256). */
  signatureSecret?: string;
}

export interface EmailConfig {
  to: string;
  from?: string;
  smarthost?: string;
  hello?: string;
  authUsername?: string;
  authPassword?: string;
  /** Alertmanager's default for e-mail: false. */
  sendResolved: boolean;
  requireTls?: boolean;
  headers: Record<string, string>;
  html?: string;
  text?: string;
}

/** Tocsin's addition (`sms_configs`): an SMS through an HTTP gateway, its request given as a template. */
export interface SmsConfig {
  to: string;
  gatewayUrl: string;
  /** Request body with `{{to}}` and `{{text}}` placeholders. */
  body: string;
  contentType: string;
  headers: Record<string, string>;
  sendResolved: boolean;
  maxLength: number;
  timeoutMs: number;
}

export interface ReceiverConfig {
  name: string;
  webhooks: WebhookConfig[];
  emails: EmailConfig[];
  sms: SmsConfig[];
  /** Kinds of integration present that Tocsin does not deliver to (e.g. "slack_configs"). */
  unsupported: string[];
  /** Local slack settings, for Alertmanager's check that a URL or token exists somewhere. */
  slack: { apiUrl?: string; apiUrlFile?: string; appToken?: string; appTokenFile?: string }[];
}

const otherKinds = [
  'pagerduty_configs', 'opsgenie_configs', 'slack_configs', 'victorops_configs', 'pushover_configs', 'wechat_configs', 'sns_configs',
  'telegram_configs', 'webex_configs', 'discord_configs', 'msteams_configs', 'msteamsv2_configs', 'jira_configs', 'rocketchat_configs',
  'mattermost_configs', 'incidentio_configs',
];
const receiverKeys = ['name', 'webhook_configs', 'email_configs', 'sms_configs', ...otherKinds];
const smsKeys = ['to', 'gateway_url', 'body', 'content_type', 'headers', 'send_resolved', 'max_length', 'timeout'];
const webhookKeys = ['send_resolved', 'url', 'url_file', 'http_config', 'max_alerts', 'timeout', 'signature_secret'];
const emailKeys = [
  'send_resolved', 'to', 'from', 'hello', 'smarthost', 'auth_username', 'auth_password', 'auth_password_file', 'auth_secret',
  'auth_secret_file', 'auth_identity', 'headers', 'html', 'text', 'require_tls', 'tls_config', 'threading',
];
const httpConfigKeys = [
  'authorization', 'basic_auth', 'bearer_token', 'bearer_token_file', 'oauth2', 'proxy_url', 'no_proxy', 'proxy_from_environment',
  'proxy_connect_header', 'follow_redirects', 'enable_http2', 'tls_config', 'http_headers',
];
/** Opsgenie's fields (v0.34), so that a removed one (`teams`) is refused as Alertmanager refuses it. */
const opsgenieKeys = ['send_resolved', 'http_config', 'api_key', 'api_key_file', 'api_url', 'message', 'description', 'source', 'details', 'entity', 'responders', 'actions', 'tags', 'note', 'priority', 'update_alerts'];

export function readReceiver(decoder: YamlDecoder, node: Node | null): ReceiverConfig {
  const f = decoder.fields(node, receiverKeys);
  const receiver: ReceiverConfig = {
    name: decoder.str(f.get('name')) ?? '',
    webhooks: decoder.list(f.get('webhook_configs'), '*webhook.WebhookConfig').map((c) => readWebhook(decoder, c)),
    emails: decoder.list(f.get('email_configs'), '*config.EmailConfig').map((c) => readEmail(decoder, c)),
    sms: decoder.list(f.get('sms_configs'), 'sms').map((c) => readSms(decoder, c)),
    unsupported: [],
    slack: [],
  };
  for (const kind of otherKinds) {
    const entries = decoder.list(f.get(kind), kind);
    if (entries.length === 0) continue;
    receiver.unsupported.push(kind);
    for (const entry of entries) {
      if (entry === null) decoder.fail(`missing ${kind.replace(/_configs$/, '')} config`);
      if (kind === 'opsgenie_configs') decoder.fields(entry, opsgenieKeys, 'opsgenie.plain');
      if (kind === 'slack_configs') {
        const s = decoder.fields(entry, 'any');
        receiver.slack.push({ apiUrl: decoder.str(s.get('api_url')), apiUrlFile: decoder.str(s.get('api_url_file')), appToken: decoder.str(s.get('app_token')), appTokenFile: decoder.str(s.get('app_token_file')) });
      }
    }
  }
  return receiver;
}

function readHttpConfig(decoder: YamlDecoder, node: FieldNode | undefined): { bearerToken?: string } {
  if (node === undefined) return {};
  const f = decoder.fields(node, httpConfigKeys);
  const bearerToken = decoder.str(f.get('bearer_token'));
  if (bearerToken !== undefined && decoder.str(f.get('bearer_token_file')) !== undefined) {
    decoder.fail('at most one of bearer_token & bearer_token_file must be configured');
  }
  return bearerToken === undefined ? {} : { bearerToken };
}

/** WebhookConfig.UnmarshalYAML: a URL or a URL file, not both; the URL http(s). */
function readWebhook(decoder: YamlDecoder, node: Node | null): WebhookConfig {
  if (node === null) decoder.fail('missing webhook config');
  const f = decoder.fields(node, webhookKeys, 'webhook.plain');
  const http = readHttpConfig(decoder, f.get('http_config'));
  const url = decoder.str(f.get('url'));
  const urlFile = decoder.str(f.get('url_file'));
  if (url === undefined && urlFile === undefined) decoder.fail('one of url or url_file must be configured');
  if (url !== undefined && urlFile !== undefined) decoder.fail('at most one of url & url_file must be configured');
  if (url !== undefined) checkUrl(decoder, url);
  const maxAlerts = Number(decoder.str(f.get('max_alerts')) ?? 0);
  const signatureSecret = decoder.str(f.get('signature_secret'));
  return {
    ...(url !== undefined ? { url } : {}),
    ...(urlFile !== undefined ? { urlFile } : {}),
    sendResolved: decoder.bool(f.get('send_resolved')) ?? true,
    maxAlerts: Number.isInteger(maxAlerts) && maxAlerts >= 0 ? maxAlerts : 0,
    timeoutMs: decoder.duration(f.get('timeout')) ?? 0,
    ...http,
    ...(signatureSecret ? { signatureSecret } : {}),
  };
}

/** Tocsin's `sms_configs`: a number, an http(s) gateway and a body template are required. */
function readSms(decoder: YamlDecoder, node: Node | null): SmsConfig {
  if (node === null) decoder.fail('missing sms config');
  const f = decoder.fields(node, smsKeys, 'sms.plain');
  const to = decoder.str(f.get('to'));
  if (!to) decoder.fail('missing to number in sms config');
  const gatewayUrl = decoder.str(f.get('gateway_url'));
  if (!gatewayUrl) decoder.fail('missing gateway_url in sms config');
  checkUrl(decoder, gatewayUrl);
  const body = decoder.str(f.get('body'));
  if (!body || !/\{\{\s*text\s*\}\}/.test(body)) decoder.fail('sms config body must be a template holding {{text}}');
  const maxLength = Number(decoder.str(f.get('max_length')) ?? 160);
  if (!Number.isInteger(maxLength) || maxLength < 20) decoder.fail(`sms config max_length must be an integer of at least 20, not ${decoder.str(f.get('max_length'))}`);
  const headers: Record<string, string> = {};
  for (const [name, { value }] of decoder.stringMap(f.get('headers')) ?? []) headers[name] = value ?? '';
  return {
    to,
    gatewayUrl,
    body,
    contentType: decoder.str(f.get('content_type')) ?? 'application/json',
    headers,
    sendResolved: decoder.bool(f.get('send_resolved')) ?? true,
    maxLength,
    timeoutMs: decoder.duration(f.get('timeout')) ?? 30_000,
  };
}

/** EmailConfig.UnmarshalYAML: a `to`, and headers unique without regard to case. */
function readEmail(decoder: YamlDecoder, node: Node | null): EmailConfig {
  if (node === null) decoder.fail('missing email config');
  const f = decoder.fields(node, emailKeys);
  const to = decoder.str(f.get('to'));
  if (!to) decoder.fail('missing to address in email config');
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, { value }] of decoder.stringMap(f.get('headers')) ?? []) {
    const normal = name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    if (seen.has(normal)) decoder.fail(`duplicate header "${normal}" in email config`);
    seen.add(normal);
    headers[normal] = value ?? '';
  }
  const requireTls = decoder.bool(f.get('require_tls'));
  return {
    to,
    from: decoder.str(f.get('from')),
    smarthost: decoder.str(f.get('smarthost')),
    hello: decoder.str(f.get('hello')),
    authUsername: decoder.str(f.get('auth_username')),
    authPassword: decoder.str(f.get('auth_password')),
    sendResolved: decoder.bool(f.get('send_resolved')) ?? false,
    ...(requireTls !== undefined ? { requireTls } : {}),
    headers,
    html: decoder.str(f.get('html')),
    text: decoder.str(f.get('text')),
  };
}

/** Config.UnmarshalYAML's per-receiver checks against the global settings (and their defaults filled in). */
export function checkReceiverAgainstGlobal(decoder: YamlDecoder, receiver: ReceiverConfig, global: GlobalConfig): void {
  for (const email of receiver.emails) {
    email.smarthost ??= global.smtpSmarthost;
    if (!email.smarthost) decoder.fail('no global SMTP smarthost set');
    email.from ??= global.smtpFrom;
    if (!email.from) decoder.fail('no global SMTP from set');
    email.hello ??= global.smtpHello;
    email.requireTls ??= global.smtpRequireTls;
    email.authUsername ??= global.smtpAuthUsername;
    email.authPassword ??= global.smtpAuthPassword;
  }
  for (const slack of receiver.slack) {
    const local = slack.apiUrl ?? slack.apiUrlFile ?? slack.appToken ?? slack.appTokenFile;
    if (local === undefined && global.slackApiUrl === undefined && global.slackApiUrlFile === undefined) {
      decoder.fail('no Slack API URL nor App token set either inline or in a file');
    }
  }
}
