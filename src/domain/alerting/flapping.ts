/**
 * Flapping alerts are held. The documented rule: an alert that has fired or resolved at least
 * `changes` times within the last `windowMs` flaps, and stays held until it has kept its state
 * for `stableMs`. A held alert is left out of notifications as a suppressed one is (a page that
 * already went out still gets its resolution): a gauge hovering on a threshold should page once
 * when it settles, not every few minutes. Detection's hysteresis and `for` hold prevent most
 * flapping at the source; this catches what gets through (e.g. a rule without them).
 */
export interface FlapRule {
  changes: number;
  windowMs: number;
  stableMs: number;
}

/** The rule in force: 4 changes within 30 minutes; held until 10 minutes without a change. */
export const defaultFlapRule: Readonly<FlapRule> = Object.freeze({ changes: 4, windowMs: 30 * 60_000, stableMs: 10 * 60_000 });

/** Whether an alert whose state changed at `changes` (epoch ms, ascending) is held as flapping at `now`. */
export function isFlapping(changes: readonly number[], now: number, rule: FlapRule = defaultFlapRule): boolean {
  const last = changes[changes.length - 1];
  if (last === undefined || now - last >= rule.stableMs) return false;
  let recent = 0;
  for (let i = changes.length - 1; i >= 0 && changes[i]! > now - rule.windowMs; i--) recent++;
  return recent >= rule.changes;
}

/** The change times worth keeping: those that can still count (within the window), at most `changes + 1`. */
export function keepRecentChanges(changes: readonly number[], at: number, rule: FlapRule = defaultFlapRule): number[] {
  const kept = changes.filter((t) => t > at - rule.windowMs);
  kept.push(at);
  return kept.slice(-(rule.changes + 1));
}
