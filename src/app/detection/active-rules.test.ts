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

  it('wraps the detector to aggregate periods when the rule says so, and hashes the aggregate', () => {
    const weekly = { ...base, aggregate: { period: 'isoweek', of: 'count' }, detector: { type: 'ears', method: 'C1', baseline: 3 } };
    const plain = toActiveRule(rule({ ...weekly, aggregate: undefined }), registry);
    const active = toActiveRule(rule(weekly), registry);
    expect(active.fingerprint).not.toBe(plain.fingerprint);
    expect(ruleFingerprint(rule({ ...weekly, aggregate: { period: 'isoweek', of: 'sum' } }))).not.toBe(active.fingerprint);
    expect(plain.detector.tick).toBeUndefined();
    expect(active.detector.tick).toBeTypeOf('function');
    expect(active.params).toMatchObject({ aggregate: { period: 'isoweek', of: 'count', timezone: 'UTC', evaluate: 'closed' }, inner: { method: 'C1', baseline: 3 } });

    // Weekly counts 2, 2, 2, 9 of single reports (weeks from Monday 2026-01-05): the fourth week alarms once the clock ends it.
    const week = 7 * 86_400_000;
    const w0 = Date.UTC(2026, 0, 5);
    let state = active.detector.init(active.params);
    [2, 2, 2, 9].forEach((count, k) => {
      for (let i = 0; i < count; i++) state = active.detector.step(active.params, state, { t: w0 + k * week + i * 3_600_000, v: 1 }).state;
    });
    const closed = active.detector.tick!(active.params, state, w0 + 4 * week);
    expect(closed?.output).toMatchObject({ level: 'yellow', extras: { period: w0 + 3 * week, period_value: 9, partial: 0 } });
    expect(active.levelOf(closed!.output)).toBe('orange');
  });
});
