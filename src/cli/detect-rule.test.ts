import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DetectInputError, detectRule, readSeriesCsv } from './detect-rule.ts';
import { earsSeries, parseEarsParams } from '../domain/detect/ears.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-detect-rule-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Every ten minutes from 10:00. */
const stamp = (i: number) => new Date(Date.UTC(2026, 10, 21, 10, i * 10)).toISOString().replace('.000Z', 'Z');

function table(csv: string): Record<string, string>[] {
  const [head, ...lines] = csv.trim().split('\n');
  const names = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((cell, i) => [names[i]!, cell])));
}

describe('tocsin detect --rule --data', () => {
  it('runs a bands rule with hysteresis and a hold over a gauge, one row per reading', () => {
    const rule = write(
      'river.yaml',
      'name: river\nselect: { indicator: river_level }\ndetector: { type: bands, levels: { yellow: 4.5, red: 5.5 }, hysteresis: 0.2 }\nfor: 20m\n',
    );
    const values = [4.0, 4.6, 4.7, 4.8, 4.4, 4.2, 5.6, 5.7, 5.8];
    const data = write('gauge.csv', `t,value\n${values.map((v, i) => `${stamp(i)},${v}`).join('\n')}\n`);
    const { csv, summary } = detectRule({ rule, data });
    const rows = table(csv);
    expect(csv.split('\n')[0]!.startsWith('t,observed,upperbound,alarm,level,signal')).toBe(true);
    expect(rows.map((r) => r['t'])).toEqual(values.map((_, i) => stamp(i)));
    // 4.4 is inside the hysteresis below 4.5, so yellow holds until 4.2; the hold makes the rule fire 20 min after 4.6, and red 20 min after 5.6.
    expect(rows.map((r) => r['level'])).toEqual(['', 'yellow', 'yellow', 'yellow', 'yellow', '', 'red', 'red', 'red']);
    expect(rows.map((r) => r['signal'])).toEqual(['', '', '', 'firing', '', 'resolved', '', '', 'firing']);
    expect(summary).toBe('river: 9 points, 7 in alarm, 2 signal(s) fired');
  });

  it('runs EARS over daily counts with bare dates and writes the same upper bounds as the batch method', () => {
    const counts = [3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 12, 3, 4];
    const rule = write('ears.json', JSON.stringify({ name: 'smell-c1', select: { indicator: 'reports' }, detector: { type: 'ears', method: 'C1', alpha: 0.001 } }));
    const data = write('reports.csv', `date,observed\n${counts.map((c, i) => `2026-03-${String(i + 1).padStart(2, '0')},${c}`).join('\n')}\n`);
    const rows = table(detectRule({ rule, data }).csv);
    const params = parseEarsParams({ method: 'C1', alpha: 0.001 });
    if (!('params' in params)) throw new Error('bad params');
    const batch = earsSeries(counts, [8, counts.length], params.params);
    const ours = rows.slice(7).map((r) => Number(r['upperbound']));
    batch.upperbound.forEach((u, i) => expect(ours[i]).toBeCloseTo(u, 12));
    expect(rows[10]!['alarm']).toBe('1');
    expect(rows[0]!['upperbound']).toBe('NA');
  });

  it('ticks the clock between readings for a staleness rule, so a silent gap shows as its own rows', () => {
    const rule = write('silent.yaml', 'name: silent\nselect: { key: "*" }\ndetector: { type: staleness, after: 30m }\n');
    const data = write('sparse.csv', 't,v\n2026-11-21T00:00:00Z,1\n2026-11-21T00:10:00Z,1\n2026-11-21T01:10:00Z,1\n');
    const rows = table(detectRule({ rule, data }).csv);
    expect(rows.map((r) => `${r['t']} ${r['observed']} ${r['level']} ${r['signal']}`)).toEqual([
      '2026-11-21T00:00:00Z 1  ',
      '2026-11-21T00:10:00Z 1  ',
      '2026-11-21T00:50:00.000Z NA yellow firing',
      '2026-11-21T01:10:00Z 1  resolved',
    ]);
  });

  it('coarsens the default tick on a long series, so one close pair of readings does not mean millions of ticks', () => {
    const rule = write('silent-long.yaml', 'name: silent-long\nselect: { key: "*" }\ndetector: { type: staleness, after: 30m }\n');
    const data = write('year.csv', 't,v\n2026-01-01T00:00:00Z,1\n2026-01-01T00:00:01Z,1\n2027-01-01T00:00:00Z,1\n');
    const rows = table(detectRule({ rule, data }).csv);
    // A year at 1 s would be 31.5 million ticks; the default falls back to 10 minutes.
    expect(rows.map((r) => `${r['t']} ${r['signal']}`)).toEqual([
      '2026-01-01T00:00:00Z ',
      '2026-01-01T00:00:01Z ',
      '2026-01-01T00:40:01.000Z firing',
      '2027-01-01T00:00:00Z resolved',
    ]);
  });

  it('names the line and column of bad data', () => {
    expect(() => readSeriesCsv('when,v\n1,2\n', 'a.csv')).toThrow('a.csv:1: the header needs a time column (t, time, date); it has when, v');
    expect(() => readSeriesCsv('t,what\n1,2\n', 'a.csv')).toThrow('a.csv:1: the header needs a value column (observed, v, value)');
    expect(() => readSeriesCsv('t,v\n2026-11-21T00:00:00Z,1\n2026-11-21T00:00:00Z,2\n', 'a.csv')).toThrow(/^a\.csv:3: column t: .* is not later than the row before/);
    expect(() => readSeriesCsv('t,v\n2026-11-21T00:00:00Z,high\n', 'a.csv')).toThrow('a.csv:2: column v: expected a number or NA, got "high"');
    expect(() => readSeriesCsv('t,v\nyesterday,1\n', 'a.csv')).toThrow(/^a\.csv:2: column t: /);
    expect(() => readSeriesCsv('series,t,v\nA,1790000000000,1\nB,1790000060000,1\n', 'a.csv')).toThrow(/a\.csv:3: column series: "B" is a second series/);
    expect(() => readSeriesCsv('t,v\n', 'a.csv')).toThrow('a.csv: no data rows under the header');
    expect(readSeriesCsv('t,v\n1790000000000,NA\n1790000060000,\n1790000120000,4\n', 'a.csv').points.map((p) => p.v)).toEqual([NaN, NaN, 4]);
  });

  it('names the rule and field of a bad rule, and asks which rule of several', () => {
    const data = write('ok.csv', 't,v\n1790000000000,1\n');
    const bad = write('bad.yaml', 'name: bad\nselect: { key: "*" }\ndetector: { type: ewma, lambda: 3 }\n');
    expect(() => detectRule({ rule: bad, data })).toThrow(/bad\.yaml:3: .*detector\.lambda/);
    const two = write('two.yaml', '- name: one\n  select: { key: "*" }\n  detector: { type: staleness, after: 1h }\n- name: two\n  select: { key: "*" }\n  detector: { type: staleness, after: 2h }\n');
    expect(() => detectRule({ rule: two, data })).toThrow('holds 2 rules (one, two); choose one with --name');
    expect(detectRule({ rule: two, data, name: 'two' }).summary).toMatch(/^two: 1 points/);
    expect(() => detectRule({ rule: two, data, name: 'three' })).toThrow('has no rule named "three" (it has one, two)');
    expect(() => detectRule({ rule: path.join(dir, 'absent.yaml'), data })).toThrow(DetectInputError);
    expect(() => detectRule({ rule: two, data, name: 'one', tick: 'often' })).toThrow('--tick: expected a duration');
  });
});
