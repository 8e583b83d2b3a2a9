import { describe, expect, it } from 'vitest';
import { TocsinError } from '../../kernel/errors.ts';
import { checkFarringtonControl, farrington1996, noufaily2013, parseFarringtonControl } from './control.ts';

describe('parseFarringtonControl', () => {
  it("fills R's defaults, pastWeeksNotIncluded = w when NULL", () => {
    const c = parseFarringtonControl({});
    expect(c).toMatchObject({
      range: null,
      b: 5,
      w: 3,
      reweight: true,
      weightsThreshold: 2.58,
      alpha: 0.05,
      trend: true,
      pThresholdTrend: 0.05,
      limit54: [5, 4],
      powertrans: '2/3',
      fitFun: 'algo.farrington.fitGLM.flexible',
      populationOffset: false,
      noPeriods: 1,
      pastWeeksNotIncluded: 3,
      thresholdMethod: 'delta',
    });
    expect(parseFarringtonControl({ w: 2, pastWeeksNotIncluded: null }).pastWeeksNotIncluded).toBe(2);
  });

  it('rejects an unknown name, naming it (R would silently run "delta")', () => {
    expect(() => parseFarringtonControl({ thersholdMethod: 'nbPlugin' })).toThrow(TocsinError);
    expect(() => parseFarringtonControl({ thersholdMethod: 'nbPlugin' })).toThrow(/thersholdMethod/);
  });

  it('keeps to R\'s names: our own `mode` belongs to the detector and to farringtonFlexibleSeries, not to R\'s list', () => {
    expect(() => parseFarringtonControl({ mode: 'textbook' })).toThrow(/unknown control "mode"/);
  });

  it('reports every problem at once, each with its field', () => {
    const checked = checkFarringtonControl({ b: 0, alpha: 2, limit54: [5, 0], powertrans: '3/4', foo: 1 });
    expect('problems' in checked && checked.problems.map((p) => p.field).sort()).toEqual(['alpha', 'b', 'foo', 'limit54', 'powertrans']);
  });

  it('accepts the two presets as they stand', () => {
    expect(parseFarringtonControl({ ...farrington1996 })).toMatchObject({ weightsThreshold: 1, pastWeeksNotIncluded: 3, noPeriods: 1, thresholdMethod: 'delta' });
    expect(parseFarringtonControl({ ...noufaily2013 })).toMatchObject({ weightsThreshold: 2.58, pastWeeksNotIncluded: 26, noPeriods: 10, thresholdMethod: 'nbPlugin', pThresholdTrend: 1 });
  });

  it('reads a range of 1-based time points', () => {
    expect(parseFarringtonControl({ range: [300, 301] }).range).toEqual([300, 301]);
    expect(() => parseFarringtonControl({ range: [0] })).toThrow(/range/);
  });
});
