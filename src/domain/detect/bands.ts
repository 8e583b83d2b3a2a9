import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { isLevel, levels, type Level } from './levels.ts';

/**
 * Level bands with hysteresis: a value at or past a level's threshold raises that level at once;
 * the level falls back only once the value has gone past `threshold − hysteresis` (mirrored for
 * `direction: 'below'`), the usual dead band of alarm systems (IEC 62682 / ISA-18.2 "deadband"),
 * so noise around a threshold does not make the level flap.
 */

/** One level's threshold; a parsed list is in level order, lowest level first. */
export interface LevelThreshold {
  level: Level;
  threshold: number;
}

/** Bands parameters. */
export interface BandsParams {
  /** The thresholds given, lowest level first (at least one). */
  thresholds: LevelThreshold[];
  /** Absolute dead band a value must clear before its level falls (≥ 0). */
  hysteresis: number;
  /** `above`: high values are bad (river level); `below`: low values are (reservoir, pressure). */
  direction: 'above' | 'below';
}

/** The level currently held (null: none). */
export interface BandsState {
  level: Level | null;
}

/**
 * Reads `{ blue?, yellow?, orange?, red? }` at `field`: at least one number, strictly increasing in
 * level order (`increasing` false: strictly decreasing, for values that are bad when low).
 */
export function parseLevelThresholds(raw: unknown, field: string, increasing: boolean, problems: ParamProblem[]): LevelThreshold[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ field, message: `must be an object of thresholds by level (${levels.join(', ')})` });
    return [];
  }
  const given = raw as Record<string, unknown>;
  const out: LevelThreshold[] = [];
  for (const key of Object.keys(given)) {
    if (!isLevel(key)) problems.push({ field: `${field}.${key}`, message: `not a level (levels: ${levels.join(', ')})` });
  }
  for (const level of levels) {
    const value = given[level];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push({ field: `${field}.${level}`, message: `must be a finite number, not ${JSON.stringify(value)}` });
      continue;
    }
    const below = out[out.length - 1];
    if (below !== undefined && (increasing ? value <= below.threshold : value >= below.threshold)) {
      problems.push({
        field: `${field}.${level}`,
        message: `must be ${increasing ? 'greater' : 'less'} than ${field}.${below.level} (${below.threshold}), not ${value}`,
      });
      continue;
    }
    out.push({ level, threshold: value });
  }
  if (out.length === 0 && Object.keys(given).every((k) => !isLevel(k))) {
    problems.push({ field, message: `needs at least one threshold (${levels.join(', ')})` });
  }
  return out;
}

const bandsKeys = new Set(['levels', 'hysteresis', 'direction']);

/** Reads bands parameters: `levels` (required), `hysteresis` (default 0), `direction` (default `above`). */
export function parseBandsParams(raw: Record<string, unknown>): { params: BandsParams } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!bandsKeys.has(key)) problems.push({ field: key, message: `unknown parameter (known: ${[...bandsKeys].join(', ')})` });
  }
  const direction = raw['direction'] ?? 'above';
  if (direction !== 'above' && direction !== 'below') {
    problems.push({ field: 'direction', message: `must be "above" or "below", not ${JSON.stringify(direction)}` });
  }
  const hysteresis = raw['hysteresis'] ?? 0;
  if (typeof hysteresis !== 'number' || !Number.isFinite(hysteresis) || hysteresis < 0) {
    problems.push({ field: 'hysteresis', message: `must be a number of at least 0, not ${JSON.stringify(hysteresis)}` });
  }
  const thresholds =
    raw['levels'] === undefined
      ? (problems.push({ field: 'levels', message: 'required: thresholds by level, e.g. { yellow: 3.5, red: 5 }' }), [])
      : parseLevelThresholds(raw['levels'], 'levels', direction !== 'below', problems);
  if (problems.length > 0) return { problems };
  return { params: { thresholds, hysteresis: hysteresis as number, direction: direction as BandsParams['direction'] } };
}

/**
 * The level (index into `thresholds`, −1 for none) after seeing `v` while holding `current`.
 * `sign` is 1 for `above`, −1 for `below`: comparing `sign·v` with `sign·threshold` mirrors every
 * test without a branch.
 */
function nextLevelIndex(thresholds: readonly LevelThreshold[], hysteresis: number, sign: number, current: number, v: number): number {
  const x = sign * v;
  // Rise: the highest level whose threshold the value reaches.
  let up = -1;
  for (let i = thresholds.length - 1; i >= 0; i--) {
    if (x >= sign * thresholds[i]!.threshold) {
      up = i;
      break;
    }
  }
  if (up >= current) return up;
  // Fall: to the highest held-or-lower level whose release point (threshold − hysteresis) the value
  // has not gone past; a value exactly at the release point still holds (it has not gone past it).
  for (let i = current; i > up; i--) {
    if (x >= sign * thresholds[i]!.threshold - hysteresis) return i;
  }
  return up;
}

// Outputs and states are shared, frozen objects: a step allocates only its small result.
type Slot = Level | 'none';
const outputs = {} as Record<Slot, DetectorOutput>;
const states = {} as Record<Slot, BandsState>;
for (const level of [null, ...levels]) {
  outputs[level ?? 'none'] = Object.freeze({ level });
  states[level ?? 'none'] = Object.freeze({ level });
}

function indexOfLevel(thresholds: readonly LevelThreshold[], level: Level | null): number {
  if (level === null) return -1;
  for (let i = 0; i < thresholds.length; i++) if (thresholds[i]!.level === level) return i;
  // A level the (edited) parameters no longer have: start again from none, then rise at once.
  return -1;
}

/** The level held, as a number for in-place steps: −1 for none, else its index in `levels`. */
function levelCode(level: Level | null): number {
  return level === null ? -1 : levels.indexOf(level);
}

/** Index into `thresholds` of the level with code `code` (see levelCode), −1 for none. */
function thresholdIndexOfCode(thresholds: readonly LevelThreshold[], code: number): number {
  return code < 0 ? -1 : indexOfLevel(thresholds, levels[code]!);
}

/** Level bands with hysteresis, rising at a threshold and falling past threshold − hysteresis. */
export const bandsDetector: DetectorDefinition<BandsParams, BandsState> = {
  type: 'bands',
  summary: 'Level bands: a value past a level threshold raises that level; it falls back only past the threshold minus the hysteresis.',
  parseParams: parseBandsParams,
  init: () => states.none,
  step(params, state, input) {
    // A non-finite value says nothing about the level: keep it.
    if (!Number.isFinite(input.v)) return { state, output: outputs[state.level ?? 'none'] };
    const current = indexOfLevel(params.thresholds, state.level);
    const next = nextLevelIndex(params.thresholds, params.hysteresis, params.direction === 'above' ? 1 : -1, current, input.v);
    const level = next < 0 ? null : params.thresholds[next]!.level;
    const slot = level ?? 'none';
    return { state: level === state.level ? state : states[slot], output: outputs[slot] };
  },
  inPlace: {
    size: 1,
    pack: (_params, state, into, at) => {
      into[at] = levelCode(state.level);
    },
    unpack: (_params, from, at) => states[from[at]! < 0 ? 'none' : levels[from[at]!]!],
    step(params, cells, at, _t, v) {
      const code = cells[at]!;
      if (!Number.isFinite(v)) return code < 0 ? null : levels[code]!;
      const current = thresholdIndexOfCode(params.thresholds, code);
      const next = nextLevelIndex(params.thresholds, params.hysteresis, params.direction === 'above' ? 1 : -1, current, v);
      const level = next < 0 ? null : params.thresholds[next]!.level;
      cells[at] = levelCode(level);
      return level;
    },
    output: (_params, cells, at) => outputs[cells[at]! < 0 ? 'none' : levels[cells[at]!]!],
  },
};
