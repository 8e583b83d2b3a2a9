import { describe, expect, it } from 'vitest';
import { BacktestDataBuilder, backtestData, dataSpan } from './backtest-data.ts';

describe('backtest data', () => {
  it('describes each series as the store would after the whole history: fields merged, later values winning', () => {
    const builder = new BacktestDataBuilder();
    builder.add([
      { series: 'ST001.level', t: 3000, v: 1, meta: { area: 'D01', labels: { basin: 'pearl' } } },
      { series: 'RAIN', t: 1000, v: 0 },
    ]);
    builder.add([
      { series: 'ST001.level', t: 2000, v: 2, meta: { indicator: 'river_level', labels: { basin: 'east' } } },
      { series: 'ST001.level', t: 4000, v: 3, meta: { domain: 'natural' } },
    ]);
    const data = builder.build();
    expect(data.series).toEqual([
      { id: 0, key: 'ST001.level', domain: 'natural', indicator: 'river_level', area: 'D01', labels: { basin: 'east' } },
      // A key without a dot has no indicator until one is given.
      { id: 1, key: 'RAIN', domain: null, indicator: null, area: null, labels: {} },
    ]);
    expect([...data.seriesIds]).toEqual([0, 1, 0, 0]);
    expect([...data.times]).toEqual([3000, 1000, 2000, 4000]);
    expect(dataSpan(data)).toEqual({ from: 1000, to: 4000 });
  });

  it('names a series indicator after the last dot of its key until told otherwise, and grows past its first allocation', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ series: 'a.b.flow', t: i, v: i }));
    const data = backtestData(many);
    expect(data.length).toBe(5000);
    expect(data.values[4999]).toBe(4999);
    expect(data.series[0]!.indicator).toBe('flow');
    expect(dataSpan(backtestData([]))).toBeNull();
  });
});
