import { bayesDetector } from './bayes-detector.ts';
import { compositeDetector } from './composite.ts';
import { countCusumDetector } from './count-cusum-detector.ts';
import type { DetectorDefinition, DetectorRegistry } from './detector.ts';
import { streamingDetectors } from './builtin-detectors.ts';
import { farringtonDetector } from './farrington/farrington-detector.ts';
import { glrnbDetector } from './glrnb-detector.ts';

/** Every detector a rule can name, by type: the built-in ones plus any given. */
export function detectorRegistry(extra: readonly DetectorDefinition[] = []): DetectorRegistry {
  const all = [...streamingDetectors, farringtonDetector, countCusumDetector, glrnbDetector, bayesDetector, compositeDetector, ...extra] as DetectorDefinition<unknown, unknown>[];
  const registry = new Map<string, DetectorDefinition<unknown, unknown>>();
  for (const definition of all) {
    if (registry.has(definition.type)) throw new Error(`two detectors claim the type "${definition.type}"`);
    registry.set(definition.type, definition);
  }
  return registry;
}
