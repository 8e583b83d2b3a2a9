import { describe, expect, it } from 'vitest';
import { isFlapping, keepRecentChanges } from './flapping.ts';

const min = 60_000;

describe('flapping', () => {
  it.each([
    ['three changes in 30 min are not flapping', [0, 5, 10], 12, false],
    ['four changes in 30 min are', [0, 5, 10, 15], 16, true],
    ['held until 10 minutes without a change', [0, 5, 10, 15], 24.99, true],
    ['released after 10 stable minutes', [0, 5, 10, 15], 25, false],
    ['changes older than the window do not count', [0, 40, 45, 50], 52, false],
    ['no change at all', [], 10, false],
  ] as const)('%s', (_what, changesMin, nowMin, want) => {
    expect(isFlapping(changesMin.map((m) => m * min), nowMin * min)).toBe(want);
  });

  it('keeps only the changes that can still count', () => {
    expect(keepRecentChanges([0, 1, 2, 3, 4].map((m) => m * min), 40 * min)).toEqual([40 * min]);
    expect(keepRecentChanges([1, 2, 3, 4, 5].map((m) => m * min), 6 * min)).toEqual([2, 3, 4, 5, 6].map((m) => m * min));
  });
});
