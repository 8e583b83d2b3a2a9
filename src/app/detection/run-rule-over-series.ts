import type { DetectorOutput } from '../../domain/detect/detector.ts';
import { advanceHold, quietHold, type HoldState, type SignalKind } from '../../domain/detect/hold.ts';
import type { Level } from '../../domain/detect/levels.ts';
import type { ActiveRule } from './active-rule.ts';

/**
 * One rule over one series, step by step, as the detection engine would run it on that series
 * alone: the same detector steps, the same hold (`for`), and — for detectors driven by the clock
 * (staleness, periods closing) — ticks on a regular grid of the series' own time. Pure: the points
 * are given, the rows are answered. `tocsin detect --rule --data` writes these rows as CSV.
 */

/** One point of the series (v NaN for a missing value). */
export interface SeriesPoint {
  t: number;
  v: number;
}

/** What the rule made of one point, or of one clock tick that changed something. */
export interface RuleRunRow {
  t: number;
  /** Index of the input point, or null for a row written by a clock tick. */
  point: number | null;
  observed: number | null;
  upperbound: number | null;
  /** 1 when the detector's output maps to a level under the rule (before the hold), else 0. */
  alarm: 0 | 1;
  level: Level | null;
  /** The signal the rule raised at this row after its hold time, if any. */
  signal: SignalKind | null;
  extras: Record<string, number | null>;
}

/** Runs `rule` over `points` (strictly increasing in time); `tickMs` spaces the clock's ticks. */
export function runRuleOverSeries(rule: ActiveRule, points: readonly SeriesPoint[], tickMs: number): RuleRunRow[] {
  const detector = rule.detector;
  let state = detector.init(rule.params);
  let hold: HoldState = quietHold;
  let lastLevel: Level | null = null;
  const rows: RuleRunRow[] = [];
  const record = (t: number, point: number | null, v: number | null, output: DetectorOutput, fromTick: boolean) => {
    const level = rule.levelOf(output);
    const advanced = advanceHold(hold, level, t, rule.forMs);
    hold = advanced.hold;
    // A tick only writes a row when it changed something: the series was quiet in between.
    if (fromTick && level === lastLevel && !advanced.transition) return;
    lastLevel = level;
    rows.push({
      t,
      point,
      observed: v,
      upperbound: output.upperbound ?? null,
      alarm: level === null ? 0 : 1,
      level,
      signal: advanced.transition?.kind ?? null,
      extras: output.extras ?? {},
    });
  };
  let previous: number | null = null;
  points.forEach((p, i) => {
    if (detector.tick && previous !== null) {
      for (let now = previous + tickMs; now < p.t; now += tickMs) {
        const ticked = detector.tick(rule.params, state, now);
        if (!ticked) continue;
        state = ticked.state;
        record(now, null, null, ticked.output, true);
      }
    }
    const result = detector.step(rule.params, state, p);
    state = result.state;
    record(p.t, i, Number.isNaN(p.v) ? null : p.v, result.output, false);
    previous = p.t;
  });
  return rows;
}
