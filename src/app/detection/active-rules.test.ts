import { describe, expect, it } from 'vitest';
import { parseRule } from '../../domain/detect/rules/rule.ts';
import { detectorRegistry } from '../../domain/detect/registry.ts';
import { ruleFingerprint, toActiveRule } from './active-rules.ts';

const registry = detectorRegistry();

function rule(raw: Record<string, unknown>) {
  const parsed = parseRule(raw, registry, 'test');
  if (!('rule' in parsed)) throw new Error(JSON.stringify(parsed.problems));
  return parsed.rule;
}

const base = {
  name: 'river',
  select: { indicator: 'river_level', area: 'D01' },
  detector: { type: 'ears', method: 'C1' },
  levels: { alarm: 'orange' },
  annotations: { summary: 'River at {{series}} is {{level}} ({{value}} m) in {{area}}' },
};

describe('toActiveRule', () => {
  it('hashes what a rule says, not how its keys are ordered or whether it is enabled', () => {
    const a = ruleFingerprint(rule(base));
    const reordered = ruleFingerprint(rule({ annotations: base.annotations, levels: base.levels, detector: { method: 'C1', type: 'ears' }, select: { area: 'D01', indicator: 'river_level' }, name: 'river' }));
    expect(reordered).toBe(a);
    expect(ruleFingerprint(rule({ ...base, enabled: false }))).toBe(a);
    expect(ruleFingerprint(rule({ ...base, detector: { type: 'ears', method: 'C2' } }))).not.toBe(a);
  });

  it('selects, maps alarms to the rule level and renders annotations, "normal" when resolved', () => {
    const active = toActiveRule(rule(base), registry);
    expect(active.matches({ id: 1, key: 'RG-1.level', domain: null, indicator: 'river_level', area: 'D01', labels: {} })).toBe(true);
    expect(active.matches({ id: 2, key: 'RG-2.level', domain: null, indicator: 'river_level', area: 'D02', labels: {} })).toBe(false);
    expect(active.levelOf({ level: 'yellow' })).toBe('orange');
    expect(active.levelOf({ level: null })).toBeNull();
    const labels = { series: 'RG-1.level', area: 'D01' };
    expect(active.annotations({ series: 'RG-1.level', level: 'orange', value: 5.2, labels })).toEqual({ summary: 'River at RG-1.level is orange (5.2 m) in D01' });
    expect(active.annotations({ series: 'RG-1.level', level: null, value: 4.1, labels })).toEqual({ summary: 'River at RG-1.level is normal (4.1 m) in D01' });
  });
});
