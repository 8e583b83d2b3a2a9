import type { ActiveRule } from '../../app/detection/active-rule.ts';
import type { DetectorDefinition } from '../../domain/detect/detector.ts';

/** A test detector: red above 10, so one observation raises one signal. */
const aboveTen: DetectorDefinition<null, null> = {
  type: 'test-above-ten',
  summary: 'test only',
  parseParams: () => ({ params: null }),
  init: () => null,
  step: (_p, s, input) => ({ state: s, output: { level: input.v > 10 ? 'red' : null } }),
};

/** An engine rule running `aboveTen` over the series whose key starts with `keyPrefix`. */
export function aboveTenRule(name: string, keyPrefix: string, extra: Partial<Pick<ActiveRule, 'labels' | 'annotations'>> = {}): ActiveRule {
  return {
    name,
    fingerprint: '1',
    matches: (s) => s.key.startsWith(keyPrefix),
    detector: aboveTen as unknown as ActiveRule['detector'],
    params: null,
    forMs: 0,
    labels: extra.labels ?? {},
    levelOf: (o) => o.level,
    annotations: extra.annotations ?? (() => ({})),
  };
}
