import { levelRank, type Level } from './levels.ts';

/**
 * The hold time (`for`) between a detector reaching a level and the rule firing, in the manner of
 * Prometheus alerting rules: trouble must last `for` before it becomes a signal, so a single
 * spike does not page anyone. Pure: time is the observation's own time.
 */
export interface HoldState {
  /** The level the rule fires at now, or null when it is not firing. */
  firing: Level | null;
  /** When the detector first went above the firing level in the current episode, or null. */
  pendingSince: number | null;
  /** The level waiting out the hold (an alert's `pending` state), while one is. */
  pendingLevel?: Level;
}

/** What a rule tells the world when its state changes. */
export type SignalKind = 'firing' | 'changed' | 'resolved';

/** A change of a rule's firing state. */
export interface HoldTransition {
  kind: SignalKind;
  level: Level | null;
  previous: Level | null;
}

/** A rule that has never fired. */
export const quietHold: HoldState = { firing: null, pendingSince: null };

/**
 * Advances the hold with the detector's level at time t. Rising to a higher level waits `forMs`
 * (counted from the first observation above the firing level); falling to a lower level or to
 * normal takes effect at once, because operators must see a de-escalation without delay.
 */
export function advanceHold(hold: HoldState, observed: Level | null, t: number, forMs: number): { hold: HoldState; transition?: HoldTransition } {
  const current = hold.firing;
  if (observed === null) {
    if (current === null) return hold.pendingSince === null ? { hold } : { hold: quietHold };
    return { hold: quietHold, transition: { kind: 'resolved', level: null, previous: current } };
  }
  if (current !== null && levelRank(observed) <= levelRank(current)) {
    const next = { firing: observed, pendingSince: null };
    if (observed === current) return { hold: hold.pendingSince === null ? hold : next };
    return { hold: next, transition: { kind: 'changed', level: observed, previous: current } };
  }
  // Above the firing level (or firing nothing): hold it for `forMs` before acting.
  const since = hold.pendingSince ?? t;
  if (t - since < forMs) {
    return { hold: since === hold.pendingSince && hold.pendingLevel === observed ? hold : { firing: current, pendingSince: since, pendingLevel: observed } };
  }
  return {
    hold: { firing: observed, pendingSince: null },
    transition: { kind: current === null ? 'firing' : 'changed', level: observed, previous: current },
  };
}
