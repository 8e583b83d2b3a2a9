import type { DetectorDefinition, DetectorRegistry, ParamProblem } from '../../detector.ts';

/** Parameters of the fake `threshold` detector: one number the value must exceed. */
export interface ThresholdParams {
  above: number;
}

/**
 * A stand-in detector for rule tests, independent of the real ones: `threshold` signals `yellow`
 * when a value exceeds `above` (a required number; no other parameter is allowed).
 */
export const thresholdDetector: DetectorDefinition<ThresholdParams, null> = {
  type: 'threshold',
  summary: 'Fires when a value exceeds a fixed number (test stand-in).',
  parseParams(raw) {
    const problems: ParamProblem[] = [];
    for (const key of Object.keys(raw)) if (key !== 'above') problems.push({ field: key, message: 'unknown parameter' });
    const above = raw['above'];
    if (above === undefined) problems.push({ field: 'above', message: 'is required' });
    else if (typeof above !== 'number' || !Number.isFinite(above)) problems.push({ field: 'above', message: 'expected a number' });
    return problems.length > 0 ? { problems } : { params: { above: above as number } };
  },
  init: () => null,
  step: (params, state, input) => ({ state, output: { level: input.v > params.above ? 'yellow' : null } }),
};

/** A registry with the fake `threshold` detector, plus a `broken` one whose parseParams throws. */
export function fakeRegistry(): DetectorRegistry {
  const broken: DetectorDefinition<unknown, unknown> = {
    type: 'broken',
    summary: 'Throws while reading its parameters (test stand-in for a detector bug).',
    parseParams() {
      throw new Error('boom');
    },
    init: () => null,
    step: (_params, state) => ({ state, output: { level: null } }),
  };
  return new Map<string, DetectorDefinition<unknown, unknown>>([
    ['threshold', thresholdDetector as DetectorDefinition<unknown, unknown>],
    ['broken', broken],
  ]);
}
