import type { Alert } from './alert.ts';

/**
 * An aggregation group's timing and the decision, at each flush, whether to notify its receiver —
 * Alertmanager's dispatcher (dispatch/dispatch.go aggrGroup) and dedup stage (notify/notify.go
 * DedupStage.needsUpdate), as pure functions of the group, the notification log and an instant:
 * - the first flush comes `group_wait` after the group's first alert (so alerts that arrive
 *   together go out together), then one every `group_interval`;
 * - a flush notifies when an alert fires that the last notification did not list as firing; when
 *   every alert has resolved since some were notified; with `send_resolved`, when an alert
 *   resolved that was not yet sent as resolved; and otherwise once `repeat_interval` has passed
 *   since the last notification (checked at flushes, so it rounds up to a multiple of the
 *   group interval, as Alertmanager's docs say);
 * - a group whose route is muted by a time interval at the flush sends nothing then.
 * Beyond Alertmanager: an alert suppressed (silenced, inhibited, or under a firing parent) is left
 * out of the firing set as in Alertmanager, but when it resolves after being notified as firing,
 * its resolution still goes to the receiver that was paged about it (Alertmanager drops it, and
 * its users have asked since 2016 why the page never cleared).
 */

export interface GroupTiming {
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/** What the notification log holds for one group and receiver: the last notification sent. */
export interface NotificationLogEntry {
  at: number;
  /** Fingerprints notified as firing / as resolved. */
  firing: readonly string[];
  resolved: readonly string[];
}

/** An alert as the group sees it at a flush: the alert, and whether anything suppresses it now. */
export interface GroupMember {
  alert: Alert;
  suppressed: boolean;
}

export type NotificationReason = 'first notification' | 'new alerts firing' | 'alerts resolved' | 'all alerts resolved' | 'repeat interval elapsed';

export interface FlushDecision {
  /**
   * Null: nothing to send at this flush. `logOnly`: record it in the notification log but send
   * nothing — every alert resolved and the receiver does not want resolved notices
   * (Alertmanager's RetryStage does the same, so the next dedup starts from a clean entry).
   */
  notify: { firing: Alert[]; resolved: Alert[]; reason: NotificationReason; logOnly: boolean } | null;
  /** The next flush, one group interval on. */
  nextFlushAt: number;
  /**
   * Resolved alerts to drop from the group once this flush is done (sent, or not worth sending):
   * Alertmanager deletes resolved alerts after the flush that covered them. When it drops them
   * all, the group ends.
   */
  drop: string[];
}

/** When a new group's first flush is due. */
export function firstFlushAt(createdAt: number, timing: GroupTiming): number {
  return createdAt + timing.groupWaitMs;
}

/** Decides a flush at `now` (see the module comment). `muted`: a time interval mutes the route now. */
export function decideFlush(input: {
  members: readonly GroupMember[];
  last: NotificationLogEntry | null;
  timing: GroupTiming;
  sendResolved: boolean;
  muted: boolean;
  now: number;
}): FlushDecision {
  const { members, last, timing, sendResolved, now } = input;
  const nextFlushAt = now + timing.groupIntervalMs;
  const notifiedFiring = new Set(last?.firing ?? []);
  const firing = members.filter((m) => m.alert.endsAt === null && !m.suppressed).map((m) => m.alert);
  // A resolved alert counts if it is not suppressed, or if its page went out (see above).
  const resolved = members.filter((m) => m.alert.endsAt !== null && (!m.suppressed || notifiedFiring.has(m.alert.fingerprint))).map((m) => m.alert);
  const drop = members.filter((m) => m.alert.endsAt !== null).map((m) => m.alert.fingerprint);
  if (input.muted) return { notify: null, nextFlushAt, drop: [] };
  const reason = needsUpdate(last, firing, resolved, sendResolved, timing.repeatIntervalMs, now);
  if (reason === null) return { notify: null, nextFlushAt, drop };
  return { notify: { firing, resolved: sendResolved ? resolved : [], reason, logOnly: firing.length === 0 && !sendResolved }, nextFlushAt, drop };
}

/** Alertmanager's DedupStage.needsUpdate, with the reason it notifies for. */
function needsUpdate(last: NotificationLogEntry | null, firing: readonly Alert[], resolved: readonly Alert[], sendResolved: boolean, repeatMs: number, now: number): NotificationReason | null {
  if (last === null) return firing.length > 0 ? 'first notification' : null;
  const wasFiring = new Set(last.firing);
  if (!firing.every((a) => wasFiring.has(a.fingerprint))) return 'new alerts firing';
  if (firing.length === 0) {
    // Every alert resolved: tell the receiver, whatever send_resolved says, if it was told of any
    // firing (otherwise they fired and resolved between two flushes, unseen).
    return last.firing.length > 0 ? 'all alerts resolved' : null;
  }
  const wasResolved = new Set(last.resolved);
  if (sendResolved && !resolved.every((a) => wasResolved.has(a.fingerprint))) return 'alerts resolved';
  return last.at <= now - repeatMs ? 'repeat interval elapsed' : null;
}
