import { describe, expect, it } from 'vitest';
import { seededRandom } from './testing/seeded-random.ts';
import { cusumChartDetector, parseCusumChartParams, type CusumChartParams } from './cusum-chart.ts';
import type { DetectorOutput } from './detector.ts';

function params(raw: Record<string, unknown>): CusumChartParams {
  const parsed = parseCusumChartParams(raw);
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

function run(p: CusumChartParams, values: number[]): DetectorOutput[] {
  let state = cusumChartDetector.init(p);
  return values.map((v, i) => {
    const r = cusumChartDetector.step(p, state, { t: i, v });
    state = r.state;
    return r.output;
  });
}

const random = seededRandom;

const ones = (n: number) => Array.from({ length: n }, () => 1);

describe('CUSUM chart', () => {
  it.each([
    // x = 1σ per step, k = 0.5: S⁺ grows by 0.5; it reaches 5 after 10 steps and passes it at 11.
    ['signals when S⁺ exceeds h, not at h; then restarts', {}, ones(12), [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 0.5]],
    ['without reset, keeps accumulating', { resetAfterAlarm: false }, ones(12), [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6]],
    ['never goes below 0', {}, [-3, -3, 1], [0, 0, 0.5]],
  ])('%s', (_name, raw, values, wantUpper) => {
    const out = run(params({ mean: 0, sd: 1, ...raw }), values);
    expect(out.map((o) => o.extras?.['cusum_upper'])).toEqual(wantUpper);
    expect(out.map((o) => o.level)).toEqual(wantUpper.map((s, i) => (s > 5 && (i === 10 || (raw as { resetAfterAlarm?: boolean }).resetAfterAlarm === false) ? 'yellow' : null)));
  });

  it.each([
    ['the lower side on falls', { side: 'lower' }, [-2.5, -2.5, -2.5, -0.5], [null, null, 'yellow', null]],
    ['the upper side ignores falls', {}, [-9, -9, -9], [null, null, null]],
    ['both sides', { side: 'both', h: 2 }, [3, -3], ['yellow', 'yellow']],
    ['standardises by the given mean and sd', { mean: 100, sd: 10, h: 2, k: 0 }, [110, 110, 110], [null, null, 'yellow']],
  ])('%s', (_name, raw, values, want) => {
    expect(run(params({ mean: 0, sd: 1, ...raw }), values).map((o) => o.level)).toEqual(want);
  });

  it('reports as upper bound the value that would take S⁺ to h', () => {
    const p = params({ mean: 10, sd: 2, k: 0.5, h: 4 });
    const first = cusumChartDetector.step(p, cusumChartDetector.init(p), { t: 0, v: 12 });
    // S⁺ = 0.5 now; the next value x takes it to 0.5 + (x − 10)/2 − 0.5 = h at x = 18.
    const at = cusumChartDetector.step(p, first.state, { t: 1, v: 18 });
    expect(at.output.upperbound).toBe(18);
    expect(at.output.level).toBeNull();
    expect(cusumChartDetector.step(p, first.state, { t: 1, v: 18.01 }).output.level).toBe('yellow');
  });

  it('estimates μ and σ over the warm-up; a constant warm-up makes any departure signal, with JSON-safe sums', () => {
    const p = params({ warmup: 3, resetAfterAlarm: false });
    const out = run(p, [5, 5, 5, 5, 6, 5]);
    expect(out.map((o) => o.level)).toEqual([null, null, null, null, 'yellow', 'yellow']);
    expect(out[4]!.extras?.['cusum_upper']).toBe(Number.MAX_VALUE);
  });

  it('after an alarm with reset, S restarts at 0 (property, 300 seeded runs)', () => {
    let alarms = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed);
      const k = rnd();
      const h = 1 + rnd() * 4;
      const side = (['upper', 'lower', 'both'] as const)[Math.floor(rnd() * 3)]!;
      const p = params({ mean: 0, sd: 1, k, h, side });
      const shift = (rnd() - 0.5) * 4;
      const values = Array.from({ length: 150 }, () => shift + (rnd() - 0.5) * 4);
      let state = cusumChartDetector.init(p);
      let after = false;
      for (const [i, v] of values.entries()) {
        const r = cusumChartDetector.step(p, state, { t: i, v });
        if (after) {
          // The step after an alarm starts from 0: S = max(0, ±x − k).
          expect(r.output.extras?.['cusum_upper']).toBe(side === 'lower' ? 0 : Math.max(0, 0 + v - k));
          expect(r.output.extras?.['cusum_lower']).toBe(side === 'upper' ? 0 : Math.max(0, 0 - v - k));
        }
        after = r.output.level !== null;
        if (after) {
          alarms++;
          expect(r.state[4]).toBe(0);
          expect(r.state[5]).toBe(0);
        }
        state = r.state;
      }
    }
    expect(alarms).toBeGreaterThan(100);
  });

  it.each([
    [{ k: -1 }, 'k', 'must be a number of at least 0, not -1'],
    [{ h: 0 }, 'h', 'must be a number greater than 0, not 0'],
    [{ resetAfterAlarm: 'no' }, 'resetAfterAlarm', 'must be true or false, not "no"'],
    [{ level: 'amber' }, 'level', 'must be one of blue, yellow, orange, red, not "amber"'],
    [{ mean: 1 }, 'sd', 'give mean and sd together, or neither and a warmup to estimate them'],
    [{ H: 4 }, 'H', 'unknown parameter (known: k, h, mean, sd, warmup, resetAfterAlarm, side, level)'],
  ])('rejects %j: %s %s', (raw, field, message) => {
    expect(parseCusumChartParams(raw)).toEqual({ problems: [{ field, message }] });
  });
});
