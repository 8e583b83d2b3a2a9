import type { DetectorDefinition, DetectorOutput, ParamProblem } from './detector.ts';
import { isLevel, levelRank, levels, type Level } from './levels.ts';
import { readDuration } from './rate-of-change.ts';
import { compileGlob } from './rules/selector.ts';

/**
 * Composite: several signals in one area within a window — three river gauges of a district in
 * alarm within six hours, or a burst of residents' reports about the same smell. A composite rule
 * watches the signals of other rules (its `rules`, names or globs), not observations: each member
 * series that was in alarm (at `minLevel` or above) at any moment of the last `within` counts once,
 * and when `count` or more distinct series of one group (by default the same `area`) count, the
 * composite is in alarm for that group.
 *
 * Pure like every detector: time is the signals' own time (and the clock's ticks, which let a
 * quiet window run out), and the state is plain JSON. Members are rules over observations only; a
 * composite never counts another composite's signals, so rules cannot feed on each other in a loop.
 */

/** Composite parameters. */
export interface CompositeParams {
  /** Names or globs of the rules whose signals count. */
  rules: string[];
  /** Distinct series in alarm within the window that make the composite fire. */
  count: number;
  /** The window, ms. */
  within: number;
  /** Lowest member level that counts. */
  minLevel: Level;
  /** Labels whose values form a group (a member without them does not count). */
  by: string[];
  /** The composite's level; null = the highest level among the counted members. */
  level: Level | null;
}

/** A member series' alarm episode: since it fired, and when it resolved (null while firing). */
export interface MemberEpisode {
  level: Level;
  since: number;
  until: number | null;
}

/** One group's state: its members' episodes by series key, and the newest time seen (null before any). */
export interface CompositeState {
  members: Record<string, MemberEpisode>;
  now: number | null;
}

/** A member rule's signal as a composite sees it. */
export interface MemberSignal {
  seriesKey: string;
  t: number;
  kind: 'firing' | 'changed' | 'resolved';
  level: Level | null;
}

const compositeKeys = ['rules', 'count', 'within', 'minLevel', 'by', 'level'];

/** Reads composite parameters; every problem names its field. */
export function parseCompositeParams(raw: Record<string, unknown>): { params: CompositeParams } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!compositeKeys.includes(key)) problems.push({ field: key, message: `unknown parameter (known: ${compositeKeys.join(', ')})` });
  }
  const rules = readNames(raw['rules'], 'rules', problems, true);
  const by = raw['by'] === undefined ? ['area'] : readNames(raw['by'], 'by', problems, false);
  const count = raw['count'];
  if (count === undefined) problems.push({ field: 'count', message: 'required: how many distinct series in alarm make the composite fire (an integer ≥ 2)' });
  else if (!Number.isInteger(count) || (count as number) < 2 || (count as number) > 10_000) {
    problems.push({ field: 'count', message: `must be an integer from 2 to 10000, got ${JSON.stringify(count)}` });
  }
  const within = raw['within'] === undefined ? (problems.push({ field: 'within', message: 'required: a duration such as "6h"' }), null) : readDuration(raw['within'], 'within', problems);
  if (within !== null && within <= 0) problems.push({ field: 'within', message: 'must be longer than 0' });
  const minLevel = raw['minLevel'] ?? 'blue';
  if (!isLevel(minLevel)) problems.push({ field: 'minLevel', message: `must be one of ${levels.join(', ')}, got ${JSON.stringify(minLevel)}` });
  const level = raw['level'] ?? null;
  if (level !== null && !isLevel(level)) problems.push({ field: 'level', message: `must be one of ${levels.join(', ')}, got ${JSON.stringify(level)}` });
  if (problems.length > 0 || rules === null || by === null || within === null) return { problems };
  return { params: { rules, count: count as number, within, minLevel: minLevel as Level, by, level: level as Level | null } };
}

function readNames(value: unknown, field: string, problems: ParamProblem[], globs: boolean): string[] | null {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 100 || !list.every((n) => typeof n === 'string' && n !== '' && n.length <= 200)) {
    problems.push({ field, message: `expected ${globs ? 'a rule name or glob' : 'a label name'}, or a list of 1 to 100 of them, got ${JSON.stringify(value)}` });
    return null;
  }
  if (!globs) {
    const bad = list.find((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
    if (bad !== undefined) {
      problems.push({ field, message: `"${bad}" is not a label name (letters, digits and _, not starting with a digit)` });
      return null;
    }
  }
  return [...new Set(list as string[])];
}

/** Answers a test for the member rules' names (names and globs). */
export function memberRuleMatcher(params: CompositeParams): (ruleName: string) => boolean {
  const tests = params.rules.map(compileGlob);
  return (name) => tests.some((test) => test(name));
}

/** The group a member signal's labels put it in, e.g. `area=D01`; null when a `by` label is missing. */
export function groupOf(params: CompositeParams, labels: Readonly<Record<string, string>>): string | null {
  const parts: string[] = [];
  for (const name of params.by) {
    const value = Object.hasOwn(labels, name) ? labels[name] : undefined;
    if (value === undefined || value === '') return null;
    parts.push(`${name}=${value}`);
  }
  return parts.join(',');
}

/** A group no member has been seen in yet. */
export function initCompositeState(): CompositeState {
  return { members: {}, now: null };
}

/**
 * Takes one member signal: opens, changes or closes that series' episode, then evaluates the group
 * at the newest time seen. A signal below `minLevel` closes the episode (that series no longer counts
 * from then on, though it still counts for the window after).
 */
export function stepComposite(params: CompositeParams, state: CompositeState, signal: MemberSignal): { state: CompositeState; output: DetectorOutput } {
  const members = { ...state.members };
  const open = members[signal.seriesKey];
  const counts = signal.level !== null && signal.kind !== 'resolved' && levelRank(signal.level) >= levelRank(params.minLevel);
  if (counts) {
    members[signal.seriesKey] = open && open.until === null ? { ...open, level: signal.level! } : { level: signal.level!, since: signal.t, until: null };
  } else if (open && open.until === null) {
    members[signal.seriesKey] = { ...open, until: signal.t };
  }
  return evaluateComposite(params, { members, now: state.now === null ? signal.t : Math.max(state.now, signal.t) });
}

/**
 * Evaluates the group at `now` (the clock's tick, or the newest signal): forgets episodes that ended
 * before the window, and answers the level when enough series count. Null output level = normal.
 */
export function evaluateComposite(params: CompositeParams, state: CompositeState & { now: number }): { state: CompositeState; output: DetectorOutput } {
  const windowStart = state.now - params.within;
  const members: Record<string, MemberEpisode> = {};
  let counted = 0;
  let highest: Level | null = null;
  for (const [key, episode] of Object.entries(state.members)) {
    if (episode.until !== null && episode.until < windowStart) continue;
    members[key] = episode;
    counted++;
    if (highest === null || levelRank(episode.level) > levelRank(highest)) highest = episode.level;
  }
  const firing = counted >= params.count;
  return {
    state: { members, now: state.now },
    output: { level: firing ? (params.level ?? highest) : null, upperbound: params.count, extras: { count: counted, needed: params.count } },
  };
}

/** Lets time pass for a group: episodes that ended before the window stop counting. Null when there is nothing to judge. */
export function tickComposite(params: CompositeParams, state: CompositeState, now: number): { state: CompositeState; output: DetectorOutput } | null {
  if ((state.now !== null && !(now > state.now)) || Object.keys(state.members).length === 0) return null;
  return evaluateComposite(params, { members: state.members, now });
}

/**
 * The registry entry, so a rule can name `type: composite` and have its parameters checked like
 * any detector's. The engine feeds composites signals, not observations (`input: 'signals'`).
 */
export const compositeDetector: DetectorDefinition<CompositeParams, CompositeState> = {
  type: 'composite',
  summary: 'Composite: N distinct series in alarm under given rules in one area (or other label group) within a window.',
  input: 'signals',
  parseParams: parseCompositeParams,
  init: initCompositeState,
  step() {
    throw new Error('a composite rule runs over other rules\' signals, not over observations');
  },
};
