import { describe, expect, it } from 'vitest';
import { TocsinError } from '../kernel/errors.ts';
import type { ParamProblem } from './detector.ts';
import { arrival, checkedControl, periodOfYear } from './period-counts.ts';

const DAY = 86_400_000;

describe('period counts', () => {
  it.each([
    [Date.UTC(2010, 0, 4), 52, 1],
    [Date.UTC(2010, 0, 1), 52, 53], // a Friday: the last ISO week of 2009
    [Date.UTC(2008, 11, 29), 52, 1], // a Monday: ISO week 1 of 2009
    [Date.UTC(2010, 4, 3), 52, 18],
    [Date.UTC(2010, 3, 1), 12, 4],
    [Date.UTC(2011, 1, 10), 365, 41],
    [Date.UTC(2012, 11, 31), 365, 366],
  ] as const)('places %d in its year (freq %d) as %d', (t, freq, want) => {
    expect(periodOfYear(t, freq)).toBe(want);
  });

  it.each([
    [null, 0, 52, { kind: 'first' }],
    [0, 7 * DAY, 52, { kind: 'later', skipped: 0 }],
    [0, 21 * DAY, 52, { kind: 'later', skipped: 2 }],
    [0, 3 * DAY, 52, { kind: 'same' }],
    [0, -7 * DAY, 52, { kind: 'older' }],
    [Date.UTC(2010, 0, 1), Date.UTC(2010, 3, 1), 12, { kind: 'later', skipped: 2 }],
    [Date.UTC(2010, 0, 1), 2 * DAY + Date.UTC(2010, 0, 1), 365, { kind: 'later', skipped: 1 }],
  ] as const)('classifies an arrival after %s at %d (freq %d)', (newest, t, freq, want) => {
    expect(arrival(newest, t, freq)).toEqual(want);
  });

  it("turns a batch parser's problems into fields, and lets other errors through", () => {
    const problems: ParamProblem[] = [];
    const parse = () => {
      throw new TocsinError('TOCSIN_VALIDATION', 'x', { problems: ['c.ARL: must be a number, got "x"', 'something else'] });
    };
    expect(checkedControl(parse, problems)).toBeNull();
    expect(problems).toEqual([
      { field: 'detector.c.ARL', message: 'must be a number, got "x"' },
      { field: 'detector', message: 'something else' },
    ]);
    expect(() =>
      checkedControl(() => {
        throw new RangeError('bug');
      }, problems),
    ).toThrow(RangeError);
  });
});
