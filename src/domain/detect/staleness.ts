import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { isLevel, levels, type Level } from './levels.ts';
import { readDuration } from './rate-of-change.ts';

/**
 * Staleness: a series that has sent nothing for longer than `after` (a silent gauge, a station
 * off the air). Arrivals cannot say that nothing arrives, so the runtime's clock calls `tick` with
 * `now`; the detector never reads wall time itself, so tests and replays drive it with any clock.
 */

/** Staleness parameters. */
export interface StalenessParams {
  /** Silence (ms) after which the series is stale: raised when now − last > after. */
  after: number;
  level: Level;
}

/** When data last came (epoch ms; null before the first arrival or tick) and whether it is stale. */
export interface StalenessState {
  last: number | null;
  stale: boolean;
}

const stalenessKeys = new Set(['after', 'level']);

/** Reads staleness parameters: `after` (required, ms or text such as `10m`), `level` (default yellow). */
export function parseStalenessParams(raw: Record<string, unknown>): { params: StalenessParams } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!stalenessKeys.has(key)) problems.push({ field: key, message: `unknown parameter (known: ${[...stalenessKeys].join(', ')})` });
  }
  const after = raw['after'] === undefined ? (problems.push({ field: 'after', message: 'required: a duration such as "30m"' }), null) : readDuration(raw['after'], 'after', problems);
  const level = raw['level'] ?? 'yellow';
  if (!isLevel(level)) problems.push({ field: 'level', message: `must be one of ${levels.join(', ')}, not ${JSON.stringify(level)}` });
  if (problems.length > 0 || after === null) return { problems };
  return { params: { after, level: level as Level } };
}

const fresh: DetectorOutput = Object.freeze({ level: null });

/** No data for longer than a duration, judged on the injected clock's ticks; cleared by the next arrival. */
export const stalenessDetector: DetectorDefinition<StalenessParams, StalenessState> = {
  type: 'staleness',
  summary: 'Staleness: no data for longer than a duration (checked on the clock, cleared by the next arrival).',
  parseParams: parseStalenessParams,
  init: () => ({ last: null, stale: false }),
  step(params, state, input) {
    // The observation's own time counts, not its arrival: a late reading older than the newest
    // one seen does not make a silent station look alive, so it neither moves `last` nor clears.
    if (state.last !== null && !(input.t > state.last)) {
      return { state, output: state.stale ? { level: params.level, extras: { last_seen: state.last } } : fresh };
    }
    return { state: { last: input.t, stale: false }, output: fresh };
  },
  tick(params, state, now) {
    if (state.last === null) {
      // Never heard from: the silence is counted from the first tick that watches the series.
      return { state: { last: now, stale: false }, output: fresh };
    }
    if (state.stale || !(now - state.last > params.after)) return null;
    return {
      state: { last: state.last, stale: true },
      output: { level: params.level, extras: { last_seen: state.last, silent_ms: now - state.last } },
    };
  },
};
