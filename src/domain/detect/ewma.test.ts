import { describe, expect, it } from 'vitest';
import type { DetectorOutput } from './detector.ts';
import { ewmaDetector, parseEwmaParams, type EwmaParams, type EwmaState } from './ewma.ts';
import { expectInPlaceAgreesWithStep } from './testing/in-place-agreement.ts';
import { seededRandom } from './testing/seeded-random.ts';

function params(raw: Record<string, unknown>): EwmaParams {
  const parsed = parseEwmaParams(raw);
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

function run(p: EwmaParams, values: number[]): { outputs: DetectorOutput[]; state: EwmaState } {
  let state = ewmaDetector.init(p);
  const outputs = values.map((v, i) => {
    const r = ewmaDetector.step(p, state, { t: i, v });
    state = r.state;
    return r.output;
  });
  return { outputs, state };
}

describe('EWMA chart', () => {
  it('uses the exact limits μ ± L·σ·sqrt(λ/(2−λ)·(1 − (1−λ)^{2i}))', () => {
    const p = params({ lambda: 0.1, L: 2.7, mean: 10, sd: 2 });
    const values = Array.from({ length: 60 }, (_, i) => 10 + Math.sin(i));
    const { outputs } = run(p, values);
    let z = 10;
    outputs.forEach((o, k) => {
      const i = k + 1;
      z = 0.1 * values[k]! + 0.9 * z;
      const half = 2.7 * 2 * Math.sqrt((0.1 / 1.9) * (1 - Math.pow(0.9, 2 * i)));
      expect(o.extras?.['ewma']).toBeCloseTo(z, 12);
      expect(o.upperbound).toBeCloseTo(10 + half, 12);
      expect(o.extras?.['lcl']).toBeCloseTo(10 - half, 12);
    });
  });

  it.each([
    // z₁ = 0.2·x + 0.8·10; the first limits are 10 ± 3·sqrt(0.2/1.8·(1 − 0.64)) = 10 ± 0.6.
    ['a first value inside the narrow first limits', { mean: 10, sd: 1 }, [12], [null]],
    ['a first value outside them', { mean: 10, sd: 1 }, [14], ['yellow']],
    ['a fall is not watched on the upper side', { mean: 10, sd: 1 }, [0], [null]],
    ['a fall on the lower side', { mean: 10, sd: 1, side: 'lower', level: 'orange' }, [0, 20], ['orange', null]],
    ['both sides', { mean: 10, sd: 1, side: 'both' }, [0, 30], ['yellow', 'yellow']],
    ['λ = 1 is a Shewhart chart: limits μ ± Lσ', { mean: 0, sd: 1, lambda: 1, L: 3 }, [2.99, 3.01, 0], [null, 'yellow', null]],
    ['nothing is raised during the warm-up', { warmup: 4 }, [0, 100, 0, 100, 1000], [null, null, null, null, 'yellow']],
    ['a value that is not a number is passed over', { mean: 0, sd: 1 }, [NaN, 5], [null, 'yellow']],
  ] as const)('%s', (_name, raw, values, want) => {
    expect(run(params(raw), [...values]).outputs.map((o) => o.level)).toEqual(want);
  });

  it('estimates μ and the sample SD over the warm-up, then starts at z₀ = μ', () => {
    const { state, outputs } = run(params({ warmup: 5 }), [1, 2, 3, 4, 5]);
    expect(outputs.every((o) => o.level === null && o.upperbound === undefined)).toBe(true);
    expect(state).toEqual([5, 3, 10, Math.sqrt(2.5), 3, 1]);
  });

  it.each([
    [{ lambda: 0 }, 'lambda', 'must be a number in (0, 1], not 0'],
    [{ lambda: 1.5 }, 'lambda', 'must be a number in (0, 1], not 1.5'],
    [{ L: -3 }, 'L', 'must be a number greater than 0, not -3'],
    [{ warmup: 1 }, 'warmup', 'must be an integer of at least 2, not 1'],
    [{ mean: 3 }, 'sd', 'give mean and sd together, or neither and a warmup to estimate them'],
    [{ sd: 3 }, 'mean', 'give mean and sd together, or neither and a warmup to estimate them'],
    [{ mean: 3, sd: 0 }, 'sd', 'must be a number greater than 0, not 0'],
    [{ mean: 3, sd: 1, warmup: 10 }, 'warmup', 'not used when mean and sd are given; leave it out'],
    [{ side: 'up' }, 'side', 'must be "upper", "lower" or "both", not "up"'],
    [{ lamda: 0.3 }, 'lamda', 'unknown parameter (known: lambda, L, warmup, mean, sd, side, level)'],
  ])('rejects %j: %s %s', (raw, field, message) => {
    expect(parseEwmaParams(raw)).toEqual({ problems: [{ field, message }] });
  });

  it('reads the defaults', () => {
    expect(params({})).toEqual({ lambda: 0.2, L: 3, warmup: 20, mean: 0, sd: 0, side: 'upper', level: 'yellow' });
  });
});

describe('EWMA in place', () => {
  it.each([
    [{ lambda: 0.2, L: 3, warmup: 20 }],
    [{ lambda: 0.3, L: 2.5, warmup: 5, side: 'both', level: 'orange' }],
    [{ lambda: 1, L: 3, mean: 10, sd: 2, side: 'lower' }],
    [{ lambda: 0.05, L: 2, mean: 0, sd: 1 }],
  ] as Record<string, unknown>[][])('steps a packed state exactly as step does (%j)', (raw) => {
    const parsed = parseEwmaParams(raw);
    if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
    const random = seededRandom(11);
    // Noise, a shift up, a shift down, and values the chart passes over (NaN, ∞), over a stream
    // long enough for w to fall past its flush to 0.
    const inputs = Array.from({ length: 3000 }, (_, i) => {
      const base = ((raw['mean'] as number | undefined) ?? 10) + (i > 400 && i < 600 ? 6 : i > 900 && i < 1000 ? -6 : 0);
      const v = i % 97 === 13 ? NaN : i % 131 === 7 ? Infinity : base + (random() - 0.5) * 4;
      return { t: i * 60_000, v };
    });
    expect(expectInPlaceAgreesWithStep(ewmaDetector, parsed.params, inputs)).toBeGreaterThan(0);
  });
});
