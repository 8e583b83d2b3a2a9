import { bandsDetector } from './bands.ts';
import { cusumChartDetector } from './cusum-chart.ts';
import type { DetectorDefinition } from './detector.ts';
import { earsDetector } from './ears.ts';
import { ewmaDetector } from './ewma.ts';
import { rateOfChangeDetector } from './rate-of-change.ts';
import { stalenessDetector } from './staleness.ts';

/**
 * The streaming and EARS detectors of this folder; the lead assembles the full registry (with
 * Farrington and the rest) from this list. Each definition is typed by its own params and state;
 * the registry holds them erased, as the runtime only passes back what `parseParams` and `init` gave.
 */
export const streamingDetectors: DetectorDefinition[] = [
  bandsDetector,
  rateOfChangeDetector,
  stalenessDetector,
  ewmaDetector,
  cusumChartDetector,
  earsDetector,
] as DetectorDefinition[];
