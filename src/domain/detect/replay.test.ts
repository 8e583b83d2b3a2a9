import { describe, expect, it } from 'vitest';
import { seededRandom } from './testing/seeded-random.ts';
import { streamingDetectors } from './builtin-detectors.ts';
import type { DetectorDefinition, DetectorInput, DetectorOutput } from './detector.ts';

/**
 * Replay property (issue 3): a stream cut at any point, its state persisted as JSON and resumed
 * (parameters read again, as after a restart), gives exactly the outputs of an uncut run.
 */

const random = seededRandom;

type Event = { input: DetectorInput } | { now: number };

const minute = 60_000;

/**
 * A stream with what breaks detectors: level shifts, spikes, runs of zeros (SD = 0), a few
 * non-numbers, repeated and out-of-order times, and clock ticks between arrivals.
 */
function stream(seed: number, length: number, counts: boolean): Event[] {
  const rnd = random(seed);
  const events: Event[] = [];
  let t = 1_700_000_000_000;
  let level = counts ? 5 : 10;
  for (let i = 0; i < length; i++) {
    const r = rnd();
    if (r < 0.05) level = counts ? Math.floor(rnd() * 20) : rnd() * 30 - 5;
    const gap = rnd() < 0.1 ? 30 * minute : rnd() < 0.05 ? 0 : rnd() < 0.03 ? -5 * minute : 5 * minute;
    t += gap;
    if (rnd() < 0.15) events.push({ now: t + Math.floor(rnd() * 40 * minute) });
    let v = counts ? Math.max(0, Math.round(level + (rnd() - 0.5) * 6)) : level + (rnd() - 0.5) * 4;
    if (rnd() < 0.03) v = counts ? v * 8 : v + 25;
    if (counts && rnd() < 0.1) v = 0;
    if (rnd() < 0.02) v = NaN;
    events.push({ input: { t, v } });
  }
  return events;
}

const cases: [type: string, raw: Record<string, unknown>][] = [
  ['bands', { levels: { yellow: 12, orange: 18, red: 24 }, hysteresis: 1.5 }],
  ['bands', { levels: { blue: 10, red: 0 }, direction: 'below', hysteresis: 2 }],
  ['rate-of-change', { window: '1h', rise: { yellow: 3, red: 10 }, fall: 5 }],
  ['rate-of-change', { window: '20m', rise: 0.5, relative: true, level: 'orange' }],
  ['staleness', { after: '25m', level: 'orange' }],
  ['ewma', { lambda: 0.2, L: 2.8, warmup: 10, side: 'both' }],
  ['ewma', { lambda: 0.05, L: 3, mean: 10, sd: 2 }],
  ['cusum-chart', { k: 0.5, h: 4, warmup: 8, side: 'both' }],
  ['cusum-chart', { k: 0.25, h: 3, mean: 10, sd: 2, resetAfterAlarm: false }],
  ['ears', { method: 'C1' }],
  ['ears', { method: 'C2', baseline: 5, minSigma: 0.5 }],
  ['ears', { method: 'C3' }],
  ['ears', { method: 'C3', mode: 'cdc' }],
];

function definition(type: string): DetectorDefinition {
  const d = streamingDetectors.find((x) => x.type === type);
  if (d === undefined) throw new Error(`no detector ${type}`);
  return d;
}

function parse(d: DetectorDefinition, raw: Record<string, unknown>): unknown {
  const parsed = d.parseParams(raw);
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

/** Runs `events[from..]` from `state`; answers the outputs (null where a tick changed nothing) and the last state. */
function run(d: DetectorDefinition, params: unknown, state: unknown, events: Event[], from = 0, to = events.length) {
  const outputs: (DetectorOutput | null)[] = [];
  for (let i = from; i < to; i++) {
    const e = events[i]!;
    const r = 'input' in e ? d.step(params, state, e.input) : (d.tick?.(params, state, e.now) ?? null);
    outputs.push(r === null ? null : r.output);
    if (r !== null) state = r.state;
  }
  return { outputs, state };
}

const viaJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe('replay: a cut stream resumed from JSON state gives the uncut outputs', () => {
  it('covers every detector of the list', () => {
    expect(new Set(cases.map(([type]) => type))).toEqual(new Set(streamingDetectors.map((d) => d.type)));
  });

  it.each(cases.map(([type, raw]) => [type, JSON.stringify(raw), raw] as const))('%s %s', (type, _label, raw) => {
    const d = definition(type);
    for (const seed of [1, 2, 3]) {
      const events = stream(seed * 7919 + type.length, 160, type === 'ears');
      const params = parse(d, raw);
      const uncut = run(d, params, d.init(params), events);
      // The run must have something to replay: some levels raised, and not at every step.
      const raised = uncut.outputs.filter((o) => o !== null && o.level !== null).length;
      expect(raised, `seed ${seed}: levels raised`).toBeGreaterThan(0);
      expect(raised, `seed ${seed}: levels raised`).toBeLessThan(events.length);

      for (let cut = 0; cut <= events.length; cut++) {
        const head = run(d, params, d.init(params), events, 0, cut);
        const resumedParams = parse(d, viaJson(raw) as Record<string, unknown>);
        const tail = run(d, resumedParams, viaJson(head.state), events, cut);
        const outputs = [...head.outputs, ...tail.outputs];
        expect(outputs, `seed ${seed}, cut at ${cut}`).toStrictEqual(uncut.outputs);
        expect(viaJson(tail.state), `seed ${seed}, cut at ${cut}: final state`).toStrictEqual(viaJson(uncut.state));
      }

      // And persisted after every single step, as the runtime does.
      let state: unknown = d.init(params);
      const everyStep: (DetectorOutput | null)[] = [];
      for (const [i] of events.entries()) {
        const r = run(d, params, viaJson(state), events, i, i + 1);
        everyStep.push(...r.outputs);
        state = r.state;
      }
      expect(everyStep, `seed ${seed}: persisted after every step`).toStrictEqual(uncut.outputs);
    }
  });

  it('never leaves a number JSON cannot carry (NaN, ±Infinity) in a state', () => {
    for (const [type, raw] of cases) {
      const d = definition(type);
      const params = parse(d, raw);
      let state = d.init(params);
      for (const e of stream(11, 300, type === 'ears')) {
        const r = 'input' in e ? d.step(params, state, e.input) : (d.tick?.(params, state, e.now) ?? null);
        if (r === null) continue;
        state = r.state;
        expect(viaJson(state), `${type}`).toStrictEqual(state);
      }
    }
  });
});
