import { expect } from 'vitest';
import type { DetectorDefinition, DetectorInput } from '../detector.ts';

/**
 * Runs `inputs` through a detector's `step` and through its in-place form side by side (the
 * state packed once, then only stepped in place, at an offset inside a larger buffer as the
 * engine and the benchmark keep it) and expects, after every input, the same level, the same
 * whole output and the same state. Answers how many inputs raised a level, so a caller can check
 * its stream exercised the interesting paths.
 */
export function expectInPlaceAgreesWithStep<P, S>(detector: DetectorDefinition<P, S>, params: P, inputs: readonly DetectorInput[]): number {
  const inPlace = detector.inPlace;
  if (!inPlace) throw new Error(`${detector.type} has no in-place step`);
  const at = 3;
  const cells = new Float64Array(at + inPlace.size + 2).fill(-7);
  let state = detector.init(params);
  inPlace.pack(params, state, cells, at);
  expect(inPlace.unpack(params, cells, at)).toEqual(state);
  let raised = 0;
  inputs.forEach((input, i) => {
    const result = detector.step(params, state, input);
    state = result.state;
    const level = inPlace.step(params, cells, at, input.t, input.v);
    const where = `input ${i} (${input.v})`;
    expect(level, where).toBe(result.output.level);
    expect(inPlace.output(params, cells, at, input.v), where).toEqual(result.output);
    expect(inPlace.unpack(params, cells, at), where).toEqual(state);
    if (level !== null) raised++;
  });
  // Neighbouring slots are never touched.
  expect([...cells.subarray(0, at), ...cells.subarray(at + inPlace.size)]).toEqual([-7, -7, -7, -7, -7]);
  return raised;
}
