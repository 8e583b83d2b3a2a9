import { describe, expect, it } from 'vitest';
import { compareCase, computedCsv, formatComparison, meetsTolerance } from './compare-case.ts';
import type { LoadedCase } from './read-cases.ts';

function loaded(rows: [number, number | null, number | null, boolean][]): LoadedCase {
  return {
    id: 'toy',
    file: 'toy.csv',
    dataset: 'toy',
    freq: 52,
    epochAsDate: false,
    n: rows.length,
    range: [2, rows.length],
    algorithm: 'earsC',
    control: {},
    alarms: 0,
    note: '',
    extra: {},
    header: ['t', 'date', 'year', 'period', 'observed', 'in_range', 'upperbound', 'alarm'],
    rows: rows.map(([observed, upperbound, alarm, inRange], i) => ({
      t: i + 1,
      date: null,
      year: 2020,
      period: i + 1,
      observed,
      inRange,
      upperbound,
      alarm,
      columns: { t: i + 1, year: 2020, period: i + 1, observed, in_range: inRange ? 1 : 0, upperbound, alarm },
    })),
  };
}

describe('compareCase', () => {
  const c = loaded([
    [1, null, null, false],
    [2, 3.0, 0, true],
    [9, 4.0, 1, true],
    [0, null, null, true],
  ]);

  it('agrees fully with identical output', () => {
    const r = compareCase(c, { upperbound: [null, 3.0, 4.0, null], alarm: [null, 0, 1, null] });
    expect(r).toMatchObject({ points: 3, alarmAgreement: 1, maxRelativeError: 0, disagreements: [] });
    expect(meetsTolerance(r)).toBe(true);
    expect(formatComparison(r)).toMatch(/^ok {3}toy .* 100\.00% of {5}3/);
  });

  it('lists every disagreement, and a value defined on one side only', () => {
    const r = compareCase(c, { upperbound: [null, 3.01, null, 1], alarm: [null, 0, 0, null] });
    expect(r.alarmAgreement).toBeCloseTo(2 / 3);
    expect(r.disagreements).toEqual([
      { t: 2, column: 'upperbound', ours: 3.01, reference: 3 },
      { t: 3, column: 'alarm', ours: 0, reference: 1 },
      { t: 3, column: 'upperbound', ours: null, reference: 4 },
      { t: 4, column: 'upperbound', ours: 1, reference: null },
    ]);
    expect(meetsTolerance(r)).toBe(false);
  });

  it('writes our columns under the reference header, NA for missing', () => {
    expect(computedCsv(c, { upperbound: [null, 3, 4.25, null], alarm: [null, 0, 1, null] }).split('\n').slice(0, 3)).toEqual([
      't,date,year,period,observed,in_range,upperbound,alarm',
      '1,NA,2020,1,1,0,NA,NA',
      '2,NA,2020,2,2,1,3,0',
    ]);
  });
});
