import { describe, expect, it } from 'vitest';
import { countCusumSeries, parseCountCusumControl, standardise } from './count-cusum.ts';
import { countCusumDetector as d, type CountCusumParams } from './count-cusum-detector.ts';
import type { DetectorInput } from './detector.ts';
import { detectorRegistry } from './registry.ts';
import { WEEK, expectResumable, feed, messyArrivals, parsed, poissonCounts } from './testing/period-counts.ts';

const START = Date.UTC(2010, 4, 3); // Monday of ISO week 18
const weekly = (ys: readonly number[], from = 0): DetectorInput[] => ys.map((v, i) => ({ t: START + (from + i) * WEEK, v }));
const outbreaks = [150, 151, 200, 230, 231, 232, 280];

/** countCusumSeries over `ys` with the detector's settings, monitoring from the period after training (R's range). */
function batch(p: CountCusumParams, ys: number[], start: [number, number]) {
  // R wants a period before the range even when m is given: a stand-in leads, never read.
  const lead = p.training === 0 ? 1 : 0;
  const observed = lead === 1 ? [0, ...ys] : ys;
  const first = p.training + 1 + lead;
  const range = Array.from({ length: observed.length - first + 1 }, (_, i) => first + i);
  const control = parseCountCusumControl({ k: p.k, h: p.h, m: p.m === 'mean' ? null : p.m, trans: p.trans, alpha: p.alpha, range });
  const r = countCusumSeries({ observed, freq: p.freq, start }, control, p.mode);
  return { at: (i: number) => ({ upperbound: r.upperbound[i + lead], alarm: r.alarm[i + lead], cusum: r.cusum[i + lead], m: r.referenceMean[i + lead] }) };
}

describe('countCusumDetector', () => {
  it('is registered as count-cusum, with R defaults and a year of training', () => {
    expect(detectorRegistry().get('count-cusum')).toBe(d);
    expect(parsed(d, {})).toEqual({ k: 1.04, h: 2.26, m: 'mean', trans: 'standard', alpha: 0.1, freq: 52, training: 52, mode: 'r' });
    expect(parsed(d, { mode: 'textbook' }).mode).toBe('textbook');
    expect(parsed(d, { m: 4, freq: 12 })).toMatchObject({ m: 4, training: 0 });
  });

  it.each([
    ['an unknown name', { kk: 1 }, 'detector.kk', /unknown parameter \(count-cusum knows k, h, m, trans, alpha, freq, training, mode\)/],
    ['mode', { mode: 'cdc' }, 'detector.mode', /must be "r" or "textbook", got "cdc"/],
    ['range', { range: [53, 54] }, 'detector.range', /not used by the streaming detector/],
    ['freq', { freq: 7 }, 'detector.freq', /52 \(weekly\), 12 \(monthly\) or 365/],
    ['k', { k: 'one' }, 'detector.k', /must be a number/],
    ['h', { h: '2' }, 'detector.h', /must be a number/],
    ['m', { m: 0 }, 'detector.m', /null, a positive number or "glm"/],
    ['an unported trans', { trans: 'anscombeNegBin' }, 'detector.trans', /not supported/],
    ['an unknown trans', { trans: 'log' }, 'detector.trans', /must be one of standard/],
    ['alpha', { alpha: 'x' }, 'detector.alpha', /must be a number/],
    ['training with a given m', { m: 4, training: 20 }, 'detector.training', /m is given/],
    ['training', { training: 0 }, 'detector.training', /integer ≥ 1/],
    ['training too short for the GLM', { m: 'glm', training: 2 }, 'detector.training', /integer ≥ 3/],
  ])('names the field of %s', (_what, raw, field, message) => {
    const r = d.parseParams(raw);
    expect('problems' in r && r.problems).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('reports every problem at once', () => {
    const r = d.parseParams({ kk: 1, k: 'x', range: [1], freq: 7, trans: 'log' });
    expect('problems' in r && r.problems.map((x) => x.field).sort()).toEqual(['detector.freq', 'detector.k', 'detector.kk', 'detector.range', 'detector.trans']);
  });

  it.each([
    [{}],
    [{ trans: 'rossi', k: 0.5, h: 3, training: 40 }],
    [{ m: 'glm', training: 104 }],
    [{ m: 6, trans: 'anscombe', k: 0.8, h: 4 }],
    [{ trans: 'pearsonNegBin', alpha: 0.2, training: 30 }],
    [{ trans: 'anscombe2nd', training: 26 }],
    [{ trans: 'anscombe2nd', training: 26, mode: 'textbook' }],
    [{ trans: 'none', m: 1, k: 7.5, h: 6 }],
    [{ trans: 'none', m: 1, k: 7.5, h: 6, mode: 'textbook' }],
  ])('gives at every period what countCusumSeries gives over the same history (%j)', (raw) => {
    const p = parsed(d, raw);
    const ys = poissonCounts(11, 300, { mean: 6, outbreaks });
    const { outputs } = feed(d, p, weekly(ys));
    const r = batch(p, ys, [2010, 18]);
    expect(outputs.slice(0, p.training).every((o) => o.level === null && o.upperbound === undefined)).toBe(true);
    let alarms = 0;
    for (let i = p.training; i < ys.length; i++) {
      const out = outputs[i]!;
      const want = r.at(i);
      expect(out.upperbound, `period ${i}`).toBe(want.upperbound);
      expect(out.extras, `period ${i}`).toEqual({ cusum: want.cusum, m: want.m, alarm: want.alarm });
      expect(out.level).toBe(want.alarm === 1 ? 'yellow' : null);
      if (out.level !== null) alarms++;
    }
    expect(alarms).toBeGreaterThan(0);
    expect(alarms).toBeLessThan(ys.length - p.training - 10);
  });

  it.each([
    ['monthly', 12, (i: number) => Date.UTC(2010, 3 + i, 1), [2010, 4], 36],
    ['daily', 365, (i: number) => Date.UTC(2011, 1, 10 + i), [2011, 41], 365],
  ] as const)('fits the GLM with the period of the year of the first period (%s)', (_what, freq, at, start, training) => {
    const p = parsed(d, { m: 'glm', freq, training, h: 4 });
    const ys = poissonCounts(5, training + 60, { mean: 6, freq, outbreaks: [training + 20, training + 21, training + 40] });
    const { outputs } = feed(d, p, ys.map((v, i) => ({ t: at(i), v })));
    const r = batch(p, ys, [start[0], start[1]]);
    for (let i = training; i < ys.length; i++) {
      expect(outputs[i]!.upperbound).toBe(r.at(i).upperbound);
      expect(outputs[i]!.extras).toEqual({ cusum: r.at(i).cusum, m: r.at(i).m, alarm: r.at(i).alarm });
    }
    expect(outputs.some((o) => o.level === 'yellow')).toBe(true);
  });

  it.each([[{ training: 30 }], [{ m: 'glm', training: 30, trans: 'rossi' }], [{ m: 5, h: 3 }]])('resumes from JSON state at every cut with the uncut outputs (%j)', (raw) => {
    const ys = poissonCounts(23, 140, { mean: 5, outbreaks: [60, 61, 100] });
    expectResumable(d, parsed(d, raw), messyArrivals(4, ys, (p) => START + p * WEEK));
  });

  it('evaluates a revised newest period again from the same past, training or monitoring', () => {
    const p = parsed(d, { training: 10 });
    const ys = poissonCounts(3, 40, { mean: 5, outbreaks: [25] });
    // In training, the last training count (m changes), the first monitored period, and later.
    for (const at of [5, 9, 10, 25]) {
      const revised = ys.slice(0, at + 1);
      revised[at] = ys[at]! + 7;
      const direct = feed(d, p, weekly(revised));
      const viaRevision = feed(d, p, [...weekly(ys.slice(0, at + 1)), { t: START + at * WEEK, v: revised[at]! }]);
      expect(viaRevision.state, `revised at ${at}`).toStrictEqual(direct.state);
      expect(viaRevision.outputs.at(-1)).toStrictEqual(direct.outputs.at(-1));
      const rest = weekly(ys.slice(at + 1), at + 1);
      expect(feed(d, p, rest, viaRevision.state).outputs).toStrictEqual(feed(d, p, rest, direct.state).outputs);
    }
  });

  it('ignores a value for an older period', () => {
    const p = parsed(d, { training: 10 });
    const run = feed(d, p, weekly(poissonCounts(3, 20, { mean: 5 })));
    const late = d.step(p, run.state, { t: START + 15 * WEEK, v: 100 });
    expect(late.state).toBe(run.state);
    expect(late.output).toEqual({ level: null });
  });

  it('counts skipped periods as missing: S and the training counts stay as they were', () => {
    const p = parsed(d, { training: 10 });
    const ys = poissonCounts(8, 30, { mean: 5 });
    const skipped = feed(d, p, [...weekly(ys.slice(0, 20)), { t: START + 23 * WEEK, v: ys[23]! }]);
    const asNaN = feed(d, p, [...weekly(ys.slice(0, 20)), ...weekly([NaN, NaN, NaN, ys[23]!], 20)]);
    expect(skipped.state).toStrictEqual(asNaN.state);
    expect(skipped.outputs.at(-1)).toStrictEqual(asNaN.outputs.at(-1));
    expect(skipped.state.index).toBe(24);
    expect(skipped.state.previous).toBe(feed(d, p, weekly(ys.slice(0, 20))).state.cusum);

    // In training, only present counts count: m is the mean of the first 10 of them.
    const withGaps = [...weekly(ys.slice(0, 3)), { t: START + 3 * WEEK, v: NaN }, ...weekly(ys.slice(4, 6), 4), ...weekly(ys.slice(8, 20), 8)];
    const present = [...ys.slice(0, 3), ...ys.slice(4, 6), ...ys.slice(8, 13)];
    const trained = feed(d, p, withGaps);
    expect(trained.state.reference).toEqual([present.reduce((a, b) => a + b, 0) / 10]);
    expect(trained.outputs.slice(0, 11).every((o) => o.upperbound === undefined)).toBe(true);
    expect(trained.outputs[11]!.upperbound).not.toBeUndefined();
  });

  it("answers R's bound for a missing count and carries S over it, where R would stay NA", () => {
    const p = parsed(d, { training: 10, k: 0.5 });
    const ys = poissonCounts(9, 30, { mean: 5 });
    const before = feed(d, p, weekly(ys.slice(0, 20)));
    const missing = d.step(p, before.state, { t: START + 20 * WEEK, v: -1 });
    const r = batch(p, [...ys.slice(0, 20), null as unknown as number], [2010, 18]);
    expect(missing.output).toEqual({ level: null, upperbound: r.at(20).upperbound, extras: { cusum: null, m: before.state.reference![0], alarm: null } });
    const next = d.step(p, missing.state, { t: START + 21 * WEEK, v: 12 });
    const m = before.state.reference![0]!;
    expect(next.output.extras?.['cusum']).toBe(Math.max(0, before.state.cusum + standardise(12, m, 'standard', 0.1) - 0.5));
  });

  it('raises nothing when the training counts are all zero (m = 0), and keeps a JSON state', () => {
    const p = parsed(d, { training: 5 });
    const { outputs, state } = feed(d, p, weekly([0, 0, 0, 0, 0, 3, 9]));
    expect(outputs.slice(5)).toEqual([0, 0].map(() => ({ level: null, upperbound: null, extras: { cusum: null, m: 0, alarm: null } })));
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
  });

  it('moves only the bound in textbook mode: S and alarms are as in mode r, and the anscombe2nd bound brings S to h', () => {
    const ys = poissonCounts(11, 300, { mean: 6, outbreaks });
    const r = feed(d, parsed(d, { trans: 'anscombe2nd', training: 26 }), weekly(ys)).outputs;
    const p = parsed(d, { trans: 'anscombe2nd', training: 26, mode: 'textbook' });
    const textbook = feed(d, p, weekly(ys)).outputs;
    let positive = 0;
    for (let i = 26; i < ys.length; i++) {
      expect(textbook[i]!.extras).toEqual(r[i]!.extras);
      const previous = i === 26 ? 0 : (textbook[i - 1]!.extras!['cusum'] as number);
      if (textbook[i]!.upperbound === 0) continue; // every count alarms: S_{t−1} is far above h
      positive++;
      expect(textbook[i]!.upperbound).not.toBe(r[i]!.upperbound);
      const m = textbook[i]!.extras!['m'] as number;
      const reached = previous + standardise(textbook[i]!.upperbound!, m, 'anscombe2nd', p.alpha) - p.k;
      expect(Math.abs(reached - p.h), `period ${i}`).toBeLessThan(1e-9);
    }
    expect(positive).toBeGreaterThan(200);
  });

  it('keeps no history once m is estimated', () => {
    const p = parsed(d, { m: 'glm', training: 52 });
    const { state } = feed(d, p, weekly(poissonCounts(2, 400, { mean: 6 })));
    expect(state.training).toEqual([]);
    expect(state.reference).toHaveLength(3);
    expect(JSON.stringify(state).length).toBeLessThan(300);
  });
});
