import type { DetectorRegistry, ParamProblem } from '../detector.ts';
import { isLevel, levels, type Level } from '../levels.ts';
import { parseDuration } from '../../kernel/duration.ts';
import { hazardDomains, isHazardDomain } from '../../observations/hazard-domains.ts';
import { selectorFields, selectorIsEmpty, type RuleSelector } from './selector.ts';
import { checkAnnotationTemplate } from './annotation-template.ts';
import { clip, deepFreeze, describeValue, isMapping, unknownFieldMessage } from './field-checks.ts';
import { parseAggregateSpec, periodMismatch, type AggregateSpec } from '../aggregate/aggregate-spec.ts';

/**
 * The rule model (DESIGN.md "A rule"): a selector over series, a detector with parameters, a hold
 * time `for`, labels and annotations, an optional mapping of the detector's levels, and an
 * optional `aggregate` that turns raw observations into one value per day, ISO week or month.
 * The same shape comes from YAML/JSON files and from the API; `parseRule` checks all of it at
 * once and answers every problem, each naming the rule, the field and what is wrong.
 */

/** 1–100 characters of a-z, 0-9, `_`, `.`, `-`, starting with a letter or digit: safe in URLs and file names. */
export const ruleNamePattern = /^[a-z0-9][a-z0-9_.-]{0,99}$/;

/** The fields a rule may have, in the order they are written and shown. */
export const ruleFields = ['name', 'select', 'aggregate', 'detector', 'for', 'labels', 'annotations', 'levels', 'enabled'] as const;

/** Limits on what a rule may say, shown in the messages that enforce them. */
export const ruleLimits = {
  /** Characters in a key glob (series keys have at most 200). */
  keyGlobLength: 200,
  /** Characters in a selected indicator, area or label value, and in a rule's label value. */
  textLength: 256,
  /** Characters in one annotation. */
  annotationLength: 4000,
  /** Labels, and annotations, on one rule. */
  maxEntries: 32,
} as const;

/**
 * Labels every signal's alert already carries (DESIGN.md): a rule may not set them, or an alert
 * could claim a series, area or level it is not about and be routed or silenced by mistake.
 */
export const reservedLabelNames = ['alertname', 'series', 'domain', 'indicator', 'area', 'level'] as const;

/** What `levels` maps: a level the detector reached, or `alarm` for any level at all. */
export type LevelMappingKey = 'alarm' | Level;
/** A rule's level mapping: to a level, or `none` to drop that output (no signal). */
export type LevelMapping = Readonly<Partial<Record<LevelMappingKey, Level | 'none'>>>;

/** A rule as written in YAML or JSON and answered by the API, with defaults filled in. */
export interface RuleDocument {
  name: string;
  select: RuleSelector;
  /** With its defaults filled in; absent when the detector sees observations as they come. */
  aggregate?: AggregateSpec;
  detector: { type: string; [param: string]: unknown };
  /** As written: a duration such as `10m`, or milliseconds. */
  for: string | number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  levels?: LevelMapping;
  enabled: boolean;
}

/** A checked rule, ready for the detection engine. Frozen. */
export interface Rule {
  readonly name: string;
  readonly select: RuleSelector;
  /** How observations become period values before the detector sees them; null: fed as they come. */
  readonly aggregate: Readonly<AggregateSpec> | null;
  /** The detector's type and its parameters as its definition's `parseParams` answered them. */
  readonly detector: { readonly type: string; readonly params: unknown };
  /** Hold time in ms: how long trouble must last before the rule fires. */
  readonly forMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Empty when the rule keeps the detector's own levels. */
  readonly levels: LevelMapping;
  readonly enabled: boolean;
  /** The rule in its written shape, for storage and the API. */
  readonly document: Readonly<RuleDocument>;
}

/** One problem with a rule: which rule (its name, or where it came from), which field, what is wrong. */
export interface RuleProblem {
  rule: string;
  /** Dotted path such as `detector.levels.red`; empty when the rule as a whole is wrong. */
  field: string;
  message: string;
}

/** The outcome of parsing one rule: the rule, or every problem found. */
export type ParsedRule = { rule: Rule } | { problems: RuleProblem[] };

const labelNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The characters of a series key (domain/observations) plus the two glob wildcards.
const keyGlobPattern = /^[A-Za-z0-9_.:/*?-]+$/;
const levelMappingKeys: readonly string[] = ['alarm', ...levels];
const reserved: ReadonlySet<string> = new Set(reservedLabelNames);

// Records a problem; answers null so that a check can `return report(…)` in one line.
type Report = (field: string, message: string) => null;

/**
 * Checks one rule in the YAML/JSON shape against the registry's detectors. `source` names the
 * rule in problems when it has no usable name (e.g. `rules/river.yaml[2]` or `request body`).
 */
export function parseRule(raw: unknown, registry: DetectorRegistry, source: string): ParsedRule {
  if (!isMapping(raw)) {
    return { problems: [{ rule: source, field: '', message: `expected a rule (a mapping with name, select and detector), got ${describeValue(raw)}` }] };
  }
  const ruleName = typeof raw['name'] === 'string' && raw['name'] !== '' ? raw['name'] : source;
  const problems: RuleProblem[] = [];
  const report: Report = (field, message) => {
    problems.push({ rule: ruleName, field, message });
    return null;
  };

  for (const key of Object.keys(raw)) {
    if (!(ruleFields as readonly string[]).includes(key)) report(key, unknownFieldMessage(key, ruleFields));
  }
  // YAML writes an empty field (`labels:` with its entries commented out) as null: read it as absent.
  const field = (key: string) => raw[key] ?? undefined;
  const name = checkName(field('name'), report);
  const select = checkSelect(field('select'), report);
  const aggregate = checkAggregate(field('aggregate'), report);
  const detector = checkDetector(field('detector'), registry, report);
  if (aggregate && detector) {
    // Composite rules are fed other rules' signals (their definition says `input: 'signals'`).
    if (registry.get(detector.type)?.input === 'signals') {
      report('aggregate', `the ${detector.type} detector combines other rules' signals, not observations: there is nothing to aggregate`);
    }
    const mismatch = periodMismatch(aggregate.period, detector.params);
    if (mismatch) report('aggregate.period', mismatch);
  }
  const forMs = checkFor(field('for'), report);
  const labels = checkLabels(field('labels'), report);
  const annotations = checkAnnotations(field('annotations'), report);
  const levelMapping = checkLevels(field('levels'), report);
  const enabled = field('enabled') ?? true;
  if (typeof enabled !== 'boolean') report('enabled', `expected true or false, got ${describeValue(enabled)}`);

  if (problems.length > 0 || name === null || select === null || detector === null || forMs === null) return { problems };
  const document: RuleDocument = deepFreeze(
    structuredClone({
      name,
      select,
      ...(aggregate ? { aggregate } : {}),
      detector: { type: detector.type, ...detector.raw },
      for: (field('for') as string | number | undefined) ?? 0,
      labels: labels ?? {},
      annotations: annotations ?? {},
      ...(levelMapping ? { levels: levelMapping } : {}),
      enabled: enabled as boolean,
    }),
  );
  const rule: Rule = {
    name,
    select: document.select,
    aggregate: document.aggregate ?? null,
    detector: Object.freeze({ type: detector.type, params: detector.params }),
    forMs,
    labels: document.labels,
    annotations: document.annotations,
    levels: document.levels ?? Object.freeze({}),
    enabled: document.enabled,
    document,
  };
  return { rule: Object.freeze(rule) };
}

/**
 * The level a rule signals when its detector reached `level`: the mapping for that level, else
 * the mapping for `alarm`, else the detector's own level; `none` (and a normal value) is no signal.
 */
export function ruleLevel(mapping: LevelMapping, level: Level | null): Level | null {
  if (level === null) return null;
  const mapped = mapping[level] ?? mapping.alarm;
  if (mapped === undefined) return level;
  return mapped === 'none' ? null : mapped;
}

function checkName(value: unknown, report: Report): string | null {
  if (value === undefined) return report('name', 'is required');
  if (typeof value !== 'string') return report('name', `expected text, got ${describeValue(value)}`);
  if (!ruleNamePattern.test(value)) {
    report('name', `${JSON.stringify(clip(value))} is not a rule name: 1–100 characters of a-z, 0-9, "_", "." or "-", starting with a letter or digit`);
    return null;
  }
  return value;
}

function checkSelect(value: unknown, report: Report): RuleSelector | null {
  if (value === undefined) return report('select', `is required: name at least one of ${selectorFields.join(', ')}`);
  if (!isMapping(value)) return report('select', `expected a mapping of ${selectorFields.join(', ')}, got ${describeValue(value)}`);
  let ok = true;
  const fail: Report = (field, message) => {
    ok = false;
    return report(field, message);
  };
  for (const key of Object.keys(value)) {
    if (!(selectorFields as readonly string[]).includes(key)) fail(`select.${key}`, unknownFieldMessage(key, selectorFields));
  }
  const select: RuleSelector = {};
  const key = value['key'] ?? undefined;
  if (key !== undefined) {
    if (typeof key !== 'string' || key === '') fail('select.key', `expected a key glob such as "ST0*.level", got ${describeValue(key)}`);
    else if (key.length > ruleLimits.keyGlobLength) fail('select.key', `longer than ${ruleLimits.keyGlobLength} characters`);
    else if (!keyGlobPattern.test(key)) {
      fail('select.key', `"${clip(key)}" can never match: series keys hold only A-Z, a-z, 0-9, "_", ".", ":", "/", "-" (and the glob may add * and ?)`);
    } else select.key = key;
  }
  const domain = value['domain'] ?? undefined;
  if (domain !== undefined) {
    if (isHazardDomain(domain)) select.domain = domain;
    else {
      const shown = typeof domain === 'string' ? JSON.stringify(clip(domain)) : describeValue(domain);
      fail('select.domain', `${shown} is not a hazard domain; expected one of ${hazardDomains.join(', ')}`);
    }
  }
  for (const field of ['indicator', 'area'] as const) {
    const text = value[field] ?? undefined;
    if (text === undefined) continue;
    if (typeof text !== 'string' || text === '' || text.length > ruleLimits.textLength) {
      fail(`select.${field}`, `expected text of 1–${ruleLimits.textLength} characters, got ${describeValue(text)}`);
    } else select[field] = text;
  }
  if (value['labels'] !== undefined && value['labels'] !== null) {
    const labels = checkStringMap(value['labels'], 'select.labels', ruleLimits.textLength, fail, false);
    if (labels && Object.keys(labels).length > 0) select.labels = labels;
  }
  if (ok && selectorIsEmpty(select)) {
    report('select', `must name at least one of ${selectorFields.join(', ')} (a rule over every series is refused)`);
    return null;
  }
  return ok ? select : null;
}

function checkAggregate(value: unknown, report: Report): AggregateSpec | null {
  if (value === undefined) return null;
  const parsed = parseAggregateSpec(value);
  if ('problems' in parsed) {
    for (const p of parsed.problems) report(p.field, p.message);
    return null;
  }
  return parsed.spec;
}

function checkDetector(
  value: unknown,
  registry: DetectorRegistry,
  report: Report,
): { type: string; params: unknown; raw: Record<string, unknown> } | null {
  const known = [...registry.keys()].sort();
  const knownText = known.length > 0 ? `one of ${known.join(', ')}` : 'none are registered';
  if (value === undefined) return report('detector', `is required: { type, …parameters } where type is ${knownText}`);
  if (!isMapping(value)) return report('detector', `expected a mapping { type, …parameters }, got ${describeValue(value)}`);
  const { type, ...raw } = value;
  if (type === undefined) return report('detector.type', `is required (${knownText})`);
  if (typeof type !== 'string') return report('detector.type', `expected text (${knownText}), got ${describeValue(type)}`);
  const definition = registry.get(type);
  if (!definition) return report('detector.type', `unknown detector "${clip(type)}"; ${knownText}`);
  let parsed: ReturnType<typeof definition.parseParams>;
  try {
    parsed = definition.parseParams(raw);
  } catch (err) {
    // A detector's own bug must not stop the other rules from loading: report it against this one.
    return report('detector', `the ${type} detector could not read its parameters: ${(err as Error).message}`);
  }
  if ('problems' in parsed) {
    for (const p of parsed.problems) report(detectorField(p), p.message);
    // A definition that refuses without saying why still refuses.
    if (parsed.problems.length === 0) report('detector', `the ${type} detector refused its parameters`);
    return null;
  }
  return { type, params: parsed.params, raw };
}

// Detectors name fields relative to their parameters ("alpha"); some already say "detector.alpha".
function detectorField(problem: ParamProblem): string {
  const field = problem.field;
  if (field === '' || field === 'detector') return 'detector';
  return field.startsWith('detector.') ? field : `detector.${field}`;
}

function checkFor(value: unknown, report: Report): number | null {
  if (value === undefined) return 0;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    return report('for', `expected a whole number of milliseconds ≥ 0, got ${describeValue(value)}`);
  }
  if (typeof value === 'string') {
    const ms = parseDuration(value);
    if (ms !== null) return ms;
  }
  return report('for', `expected a duration such as 10m, 90s, 1h or 0 (or milliseconds), got ${describeValue(value)}`);
}

function checkLabels(value: unknown, report: Report): Record<string, string> | null {
  if (value === undefined) return {};
  return checkStringMap(value, 'labels', ruleLimits.textLength, report, true);
}

function checkAnnotations(value: unknown, report: Report): Record<string, string> | null {
  if (value === undefined) return {};
  const annotations = checkStringMap(value, 'annotations', ruleLimits.annotationLength, report, true);
  if (!annotations) return null;
  let ok = true;
  for (const [name, text] of Object.entries(annotations)) {
    for (const message of checkAnnotationTemplate(text)) {
      ok = false;
      report(`annotations.${name}`, message);
    }
    if (name === 'runbook_url' && !/^https?:\/\/\S+$/.test(text)) {
      ok = false;
      report('annotations.runbook_url', `expected an http:// or https:// link, got ${describeValue(text)}`);
    }
  }
  return ok ? annotations : null;
}

function checkLevels(value: unknown, report: Report): LevelMapping | null {
  if (value === undefined) return null;
  if (!isMapping(value)) return report('levels', `expected a mapping such as { alarm: orange }, got ${describeValue(value)}`);
  const mapping: Partial<Record<LevelMappingKey, Level | 'none'>> = {};
  let ok = true;
  for (const [key, target] of Object.entries(value)) {
    if (!levelMappingKeys.includes(key)) {
      ok = false;
      report(`levels.${key}`, `unknown detector output; expected one of ${levelMappingKeys.join(', ')}`);
    } else if (!isLevel(target) && target !== 'none') {
      ok = false;
      report(`levels.${key}`, `expected a level (${levels.join(', ')}) or none, got ${describeValue(target)}`);
    } else mapping[key as LevelMappingKey] = target;
  }
  return ok ? mapping : null;
}

// A mapping of names to text, as labels and annotations are. `ruleOwned` applies the rule-label
// restrictions (reserved names, Prometheus' `__` prefix); a selector may name any series label.
function checkStringMap(
  value: unknown,
  field: string,
  maxLength: number,
  report: Report,
  ruleOwned: boolean,
): Record<string, string> | null {
  if (!isMapping(value)) return report(field, `expected a mapping of names to text, got ${describeValue(value)}`);
  const entries = Object.entries(value);
  let ok = true;
  const fail: Report = (f, m) => {
    ok = false;
    return report(f, m);
  };
  if (entries.length > ruleLimits.maxEntries) fail(field, `more than ${ruleLimits.maxEntries} entries`);
  for (const [name, text] of entries) {
    const at = `${field}.${name}`;
    if (!labelNamePattern.test(name)) fail(at, 'a name must match [A-Za-z_][A-Za-z0-9_]*');
    else if (ruleOwned && name.startsWith('__')) fail(at, 'names starting with "__" are reserved');
    else if (ruleOwned && field === 'labels' && reserved.has(name)) {
      fail(at, `"${name}" is set on every signal (${reservedLabelNames.join(', ')}); a rule may not set it`);
    } else if (typeof text !== 'string') {
      const hint = typeof text === 'number' || typeof text === 'boolean' ? ` (quote it: "${text}")` : '';
      fail(at, `expected text, got ${describeValue(text)}${hint}`);
    } else if (text.length > maxLength) fail(at, `longer than ${maxLength} characters`);
  }
  return ok ? Object.fromEntries(entries as [string, string][]) : null;
}
