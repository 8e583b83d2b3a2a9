import { describe, expect, it } from 'vitest';
import type { DetectorInput } from './detector.ts';
import { glrnbSeries, parseGlrnbControl } from './glrnb.ts';
import { glrnbDetector as d, type GlrnbParams } from './glrnb-detector.ts';
import { detectorRegistry } from './registry.ts';
import { WEEK, expectResumable, feed, messyArrivals, parsed, poissonCounts } from './testing/period-counts.ts';

const START = Date.UTC(2012, 0, 2); // a Monday
const weekly = (ys: readonly number[], from = 0): DetectorInput[] => ys.map((v, i) => ({ t: START + (from + i) * WEEK, v }));
const outbreaks = [120, 121, 122, 180, 181, 240, 241, 242, 243];

/** glrnbSeries over `ys` with the detector's settings: range = the periods after training, mu0 the training mean. */
function batch(p: GlrnbParams, ys: number[]) {
  const first = p.training + 1;
  const range = Array.from({ length: ys.length - first + 1 }, (_, i) => first + i);
  let sum = 0;
  for (const y of ys.slice(0, p.training)) sum += y;
  const mu0 = p.mu0 ?? sum / p.training;
  const control = parseGlrnbControl({ range, mu0: range.map(() => mu0), alpha: p.alpha, 'c.ARL': p.cARL, Mtilde: p.Mtilde, M: p.M, dir: p.dir, theta: p.theta, ret: p.ret });
  return { ...glrnbSeries({ observed: ys }, control), mu0 };
}

describe('glrnbDetector', () => {
  it('is registered as glrnb, with R defaults, a window of a year and a year of training', () => {
    expect(detectorRegistry().get('glrnb')).toBe(d);
    expect(parsed(d, { alpha: 0.2 })).toEqual({ cARL: 5, mu0: null, alpha: 0.2, Mtilde: 1, M: 52, dir: 'inc', theta: null, ret: 'value', freq: 52, training: 52 });
    expect(parsed(d, { alpha: 0.2, mu0: 4, freq: 12 })).toMatchObject({ mu0: 4, M: 12, training: 0 });
  });

  it.each([
    ['an unknown name', { cARL: 3 }, 'detector.cARL', /unknown parameter \(glrnb knows c\.ARL, mu0/],
    ['range', { range: [53, 54] }, 'detector.range', /not used by the streaming detector/],
    ['freq', { freq: 7 }, 'detector.freq', /52 \(weekly\)/],
    ['a vector mu0', { mu0: [1, 2] }, 'detector.mu0', /a number > 0 \(R's vector of means belongs to its range\)/],
    ['a zero mu0', { mu0: 0 }, 'detector.mu0', /a number > 0/],
    ["R's unbounded M", { M: -1 }, 'detector.M', /unbounded history/],
    ['M', { M: 1.5 }, 'detector.M', /integer ≥ 1/],
    ['Mtilde', { Mtilde: 0 }, 'detector.Mtilde', /integer ≥ 1/],
    ['an Mtilde beyond the window', { M: 10, Mtilde: 12 }, 'detector.Mtilde', /at most M \+ 1 = 11/],
    ['a zero alpha', { alpha: 0 }, 'detector.alpha', /Poisson chart/],
    ['change', { change: 'epi' }, 'detector.change', /only "intercept"/],
    ['dir', { dir: 'up' }, 'detector.dir', /"inc" or "dec"/],
    ['theta', { theta: 1 }, 'detector.theta', /other than 1/],
    ['ret "cases" without theta', { ret: 'cases' }, 'detector.ret', /not implemented/],
    ['c.ARL', { 'c.ARL': 'x' }, 'detector.c.ARL', /must be a number/],
    ['training with a given mu0', { mu0: 3, training: 10 }, 'detector.training', /mu0 is given/],
    ['training', { training: 0 }, 'detector.training', /integer ≥ 1/],
  ])('names the field of %s', (_what, raw, field, message) => {
    const r = d.parseParams({ alpha: 0.2, ...raw });
    expect('problems' in r && r.problems).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('asks for alpha, and reports every problem at once', () => {
    const r = d.parseParams({ M: -1, range: [1], dir: 'up' });
    expect('problems' in r && r.problems.map((x) => x.field).sort()).toEqual(['detector.M', 'detector.alpha', 'detector.dir', 'detector.range']);
  });

  it.each([
    [{ alpha: 0.2, mu0: 6 }],
    [{ alpha: 0.2 }],
    [{ alpha: 0.1, M: 10, Mtilde: 3, training: 40, 'c.ARL': 4 }],
    [{ alpha: 0.3, M: 20, dir: 'dec', mu0: 9, 'c.ARL': 3 }],
    [{ alpha: 0.2, theta: Math.log(2), 'c.ARL': 3 }],
    [{ alpha: 0.2, theta: 0.7, ret: 'cases', mu0: 6 }],
  ])('gives at every period what glrnbSeries gives over the same history (%j)', (raw) => {
    const p = parsed(d, raw);
    const ys = poissonCounts(17, 300, { mean: 6, outbreaks });
    const { outputs } = feed(d, p, weekly(ys));
    const r = batch(p, ys);
    expect(outputs.slice(0, p.training).every((o) => o.level === null && o.upperbound === undefined)).toBe(true);
    let alarms = 0;
    for (let i = p.training; i < ys.length; i++) {
      const out = outputs[i]!;
      expect(out.upperbound, `period ${i}`).toBe(r.upperbound[i]);
      expect(out.extras?.['alarm'], `period ${i}`).toBe(r.alarm[i]);
      expect(out.extras?.['mu0']).toBe(r.mu0);
      expect(out.level).toBe(r.alarm[i] === 1 ? 'yellow' : null);
      if (out.level !== null) alarms++;
    }
    // Several alarms, so that the restarts after them are compared too.
    expect(alarms).toBeGreaterThan(2);
    expect(alarms).toBeLessThan(ys.length - p.training - 10);
  });

  it.each([[{ alpha: 0.2, training: 20, M: 15 }], [{ alpha: 0.2, mu0: 5, theta: 0.8, 'c.ARL': 3 }], [{ alpha: 0.25, mu0: 5, M: 8, Mtilde: 2 }]])(
    'resumes from JSON state at every cut with the uncut outputs (%j)',
    (raw) => {
      const ys = poissonCounts(29, 140, { mean: 5, outbreaks: [50, 51, 52, 90, 91] });
      expectResumable(d, parsed(d, raw), messyArrivals(6, ys, (p) => START + p * WEEK));
    },
  );

  it('evaluates a revised newest period again from the same past: in training, at the chart start, at an alarm', () => {
    const p = parsed(d, { alpha: 0.2, training: 10, M: 12 });
    const ys = poissonCounts(3, 60, { mean: 5, outbreaks: [30, 31, 32] });
    const alarmAt = feed(d, p, weekly(ys)).outputs.findIndex((o) => o.level === 'yellow');
    expect(alarmAt).toBeGreaterThan(10);
    for (const [at, v] of [[5, 9], [9, 20], [10, 0], [alarmAt, 0], [alarmAt - 1, 30]] as const) {
      const revised = ys.slice(0, at + 1);
      revised[at] = v;
      const direct = feed(d, p, weekly(revised));
      const viaRevision = feed(d, p, [...weekly(ys.slice(0, at + 1)), { t: START + at * WEEK, v }]);
      expect(viaRevision.state, `revised at ${at}`).toStrictEqual(direct.state);
      expect(viaRevision.outputs.at(-1)).toStrictEqual(direct.outputs.at(-1));
      const rest = weekly(ys.slice(at + 1), at + 1);
      expect(feed(d, p, rest, viaRevision.state).outputs).toStrictEqual(feed(d, p, rest, direct.state).outputs);
    }
  });

  it('ignores a value for an older period', () => {
    const p = parsed(d, { alpha: 0.2, mu0: 5 });
    const run = feed(d, p, weekly(poissonCounts(3, 20, { mean: 5 })));
    const late = d.step(p, run.state, { t: START + 12 * WEEK, v: 100 });
    expect(late.state).toBe(run.state);
    expect(late.output).toEqual({ level: null });
  });

  it('counts skipped periods as missing: they keep their place in the window and add nothing to the likelihood', () => {
    const p = parsed(d, { alpha: 0.2, mu0: 5, M: 100, 'c.ARL': 1e9 });
    const ys = poissonCounts(8, 40, { mean: 5, outbreaks: [30, 31, 32, 33] });
    const skipped = feed(d, p, [...weekly(ys.slice(0, 20)), ...weekly(ys.slice(23), 23)]);
    const asNaN = feed(d, p, weekly(ys.map((y, i) => (i >= 20 && i < 23 ? NaN : y))));
    expect(skipped.state).toStrictEqual(asNaN.state);
    expect(skipped.state.window.slice(20, 23)).toEqual([null, null, null]);
    expect(asNaN.outputs[21]).toEqual({ level: null, upperbound: null, extras: { glr: null, mu0: 5, alarm: null } });
    // The missing periods' likelihood ratio is 1: the statistic is the one of the series without them.
    const without = [...ys.slice(0, 20), ...ys.slice(23)];
    const r = glrnbSeries({ observed: without }, parseGlrnbControl({ range: without.map((_, i) => i + 1), mu0: without.map(() => 5), alpha: 0.2, 'c.ARL': 1e9 }));
    for (let i = 23; i < ys.length; i++) expect(asNaN.outputs[i]!.upperbound!).toBeCloseTo(r.upperbound[i - 3]!, 5);
  });

  it('estimates mu0 from the first training counts present, and raises nothing during training', () => {
    const p = parsed(d, { alpha: 0.2, training: 8 });
    const ys = poissonCounts(12, 20, { mean: 5 });
    const { state, outputs } = feed(d, p, [...weekly(ys.slice(0, 3)), { t: START + 3 * WEEK, v: NaN }, ...weekly(ys.slice(6), 6)]);
    const present = [...ys.slice(0, 3), ...ys.slice(6, 11)];
    expect(state.mu0).toBe(present.reduce((a, b) => a + b, 0) / 8);
    expect(outputs.slice(0, 9).every((o) => o.upperbound === undefined)).toBe(true);
    expect(outputs[9]!.extras?.['mu0']).toBe(state.mu0);
  });

  it('raises nothing when the training counts are all zero (mu0 = 0)', () => {
    const p = parsed(d, { alpha: 0.2, training: 4 });
    const { outputs, state } = feed(d, p, weekly([0, 0, 0, 0, 5, 9]));
    expect(outputs.slice(4)).toEqual([0, 0].map(() => ({ level: null, upperbound: null, extras: { glr: null, mu0: 0, alarm: null } })));
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
  });

  it('keeps at most M counts of the chart', () => {
    const p = parsed(d, { alpha: 0.2, mu0: 6, M: 20, 'c.ARL': 1e9 });
    const { state } = feed(d, p, weekly(poissonCounts(2, 200, { mean: 6 })));
    expect(state.window).toHaveLength(20);
  });
});
