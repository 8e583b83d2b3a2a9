import { describe, expect, it } from 'vitest';
import { formatRuleProblem, parseRuleFile } from './rule-file.ts';
import { fakeRegistry } from './testing/fake-registry.ts';

const registry = fakeRegistry();

describe('parseRuleFile', () => {
  it('reads one rule (the DESIGN.md shape)', () => {
    const text = [
      'name: river-level-high',
      'select: { indicator: river_level }          # also: key (glob), domain, area, labels',
      'detector: { type: threshold, above: 5.5 }',
      'for: 10m',
      'labels: { hazard: flood }',
      'annotations: { summary: "River level at {{series}} is {{level}} ({{value}} m)" }',
    ].join('\n');
    const result = parseRuleFile(text, 'rules/river.yaml', registry);
    expect(result.problems).toEqual([]);
    expect(result.readable).toBe(true);
    expect(result.rules.map((r) => [r.name, r.forMs, r.detector.params])).toEqual([['river-level-high', 600_000, { above: 5.5 }]]);
  });

  it('reads a top-level list and rules: [...], keeping good rules beside bad ones', () => {
    const list = [
      '- name: a',
      '  select: { key: "ST*" }',
      '  detector: { type: threshold, above: 1 }',
      '- name: b',
      '  select: { key: "ST*" }',
      '  detector: { type: threshold, above: high }',
      '- name: c',
      '  select: { area: D01 }',
      '  detector: { type: threshold, above: 3 }',
    ].join('\n');
    const fromList = parseRuleFile(list, 'list.yml', registry);
    expect(fromList.rules.map((r) => r.name)).toEqual(['a', 'c']);
    expect(fromList.problems).toEqual([
      { file: 'list.yml', index: 1, line: 6, rule: 'b', field: 'detector.above', message: 'expected a number' },
    ]);

    const wrapped = parseRuleFile(`rules:\n${list.replace(/^/gm, '  ')}\n`, 'wrapped.yaml', registry);
    expect(wrapped.rules.map((r) => r.name)).toEqual(['a', 'c']);
    expect(wrapped.problems).toEqual([
      { file: 'wrapped.yaml', index: 1, line: 7, rule: 'b', field: 'detector.above', message: 'expected a number' },
    ]);
  });

  it('names a rule without a name by the file and its index, with the line of the rule', () => {
    const text = ['rules:', '  - select: { area: D01 }', '    detector: { type: threshold, above: 1 }'].join('\n');
    expect(parseRuleFile(text, 'x.yaml', registry).problems).toEqual([
      { file: 'x.yaml', index: 0, line: 2, rule: 'x.yaml[0]', field: 'name', message: 'is required' },
    ]);
  });

  it('points at the line of an unknown or empty field', () => {
    const text = ['name: r', 'select:', '  area: D01', 'detector:', '  type: threshold', '  above: 1', 'colour: red', 'for:', 'enabled: maybe'].join('\n');
    const result = parseRuleFile(text, 'r.yaml', registry);
    expect(result.problems.map((p) => [p.field, p.line])).toEqual([
      ['colour', 7],
      ['enabled', 9],
    ]);
  });

  it('reports a duplicate name within the file and keeps the first', () => {
    const rule = (above: number) => ({ name: 'same', select: { area: 'D01' }, detector: { type: 'threshold', above } });
    const result = parseRuleFile(JSON.stringify([rule(1), rule(2)], null, 2), 'dup.json', registry);
    expect(result.rules.map((r) => r.detector.params)).toEqual([{ above: 1 }]);
    expect(result.problems).toEqual([
      {
        file: 'dup.json',
        index: 1,
        line: 13,
        rule: 'same',
        field: 'name',
        message: '"same" is already defined by rule 0 of this file; names must be unique',
      },
    ]);
  });

  it('reads several YAML documents, counting rules across them', () => {
    const text = [
      'name: one',
      'select: { area: D01 }',
      'detector: { type: threshold, above: 1 }',
      '---',
      '- name: two',
      '  select: { area: D01 }',
      '  detector: { type: threshold, above: 1 }',
      '- name: three',
      '  select: {}',
      '  detector: { type: threshold, above: 1 }',
    ].join('\n');
    const result = parseRuleFile(text, 'multi.yaml', registry);
    expect(result.rules.map((r) => r.name)).toEqual(['one', 'two']);
    expect(result.problems).toMatchObject([{ index: 2, line: 9, rule: 'three', field: 'select' }]);
  });

  it('reads nothing from an empty file or a file of comments', () => {
    expect(parseRuleFile('', 'empty.yaml', registry)).toEqual({ rules: [], problems: [], readable: true });
    expect(parseRuleFile('# nothing yet\n', 'c.yaml', registry)).toEqual({ rules: [], problems: [], readable: true });
    expect(parseRuleFile('rules: []', 'c.yaml', registry)).toEqual({ rules: [], problems: [], readable: true });
  });

  it('reports a file that is not YAML or JSON as unreadable, with the line', () => {
    const yaml = parseRuleFile('name: a\nname: b\n', 'bad.yaml', registry);
    expect(yaml).toEqual({
      rules: [],
      readable: false,
      problems: [{ file: 'bad.yaml', index: null, line: 2, rule: 'bad.yaml', field: '', message: 'not valid YAML: Map keys must be unique' }],
    });
    const json = parseRuleFile('{"name": }', 'bad.json', registry);
    expect(json.readable).toBe(false);
    expect(json.problems[0]).toMatchObject({ file: 'bad.json', index: null, rule: 'bad.json', field: '' });
    expect(json.problems[0]!.message).toMatch(/^not valid JSON: /);
  });

  it('refuses a YAML file that expands aliases without bound', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => {
      const prev = i === 0 ? 'a' : `l${i - 1}`;
      return `l${i}: &l${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
    })].join('\n');
    const result = parseRuleFile(bomb, 'bomb.yaml', registry);
    expect(result.readable).toBe(false);
    expect(result.problems[0]!.message).toMatch(/^not usable YAML: /);
  });

  it('reports a wrong shape and unknown keys beside rules', () => {
    expect(parseRuleFile('42', 'n.yaml', registry).problems).toEqual([
      { file: 'n.yaml', index: null, line: 1, rule: 'n.yaml', field: '', message: 'expected a rule, a list of rules, or rules: [...], got the number 42' },
    ]);
    const beside = parseRuleFile('version: 2\nrules: []\n', 'v.yaml', registry);
    expect(beside.problems).toEqual([
      {
        file: 'v.yaml',
        index: null,
        line: 1,
        rule: 'v.yaml',
        field: 'version',
        message: 'unknown field beside "rules"; a file holds one rule, a list of rules, or rules: [...]',
      },
    ]);
    expect(parseRuleFile('rules: {name: a}', 'v.yaml', registry).problems[0]!.message).toBe('expected a list of rules, got a mapping');
  });

  it('formats a problem as one line: file:line: rule: field: message', () => {
    expect(formatRuleProblem({ file: 'r.yaml', line: 3, index: 0, rule: 'river', field: 'for', message: 'bad' })).toBe('r.yaml:3: rule "river": for: bad');
    expect(formatRuleProblem({ file: 'r.yaml', index: null, rule: 'r.yaml', field: '', message: 'not valid YAML' })).toBe('r.yaml: not valid YAML');
    expect(formatRuleProblem({ rule: 'river', field: 'name', message: 'is required' })).toBe('rule "river": name: is required');
  });
});
