import { expect } from 'vitest';
import type { DetectorDefinition, DetectorInput, DetectorOutput } from '../detector.ts';
import { seededRandom } from './seeded-random.ts';

/** Test support for the streaming period-count detectors (count-cusum, glrnb, bayes). */

/** One week in ms. */
export const WEEK = 7 * 86_400_000;

/** Poisson counts around `mean` with a yearly season of period `freq`, and `mean`·`factor` more at each outbreak index. */
export function poissonCounts(seed: number, n: number, options: { mean: number; freq?: number; outbreaks?: number[]; factor?: number }): number[] {
  const rnd = seededRandom(seed);
  const freq = options.freq ?? 52;
  const outbreaks = new Set(options.outbreaks ?? []);
  return Array.from({ length: n }, (_, t) => {
    const mean = options.mean * (1 + 0.4 * Math.sin((2 * Math.PI * t) / freq)) * (outbreaks.has(t) ? (options.factor ?? 3) : 1);
    // Knuth's multiplication method: fine for the small means used here.
    const limit = Math.exp(-mean);
    let k = -1;
    let p = 1;
    do {
      k++;
      p *= rnd();
    } while (p > limit);
    return k;
  });
}

/** Reads parameters that must be valid. */
export function parsed<P, S>(d: DetectorDefinition<P, S>, raw: Record<string, unknown>): P {
  const r = d.parseParams(raw);
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.params;
}

/** Feeds `inputs` in order from `state`; answers the outputs and the last state. */
export function feed<P, S>(d: DetectorDefinition<P, S>, params: P, inputs: readonly DetectorInput[], state: S = d.init(params)): { state: S; outputs: DetectorOutput[] } {
  const outputs: DetectorOutput[] = [];
  for (const input of inputs) {
    const r = d.step(params, state, input);
    state = r.state;
    outputs.push(r.output);
  }
  return { state, outputs };
}

/**
 * Arrivals as a live feed gives them: mostly the next period, but also skipped periods, revised
 * values for the newest period, late values for older ones and a few non-numbers.
 */
export function messyArrivals(seed: number, counts: readonly number[], periodStart: (p: number) => number): DetectorInput[] {
  const rnd = seededRandom(seed);
  const inputs: DetectorInput[] = [];
  let p = 0;
  counts.forEach((count, i) => {
    const r = rnd();
    let at = p;
    if (i > 0) {
      if (r < 0.06) at = p += 2 + Math.floor(rnd() * 3);
      else if (r < 0.12) at = p;
      else if (r < 0.16) at = p - 1 - Math.floor(rnd() * 3);
      else at = p += 1;
    }
    inputs.push({ t: periodStart(at), v: rnd() < 0.03 ? NaN : count });
  });
  return inputs;
}

/**
 * Asserts the replay property: the stream cut at every point, its state frozen after a JSON round
 * trip (so a step that mutated it would throw) and resumed, gives the uncut outputs and state.
 */
export function expectResumable<P, S>(d: DetectorDefinition<P, S>, params: P, inputs: readonly DetectorInput[]): void {
  const uncut = feed(d, params, inputs);
  let state = d.init(params);
  for (const input of inputs) {
    state = d.step(params, state, input).state;
    expect(JSON.parse(JSON.stringify(state)), 'a state JSON carries unchanged (no NaN, no Infinity)').toStrictEqual(state);
  }
  for (let cut = 0; cut <= inputs.length; cut++) {
    const head = feed(d, params, inputs.slice(0, cut));
    const restored = deepFreeze(JSON.parse(JSON.stringify(head.state)) as S);
    const tail = feed(d, params, inputs.slice(cut), restored);
    expect([...head.outputs, ...tail.outputs], `cut at ${cut}`).toStrictEqual(uncut.outputs);
    expect(JSON.parse(JSON.stringify(tail.state)), `cut at ${cut}: final state`).toStrictEqual(JSON.parse(JSON.stringify(uncut.state)));
  }
}

/** Freezes a JSON value all the way down. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
