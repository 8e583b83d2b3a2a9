import { describe, expect, it } from 'vitest';
import type { DetectorDefinition, DetectorInput, DetectorOutput } from '../detector.ts';
import { aggregatingDetector, type AggregatingParams, type AggregatingState } from './aggregating-detector.ts';
import type { AggregateSpec } from './aggregate-spec.ts';
import { periodOf } from './periods.ts';
import { farringtonDetector } from '../farrington/farrington-detector.ts';
import { earsDetector } from '../ears.ts';
import { seededRandom } from '../testing/seeded-random.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
// Monday 2026-01-05 00:00 UTC: the start of ISO week 2026-W02.
const w0 = Date.UTC(2026, 0, 5);

/** A stand-in inner detector: remembers every input, and is yellow above `above` (red above 2·above). */
interface RecorderState {
  seen: DetectorInput[];
  ticks: number[];
}
const recorder: DetectorDefinition<{ above: number }, RecorderState> = {
  type: 'recorder',
  summary: 'Remembers its inputs (test stand-in).',
  parseParams: (raw) => (typeof raw['above'] === 'number' ? { params: { above: raw['above'] } } : { problems: [{ field: 'above', message: 'expected a number' }] }),
  init: () => ({ seen: [], ticks: [] }),
  step: (params, state, input) => ({
    state: { ...state, seen: [...state.seen, input] },
    output: { level: input.v > 2 * params.above ? 'red' : input.v > params.above ? 'yellow' : null, upperbound: params.above, extras: { steps: state.seen.length + 1 } },
  }),
};
// The same, driven by time too: a tick after the last input's period says so once.
const ticking: DetectorDefinition<{ above: number }, RecorderState> = {
  ...recorder,
  tick: (_params, state, now) => (state.ticks.length > 0 ? null : { state: { ...state, ticks: [now] }, output: { level: 'blue' } }),
};

function spec(overrides: Partial<AggregateSpec> = {}): AggregateSpec {
  return { period: 'isoweek', of: 'sum', timezone: 'UTC', evaluate: 'closed', ...overrides };
}

/** Drives a wrapped detector through arrivals `[t, v]` and ticks `['tick', now]`, answering each output (null for a quiet tick). */
function drive<P, S>(
  inner: DetectorDefinition<P, S>,
  params: AggregatingParams<P>,
  events: readonly (readonly [number | 'tick', number])[],
  roundTrip = false,
): { outputs: (DetectorOutput | null)[]; state: AggregatingState<S> } {
  const detector = aggregatingDetector(inner);
  let state = detector.init(params);
  const outputs: (DetectorOutput | null)[] = [];
  for (const [t, v] of events) {
    // A restart between any two events: the state must carry everything through JSON.
    if (roundTrip) state = JSON.parse(JSON.stringify(state)) as AggregatingState<S>;
    const result = t === 'tick' ? detector.tick!(params, state, v) : detector.step(params, state, { t, v });
    if (result) state = result.state;
    outputs.push(result ? result.output : null);
  }
  return { outputs, state };
}

const params = (overrides: Partial<AggregateSpec> = {}, above = 5): AggregatingParams<{ above: number }> => ({ aggregate: spec(overrides), inner: { above } });

describe('aggregatingDetector: closed periods', () => {
  it('feeds a week once a later week begins, with t = the week start, and holds its output until the next closes', () => {
    const { outputs, state } = drive(recorder, params(), [
      [w0 + HOUR, 1],
      [w0 + 2 * DAY, 2],
      [w0 + 6 * DAY + 23 * HOUR, 4],
      [w0 + WEEK + 5, 1],
      [w0 + WEEK + DAY, 1],
    ]);
    expect(outputs.slice(0, 3)).toEqual([{ level: null }, { level: null }, { level: null }]);
    const closed = { level: 'yellow', upperbound: 5, extras: { steps: 1, period: w0, period_value: 7, partial: 0 } };
    expect(outputs[3]).toEqual(closed);
    expect(outputs[4]).toEqual(closed);
    expect(state.inner.seen).toEqual([{ t: w0, v: 7 }]);
    expect(state).toMatchObject({ start: w0 + WEEK, end: w0 + 2 * WEEK, n: 2, sum: 2, max: 1 });
  });

  it.each([
    ['sum', [7, 0, 0, 3]],
    ['count', [3, 0, 0, 1]],
    ['mean', [7 / 3, NaN, NaN, 3]],
    ['max', [4, NaN, NaN, 3]],
  ] as const)('gives %s per period, empty periods between as %s', (of, values) => {
    const { state } = drive(recorder, params({ of }), [
      [w0, 1],
      [w0 + DAY, 2],
      [w0 + 2 * DAY, 4],
      [w0 + 3 * WEEK + DAY, 3],
      [w0 + 4 * WEEK, 0],
    ]);
    expect(state.inner.seen.map((x) => x.t)).toEqual([w0, w0 + WEEK, w0 + 2 * WEEK, w0 + 3 * WEEK]);
    expect(state.inner.seen.map((x) => x.v)).toEqual(values);
  });

  it('shows an empty mean or max period as a missing value', () => {
    const { outputs } = drive(recorder, params({ of: 'max' }), [
      [w0, 9],
      [w0 + 2 * WEEK, 1],
    ]);
    expect(outputs[1]!.extras).toEqual({ steps: 2, period: w0 + WEEK, period_value: null, partial: 0 });
  });

  it('closes a period on the clock when nothing more arrives, and says nothing when no period ends', () => {
    const { outputs, state } = drive(recorder, params(), [
      [w0 + DAY, 6],
      ['tick', w0 + WEEK - 1],
      ['tick', w0 + WEEK],
      ['tick', w0 + WEEK + HOUR],
      ['tick', w0 + 3 * WEEK + HOUR],
      [w0 + 3 * WEEK + 2 * HOUR, 1],
    ]);
    expect(outputs[1]).toBeNull();
    expect(outputs[2]).toMatchObject({ level: 'yellow', extras: { period: w0, period_value: 6, partial: 0 } });
    expect(outputs[3]).toBeNull();
    expect(outputs[4]).toMatchObject({ level: null, extras: { period: w0 + 2 * WEEK, period_value: 0 } });
    expect(outputs[5]).toEqual(outputs[4]);
    expect(state.inner.seen).toEqual([
      { t: w0, v: 6 },
      { t: w0 + WEEK, v: 0 },
      { t: w0 + 2 * WEEK, v: 0 },
    ]);
  });

  it('passes the clock on to an inner detector that has a tick, after closing periods', () => {
    const { outputs, state } = drive(ticking, params(), [
      [w0, 1],
      ['tick', w0 + DAY],
      ['tick', w0 + WEEK + DAY],
    ]);
    expect(outputs[1]).toEqual({ level: 'blue' });
    expect(outputs[2]).toMatchObject({ level: null, extras: { period: w0, period_value: 1 } });
    expect(state.inner).toEqual({ seen: [{ t: w0, v: 1 }], ticks: [w0 + DAY] });
  });

  it('ignores an observation for a period already fed, and counts non-finite values as nothing', () => {
    const { outputs, state } = drive(recorder, params(), [
      [w0 + DAY, 8],
      [w0 + WEEK + DAY, 1],
      [w0 + 2 * DAY, 100],
      [w0 + WEEK + 2 * DAY, NaN],
    ]);
    expect(outputs[2]).toEqual(outputs[1]);
    expect(state).toMatchObject({ n: 1, sum: 1, inner: { seen: [{ t: w0, v: 8 }] } });
  });

  it('starts the inner detector afresh after about ten years without data', () => {
    const { outputs, state } = drive(recorder, params({ period: 'month' }), [
      [Date.UTC(2010, 0, 5), 9],
      [Date.UTC(2021, 0, 5), 1],
      [Date.UTC(2021, 1, 5), 1],
    ]);
    expect(outputs[1]).toEqual({ level: null });
    expect(state.inner.seen).toEqual([{ t: Date.UTC(2021, 0, 1), v: 1 }]);
  });

  it('cuts periods at local midnight of the time zone', () => {
    // Sunday 17:00 UTC is Monday 01:00 in Shanghai: a new week there, the same week in UTC.
    const events = [
      [w0 + 6 * DAY + 10 * HOUR, 3],
      [w0 + 6 * DAY + 17 * HOUR, 4],
      [w0 + 13 * DAY + 17 * HOUR, 5],
    ] as const;
    const shanghai = drive(recorder, params({ timezone: 'Asia/Shanghai' }), events).state.inner.seen;
    expect(shanghai).toEqual([
      { t: w0 - 8 * HOUR, v: 3 },
      { t: w0 + WEEK - 8 * HOUR, v: 4 },
    ]);
    expect(drive(recorder, params(), events).state.inner.seen).toEqual([{ t: w0, v: 7 }]);
  });

  it('feeds days of 23 and 25 hours across DST in Berlin', () => {
    const start = Date.UTC(2026, 2, 28, 12);
    const events = Array.from({ length: 4 * 24 }, (_, i) => [start + i * HOUR, 1] as const);
    const seen = drive(recorder, params({ period: 'day', of: 'count', timezone: 'Europe/Berlin' }), events).state.inner.seen;
    expect(seen.map((x) => [new Date(x.t).toISOString(), x.v])).toEqual([
      ['2026-03-27T23:00:00.000Z', 11],
      ['2026-03-28T23:00:00.000Z', 23],
      ['2026-03-29T22:00:00.000Z', 24],
      ['2026-03-30T22:00:00.000Z', 24],
    ]);
  });
});

describe('aggregatingDetector: running periods', () => {
  it('evaluates the period in progress at each arrival without feeding it, and shows the higher level', () => {
    const { outputs, state } = drive(recorder, params({ evaluate: 'running' }), [
      [w0, 4],
      [w0 + DAY, 3],
      [w0 + 2 * DAY, 5],
      [w0 + WEEK, 1],
      [w0 + WEEK + DAY, 5],
      [w0 + WEEK + 2 * DAY, 5],
      ['tick', w0 + 2 * WEEK],
    ]);
    expect(outputs.map((o) => o?.level)).toEqual([null, 'yellow', 'red', 'red', 'red', 'red', 'red']);
    expect(outputs[1]).toEqual({ level: 'yellow', upperbound: 5, extras: { steps: 1, period: w0, period_value: 7, partial: 1 } });
    // The closed week (12, red) outranks the running one (1, then 6: yellow)…
    expect(outputs[3]!.extras).toMatchObject({ period: w0, period_value: 12, partial: 0 });
    expect(outputs[4]!.extras).toMatchObject({ period: w0, partial: 0 });
    // …and on a tie (11, red) the running one is shown.
    expect(outputs[5]!.extras).toMatchObject({ period: w0 + WEEK, period_value: 11, partial: 1 });
    expect(outputs[6]!.extras).toMatchObject({ period: w0 + WEEK, period_value: 11, partial: 0 });
    expect(state.inner.seen).toEqual([
      { t: w0, v: 12 },
      { t: w0 + WEEK, v: 11 },
    ]);
  });

  it('closes a period with the output its last running evaluation showed', () => {
    const events = [
      [w0, 2],
      [w0 + DAY, 9],
      [w0 + WEEK, 0],
    ] as const;
    const running = drive(recorder, params({ evaluate: 'running' }), events).outputs;
    expect(running[2]).toEqual({ ...running[1], extras: { ...running[1]!.extras, partial: 0 } });
  });
});

describe('aggregatingDetector: state', () => {
  it('gives identical outputs when the state goes through JSON between any two events, mid-period included', () => {
    const random = seededRandom(7);
    const events: [number | 'tick', number][] = [];
    let t = w0;
    for (let i = 0; i < 300; i++) {
      t += Math.floor(random() * 2 * DAY);
      events.push(random() < 0.1 ? ['tick', t] : [t, Math.floor(random() * 4)]);
    }
    for (const of of ['sum', 'max'] as const) {
      for (const evaluate of ['closed', 'running'] as const) {
        const p = params({ of, evaluate, timezone: 'Europe/Berlin', period: 'day' }, 2);
        expect(drive(recorder, p, events, true).outputs).toEqual(drive(recorder, p, events).outputs);
      }
    }
  });

  it('parses its own parameters: the aggregate beside the inner ones, problems by field', () => {
    const wrapped = aggregatingDetector(farringtonDetector);
    expect(wrapped.parseParams({ aggregate: { period: 'isoweek' }, preset: 'noufaily2013' })).toMatchObject({
      params: { aggregate: spec(), inner: { freq: 52 } },
    });
    expect(wrapped.parseParams({ aggregate: { period: 'day', of: 'median' }, preset: 'nope' })).toEqual({
      problems: [
        { field: 'aggregate.of', message: 'expected one of sum, count, mean, max, got the text "median"' },
        { field: 'detector.preset', message: 'must be one of farrington1996, noufaily2013, got "nope"' },
      ],
    });
    expect(wrapped.parseParams({ aggregate: { period: 'day' }, freq: 52 })).toEqual({
      problems: [{ field: 'aggregate.period', message: 'day periods do not fit detector.freq 52, which counts isoweek periods: use period isoweek, or freq 365' }],
    });
  });
});

// A Poisson draw (Knuth) from a seeded generator.
function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Spreads `counts[i]` events of value 1 over period i (bounds from `periodOf`), at distinct times. */
function rawEvents(counts: readonly number[], starts: readonly number[], ends: readonly number[], random: () => number): [number, number][] {
  const events: [number, number][] = [];
  counts.forEach((count, i) => {
    const span = ends[i]! - starts[i]!;
    const times = new Set<number>();
    while (times.size < count) times.add(starts[i]! + Math.floor(random() * span));
    for (const t of [...times].sort((a, b) => a - b)) events.push([t, 1]);
  });
  return events;
}

/** Each period's direct output, decorated as the wrapper decorates closed periods. */
function direct<P, S>(inner: DetectorDefinition<P, S>, innerParams: P, starts: readonly number[], counts: readonly number[]): DetectorOutput[] {
  let state = inner.init(innerParams);
  return counts.map((v, i) => {
    const result = inner.step(innerParams, state, { t: starts[i]!, v });
    state = result.state;
    return { ...result.output, extras: { ...result.output.extras, period: starts[i]!, period_value: v, partial: 0 } };
  });
}

describe('aggregatingDetector with the real period detectors', () => {
  it('Farrington on raw events in Shanghai weeks answers exactly what it answers on the weekly counts', () => {
    const random = seededRandom(2013);
    const starts: number[] = [];
    const ends: number[] = [];
    let t = periodOf('isoweek', Date.UTC(2019, 0, 1), 'Asia/Shanghai').start;
    for (let i = 0; i < 6 * 52; i++) {
      const bounds = periodOf('isoweek', t, 'Asia/Shanghai');
      starts.push(bounds.start);
      ends.push(bounds.end);
      t = bounds.end;
    }
    // Seasonal counts with an outbreak in the last weeks, and some empty weeks.
    const counts = starts.map((_, i) => (i % 37 === 36 ? 0 : poisson(random, 6 + 3 * Math.sin((2 * Math.PI * i) / 52) + (i > 6 * 52 - 6 ? 15 : 0))));
    const innerParams = farringtonDetector.parseParams({ preset: 'noufaily2013', freq: 52 });
    if (!('params' in innerParams)) throw new Error('bad fixture');
    const expected = direct(farringtonDetector, innerParams.params, starts, counts);
    expect(expected.some((o) => o.level === 'yellow')).toBe(true);

    const p: AggregatingParams = { aggregate: spec({ of: 'count', timezone: 'Asia/Shanghai' }), inner: innerParams.params };
    // The clock closes each week an hour after it ends, so every week is seen even when the next is empty.
    const events: [number | 'tick', number][] = [];
    const raw = rawEvents(counts, starts, ends, random);
    let r = 0;
    for (let i = 0; i < starts.length; i++) {
      while (r < raw.length && raw[r]![0] < ends[i]!) events.push(raw[r++]!);
      events.push(['tick', ends[i]! + HOUR]);
    }
    const { outputs } = drive(farringtonDetector as DetectorDefinition<unknown, unknown>, p, events);
    const closed = outputs.filter((_, i) => events[i]![0] === 'tick');
    expect(closed).toEqual(expected);
  });

  it('EARS C2 on daily sums of raw events answers what it answers on the daily sums, gaps as zeros', () => {
    const random = seededRandom(42);
    const day0 = Date.UTC(2026, 0, 1);
    const days = 120;
    const starts = Array.from({ length: days }, (_, i) => day0 + i * DAY);
    const sums = starts.map((_, i) => (i % 11 === 5 ? 0 : poisson(random, 20 + (i > 100 ? 25 : 0))));
    const innerParams = earsDetector.parseParams({ method: 'C2' });
    if (!('params' in innerParams)) throw new Error('bad fixture');
    const expected = direct(earsDetector, innerParams.params, starts, sums);
    expect(expected.some((o) => o.level === 'yellow')).toBe(true);
    // Each day's sum split into a few reports of several cases each; days without cases send nothing.
    const events: [number, number][] = [];
    sums.forEach((sum, i) => {
      let left = sum;
      let at = starts[i]!;
      while (left > 0) {
        const part = Math.min(left, 1 + Math.floor(random() * 6));
        at += 1 + Math.floor(random() * 600_000);
        events.push([at, part]);
        left -= part;
      }
    });
    events.push([day0 + days * DAY, 0]);
    const p: AggregatingParams = { aggregate: spec({ period: 'day' }), inner: innerParams.params };
    const { outputs } = drive(earsDetector as DetectorDefinition<unknown, unknown>, p, events);
    // The output at the first arrival after a day is that day's (or, after empty days, the last empty one's).
    const firstAfter = (end: number) => events.findIndex(([at]) => at >= end);
    for (let i = 0; i < days; i++) {
      const k = firstAfter(starts[i]! + DAY);
      if (k >= 0 && events[k]![0] < starts[i]! + 2 * DAY) expect(outputs[k], `day ${i}`).toEqual(expected[i]);
    }
    expect(outputs.at(-1)).toEqual(expected.at(-1));
  });
});
