import type { Node } from 'yaml';
import { matcher, MatcherError, parseMatchers, type Matcher } from '../matchers.ts';
import { ConfigError, parseYaml, YamlDecoder, type FieldNode } from './yaml-decoder.ts';
import { readTimeIntervals, type TimeInterval } from './time-intervals.ts';
import { readReceiver, checkReceiverAgainstGlobal, type ReceiverConfig } from './receivers.ts';
import { parseDependencies, type Dependency } from '../dependencies.ts';
import { parseSchedules, type Schedule } from '../oncall/schedule.ts';
import { parseEscalationPolicies, type EscalationPolicy } from '../escalation/escalation-policy.ts';

/**
 * Prometheus Alertmanager's configuration (`alertmanager.yml`, v0.34), read so that a file
 * Alertmanager accepts loads here and a file it refuses is refused with its message — the first
 * error, in the order Alertmanager finds it (decode-time checks, then unknown fields, then the
 * whole-file checks; see the conformance README). Receivers of kinds Tocsin does not send through
 * yet (slack, pagerduty, …) are kept by name in `unsupported`, so nothing is silently dropped.
 */

export interface GlobalConfig {
  resolveTimeoutMs: number;
  smtpFrom?: string;
  smtpHello: string;
  smtpSmarthost?: string;
  smtpAuthUsername?: string;
  smtpAuthPassword?: string;
  smtpAuthPasswordFile?: string;
  smtpAuthSecret?: string;
  smtpAuthIdentity?: string;
  smtpRequireTls: boolean;
  slackApiUrl?: string;
  slackApiUrlFile?: string;
}

export interface RouteConfig {
  receiver: string;
  groupBy: string[];
  /** `group_by: ['...']`: every label groups. */
  groupByAll: boolean;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  matchers: Matcher[];
  continue: boolean;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  /** Route labels (v0.34), inherited by child routes. */
  labels: Record<string, string>;
  /** Tocsin's addition: the escalation policy for this route's groups, inherited by child routes. */
  escalationPolicy: string | null;
  routes: RouteConfig[];
}

/** Tocsin's addition: who a responder is paged through (a receiver of this file). */
export interface Responder {
  id: string;
  receiver: string;
}

/** Tocsin's addition: a team of responders, paged together. */
export interface Team {
  id: string;
  members: string[];
}

export interface InhibitRule {
  sourceMatchers: Matcher[];
  targetMatchers: Matcher[];
  equal: string[];
}

export interface AlertingConfig {
  global: GlobalConfig;
  route: RouteConfig;
  receivers: ReceiverConfig[];
  inhibitRules: InhibitRule[];
  timeIntervals: Map<string, TimeInterval[]>;
  templates: string[];
  /** Integrations Tocsin does not deliver to yet, by receiver: reported when the config loads. */
  unsupported: { receiver: string; kind: string }[];
  /** Tocsin's addition (top-level `dependencies:`): parent alerts that suppress their children. */
  dependencies: Dependency[];
  /** Tocsin's additions for escalation: on-call schedules, policies, responders and teams. */
  schedules: Map<string, Schedule>;
  escalationPolicies: Map<string, EscalationPolicy>;
  responders: Map<string, Responder>;
  teams: Map<string, Team>;
}

/** Alertmanager's defaults (dispatch/route.go DefaultRouteOpts, config.go DefaultGlobalConfig). */
export const routeDefaults = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 } as const;
export const defaultResolveTimeoutMs = 300_000;

const alertmanagerKeys = ['global', 'route', 'receivers', 'inhibit_rules', 'time_intervals', 'mute_time_intervals', 'templates', 'tracing'];
/** Tocsin's additions, as extra top-level keys (DESIGN.md): Alertmanager itself would refuse them. */
const tocsinKeys = ['dependencies', 'schedules', 'escalation_policies', 'responders', 'teams'];
const topLevelKeys = [...alertmanagerKeys, ...tocsinKeys];
const globalKeys = [
  'resolve_timeout', 'http_config', 'smtp_from', 'smtp_hello', 'smtp_smarthost', 'smtp_auth_username', 'smtp_auth_password',
  'smtp_auth_password_file', 'smtp_auth_secret', 'smtp_auth_secret_file', 'smtp_auth_identity', 'smtp_require_tls', 'smtp_tls_config',
  'slack_api_url', 'slack_api_url_file', 'slack_app_token', 'slack_app_token_file', 'slack_app_url', 'pagerduty_url', 'opsgenie_api_url',
  'opsgenie_api_key', 'opsgenie_api_key_file', 'wechat_api_url', 'wechat_api_secret', 'wechat_api_corp_id', 'victorops_api_url',
  'victorops_api_key', 'victorops_api_key_file', 'telegram_api_url', 'telegram_bot_token', 'telegram_bot_token_file', 'webex_api_url',
  'rocketchat_api_url', 'rocketchat_token', 'rocketchat_token_file', 'rocketchat_token_id', 'rocketchat_token_id_file', 'jira_api_url',
  'incidentio_url', 'mattermost_webhook_url', 'mattermost_webhook_url_file',
];
const urlGlobals = ['slack_api_url', 'slack_app_url', 'pagerduty_url', 'opsgenie_api_url', 'wechat_api_url', 'victorops_api_url', 'telegram_api_url', 'webex_api_url', 'rocketchat_api_url', 'jira_api_url', 'incidentio_url', 'mattermost_webhook_url'];
const routeKeys = ['receiver', 'group_by', 'continue', 'matchers', 'match', 'match_re', 'mute_time_intervals', 'active_time_intervals', 'group_wait', 'group_interval', 'repeat_interval', 'routes', 'labels', 'escalation_policy'];
const inhibitKeys = ['source_match', 'source_match_re', 'source_matchers', 'target_match', 'target_match_re', 'target_matchers', 'equal'];

/** The label names `match`/`match_re` keys may use: Prometheus' classic names. */
const classicLabelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Checks a URL as Alertmanager's config URL type does (http or https, with a host). */
export function checkUrl(decoder: YamlDecoder, text: string): void {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1] ?? '';
  if (scheme !== 'http' && scheme !== 'https') decoder.fail(`unsupported scheme "${scheme}" for URL`);
  try {
    if (new URL(text).host === '') decoder.fail('host is missing in URL');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    decoder.fail(`parse "${text}": invalid URL`);
  }
}

/** Parses and checks an `alertmanager.yml`; throws ConfigError with Alertmanager's message. */
export function parseAlertingConfig(text: string): AlertingConfig {
  if (text.trim() === '') throw new ConfigError('no route provided in config');
  const { root, decoder } = parseYaml(text);
  if (root === null) throw new ConfigError('no route provided in config');
  const top = decoder.fields(root, topLevelKeys);

  const global = readGlobal(decoder, top.get('global') ?? null);
  const routeNode = top.get('route');
  const rawRoute = routeNode === undefined || routeNode === null ? null : readRoute(decoder, routeNode);
  const receivers = decoder.list(top.get('receivers'), 'config.Receiver').map((node) => readReceiver(decoder, node));
  const inhibitRules = decoder.list(top.get('inhibit_rules'), 'config.InhibitRule').map((node) => readInhibitRule(decoder, node));
  const timeIntervals = readTimeIntervals(decoder, top.get('time_intervals') ?? null, 'time interval');
  const muteTimeIntervals = readTimeIntervals(decoder, top.get('mute_time_intervals') ?? null, 'mute time interval');
  const templates = decoder.strings(top.get('templates')) ?? [];
  decoder.finish();
  const dependencies = readExtra(top.get('dependencies'), parseDependencies);
  const scheduleList = readExtra(top.get('schedules'), parseSchedules);
  const schedules = new Map(scheduleList.map((sc) => [sc.name, sc]));
  const policiesNode = top.get('escalation_policies');
  let escalationPolicies = new Map<string, EscalationPolicy>();
  if (policiesNode !== undefined && policiesNode !== null) {
    const parsed = parseEscalationPolicies(policiesNode.toJSON(), { schedules: new Set(schedules.keys()) });
    if ('problems' in parsed) throw new ConfigError(parsed.problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
    escalationPolicies = parsed.value;
  }
  const responders = readResponders(top.get('responders'));
  const teams = readTeams(top.get('teams'), responders);

  // Whole-file checks, in Config.UnmarshalYAML's order.
  if (global.smtpAuthPassword !== undefined && global.smtpAuthPasswordFile !== undefined) {
    decoder.fail('at most one of smtp_auth_password & smtp_auth_password_file must be configured');
  }
  const names = new Set<string>();
  const unsupported: AlertingConfig['unsupported'] = [];
  for (const receiver of receivers) {
    if (receiver.name === '') decoder.fail('missing name in receiver');
    if (names.has(receiver.name)) decoder.fail(`notification config name "${receiver.name}" is not unique`);
    names.add(receiver.name);
    checkReceiverAgainstGlobal(decoder, receiver, global);
    for (const kind of receiver.unsupported) unsupported.push({ receiver: receiver.name, kind });
  }
  if (rawRoute === null) throw new ConfigError(routeNode === undefined && receivers.length > 0 ? 'no routes provided' : 'no route provided in config');
  if (!rawRoute.receiver) decoder.fail('root route must specify a default receiver');
  if (rawRoute.matchers.length > 0) decoder.fail('root route must not have any matchers');
  if (rawRoute.muteTimeIntervals.length > 0) decoder.fail('root route must not have any mute time intervals');
  if (rawRoute.activeTimeIntervals.length > 0) decoder.fail('root route must not have any active time intervals');
  checkReceiversExist(decoder, rawRoute, names);
  // The two lists share one namespace: the deprecated mute list first, as Alertmanager checks them.
  const intervals = new Map<string, TimeInterval[]>();
  for (const [kind, list] of [
    ['mute time interval', muteTimeIntervals],
    ['time interval', timeIntervals],
  ] as const) {
    for (const interval of list) {
      if (interval.name === '') decoder.fail(`missing name in ${kind}`);
      if (intervals.has(interval.name)) decoder.fail(`${kind} "${interval.name}" is not unique`);
      intervals.set(interval.name, interval.intervals);
    }
  }
  checkTimeIntervalsExist(decoder, rawRoute, intervals);
  if (rawRoute.continue) decoder.fail('cannot have continue in root route');
  checkEscalation(decoder, rawRoute, escalationPolicies);
  for (const responder of responders.values()) {
    if (!names.has(responder.receiver)) decoder.fail(`responders: undefined receiver "${responder.receiver}" used by responder "${responder.id}"`);
  }
  for (const policy of escalationPolicies.values()) {
    for (const [i, step] of policy.steps.entries()) {
      for (const target of step.notify) {
        if ('user' in target && !responders.has(target.user)) decoder.fail(`escalation_policies: undefined responder "${target.user}" used in step ${i + 1} of escalation policy "${policy.name}"`);
        if ('team' in target && !teams.has(target.team)) decoder.fail(`escalation_policies: undefined team "${target.team}" used in step ${i + 1} of escalation policy "${policy.name}"`);
      }
    }
  }

  return {
    global,
    route: resolveRoute(rawRoute, null),
    receivers,
    inhibitRules,
    timeIntervals: intervals,
    templates,
    unsupported,
    dependencies,
    schedules,
    escalationPolicies,
    responders,
    teams,
  };
}

/** `responders: [{ id, receiver }]`: ids unique and non-empty. */
function readResponders(node: Node | null | undefined): Map<string, Responder> {
  const out = new Map<string, Responder>();
  if (node === undefined || node === null) return out;
  const raw = node.toJSON() as unknown;
  if (!Array.isArray(raw)) throw new ConfigError('responders: expected a list of { id, receiver }');
  raw.forEach((item: unknown, i) => {
    const r = item as Record<string, unknown> | null;
    const extra = r && typeof r === 'object' ? Object.keys(r).filter((k) => k !== 'id' && k !== 'receiver') : [];
    if (!r || typeof r !== 'object' || typeof r['id'] !== 'string' || r['id'] === '' || typeof r['receiver'] !== 'string' || r['receiver'] === '' || extra.length > 0) {
      throw new ConfigError(`responders[${i}]: expected { id, receiver } (two non-empty texts)${extra.length ? `; unknown field ${extra[0]}` : ''}`);
    }
    if (out.has(r['id'])) throw new ConfigError(`responders[${i}].id: responder "${r['id']}" is not unique`);
    out.set(r['id'], { id: r['id'], receiver: r['receiver'] });
  });
  return out;
}

/** `teams: [{ id, members }]`: members are known responders. */
function readTeams(node: Node | null | undefined, responders: ReadonlyMap<string, Responder>): Map<string, Team> {
  const out = new Map<string, Team>();
  if (node === undefined || node === null) return out;
  const raw = node.toJSON() as unknown;
  if (!Array.isArray(raw)) throw new ConfigError('teams: expected a list of { id, members }');
  raw.forEach((item: unknown, i) => {
    const t = item as Record<string, unknown> | null;
    const members = t?.['members'];
    if (!t || typeof t['id'] !== 'string' || t['id'] === '' || !Array.isArray(members) || members.length === 0 || !members.every((m) => typeof m === 'string')) {
      throw new ConfigError(`teams[${i}]: expected { id, members } with at least one member`);
    }
    if (out.has(t['id'])) throw new ConfigError(`teams[${i}].id: team "${t['id']}" is not unique`);
    for (const m of members as string[]) if (!responders.has(m)) throw new ConfigError(`teams[${i}].members: undefined responder "${m}" in team "${t['id']}"`);
    out.set(t['id'], { id: t['id'], members: members as string[] });
  });
  return out;
}

function checkEscalation(decoder: YamlDecoder, route: RawRoute, policies: ReadonlyMap<string, EscalationPolicy>): void {
  if (route.escalationPolicy && !policies.has(route.escalationPolicy)) decoder.fail(`undefined escalation policy "${route.escalationPolicy}" used in route`);
  for (const child of route.routes) checkEscalation(decoder, child, policies);
}

/**
 * One of Tocsin's own sections, read by its domain parser from the plain value; every problem is
 * reported at once, each with its path (`dependencies[1].parent[0]: …`).
 */
function readExtra<T>(node: Node | null | undefined, parse: (raw: unknown) => { value: T[] } | { problems: { field: string; message: string }[] }): T[] {
  if (node === undefined || node === null) return [];
  const parsed = parse(node.toJSON());
  if ('problems' in parsed) throw new ConfigError(parsed.problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
  return parsed.value;
}

function readGlobal(decoder: YamlDecoder, node: FieldNode): GlobalConfig {
  const f = decoder.fields(node, globalKeys);
  for (const key of urlGlobals) {
    const url = decoder.str(f.get(key));
    if (url !== undefined) checkUrl(decoder, url);
  }
  const hello = decoder.str(f.get('smtp_hello'));
  return {
    resolveTimeoutMs: decoder.duration(f.get('resolve_timeout')) ?? defaultResolveTimeoutMs,
    smtpFrom: decoder.str(f.get('smtp_from')),
    smtpHello: hello ?? 'localhost',
    smtpSmarthost: decoder.str(f.get('smtp_smarthost')),
    smtpAuthUsername: decoder.str(f.get('smtp_auth_username')),
    smtpAuthPassword: decoder.str(f.get('smtp_auth_password')),
    smtpAuthPasswordFile: decoder.str(f.get('smtp_auth_password_file')),
    smtpAuthSecret: decoder.str(f.get('smtp_auth_secret')),
    smtpAuthIdentity: decoder.str(f.get('smtp_auth_identity')),
    smtpRequireTls: decoder.bool(f.get('smtp_require_tls')) ?? true,
    slackApiUrl: decoder.str(f.get('slack_api_url')),
    slackApiUrlFile: decoder.str(f.get('slack_api_url_file')),
  };
}

/** A route as written: timers and group_by unset where the file leaves them (inherited later). */
interface RawRoute {
  receiver?: string;
  groupBy?: string[];
  groupByAll: boolean;
  groupWaitMs?: number;
  groupIntervalMs?: number;
  repeatIntervalMs?: number;
  matchers: Matcher[];
  continue: boolean;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  labels: Record<string, string>;
  escalationPolicy?: string;
  routes: RawRoute[];
}

/** Route.UnmarshalYAML: children are decoded (and checked) first, then this route's own checks. */
function readRoute(decoder: YamlDecoder, node: Node | null): RawRoute {
  const f = decoder.fields(node, routeKeys);
  const routes = decoder.list(f.get('routes'), '*config.Route').map((child) => readRoute(decoder, child));
  const matchers: Matcher[] = [];
  const match = decoder.stringMap(f.get('match'));
  for (const [name, { value }] of match ?? []) {
    if (!classicLabelName.test(name)) decoder.fail(`invalid label name "${name}"`);
    matchers.push(matcher(name, '=', value ?? ''));
  }
  const matchRe = decoder.stringMap(f.get('match_re'));
  for (const [name, { value }] of matchRe ?? []) {
    if (value === null) decoder.fail(`invalid regexp value for "${name}"`);
    if (!classicLabelName.test(name)) decoder.fail(`invalid label name "${name}"`);
    matchers.push(regexMatcher(decoder, name, value));
  }
  for (const line of decoder.strings(f.get('matchers')) ?? []) matchers.push(...readMatcherLine(decoder, line));
  const groupByRaw = decoder.strings(f.get('group_by'));
  let groupByAll = false;
  if (groupByRaw) {
    const seen = new Set<string>();
    for (const label of groupByRaw) {
      if (label === '...' && groupByRaw.length > 1) decoder.fail('cannot have wildcard group_by (`...`) and other labels at the same time');
      if (seen.has(label)) decoder.fail(`duplicated label "${label}" in group_by`);
      seen.add(label);
    }
    groupByAll = groupByRaw.length === 1 && groupByRaw[0] === '...';
  }
  const groupIntervalMs = decoder.duration(f.get('group_interval'));
  if (groupIntervalMs === 0) decoder.fail('group_interval cannot be zero');
  const repeatIntervalMs = decoder.duration(f.get('repeat_interval'));
  if (repeatIntervalMs === 0) decoder.fail('repeat_interval cannot be zero');
  const labels: Record<string, string> = {};
  for (const [name, { value }] of decoder.stringMap(f.get('labels')) ?? []) labels[name] = value ?? '';
  return {
    receiver: decoder.str(f.get('receiver')),
    groupBy: groupByAll ? [] : groupByRaw,
    groupByAll,
    groupWaitMs: decoder.duration(f.get('group_wait')),
    groupIntervalMs,
    repeatIntervalMs,
    matchers,
    continue: decoder.bool(f.get('continue')) ?? false,
    muteTimeIntervals: decoder.strings(f.get('mute_time_intervals')) ?? [],
    activeTimeIntervals: decoder.strings(f.get('active_time_intervals')) ?? [],
    labels,
    ...(f.get('escalation_policy') !== undefined ? { escalationPolicy: decoder.str(f.get('escalation_policy')) ?? '' } : {}),
    routes,
  };
}

/** `match_re` values are anchored regular expressions. */
function regexMatcher(decoder: YamlDecoder, name: string, value: string): Matcher {
  try {
    return matcher(name, '=~', value);
  } catch (err) {
    if (err instanceof MatcherError) decoder.fail(err.message);
    throw err;
  }
}

/** One `matchers:` entry, which may hold several matchers. */
export function readMatcherLine(decoder: YamlDecoder, line: string): Matcher[] {
  try {
    return parseMatchers(line);
  } catch (err) {
    if (err instanceof MatcherError) decoder.fail(err.message);
    throw err;
  }
}

function readInhibitRule(decoder: YamlDecoder, node: Node | null): InhibitRule {
  const f = decoder.fields(node, inhibitKeys);
  const side = (prefix: 'source' | 'target'): Matcher[] => {
    const out: Matcher[] = [];
    for (const [name, { value }] of decoder.stringMap(f.get(`${prefix}_match`)) ?? []) out.push(matcher(name, '=', value ?? ''));
    for (const [name, { value }] of decoder.stringMap(f.get(`${prefix}_match_re`)) ?? []) {
      if (value === null) decoder.fail(`invalid regexp value for "${name}"`);
      out.push(regexMatcher(decoder, name, value));
    }
    for (const line of decoder.strings(f.get(`${prefix}_matchers`)) ?? []) out.push(...readMatcherLine(decoder, line));
    return out;
  };
  return { sourceMatchers: side('source'), targetMatchers: side('target'), equal: decoder.strings(f.get('equal')) ?? [] };
}

function checkReceiversExist(decoder: YamlDecoder, route: RawRoute, names: ReadonlySet<string>): void {
  if (route.receiver && !names.has(route.receiver)) decoder.fail(`undefined receiver "${route.receiver}" used in route`);
  for (const child of route.routes) checkReceiversExist(decoder, child, names);
}

function checkTimeIntervalsExist(decoder: YamlDecoder, route: RawRoute, intervals: ReadonlyMap<string, unknown>): void {
  for (const name of [...route.muteTimeIntervals, ...route.activeTimeIntervals]) {
    if (!intervals.has(name)) decoder.fail(`undefined time interval "${name}" used in route`);
  }
  for (const child of route.routes) checkTimeIntervalsExist(decoder, child, intervals);
}

/** Fills what a route leaves unset from its parent (the root from Alertmanager's defaults). */
function resolveRoute(raw: RawRoute, parent: RouteConfig | null): RouteConfig {
  const route: RouteConfig = {
    receiver: raw.receiver || parent?.receiver || '',
    groupBy: raw.groupBy ?? (raw.groupByAll ? [] : (parent?.groupBy ?? [])),
    groupByAll: raw.groupBy !== undefined || raw.groupByAll ? raw.groupByAll : (parent?.groupByAll ?? false),
    groupWaitMs: raw.groupWaitMs ?? parent?.groupWaitMs ?? routeDefaults.groupWaitMs,
    groupIntervalMs: raw.groupIntervalMs ?? parent?.groupIntervalMs ?? routeDefaults.groupIntervalMs,
    repeatIntervalMs: raw.repeatIntervalMs ?? parent?.repeatIntervalMs ?? routeDefaults.repeatIntervalMs,
    matchers: raw.matchers,
    continue: raw.continue,
    muteTimeIntervals: raw.muteTimeIntervals,
    activeTimeIntervals: raw.activeTimeIntervals,
    labels: { ...(parent?.labels ?? {}), ...raw.labels },
    escalationPolicy: raw.escalationPolicy || parent?.escalationPolicy || null,
    routes: [],
  };
  route.routes = raw.routes.map((child) => resolveRoute(child, route));
  return route;
}
