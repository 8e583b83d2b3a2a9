import { describe, expect, it } from 'vitest';
import { seededRandom } from './testing/seeded-random.ts';
import { expectInPlaceAgreesWithStep } from './testing/in-place-agreement.ts';
import { bandsDetector, parseBandsParams, type BandsParams } from './bands.ts';
import type { Level } from './levels.ts';

function params(raw: Record<string, unknown>): BandsParams {
  const parsed = parseBandsParams(raw);
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

function run(p: BandsParams, values: number[]): (Level | null)[] {
  let state = bandsDetector.init(p);
  return values.map((v, i) => {
    const r = bandsDetector.step(p, state, { t: i, v });
    state = r.state;
    return r.output.level;
  });
}

const random = seededRandom;

const river = { levels: { yellow: 3, orange: 4, red: 5 }, hysteresis: 0.2 };

describe('bands', () => {
  it.each([
    ['rises at the threshold itself', river, [2.9, 3, 3.5], [null, 'yellow', 'yellow']],
    ['jumps several levels at once', river, [1, 5.5], [null, 'red']],
    ['holds inside the dead band', river, [3.1, 2.9, 2.81, 2.8], [...(['yellow', 'yellow', 'yellow', 'yellow'] as const)]],
    ['falls past threshold − hysteresis', river, [3.1, 2.79], ['yellow', null]],
    ['falls to the highest level still held', river, [5.2, 4.85, 4.79, 3.9, 3.79], ['red', 'red', 'orange', 'orange', 'yellow']],
    ['falls several levels at once', river, [5.2, 1], ['red', null]],
    ['without hysteresis, falls just under the threshold', { levels: { red: 5 } }, [5, 4.999, 5], ['red', null, 'red']],
    ['ignores a value that is not a number', river, [3.5, NaN, 1], ['yellow', 'yellow', null]],
    ['for "below", rises at or under the threshold', { levels: { yellow: 10, red: 5 }, hysteresis: 1, direction: 'below' }, [12, 10, 10.9, 11.1, 4, 5.5, 6.1], [null, 'yellow', 'yellow', null, 'red', 'red', 'yellow']],
    ['keeps a single level apart from the rest', { levels: { blue: 0 } }, [-1, 0, 3], [null, 'blue', 'blue']],
  ] as const)('%s', (_name, raw, values, want) => {
    expect(run(params(raw), [...values])).toEqual(want);
  });

  it('noise within ±hysteresis/2 around a threshold never flaps (property, 500 seeded runs)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const rnd = random(seed);
      const hysteresis = 0.01 + rnd() * 5;
      const thresholds = [rnd() * 10, 0, 0];
      thresholds[1] = thresholds[0]! + hysteresis + rnd() * 10;
      thresholds[2] = thresholds[1]! + hysteresis + rnd() * 10;
      const direction = rnd() < 0.5 ? 'above' : 'below';
      const sign = direction === 'above' ? 1 : -1;
      const p = params({
        levels: { yellow: sign * thresholds[0]!, orange: sign * thresholds[1]!, red: sign * thresholds[2]! },
        hysteresis,
        direction,
      });
      const around = sign * thresholds[Math.floor(rnd() * 3)]!;
      const values = Array.from({ length: 200 }, () => around + (rnd() - 0.5) * hysteresis);
      const levels = run(p, values);
      const changes = levels.filter((l, i) => i > 0 && l !== levels[i - 1]).length;
      // At most the first crossing of the threshold; never back and forth.
      expect(changes, `seed ${seed}: ${levels.join(',')}`).toBeLessThanOrEqual(1);
    }
  });

  it('answers the same state object when nothing changed (no allocation on the steady path)', () => {
    const p = params(river);
    const first = bandsDetector.step(p, bandsDetector.init(p), { t: 0, v: 3.5 });
    const second = bandsDetector.step(p, first.state, { t: 1, v: 3.6 });
    expect(second.state).toBe(first.state);
    expect(second.output).toEqual({ level: 'yellow' });
  });

  it('restarts from none when the state names a level the parameters no longer have', () => {
    const p = params({ levels: { red: 5 } });
    expect(bandsDetector.step(p, { level: 'yellow' }, { t: 0, v: 1 }).output.level).toBeNull();
  });

  it.each([
    [{ levels: { yellow: 3, orange: 4, red: 4 } }, 'levels.red', 'must be greater than levels.orange (4), not 4'],
    [{ levels: { yellow: 3, red: 2 } }, 'levels.red', 'must be greater than levels.yellow (3), not 2'],
    [{ levels: { yellow: 3, red: 4 }, direction: 'below' }, 'levels.red', 'must be less than levels.yellow (3), not 4'],
    [{ levels: {} }, 'levels', 'needs at least one threshold (blue, yellow, orange, red)'],
    [{ levels: { amber: 3 } }, 'levels.amber', 'not a level (levels: blue, yellow, orange, red)'],
    [{ levels: { red: '5' } }, 'levels.red', 'must be a finite number, not "5"'],
    [{}, 'levels', 'required: thresholds by level, e.g. { yellow: 3.5, red: 5 }'],
    [{ levels: { red: 5 }, hysteresis: -1 }, 'hysteresis', 'must be a number of at least 0, not -1'],
    [{ levels: { red: 5 }, direction: 'up' }, 'direction', 'must be "above" or "below", not "up"'],
    [{ levels: { red: 5 }, hysterisis: 1 }, 'hysterisis', 'unknown parameter (known: levels, hysteresis, direction)'],
  ])('rejects %j: %s %s', (raw, field, message) => {
    const parsed = parseBandsParams(raw);
    expect('problems' in parsed ? parsed.problems : []).toContainEqual({ field, message });
  });

  it('reads thresholds into level order whatever order they are written in', () => {
    expect(params({ levels: { red: 5, yellow: 3 } }).thresholds).toEqual([
      { level: 'yellow', threshold: 3 },
      { level: 'red', threshold: 5 },
    ]);
  });
});

describe('bands in place', () => {
  it.each([
    [{ levels: { yellow: 4.5, orange: 4.8, red: 4.95 }, hysteresis: 0.05 }],
    [{ levels: { blue: 3, red: 1 }, hysteresis: 0.2, direction: 'below' }],
    [{ levels: { orange: 2 } }],
  ])('steps a packed level exactly as step does (%j)', (raw) => {
    const parsed = parseBandsParams(raw);
    if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
    const random = seededRandom(5);
    const inputs = Array.from({ length: 2000 }, (_, i) => ({ t: i, v: i % 53 === 0 ? NaN : random() * 6 }));
    expect(expectInPlaceAgreesWithStep(bandsDetector, parsed.params, inputs)).toBeGreaterThan(0);
  });
});
