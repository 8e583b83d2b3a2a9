import { createHash } from 'node:crypto';
import type { Rule } from '../../domain/detect/rules/rule.ts';
import { ruleLevel } from '../../domain/detect/rules/rule.ts';
import { compileSelector } from '../../domain/detect/rules/selector.ts';
import { renderAnnotation } from '../../domain/detect/rules/annotation-template.ts';
import type { DetectorRegistry } from '../../domain/detect/detector.ts';
import { aggregatingDetector } from '../../domain/detect/aggregate/aggregating-detector.ts';
import type { ActiveRule } from './active-rule.ts';

/** JSON with object keys sorted, so the same rule always hashes the same (jsonb reorders keys). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A hash of what the rule says (not where it came from): a changed rule gets fresh detector states. */
export function ruleFingerprint(rule: Rule): string {
  const { enabled: _enabled, ...definition } = rule.document;
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 16);
}

/** Turns a validated rule into what the detection engine runs (wrapped to aggregate periods if the rule says so). */
export function toActiveRule(rule: Rule, registry: DetectorRegistry): ActiveRule {
  const definition = registry.get(rule.detector.type);
  if (!definition) throw new Error(`rule ${rule.name}: no detector "${rule.detector.type}"`);
  const detector = rule.aggregate ? aggregatingDetector(definition) : definition;
  const params = rule.aggregate ? { aggregate: rule.aggregate, inner: rule.detector.params } : rule.detector.params;
  const matcher = compileSelector(rule.select);
  const templates = Object.entries(rule.annotations);
  return {
    name: rule.name,
    fingerprint: ruleFingerprint(rule),
    matches: (series) => matcher({ key: series.key, domain: series.domain, indicator: series.indicator, area: series.area, labels: series.labels }),
    detector,
    params,
    forMs: rule.forMs,
    labels: { ...rule.labels },
    levelOf: (output) => ruleLevel(rule.levels, output.level),
    annotations: (context) => {
      const full = {
        ...context,
        // A resolved signal has no level: its annotation reads "… is normal", not "… is ".
        level: context.level ?? 'normal',
        rule: rule.name,
        domain: context.labels['domain'] ?? null,
        indicator: context.labels['indicator'] ?? null,
        area: context.labels['area'] ?? null,
      };
      return Object.fromEntries(templates.map(([name, template]) => [name, renderAnnotation(template, full)]));
    },
  };
}
