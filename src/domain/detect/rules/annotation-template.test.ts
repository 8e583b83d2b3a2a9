import { describe, expect, it } from 'vitest';
import { checkAnnotationTemplate, formatValue, renderAnnotation, type AnnotationContext } from './annotation-template.ts';

const context: AnnotationContext = {
  series: 'ST001.level',
  level: 'orange',
  value: 5.123456789,
  rule: 'river-level-bands',
  domain: 'natural',
  indicator: 'river_level',
  area: 'D01',
  labels: { basin: 'pearl', hazard: 'flood' },
};

describe('renderAnnotation', () => {
  it('fills every placeholder, with or without spaces inside the braces', () => {
    expect(renderAnnotation('River level at {{series}} is {{ level }} ({{value}} m)', context)).toBe(
      'River level at ST001.level is orange (5.12346 m)',
    );
    expect(renderAnnotation('{{rule}} in {{area}} ({{domain}}/{{indicator}}), basin {{labels.basin}}', context)).toBe(
      'river-level-bands in D01 (natural/river_level), basin pearl',
    );
  });

  it('renders what is missing as empty text', () => {
    const bare: AnnotationContext = { series: 'X', level: null, value: null, labels: {} };
    expect(renderAnnotation('[{{level}}|{{value}}|{{area}}|{{labels.basin}}|{{labels.constructor}}]', bare)).toBe('[||||]');
  });

  it('keeps text that is not a placeholder, and an unknown placeholder as written', () => {
    expect(renderAnnotation('{ single } {{nope}} }}', context)).toBe('{ single } {{nope}} }}');
  });
});

describe('checkAnnotationTemplate', () => {
  it.each([
    ['plain text', []],
    ['{{series}} {{ labels.basin }}', []],
    ['{{sereis}}', ['unknown placeholder {{sereis}}']],
    ['{{labels.}}', ['unknown placeholder {{labels.}}']],
    ['{{labels.a-b}}', ['unknown placeholder {{labels.a-b}}']],
    ['at {{series', ['"{{" without a matching "}}"']],
  ] as const)('%s', (template, expected) => {
    const problems = checkAnnotationTemplate(template);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((text, i) => expect(problems[i]).toContain(text));
  });
});

describe('formatValue', () => {
  it.each([
    [3, '3'],
    [-12, '-12'],
    [0.1 + 0.2, '0.3'],
    [5.123456789, '5.12346'],
    [123456.789, '123457'],
    [0.000123456789, '0.000123457'],
    [null, ''],
    [Number.NaN, ''],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('%s → %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});
