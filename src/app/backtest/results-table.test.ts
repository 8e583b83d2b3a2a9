import { describe, expect, it } from 'vitest';
import { alignColumns, duration, percent } from './results-table.ts';

describe('the results table', () => {
  it.each([
    [0, '0s'],
    [400, '0s'],
    [45_000, '45s'],
    [90_000, '1m30s'],
    [12 * 60_000, '12m'],
    [3_600_000 + 60_000, '1h1m'],
    [3_600_000 + 5_000, '1h'],
    [(2 * 24 + 4) * 3_600_000 + 59_000, '2d4h'],
    [-20 * 60_000, '-20m'],
  ])('shows %i ms as %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it.each([
    [0, '0%'],
    [0.5, '50%'],
    [1 / 3, '33.3%'],
    [1, '100%'],
  ])('shows the ratio %d as %s', (ratio, text) => {
    expect(percent(ratio)).toBe(text);
  });

  it('aligns text columns left and figures right, counting characters rather than bytes', () => {
    const text = alignColumns(
      [
        ['rule', 'series', 'alarms', 'lead'],
        ['river', 'ST001.level', '12', '–'],
        ['é', 'x', '3', '1h30m'],
      ],
      (c) => c >= 2,
    );
    expect(text).toBe(['rule   series       alarms   lead', 'river  ST001.level      12      –', 'é      x                 3  1h30m', ''].join('\n'));
  });
});
