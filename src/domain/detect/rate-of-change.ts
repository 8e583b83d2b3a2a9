import { parseDuration } from '../kernel/duration.ts';
import { parseLevelThresholds, type LevelThreshold } from './bands.ts';
import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { isLevel, levels, type Level } from './levels.ts';

/**
 * Rate of change: the change of a value against the oldest value still inside a time window
 * (a rise of 40 cm in 1 h at a river gauge, a fall of 8 hPa in 3 h). `rise` and `fall` are
 * magnitudes (≥ 0 is not enough: > 0), each either one number (raising `level`, default yellow)
 * or thresholds by level like bands (`{ yellow: 0.3, red: 0.6 }`, strictly increasing). With
 * `relative`, the change is `(v − v_old) / |v_old|` (and undefined when `v_old` is 0).
 *
 * The window holds every observation of the last `window` ms, because each of them in turn becomes
 * the oldest one; a step copies it (cost proportional to the points in the window).
 */

/** Rate-of-change parameters. */
export interface RateOfChangeParams {
  /** Window length in ms: the reference is the oldest value with t ≥ now − window. */
  window: number;
  /** Rise thresholds (magnitudes, lowest level first), or empty when rises are not watched. */
  rise: LevelThreshold[];
  /** Fall thresholds (magnitudes, lowest level first), or empty when falls are not watched. */
  fall: LevelThreshold[];
  relative: boolean;
}

/** The observations inside the window, oldest first (parallel arrays: times and values). */
export interface RateOfChangeState {
  t: number[];
  v: number[];
}

/** Reads a duration given as ms (a number) or text such as `10m`, `1.5h`; answers null after a problem. */
export function readDuration(raw: unknown, field: string, problems: ParamProblem[]): number | null {
  const ms = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDuration(raw) : null;
  if (ms === null || !Number.isFinite(ms) || ms <= 0) {
    problems.push({ field, message: `must be a positive duration (ms, or text such as "10m", "1.5h", "2d"), not ${JSON.stringify(raw)}` });
    return null;
  }
  return ms;
}

const rocKeys = new Set(['window', 'rise', 'fall', 'relative', 'level']);

function readMagnitudes(raw: unknown, field: string, level: Level, problems: ParamProblem[]): LevelThreshold[] {
  if (raw === undefined) return [];
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw <= 0) {
      problems.push({ field, message: `must be a positive number, not ${raw}` });
      return [];
    }
    return [{ level, threshold: raw }];
  }
  const before = problems.length;
  const list = parseLevelThresholds(raw, field, true, problems);
  for (const { level: l, threshold } of list) {
    if (threshold <= 0) problems.push({ field: `${field}.${l}`, message: `must be a positive magnitude, not ${threshold}` });
  }
  return problems.length > before ? [] : list;
}

/** Reads rate-of-change parameters: `window` (required), at least one of `rise`/`fall`, `relative`, `level`. */
export function parseRateOfChangeParams(raw: Record<string, unknown>): { params: RateOfChangeParams } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!rocKeys.has(key)) problems.push({ field: key, message: `unknown parameter (known: ${[...rocKeys].join(', ')})` });
  }
  const window = raw['window'] === undefined ? (problems.push({ field: 'window', message: 'required: a duration such as "1h"' }), null) : readDuration(raw['window'], 'window', problems);
  const level = raw['level'] ?? 'yellow';
  if (!isLevel(level)) problems.push({ field: 'level', message: `must be one of ${levels.join(', ')}, not ${JSON.stringify(level)}` });
  const single = isLevel(level) ? level : 'yellow';
  const rise = readMagnitudes(raw['rise'], 'rise', single, problems);
  const fall = readMagnitudes(raw['fall'], 'fall', single, problems);
  if (raw['rise'] === undefined && raw['fall'] === undefined) {
    problems.push({ field: 'rise', message: 'give rise, fall or both: the change that raises a level' });
  }
  // `level` only means something beside a plain-number threshold: say so rather than ignore it.
  if (raw['level'] !== undefined && typeof raw['rise'] !== 'number' && typeof raw['fall'] !== 'number') {
    problems.push({ field: 'level', message: 'only used with a plain-number rise or fall; with thresholds by level, leave it out' });
  }
  const relative = raw['relative'] ?? false;
  if (typeof relative !== 'boolean') problems.push({ field: 'relative', message: `must be true or false, not ${JSON.stringify(relative)}` });
  if (problems.length > 0 || window === null) return { problems };
  return { params: { window, rise, fall, relative: relative as boolean } };
}

/** Index of the highest threshold that `magnitude` reaches, or −1. */
function reached(thresholds: readonly LevelThreshold[], magnitude: number): number {
  for (let i = thresholds.length - 1; i >= 0; i--) if (magnitude >= thresholds[i]!.threshold) return i;
  return -1;
}

const quiet: DetectorOutput = Object.freeze({ level: null });

/** Rate of change against the oldest value inside a time window; a rise or a fall past a threshold raises its level. */
export const rateOfChangeDetector: DetectorDefinition<RateOfChangeParams, RateOfChangeState> = {
  type: 'rate-of-change',
  summary: 'Rate of change: the change since the oldest value inside a time window, absolute or relative, against rise and fall thresholds.',
  parseParams: parseRateOfChangeParams,
  init: () => ({ t: [], v: [] }),
  step(params, state, input) {
    const { t: times, v: values } = state;
    const n = times.length;
    const last = n > 0 ? times[n - 1]! : -Infinity;
    // Per-series order is the runtime's promise; anything earlier than the newest point, or not a
    // number, cannot be placed in the window and is passed over.
    if (!Number.isFinite(input.v) || !(input.t >= last)) return { state, output: quiet };
    const from = input.t - params.window;
    let first = 0;
    while (first < n && times[first]! < from) first++;
    const t = new Array<number>(n - first + 1);
    const v = new Array<number>(n - first + 1);
    for (let k = first; k < n; k++) {
      t[k - first] = times[k]!;
      v[k - first] = values[k]!;
    }
    t[n - first] = input.t;
    v[n - first] = input.v;
    // The reference is the oldest point still inside the window — the new point itself when the
    // window was empty, so the change is then 0.
    const ref = v[0]!;
    const scale = params.relative ? Math.abs(ref) : 1;
    if (scale === 0) return { state: { t, v }, output: { level: null, upperbound: null, extras: { change: null, reference: ref } } };
    const change = (input.v - ref) / scale;
    const up = change > 0 ? reached(params.rise, change) : -1;
    const down = change < 0 ? reached(params.fall, -change) : -1;
    const level = up >= 0 ? params.rise[up]!.level : down >= 0 ? params.fall[down]!.level : null;
    // The value at which the lowest rise (fall) threshold is reached, for charts and the CSV.
    const firstRise = params.rise[0];
    const firstFall = params.fall[0];
    return {
      state: { t, v },
      output: {
        level,
        upperbound: firstRise === undefined ? null : ref + firstRise.threshold * scale,
        extras: { change, reference: ref, lowerbound: firstFall === undefined ? null : ref - firstFall.threshold * scale },
      },
    };
  },
};
