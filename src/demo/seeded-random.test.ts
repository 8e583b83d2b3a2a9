import { describe, expect, it } from 'vitest';
import { StepRandom, hash32 } from './seeded-random.ts';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('randomness', () => {
  it('hashes every input into the result', () => {
    const base = hash32(1, 2, 3, 4);
    expect(hash32(1, 2, 3, 4)).toBe(base);
    for (const other of [hash32(0, 2, 3, 4), hash32(1, 3, 3, 4), hash32(1, 2, 4, 4), hash32(1, 2, 3, 5), hash32(2, 1, 3, 4)]) {
      expect(other).not.toBe(base);
    }
  });

  it('draws Poisson counts and normals with the right mean and variance', () => {
    const rng = new StepRandom();
    for (const lambda of [0.05, 2, 40]) {
      const xs = Array.from({ length: 20_000 }, (_, k) => rng.reset(hash32(9, 1, k)).poisson(lambda));
      expect(mean(xs)).toBeCloseTo(lambda, lambda < 1 ? 2 : 0);
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    }
    const zs = Array.from({ length: 20_000 }, (_, k) => rng.reset(hash32(9, 2, k)).normal());
    expect(Math.abs(mean(zs))).toBeLessThan(0.03);
    expect(mean(zs.map((z) => z * z))).toBeCloseTo(1, 1);
  });
});
