import { describe, expect, it } from 'vitest';
import { parseRule, ruleLevel, type ParsedRule, type Rule, type RuleProblem } from './rule.ts';
import { fakeRegistry } from './testing/fake-registry.ts';
import type { DetectorDefinition } from '../detector.ts';
import { farringtonDetector } from '../farrington/farrington-detector.ts';

const registry = fakeRegistry();

const valid = {
  name: 'river-high',
  select: { indicator: 'river_level', area: 'D01' },
  detector: { type: 'threshold', above: 5 },
  for: '10m',
  labels: { hazard: 'flood' },
  annotations: { summary: 'River level at {{series}} is {{level}} ({{value}} m)', runbook_url: 'https://wiki.example/flood' },
};

function ok(parsed: ParsedRule): Rule {
  if ('problems' in parsed) throw new Error(`unexpected problems: ${JSON.stringify(parsed.problems)}`);
  return parsed.rule;
}

function problemsOf(raw: unknown, source = 'test.yaml[0]'): RuleProblem[] {
  const parsed = parseRule(raw, registry, source);
  if ('rule' in parsed) throw new Error('expected problems');
  return parsed.problems;
}

/** `field: message` lines, the way people read them. */
function lines(raw: unknown): string[] {
  return problemsOf(raw).map((p) => `${p.field}: ${p.message}`);
}

describe('parseRule: a valid rule', () => {
  it('answers the checked rule with defaults, and its written shape', () => {
    const rule = ok(parseRule(valid, registry, 'x'));
    expect(rule).toMatchObject({
      name: 'river-high',
      select: { indicator: 'river_level', area: 'D01' },
      detector: { type: 'threshold', params: { above: 5 } },
      forMs: 600_000,
      labels: { hazard: 'flood' },
      enabled: true,
      levels: {},
    });
    expect(rule.document).toEqual({ ...valid, enabled: true });
    expect(Object.isFrozen(rule)).toBe(true);
    expect(Object.isFrozen(rule.document.select)).toBe(true);
  });

  it('reads for as a duration or as milliseconds, and defaults it to 0', () => {
    expect(ok(parseRule({ ...valid, for: 90_000 }, registry, 'x')).forMs).toBe(90_000);
    expect(ok(parseRule({ ...valid, for: '1.5h' }, registry, 'x')).forMs).toBe(5_400_000);
    const { for: _omitted, ...noFor } = valid;
    const rule = ok(parseRule(noFor, registry, 'x'));
    expect(rule.forMs).toBe(0);
    expect(rule.document.for).toBe(0);
  });

  it('keeps a level mapping and the enabled flag', () => {
    const rule = ok(parseRule({ ...valid, levels: { alarm: 'orange', blue: 'none' }, enabled: false }, registry, 'x'));
    expect(rule.levels).toEqual({ alarm: 'orange', blue: 'none' });
    expect(rule.enabled).toBe(false);
  });

  it('reads an empty optional field (YAML null) as absent', () => {
    const rule = ok(parseRule({ ...valid, for: null, labels: null, annotations: null, levels: null, enabled: null }, registry, 'x'));
    expect(rule).toMatchObject({ forMs: 0, labels: {}, annotations: {}, levels: {}, enabled: true });
    expect(lines({ ...valid, name: null, select: null })).toEqual([
      'name: is required',
      'select: is required: name at least one of key, domain, indicator, area, labels',
    ]);
  });

  it('does not share objects with the input', () => {
    const raw = structuredClone(valid);
    const rule = ok(parseRule(raw, registry, 'x'));
    raw.labels.hazard = 'changed';
    raw.select.area = 'D09';
    expect(rule.labels.hazard).toBe('flood');
    expect(rule.select.area).toBe('D01');
  });
});

describe('parseRule: problems name the rule, the field and what is wrong', () => {
  it('reports every problem at once', () => {
    const problems = problemsOf({
      name: 'river-high',
      nmae: 'typo',
      select: { indicator: 'river_level', colour: 'red' },
      detector: { type: 'threshold', above: 'five', below: 1 },
      for: '-5m',
      labels: { level: 'x', 'bad-name': 'y', count: 3, __meta: 'z' },
      annotations: { summary: 'at {{sereis}}', runbook_url: 'wiki/flood' },
      levels: { alarm: 'purple', warning: 'red' },
      enabled: 'yes',
    });
    expect(problems.every((p) => p.rule === 'river-high')).toBe(true);
    expect(problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'nmae: unknown field; did you mean "name"?',
      'select.colour: unknown field; expected one of key, domain, indicator, area, labels',
      'detector.below: unknown parameter',
      'detector.above: expected a number',
      'for: expected a duration such as 10m, 90s, 1h or 0 (or milliseconds), got the text "-5m"',
      'labels.level: "level" is set on every signal (alertname, series, domain, indicator, area, level); a rule may not set it',
      'labels.bad-name: a name must match [A-Za-z_][A-Za-z0-9_]*',
      'labels.count: expected text, got the number 3 (quote it: "3")',
      'labels.__meta: names starting with "__" are reserved',
      expect.stringMatching(/^annotations\.summary: unknown placeholder \{\{sereis\}\}/),
      'annotations.runbook_url: expected an http:// or https:// link, got the text "wiki/flood"',
      'levels.alarm: expected a level (blue, yellow, orange, red) or none, got the text "purple"',
      'levels.warning: unknown detector output; expected one of alarm, blue, yellow, orange, red',
      'enabled: expected true or false, got the text "yes"',
    ]);
  });

  it('names the rule by its source when it has no usable name', () => {
    expect(problemsOf({ select: { area: 'D01' }, detector: { type: 'threshold', above: 1 } }, 'rules/a.yaml[3]')).toEqual([
      { rule: 'rules/a.yaml[3]', field: 'name', message: 'is required' },
    ]);
    expect(problemsOf('just text', 'rules/a.yaml')).toEqual([
      { rule: 'rules/a.yaml', field: '', message: 'expected a rule (a mapping with name, select and detector), got the text "just text"' },
    ]);
    const badName = problemsOf({ ...valid, name: 'River Level' });
    expect(badName[0]).toMatchObject({ rule: 'River Level', field: 'name' });
    expect(badName[0]!.message).toMatch(/"River Level" is not a rule name: 1–100 characters/);
  });

  it.each([
    ['a', true],
    ['0-river_level.v2', true],
    ['x'.repeat(100), true],
    ['x'.repeat(101), false],
    ['-river', false],
    ['River', false],
    ['river level', false],
    ['river/level', false],
  ])('name %s valid: %s', (name, isValid) => {
    const parsed = parseRule({ ...valid, name }, registry, 'x');
    expect('rule' in parsed).toBe(isValid);
  });

  it('requires select, detector and name', () => {
    expect(lines({})).toEqual([
      'name: is required',
      'select: is required: name at least one of key, domain, indicator, area, labels',
      'detector: is required: { type, …parameters } where type is one of broken, threshold',
    ]);
  });

  it('refuses an empty selector, and a selector that is not a mapping', () => {
    expect(lines({ ...valid, select: {} })).toEqual([
      'select: must name at least one of key, domain, indicator, area, labels (a rule over every series is refused)',
    ]);
    expect(lines({ ...valid, select: { labels: {} } })).toEqual([
      'select: must name at least one of key, domain, indicator, area, labels (a rule over every series is refused)',
    ]);
    expect(lines({ ...valid, select: 'ST*' })).toEqual([
      'select: expected a mapping of key, domain, indicator, area, labels, got the text "ST*"',
    ]);
  });

  it('checks each selector field', () => {
    expect(
      lines({ ...valid, select: { key: 'ST 0*', domain: 'weather', indicator: '', area: 7, labels: { basin: 1 } } }),
    ).toEqual([
      'select.key: "ST 0*" can never match: series keys hold only A-Z, a-z, 0-9, "_", ".", ":", "/", "-" (and the glob may add * and ?)',
      'select.domain: "weather" is not a hazard domain; expected one of natural, health, food_drug, workplace, infrastructure, cyber_data, economic, environment, maritime, space, community',
      'select.indicator: expected text of 1–256 characters, got the text ""',
      'select.area: expected text of 1–256 characters, got the number 7',
      'select.labels.basin: expected text, got the number 1 (quote it: "1")',
    ]);
    expect(lines({ ...valid, select: { key: 'x'.repeat(201) } })).toEqual(['select.key: longer than 200 characters']);
    expect('rule' in parseRule({ ...valid, select: { key: 'plant/pump:?.*' } }, registry, 'x')).toBe(true);
  });

  it('checks the detector type against the registry and prefixes its parameter problems', () => {
    expect(lines({ ...valid, detector: { type: 'farington' } })).toEqual(['detector.type: unknown detector "farington"; one of broken, threshold']);
    expect(lines({ ...valid, detector: { above: 1 } })).toEqual(['detector.type: is required (one of broken, threshold)']);
    expect(lines({ ...valid, detector: 'threshold' })).toEqual(['detector: expected a mapping { type, …parameters }, got the text "threshold"']);
    expect(lines({ ...valid, detector: { type: 'threshold' } })).toEqual(['detector.above: is required']);
    expect(lines({ ...valid, detector: { type: 'broken' } })).toEqual(['detector: the broken detector could not read its parameters: boom']);
  });

  it('keeps a field a detector already prefixed, and says when no detector is registered', () => {
    const prefixed = new Map([
      ['p', { ...registry.get('threshold')!, type: 'p', parseParams: () => ({ problems: [{ field: 'detector.levels.red', message: 'must be above orange' }] }) }],
    ]);
    const parsed = parseRule({ ...valid, detector: { type: 'p' } }, prefixed, 'x');
    expect('problems' in parsed && parsed.problems).toEqual([{ rule: 'river-high', field: 'detector.levels.red', message: 'must be above orange' }]);
    const none = parseRule(valid, new Map(), 'x');
    expect('problems' in none && none.problems[0]!.message).toBe('unknown detector "threshold"; none are registered');
  });

  it('checks for as whole non-negative milliseconds', () => {
    expect(lines({ ...valid, for: -1 })).toEqual(['for: expected a whole number of milliseconds ≥ 0, got the number -1']);
    expect(lines({ ...valid, for: 1.5 })).toEqual(['for: expected a whole number of milliseconds ≥ 0, got the number 1.5']);
    expect(lines({ ...valid, for: true })).toEqual(['for: expected a duration such as 10m, 90s, 1h or 0 (or milliseconds), got true']);
  });

  it('limits the size of labels and annotations', () => {
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'v']));
    expect(lines({ ...valid, labels: many })).toEqual(['labels: more than 32 entries']);
    expect(lines({ ...valid, annotations: { description: 'x'.repeat(4001) } })).toEqual(['annotations.description: longer than 4000 characters']);
    expect(lines({ ...valid, labels: ['hazard=flood'] })).toEqual(['labels: expected a mapping of names to text, got a list']);
  });

  it('allows other annotations as text, with placeholders checked', () => {
    const rule = ok(parseRule({ ...valid, annotations: { dashboard: 'https://x/{{series}}', note: 'in {{area}}' } }, registry, 'x'));
    expect(rule.annotations).toEqual({ dashboard: 'https://x/{{series}}', note: 'in {{area}}' });
  });
});

describe('parseRule: aggregate', () => {
  const periodic = new Map<string, DetectorDefinition<unknown, unknown>>([
    ...registry,
    ['farrington', farringtonDetector as DetectorDefinition<unknown, unknown>],
    ['group', { ...registry.get('threshold')!, type: 'group', input: 'signals' } as DetectorDefinition<unknown, unknown>],
  ]);
  const weekly = { ...valid, aggregate: { period: 'isoweek', timezone: 'Asia/Shanghai' }, detector: { type: 'farrington', preset: 'noufaily2013', freq: 52 } };
  const aggregateLines = (raw: unknown) => {
    const parsed = parseRule(raw, periodic, 'x');
    return 'problems' in parsed ? parsed.problems.map((p) => `${p.field}: ${p.message}`) : [];
  };

  it('fills in the defaults, and writes aggregate after select', () => {
    const rule = ok(parseRule(weekly, periodic, 'x'));
    const full = { period: 'isoweek', of: 'sum', timezone: 'Asia/Shanghai', evaluate: 'closed' };
    expect(rule.aggregate).toEqual(full);
    expect(rule.document.aggregate).toEqual(full);
    expect(Object.keys(rule.document)).toEqual(['name', 'select', 'aggregate', 'detector', 'for', 'labels', 'annotations', 'enabled']);
    expect(Object.isFrozen(rule.document.aggregate)).toBe(true);
    const explicit = { period: 'day', of: 'max', timezone: 'UTC', evaluate: 'running' };
    expect(ok(parseRule({ ...valid, aggregate: explicit }, registry, 'x')).aggregate).toEqual(explicit);
  });

  it('is null when absent (or written empty)', () => {
    expect(ok(parseRule(valid, registry, 'x')).aggregate).toBeNull();
    const rule = ok(parseRule({ ...valid, aggregate: null }, registry, 'x'));
    expect(rule.aggregate).toBeNull();
    expect('aggregate' in rule.document).toBe(false);
  });

  it('names each problem by its field', () => {
    expect(aggregateLines({ ...valid, aggregate: { periode: 'isoweek' } })).toEqual([
      'aggregate.periode: unknown field; did you mean "period"?',
      'aggregate.period: is required: one of day, isoweek, month',
    ]);
    expect(aggregateLines({ ...valid, aggregate: { period: 'week', of: 'total', evaluate: 'live', timezone: 'Mars/Olympus_Mons' } })).toEqual([
      'aggregate.period: expected one of day, isoweek, month, got the text "week"',
      'aggregate.of: expected one of sum, count, mean, max, got the text "total"',
      'aggregate.evaluate: expected one of closed, running, got the text "live"',
      'aggregate.timezone: "Mars/Olympus_Mons" is not a time zone this runtime knows; use an IANA name such as Asia/Shanghai or UTC',
    ]);
    expect(aggregateLines({ ...valid, aggregate: { period: 'day', timezone: 8 } })).toEqual([
      'aggregate.timezone: expected an IANA time zone such as Europe/Berlin or UTC, got the number 8',
    ]);
    expect(aggregateLines({ ...valid, aggregate: 'isoweek' })).toEqual([
      'aggregate: expected a mapping such as { period: isoweek, of: sum }, got the text "isoweek"',
    ]);
    expect(aggregateLines({ ...valid, agregate: { period: 'day' } })).toEqual(['agregate: unknown field; did you mean "aggregate"?']);
  });

  it("checks the period against the detector's freq", () => {
    expect(aggregateLines({ ...weekly, aggregate: { period: 'day' } })).toEqual([
      'aggregate.period: day periods do not fit detector.freq 52, which counts isoweek periods: use period isoweek, or freq 365',
    ]);
    // Farrington's freq defaults to 52.
    expect(aggregateLines({ ...weekly, aggregate: { period: 'month' }, detector: { type: 'farrington' } })).toEqual([
      'aggregate.period: month periods do not fit detector.freq 52, which counts isoweek periods: use period isoweek, or freq 12',
    ]);
    expect(aggregateLines({ ...weekly, aggregate: { period: 'month' }, detector: { type: 'farrington', freq: 12 } })).toEqual([]);
    expect(aggregateLines({ ...weekly, aggregate: { period: 'day' }, detector: { type: 'farrington', freq: 365 } })).toEqual([]);
  });

  it("refuses it on a rule over other rules' signals", () => {
    expect(aggregateLines({ ...valid, aggregate: { period: 'day' }, detector: { type: 'group', above: 1 } })).toEqual([
      "aggregate: the group detector combines other rules' signals, not observations: there is nothing to aggregate",
    ]);
  });
});

describe('ruleLevel', () => {
  it.each([
    [{}, 'yellow', 'yellow'],
    [{}, null, null],
    [{ alarm: 'orange' }, 'yellow', 'orange'],
    [{ alarm: 'orange' }, null, null],
    [{ alarm: 'orange', red: 'red' }, 'red', 'red'],
    [{ blue: 'none' }, 'blue', null],
    [{ blue: 'none' }, 'yellow', 'yellow'],
    [{ yellow: 'orange', alarm: 'none' }, 'red', null],
  ] as const)('%j maps %s to %s', (mapping, level, expected) => {
    expect(ruleLevel(mapping, level)).toBe(expected);
  });
});
