import { describe, expect, it } from 'vitest';
import type { DetectorOutput } from '../detector.ts';
import { parseFarringtonControl, noufaily2013, farrington1996 } from './control.ts';
import { farringtonDetector, type FarringtonParams, type FarringtonState } from './farrington-detector.ts';
import { farringtonFlexibleSeries } from './farrington-flexible.ts';

const WEEK = 7 * 86_400_000;
const START = Date.UTC(2010, 0, 4); // a Monday

/** Deterministic weekly counts with a season, a slow trend and two outbreaks. */
function counts(n: number): number[] {
  let seed = 7;
  const uniform = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, t) => {
    const mean = (6 + 0.004 * t) * (1 + 0.6 * Math.sin((2 * Math.PI * t) / 52)) * (t === 300 || t === 330 ? 4 : 1);
    let k = 0;
    let p = 1;
    const limit = Math.exp(-mean);
    do {
      k++;
      p *= uniform();
    } while (p > limit);
    return k - 1;
  });
}

function params(raw: Record<string, unknown>): FarringtonParams {
  const parsed = farringtonDetector.parseParams(raw);
  if (!('params' in parsed)) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

function replay(p: FarringtonParams, ys: number[], state = farringtonDetector.init(p), from = 0): { state: FarringtonState; outputs: DetectorOutput[] } {
  const outputs: DetectorOutput[] = [];
  for (let i = from; i < ys.length; i++) {
    const r = farringtonDetector.step(p, state, { t: START + i * WEEK, v: ys[i]! });
    state = r.state;
    outputs.push(r.output);
  }
  return { state, outputs };
}

describe('farringtonDetector', () => {
  const ys = counts(360);

  it.each([
    ['farrington1996', false],
    ['noufaily2013', false],
    ['noufaily2013', true],
  ] as const)('gives what farringtonFlexible gives on the whole history (%s, epochAsDate %s)', (preset, epochAsDate) => {
    const p = params({ preset, epochAsDate });
    const { outputs } = replay(p, ys);
    const first = 300;
    const range = Array.from({ length: ys.length - first + 1 }, (_, i) => first + i);
    const base = preset === 'farrington1996' ? farrington1996 : noufaily2013;
    const dates = ys.map((_, i) => new Date(START + i * WEEK).toISOString().slice(0, 10));
    const batch = farringtonFlexibleSeries({ observed: ys, dates, freq: 52, epochAsDate }, parseFarringtonControl({ ...base, range }));
    let alarms = 0;
    for (const k of range) {
      const out = outputs[k - 1]!;
      expect(out.extras?.['alarm']).toBe(batch.alarm[k - 1]);
      if (batch.upperbound[k - 1] === null) expect(out.upperbound).toBeNull();
      else expect(out.upperbound!).toBeCloseTo(batch.upperbound[k - 1]!, 8);
      expect(out.extras?.['phi']!).toBeCloseTo(batch.phi[k - 1]!, 8);
      expect(out.level).toBe(batch.alarm[k - 1] === 1 ? 'yellow' : null);
      if (out.level) alarms++;
    }
    expect(alarms).toBeGreaterThan(0);
  });

  it('runs the textbook mode as farringtonFlexibleSeries does, and differs from R where the dispersion quirk matters', () => {
    const p = params({ preset: 'farrington1996', mode: 'textbook' });
    expect(p.mode).toBe('textbook');
    expect(params({ preset: 'farrington1996' }).mode).toBe('r');
    const { outputs } = replay(p, ys);
    const rOutputs = replay(params({ preset: 'farrington1996' }), ys).outputs;
    const range = Array.from({ length: ys.length - 300 + 1 }, (_, i) => 300 + i);
    const batch = farringtonFlexibleSeries({ observed: ys, freq: 52, epochAsDate: false }, parseFarringtonControl({ ...farrington1996, range }), 'textbook');
    let differ = 0;
    for (const k of range) {
      const out = outputs[k - 1]!;
      expect(out.extras?.['alarm']).toBe(batch.alarm[k - 1]);
      if (batch.upperbound[k - 1] === null) expect(out.upperbound).toBeNull();
      else expect(out.upperbound!).toBeCloseTo(batch.upperbound[k - 1]!, 8);
      if (out.upperbound !== rOutputs[k - 1]!.upperbound) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });

  it('rejects an unknown mode, naming the field', () => {
    const parsed = farringtonDetector.parseParams({ preset: 'farrington1996', mode: 'cdc' });
    expect('problems' in parsed && parsed.problems).toEqual([{ field: 'detector.mode', message: 'must be "r" or "textbook", got "cdc"' }]);
  });

  it('warms up without a level until b years of history exist', () => {
    const { outputs } = replay(params({ preset: 'farrington1996' }), ys.slice(0, 200));
    expect(outputs.every((o) => o.level === null && o.upperbound === undefined)).toBe(true);
  });

  it('resumes from a JSON round trip of its state with the same outputs, and never mutates state', () => {
    const p = params({ preset: 'noufaily2013' });
    const whole = replay(p, ys).outputs;
    const cut = replay(p, ys.slice(0, 320));
    const restored = JSON.parse(JSON.stringify(cut.state)) as FarringtonState;
    const frozen = deepFreeze(restored);
    const rest = replay(p, ys, frozen, 320).outputs;
    expect([...cut.outputs, ...rest]).toEqual(whole);
  });

  it('counts skipped periods as missing, replaces a revised newest period, ignores older ones', () => {
    const p = params({ preset: 'farrington1996' });
    let state = farringtonDetector.init(p);
    state = farringtonDetector.step(p, state, { t: START, v: 3 }).state;
    state = farringtonDetector.step(p, state, { t: START + 3 * WEEK, v: 5 }).state;
    expect(state.v).toEqual([3, null, null, 5]);
    expect(state.t[2]).toBe(START + 2 * WEEK);
    state = farringtonDetector.step(p, state, { t: START + 3 * WEEK, v: 6 }).state;
    expect(state.v).toEqual([3, null, null, 6]);
    const late = farringtonDetector.step(p, state, { t: START + WEEK, v: 9 });
    expect(late.state).toBe(state);
    expect(late.output.level).toBeNull();
  });

  it('keeps only the history it needs', () => {
    const p = params({ preset: 'farrington1996' });
    expect(p.capacity).toBe(52 * 5 + 3 + 1);
    const { state } = replay(p, ys);
    expect(state.t.length).toBe(p.capacity);
  });

  it('names unknown and bad parameters', () => {
    const parsed = farringtonDetector.parseParams({ preset: 'farrington2000', freq: 7, thersholdMethod: 'muan', range: [1] });
    expect('problems' in parsed && parsed.problems.map((x) => x.field).sort()).toEqual([
      'detector.freq',
      'detector.preset',
      'detector.range',
      'detector.thersholdMethod',
    ]);
  });

  it('lets R control names override the preset', () => {
    expect(params({ preset: 'noufaily2013', alpha: 0.01, b: 3 }).control).toMatchObject({ alpha: 0.01, b: 3, noPeriods: 10 });
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
