import type { DetectorDefinition, DetectorOutput } from '../../domain/detect/detector.ts';
import type { Level } from '../../domain/detect/levels.ts';

/** What detection knows of a series: enough to select it and to label its signals. */
export interface SeriesInfo {
  id: number;
  key: string;
  domain: string | null;
  indicator: string | null;
  area: string | null;
  labels: Record<string, string>;
}

/** What a signal's annotations may refer to. */
export interface AnnotationContext {
  series: string;
  level: Level | null;
  value: number;
  labels: Record<string, string>;
}

/**
 * A rule ready to run: the engine's view of a validated rule (the rules module builds these).
 * `fingerprint` changes whenever the rule's definition does, which resets its detector states.
 */
export interface ActiveRule {
  name: string;
  fingerprint: string;
  matches(series: SeriesInfo): boolean;
  detector: DetectorDefinition<unknown, unknown>;
  params: unknown;
  /** Hold time before firing, in ms. */
  forMs: number;
  labels: Record<string, string>;
  /** The level a detector output means for this rule (a rule may map "alarm" to a level). */
  levelOf(output: DetectorOutput): Level | null;
  annotations(context: AnnotationContext): Record<string, string>;
}
