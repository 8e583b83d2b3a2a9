import { describe, expect, it } from 'vitest';
import { formatTruthProblem, parseTruthCsv, truthMatcher } from './truth.ts';

const at = (iso: string) => Date.parse(iso);

describe('truth CSV', () => {
  it('reads series or area rows with optional rule, known and label; times as ISO-8601 or epoch ms', () => {
    const text = [
      '\uFEFFseries,area,rule,start,end,known,label',
      'ST0*.level,,river-*,2026-11-20T10:00:00Z,2026-11-20T18:00:00+02:00,2026-11-20T14:00:00Z,"Flood, upper basin"',
      '',
      ',D01,,1763632800000,1763640000000,,',
      'ST002.level,D02,gauge-silent,2026-11-20T12:00:00Z,2026-11-20T12:00:00Z,,outage\r',
    ].join('\n');
    const { periods, problems } = parseTruthCsv(text);
    expect(problems).toEqual([]);
    expect(periods).toEqual([
      {
        line: 2,
        series: 'ST0*.level',
        area: null,
        rule: 'river-*',
        start: at('2026-11-20T10:00:00Z'),
        end: at('2026-11-20T16:00:00Z'),
        known: at('2026-11-20T14:00:00Z'),
        label: 'Flood, upper basin',
      },
      { line: 4, series: null, area: 'D01', rule: null, start: 1763632800000, end: 1763640000000, known: null, label: null },
      { line: 5, series: 'ST002.level', area: 'D02', rule: 'gauge-silent', start: at('2026-11-20T12:00:00Z'), end: at('2026-11-20T12:00:00Z'), known: null, label: 'outage' },
    ]);
  });

  it.each([
    ['an unknown column', 'series,start,end,severity\n', [{ line: 1, column: 'severity', message: expect.stringContaining('unknown column') }]],
    ['a missing end column', 'series,start\n', [{ line: 1, column: 'end', message: 'missing from the header' }]],
    ['neither series nor area', 'start,end\n', [{ line: 1, column: 'series', message: expect.stringContaining('series or an area') }]],
    ['a column named twice', 'series,start,end,end\n', [{ line: 1, column: 'end', message: 'named twice in the header' }]],
    ['an empty file', '\n\n', [{ line: 1, column: '', message: expect.stringContaining('empty file') }]],
  ])('refuses a header with %s, naming the column', (_name, text, expected) => {
    expect(parseTruthCsv(text).problems).toEqual(expected);
  });

  it('names every bad line by its line and column, and keeps none of them', () => {
    const text = [
      'series,area,start,end,known',
      'ST001.level,,2026-11-20T10:00:00Z,2026-11-20T12:00:00Z,', // good (line 2)
      ',,2026-11-20T10:00:00Z,2026-11-20T12:00:00Z,', // neither series nor area
      'ST001.level,,2026-11-20 10:00,2026-11-20T12:00:00Z,', // no offset
      'ST001.level,,2026-11-20T12:00:00Z,2026-11-20T10:00:00Z,', // ends before it starts
      'ST001.level,,2026-11-20T10:00:00Z,,', // no end
      'ST 001,,2026-11-20T10:00:00Z,2026-11-20T12:00:00Z,', // not a key
      'ST001.level,,2026-11-20T10:00:00Z,2026-11-20T12:00:00Z,2026-02-30T00:00:00Z', // no such day
      'ST001.level,,2026-11-20T10:00:00Z', // too few fields
      'ST001.level,,"2026-11-20T10:00:00Z,2026-11-20T12:00:00Z,', // unterminated quote
      'ST001.level,,1763632800,2026-11-20T12:00:00Z,', // epoch seconds
    ].join('\n');
    const { periods, problems } = parseTruthCsv(text);
    expect(periods.map((p) => p.line)).toEqual([2]);
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(['3:series', '4:start', '5:end', '6:end', '7:series', '8:known', '9:', '10:', '11:start']);
    expect(problems.find((p) => p.line === 4)!.message).toMatch(/not ISO-8601 with an offset/);
    expect(problems.find((p) => p.line === 5)!.message).toMatch(/is before start/);
    expect(problems.find((p) => p.line === 11)!.message).toMatch(/epoch seconds/);
    expect(formatTruthProblem('truth.csv', problems[1]!)).toBe(
      'truth.csv:4: start: "2026-11-20 10:00" is not ISO-8601 with an offset (e.g. 2026-11-21T10:00:00Z) nor epoch milliseconds',
    );
    expect(formatTruthProblem('truth.csv', problems[6]!)).toBe('truth.csv:9: expected 5 fields (series,area,start,end,known), found 3');
  });

  it('matches a row to a rule and series by key glob, area and rule glob together', () => {
    const [byKey, byArea, both] = parseTruthCsv(
      [
        'series,area,rule,start,end',
        'ST0*.level,,river-*,2026-11-20T10:00:00Z,2026-11-20T12:00:00Z',
        ',D01,,2026-11-20T10:00:00Z,2026-11-20T12:00:00Z',
        'ST00?.level,D02,,2026-11-20T10:00:00Z,2026-11-20T12:00:00Z',
      ].join('\n'),
    ).periods.map(truthMatcher);
    expect(byKey!({ rule: 'river-bands', seriesKey: 'ST001.level', area: null })).toBe(true);
    expect(byKey!({ rule: 'gauge-silent', seriesKey: 'ST001.level', area: null })).toBe(false);
    expect(byKey!({ rule: 'river-bands', seriesKey: 'ST001.rain', area: null })).toBe(false);
    expect(byArea!({ rule: 'anything', seriesKey: 'X.level', area: 'D01' })).toBe(true);
    expect(byArea!({ rule: 'anything', seriesKey: 'X.level', area: null })).toBe(false);
    expect(both!({ rule: 'r', seriesKey: 'ST002.level', area: 'D02' })).toBe(true);
    expect(both!({ rule: 'r', seriesKey: 'ST002.level', area: 'D01' })).toBe(false);
    expect(both!({ rule: 'r', seriesKey: 'ST0022.level', area: 'D02' })).toBe(false);
  });
});
