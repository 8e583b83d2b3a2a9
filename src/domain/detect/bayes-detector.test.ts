import { describe, expect, it } from 'vitest';
import { bayesSeries, parseBayesControl } from './bayes.ts';
import { bayesDetector as d, type BayesParams } from './bayes-detector.ts';
import type { DetectorInput } from './detector.ts';
import { detectorRegistry } from './registry.ts';
import { WEEK, expectResumable, feed, messyArrivals, parsed, poissonCounts } from './testing/period-counts.ts';

const START = Date.UTC(2011, 2, 7); // a Monday
const weekly = (ys: readonly number[], from = 0): DetectorInput[] => ys.map((v, i) => ({ t: START + (from + i) * WEEK, v }));

/** bayesSeries over `observed` with the detector's settings, from the first period with a full history. */
function batch(p: BayesParams, observed: (number | null)[]) {
  const range = Array.from({ length: observed.length - p.capacity + 1 }, (_, i) => p.capacity + i);
  return bayesSeries({ observed, freq: p.freq }, parseBayesControl({ b: p.b, w: p.w, actY: p.actY, alpha: p.alpha, range }));
}

describe('bayesDetector', () => {
  it('is registered as bayes, with the defaults of Bayes system 1', () => {
    expect(detectorRegistry().get('bayes')).toBe(d);
    expect(parsed(d, {})).toEqual({ b: 0, w: 6, actY: true, alpha: 0.05, freq: 52, capacity: 7 });
    expect(parsed(d, { b: 2, w: 3, freq: 12 }).capacity).toBe(2 * 12 + 3 + 1);
  });

  it.each([
    ['an unknown name', { window: 3 }, 'detector.window', /unknown parameter \(bayes knows b, w, actY, alpha, freq\)/],
    ['range', { range: [53, 54] }, 'detector.range', /not used by the streaming detector/],
    ['freq', { freq: 7 }, 'detector.freq', /52 \(weekly\)/],
    ['b', { b: -1 }, 'detector.b', /integer ≥ 0/],
    ['w', { w: 1.5 }, 'detector.w', /integer ≥ 0/],
    ['actY', { actY: 'yes' }, 'detector.actY', /true or false/],
    ['alpha', { alpha: 1 }, 'detector.alpha', /probability in \(0, 1\)/],
    ['no reference periods', { b: 0, actY: false }, 'detector.actY', /no reference periods/],
  ])('names the field of %s', (_what, raw, field, message) => {
    const r = d.parseParams(raw);
    expect('problems' in r && r.problems).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('reports every problem at once', () => {
    const r = d.parseParams({ window: 3, b: 'x', range: [1], freq: 7 });
    expect('problems' in r && r.problems.map((x) => x.field).sort()).toEqual(['detector.b', 'detector.freq', 'detector.range', 'detector.window']);
  });

  it.each([
    [{}, 52],
    [{ b: 2, w: 3 }, 52],
    [{ b: 1, w: 2, actY: false, alpha: 0.01 }, 52],
    [{ w: 0 }, 52],
    [{ b: 3, w: 1 }, 12],
  ] as const)('gives at every period what bayesSeries gives over the same history (%j, freq %i)', (raw, freq) => {
    const p = parsed(d, { ...raw, freq });
    const periodStart = (i: number) => (freq === 12 ? Date.UTC(2011, i, 1) : START + i * WEEK);
    const ys = poissonCounts(31, 260, { mean: 6, freq, outbreaks: [150, 151, 200, 230, 231, 250] });
    const { outputs } = feed(d, p, ys.map((v, i) => ({ t: periodStart(i), v })));
    const r = batch(p, ys);
    expect(outputs.slice(0, p.capacity - 1).every((o) => o.level === null && o.upperbound === undefined)).toBe(true);
    let alarms = 0;
    for (let i = p.capacity - 1; i < ys.length; i++) {
      const out = outputs[i]!;
      expect(out.upperbound, `period ${i}`).toBe(r.upperbound[i]);
      expect(out.extras?.['alarm'], `period ${i}`).toBe(r.alarm[i]);
      expect(out.level).toBe(r.alarm[i] === 1 ? 'yellow' : null);
      if (out.level !== null) alarms++;
    }
    expect(alarms).toBeGreaterThan(0);
    expect(alarms).toBeLessThan(ys.length - p.capacity);
  });

  it('treats skipped periods and non-numbers as R treats NA, the batch code agreeing', () => {
    const p = parsed(d, { b: 1, w: 2 });
    const ys: (number | null)[] = poissonCounts(5, 200, { mean: 6, outbreaks: [120, 170] });
    for (const i of [60, 61, 62, 100, 130, 171]) ys[i] = null;
    // 60–62 skipped, the others fed as non-numbers.
    const inputs = ys.flatMap((v, i) => (i >= 60 && i <= 62 ? [] : [{ t: START + i * WEEK, v: v ?? NaN }]));
    const { outputs, state } = feed(d, p, inputs);
    const r = batch(p, ys);
    const atPeriod = ys.map((_, i) => i).filter((i) => i < 60 || i > 62);
    atPeriod.forEach((i, k) => {
      if (i < p.capacity - 1) return;
      expect(outputs[k]!.upperbound, `period ${i}`).toBe(r.upperbound[i]);
      expect(outputs[k]!.extras?.['alarm'], `period ${i}`).toBe(r.alarm[i]);
    });
    expect(outputs[atPeriod.indexOf(100)]).toMatchObject({ level: null, extras: { alarm: null } });
    expect(outputs[atPeriod.indexOf(101)]).toMatchObject({ upperbound: null });
    expect(state.v).toHaveLength(p.capacity);
  });

  it('shows the posterior predictive mean of the reference periods', () => {
    const p = parsed(d, {});
    const ys = [2, 3, 1, 4, 2, 3, 9];
    const { outputs } = feed(d, p, weekly(ys));
    expect(outputs[6]!.extras?.['expected']).toBe((2 + 3 + 1 + 4 + 2 + 3 + 0.5) / 6);
    // w = 0: R's (t − 0):(t − 1) is the count itself and the one before.
    const { outputs: quirk } = feed(d, parsed(d, { w: 0 }), weekly([4, 7]));
    expect(quirk[1]!.extras?.['expected']).toBe((7 + 4 + 0.5) / 2);
  });

  it.each([[{}], [{ b: 1, w: 1 }]])('resumes from JSON state at every cut with the uncut outputs (%j)', (raw) => {
    const ys = poissonCounts(37, 160, { mean: 5, outbreaks: [80, 81, 130] });
    expectResumable(d, parsed(d, raw), messyArrivals(8, ys, (p) => START + p * WEEK));
  });

  it('evaluates a revised newest period again, and ignores an older one', () => {
    const p = parsed(d, { b: 1, w: 1 });
    const ys = poissonCounts(3, 70, { mean: 5 });
    for (const at of [10, 54, 69]) {
      const revised = ys.slice(0, at + 1);
      revised[at] = 40;
      const direct = feed(d, p, weekly(revised));
      const viaRevision = feed(d, p, [...weekly(ys.slice(0, at + 1)), { t: START + at * WEEK, v: 40 }]);
      expect(viaRevision.state, `revised at ${at}`).toStrictEqual(direct.state);
      expect(viaRevision.outputs.at(-1)).toStrictEqual(direct.outputs.at(-1));
    }
    const run = feed(d, p, weekly(ys));
    const late = d.step(p, run.state, { t: START + 60 * WEEK, v: 100 });
    expect(late.state).toBe(run.state);
    expect(late.output).toEqual({ level: null });
  });
});
