import { describe, expect, it } from 'vitest';
import { compileGlob, compileSelector, type SeriesDescription } from './selector.ts';

const series = (over: Partial<SeriesDescription> = {}): SeriesDescription => ({
  key: 'ST001.level',
  domain: 'natural',
  indicator: 'river_level',
  area: 'D01',
  labels: { basin: 'pearl', kind: 'gauge' },
  ...over,
});

describe('compileGlob', () => {
  const cases: [pattern: string, text: string, matches: boolean][] = [
    ['ST001.level', 'ST001.level', true],
    ['ST001.level', 'ST001xlevel', false], // "." is literal
    ['ST001.level', 'ST001.level2', false], // whole key
    ['*', '', true],
    ['*', 'anything', true],
    ['ST*', 'ST', true], // "*" matches none
    ['ST*', 'ST001.level', true],
    ['ST*', 'XST001', false],
    ['*.level', 'ST001.level', true],
    ['*.level', '.level', true],
    ['*.level', 'ST001.levels', false],
    ['ST*.level', 'ST.level', true],
    ['ST*.level', 'ST001.flow', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*bc*bc', 'abcbc', true],
    ['a*bc*bc', 'abc', false], // the literals may not overlap
    ['**', 'x', true],
    ['ST00?.level', 'ST001.level', true],
    ['ST00?.level', 'ST00.level', false], // "?" is exactly one
    ['ST00?.level', 'ST0012.level', false],
    ['??', '水位', true], // one code point each, not UTF-16 halves
    ['?', '😀', true],
    ['a?*', 'a', false],
    ['a?*', 'ab', true],
    ['(x)+[y]$', '(x)+[y]$', true], // regular-expression characters are literal
    ['(x)?', '(x)!', true],
    ['(x)?', 'xx)!', false],
    ['plant/pump:3.*', 'plant/pump:3.pressure', true],
    ['st*', 'ST001', false], // case-sensitive
  ];
  it.each(cases)('%s against %s → %s', (pattern, text, matches) => {
    expect(compileGlob(pattern)(text)).toBe(matches);
  });
});

describe('compileSelector', () => {
  it('combines every given field with AND', () => {
    const match = compileSelector({ key: 'ST*', domain: 'natural', area: 'D01', labels: { basin: 'pearl' } });
    expect(match(series())).toBe(true);
    expect(match(series({ key: 'RG001.rain' }))).toBe(false);
    expect(match(series({ domain: 'health' }))).toBe(false);
    expect(match(series({ area: 'D02' }))).toBe(false);
    expect(match(series({ labels: { basin: 'east' } }))).toBe(false);
  });

  it('matches exact domain, indicator and area, and never a missing one', () => {
    expect(compileSelector({ indicator: 'river_level' })(series())).toBe(true);
    expect(compileSelector({ indicator: 'river_level' })(series({ indicator: null }))).toBe(false);
    expect(compileSelector({ area: 'D0' })(series())).toBe(false);
    expect(compileSelector({ domain: 'natural' })(series({ domain: null }))).toBe(false);
  });

  it('requires every selected label pair and ignores other labels', () => {
    const match = compileSelector({ labels: { basin: 'pearl', kind: 'gauge' } });
    expect(match(series())).toBe(true);
    expect(match(series({ labels: { basin: 'pearl', kind: 'gauge', extra: 'x' } }))).toBe(true);
    expect(match(series({ labels: { basin: 'pearl' } }))).toBe(false);
    expect(match(series({ labels: {} }))).toBe(false);
  });

  it('does not find labels through the object prototype', () => {
    const match = compileSelector({ labels: { constructor: 'x', toString: 'y' } });
    expect(match(series({ labels: {} }))).toBe(false);
    expect(match(series({ labels: { constructor: 'x', toString: 'y' } }))).toBe(true);
  });

  it('refuses an empty selector rather than matching every series', () => {
    expect(() => compileSelector({})).toThrow(/select: must name at least one of key, domain, indicator, area, labels/);
    expect(() => compileSelector({ labels: {} })).toThrow(/select:/);
  });
});
