import { describe, expect, it } from 'vitest';
import type { DetectorOutput } from './detector.ts';
import { parseRateOfChangeParams, rateOfChangeDetector, type RateOfChangeParams } from './rate-of-change.ts';

const minute = 60_000;

function params(raw: Record<string, unknown>): RateOfChangeParams {
  const parsed = parseRateOfChangeParams(raw);
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

function run(p: RateOfChangeParams, points: [minutes: number, v: number][]): DetectorOutput[] {
  let state = rateOfChangeDetector.init(p);
  return points.map(([m, v]) => {
    const r = rateOfChangeDetector.step(p, state, { t: m * minute, v });
    state = r.state;
    return r.output;
  });
}

describe('rate of change', () => {
  it.each([
    ['a rise past the threshold within the window', { window: '1h', rise: 0.4 }, [[0, 1], [30, 1.2], [60, 1.45]], [null, null, 'yellow']],
    ['the reference is the oldest point still inside the window', { window: '1h', rise: 0.4 }, [[0, 1], [30, 1.2], [61, 1.45]], [null, null, null]],
    ['the window bound is inclusive (t ≥ now − window)', { window: 60 * minute, rise: 0.4 }, [[0, 1], [60, 1.5]], [null, 'yellow']],
    ['falls are watched apart from rises', { window: '3h', fall: 8 }, [[0, 1010], [90, 1005], [180, 1002], [200, 1014]], [null, null, 'yellow', null]],
    ['a rise does not trip a fall threshold', { window: '3h', fall: 8 }, [[0, 1000], [60, 1100]], [null, null]],
    ['levels by magnitude', { window: '1h', rise: { yellow: 0.3, red: 0.6 } }, [[0, 0], [10, 0.35], [20, 0.7], [30, 0.1]], [null, 'yellow', 'red', null]],
    ['a plain threshold raises the given level', { window: '1h', rise: 1, level: 'orange' }, [[0, 0], [1, 2]], [null, 'orange']],
    ['relative change against |reference|', { window: '1d', rise: 0.5, relative: true }, [[0, -10], [1, -4], [2, -6]], [null, 'yellow', null]],
    ['relative change from 0 is undefined', { window: '1d', rise: 0.5, relative: true }, [[0, 0], [1, 10]], [null, null]],
    ['an out-of-order point is passed over', { window: '1h', rise: 1 }, [[10, 0], [5, 5], [20, 0.5]], [null, null, null]],
  ] as const)('%s', (_name, raw, points, want) => {
    expect(run(params(raw), points.map(([m, v]) => [m, v])).map((o) => o.level)).toEqual(want);
  });

  it('reports the change, the reference and the bounds', () => {
    const out = run(params({ window: '1h', rise: 0.4, fall: { yellow: 0.2, red: 0.5 } }), [
      [0, 2],
      [30, 2.5],
    ]);
    expect(out[1]).toEqual({ level: 'yellow', upperbound: 2.4, extras: { change: 0.5, reference: 2, lowerbound: 1.8 } });
  });

  it('keeps only the points inside the window', () => {
    const p = params({ window: '10m', rise: 1 });
    let state = rateOfChangeDetector.init(p);
    for (let m = 0; m <= 30; m++) state = rateOfChangeDetector.step(p, state, { t: m * minute, v: m }).state;
    expect(state.t).toEqual(Array.from({ length: 11 }, (_, k) => (20 + k) * minute));
  });

  it.each([
    [{ rise: 1 }, 'window', 'required: a duration such as "1h"'],
    [{ window: '1 hour', rise: 1 }, 'window', 'must be a positive duration (ms, or text such as "10m", "1.5h", "2d"), not "1 hour"'],
    [{ window: -5, rise: 1 }, 'window', 'must be a positive duration (ms, or text such as "10m", "1.5h", "2d"), not -5'],
    [{ window: '1h' }, 'rise', 'give rise, fall or both: the change that raises a level'],
    [{ window: '1h', rise: 0 }, 'rise', 'must be a positive number, not 0'],
    [{ window: '1h', rise: { yellow: 1, red: 0.5 } }, 'rise.red', 'must be greater than rise.yellow (1), not 0.5'],
    [{ window: '1h', fall: { yellow: -1 } }, 'fall.yellow', 'must be a positive magnitude, not -1'],
    [{ window: '1h', rise: { red: 1 }, level: 'red' }, 'level', 'only used with a plain-number rise or fall; with thresholds by level, leave it out'],
    [{ window: '1h', rise: 1, level: 'purple' }, 'level', 'must be one of blue, yellow, orange, red, not "purple"'],
    [{ window: '1h', rise: 1, relative: 'yes' }, 'relative', 'must be true or false, not "yes"'],
    [{ window: '1h', rise: 1, windw: 1 }, 'windw', 'unknown parameter (known: window, rise, fall, relative, level)'],
  ])('rejects %j: %s %s', (raw, field, message) => {
    const parsed = parseRateOfChangeParams(raw);
    expect('problems' in parsed ? parsed.problems : []).toContainEqual({ field, message });
  });
});
