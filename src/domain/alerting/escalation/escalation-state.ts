import { TocsinError } from '../../kernel/errors.ts';
import type { EscalationPolicy, EscalationTarget } from './escalation-policy.ts';

/**
 * The escalation of one alert group, as plain JSON state: it is stored in PostgreSQL after every
 * change, so a restart resumes mid-escalation without losing a page or sending one twice. Pure:
 * every instant is an argument (epoch ms); nothing here reads the clock.
 *
 * The state holds a cursor — the next thing the policy will do: page step `step` of round `round`
 * at `at`, or run out at `at` — and the record of every page already sent. `dueActions(now)` moves
 * the cursor over everything due at or before `now`, so a page is emitted exactly once however
 * often, or however late, the scheduler asks.
 *
 * Rounds and steps count from 0: round 0 is the first pass down the list, and `repeat: n` adds
 * rounds 1 … n. After the last step of the last round has waited its `wait`, the escalation is
 * `exhausted`: everyone was paged and nobody answered.
 *
 * Boundary: a step is due at the instant its predecessor's wait ends, inclusive. With `wait: 5m`
 * after a page at t, asking at t + 5m pages the next step; an acknowledgement at t + 5m − 1 ms
 * stops it. An acknowledgement stops every page not yet sent — even one whose instant has passed
 * but which the scheduler had not emitted yet — because nobody should be paged about an alert
 * someone already owns. So the order the caller applies things in decides the instant itself:
 * the runtime calls `dueActions(now)` before it applies an acknowledgement received at `now`, and
 * then a page due at exactly the acknowledgement's instant has gone out.
 */

/** Where an escalation stands. Only `escalating` ever pages. */
export type EscalationStatus = 'escalating' | 'acknowledged' | 'resolved' | 'exhausted';

/**
 * What can happen to an escalation: `page` (a step is sent), `exhaust` (the last wait ran out),
 * `ack` (a responder acknowledged, not yet enough of them), `acknowledge` (the acknowledgement
 * that reaches `acknowledgements_required`), `withdraw` (a counted responder takes theirs back
 * while not acknowledged), `reopen` (a responder withdraws from an acknowledged escalation) and
 * `resolve` (the alert group resolved).
 */
export type EscalationEventKind = 'page' | 'exhaust' | 'ack' | 'acknowledge' | 'withdraw' | 'reopen' | 'resolve';

/** The transition table: the status each event leads to, by status; a missing entry is refused. */
export const escalationTransitions: Readonly<Record<EscalationStatus, Readonly<Partial<Record<EscalationEventKind, EscalationStatus>>>>> = {
  escalating: { page: 'escalating', exhaust: 'exhausted', ack: 'escalating', acknowledge: 'acknowledged', withdraw: 'escalating', resolve: 'resolved' },
  // Paging stops once acknowledged; only a withdrawal (reopen) or the resolution changes it.
  acknowledged: { reopen: 'escalating', resolve: 'resolved' },
  // Nobody answered, but someone may still take the alert: acknowledging records the owner.
  exhausted: { ack: 'exhausted', acknowledge: 'acknowledged', withdraw: 'exhausted', resolve: 'resolved' },
  // Terminal: the alert group is over.
  resolved: {},
};

/** The status `event` leads to from `from`, or why it is refused there. */
export function nextEscalationStatus(from: EscalationStatus, event: EscalationEventKind): { to: EscalationStatus } | { refused: string } {
  const to = escalationTransitions[from][event];
  return to === undefined ? { refused: `an escalation that is ${from} cannot take "${event}"` } : { to };
}

/** One page: send step `step` of round `round` to `targets`; `at` is when it fell due (not when it was asked for). */
export interface EscalationAction {
  step: number;
  round: number;
  targets: EscalationTarget[];
  at: number;
}

/** The next thing the policy does: a page, or running out once the last wait has passed. */
export type EscalationCursor = { kind: 'page'; round: number; step: number; at: number } | { kind: 'exhaust'; at: number };

/** A responder's acknowledgement (same shape as an alert's). */
export interface EscalationAck {
  by: string;
  at: number;
  comment: string;
}

/** The whole escalation of one alert group: plain JSON, persisted as is. */
export interface EscalationState {
  /** Shape version of this JSON, so a stored escalation can be migrated when the shape changes. */
  v: 1;
  /** The policy's name: the state is only ever advanced with that policy. */
  policy: string;
  groupKey: string;
  status: EscalationStatus;
  startedAt: number;
  /** When `status` last changed. */
  statusSince: number;
  /** The next page (or the exhaustion); acted on only while `escalating`, kept otherwise so a reopen resumes it. */
  cursor: EscalationCursor;
  /** Every page emitted, in order: what makes a page once-only, and who has been paged so far. */
  paged: EscalationAction[];
  /** Standing acknowledgements, one per distinct responder, in the order they came. */
  acks: EscalationAck[];
}

/** The result of an acknowledgement: the state, and whether it counted (`already-…` and `duplicate` change nothing). */
export interface AckResult {
  state: EscalationState;
  outcome: 'counted' | 'acknowledged' | 'duplicate' | 'already-acknowledged' | 'already-resolved';
}

/** The result of withdrawing an acknowledgement (`not-acknowledged` and `already-resolved` change nothing). */
export interface UnackResult {
  state: EscalationState;
  outcome: 'withdrawn' | 'reopened' | 'not-acknowledged' | 'already-resolved';
}

/** A new escalation of `groupKey` under `policy`: step 0 of round 0 is due at `now`. */
export function startEscalation(policy: EscalationPolicy, groupKey: string, now: number): EscalationState {
  instant('now', now);
  if (groupKey === '') throw new TocsinError('TOCSIN_VALIDATION', 'groupKey: must name the alert group being escalated', { field: 'groupKey' });
  return {
    v: 1,
    policy: policy.name,
    groupKey,
    status: 'escalating',
    startedAt: now,
    statusSince: now,
    cursor: { kind: 'page', round: 0, step: 0, at: now },
    paged: [],
    acks: [],
  };
}

/**
 * Every page due at or before `now`, in order and each with the instant it fell due (several when
 * the scheduler woke late), and the state that records them; asking again with the same or a later
 * `now` never repeats one. Runs out (status `exhausted`) when the last wait of the last round ends.
 */
export function dueActions(policy: EscalationPolicy, state: EscalationState, now: number): { actions: EscalationAction[]; state: EscalationState } {
  instant('now', now);
  samePolicy(policy, state);
  const actions: EscalationAction[] = [];
  let s = state;
  while (s.status === 'escalating' && s.cursor.at <= now) {
    const cursor = settle(policy, s.cursor);
    if (cursor.kind === 'exhaust') {
      s = apply(s, { kind: 'exhaust', at: cursor.at });
      break;
    }
    const step = policy.steps[cursor.step]!;
    const action: EscalationAction = { step: cursor.step, round: cursor.round, targets: [...step.notify], at: cursor.at };
    actions.push(action);
    s = apply(s, { kind: 'page', action, next: settle(policy, { kind: 'page', round: cursor.round, step: cursor.step + 1, at: cursor.at + step.waitMs }) });
  }
  return { actions, state: s };
}

/** When the scheduler must next call `dueActions` for this escalation, or null when nothing will ever be due. */
export function nextDueAt(policy: EscalationPolicy, state: EscalationState): number | null {
  samePolicy(policy, state);
  return state.status === 'escalating' ? state.cursor.at : null;
}

/**
 * Records `ack.by`'s acknowledgement. Responders are counted once each; when the count reaches the
 * policy's `acknowledgementsRequired` the escalation is acknowledged and never pages again (unless
 * someone withdraws). On a resolved or already acknowledged escalation it changes nothing and says so.
 */
export function acknowledge(policy: EscalationPolicy, state: EscalationState, ack: { by: string; at: number; comment?: string }): AckResult {
  responder(ack.by);
  instant('at', ack.at);
  if (ack.comment !== undefined && typeof ack.comment !== 'string') {
    throw new TocsinError('TOCSIN_VALIDATION', 'comment: must be text', { field: 'comment' });
  }
  samePolicy(policy, state);
  const reaches = state.acks.length + 1 >= policy.acknowledgementsRequired;
  const kind = reaches ? 'acknowledge' : 'ack';
  if ('refused' in nextEscalationStatus(state.status, kind)) {
    return { state, outcome: state.status === 'resolved' ? 'already-resolved' : 'already-acknowledged' };
  }
  if (state.acks.some((a) => a.by === ack.by)) return { state, outcome: 'duplicate' };
  const next = apply(state, { kind, ack: { by: ack.by, at: ack.at, comment: ack.comment ?? '' } });
  return { state: next, outcome: reaches ? 'acknowledged' : 'counted' };
}

/**
 * Withdraws `by`'s acknowledgement. From an acknowledged escalation it reopens: paging resumes at
 * the step that was next, at its own instant or at `at` if that has passed (one page, not every
 * missed one: the waits restart from the reopening); if the policy had already run out, it is
 * exhausted again at once.
 */
export function unacknowledge(state: EscalationState, by: string, at: number): UnackResult {
  responder(by);
  instant('at', at);
  if (state.status === 'resolved') return { state, outcome: 'already-resolved' };
  if (!state.acks.some((a) => a.by === by)) return { state, outcome: 'not-acknowledged' };
  if (state.status !== 'acknowledged') return { state: apply(state, { kind: 'withdraw', by }), outcome: 'withdrawn' };
  const reopened = apply(state, { kind: 'reopen', by, at });
  // The exhaustion is the only step that needs no policy: take it now so the state never claims to be escalating with nobody left to page.
  const settled = reopened.cursor.kind === 'exhaust' && reopened.cursor.at <= at ? apply(reopened, { kind: 'exhaust', at }) : reopened;
  return { state: settled, outcome: 'reopened' };
}

/** Ends the escalation because its alert group resolved; resolving twice keeps the first instant. */
export function resolve(state: EscalationState, at: number): EscalationState {
  instant('at', at);
  if ('refused' in nextEscalationStatus(state.status, 'resolve')) return state;
  return apply(state, { kind: 'resolve', at });
}

/** An event with what it needs to change the state. */
type EscalationEvent =
  | { kind: 'page'; action: EscalationAction; next: EscalationCursor }
  | { kind: 'exhaust'; at: number }
  | { kind: 'ack'; ack: EscalationAck }
  | { kind: 'acknowledge'; ack: EscalationAck }
  | { kind: 'withdraw'; by: string }
  | { kind: 'reopen'; by: string; at: number }
  | { kind: 'resolve'; at: number };

/** Applies one event; callers have checked it is allowed (a refusal here is a bug, not bad input). */
function apply(state: EscalationState, event: EscalationEvent): EscalationState {
  const next = nextEscalationStatus(state.status, event.kind);
  if ('refused' in next) throw new Error(`escalation of ${state.groupKey}: ${next.refused}`);
  const status = next.to;
  switch (event.kind) {
    case 'page':
      return { ...state, status, cursor: event.next, paged: [...state.paged, event.action] };
    case 'exhaust':
      return { ...state, status, statusSince: event.at, cursor: { kind: 'exhaust', at: event.at } };
    case 'ack':
      return { ...state, status, acks: [...state.acks, event.ack] };
    case 'acknowledge':
      return { ...state, status, statusSince: event.ack.at, acks: [...state.acks, event.ack] };
    case 'withdraw':
      return { ...state, status, acks: state.acks.filter((a) => a.by !== event.by) };
    case 'reopen':
      return {
        ...state,
        status,
        statusSince: event.at,
        acks: state.acks.filter((a) => a.by !== event.by),
        cursor: { ...state.cursor, at: Math.max(state.cursor.at, event.at) },
      };
    case 'resolve':
      return { ...state, status, statusSince: event.at };
    default: {
      const unknown: never = event;
      throw new Error(`unknown escalation event ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The cursor as the policy stands now: a step past the end of the list starts the next round (or
 * runs out after the last), which is also how an escalation survives its policy being shortened
 * by a config reload while it runs.
 */
function settle(policy: EscalationPolicy, cursor: EscalationCursor): EscalationCursor {
  if (cursor.kind === 'exhaust') return cursor;
  if (cursor.round > policy.repeat) return { kind: 'exhaust', at: cursor.at };
  if (cursor.step < policy.steps.length) return cursor;
  return cursor.round < policy.repeat ? { kind: 'page', round: cursor.round + 1, step: 0, at: cursor.at } : { kind: 'exhaust', at: cursor.at };
}

function samePolicy(policy: EscalationPolicy, state: EscalationState): void {
  if (policy.name !== state.policy) {
    throw new TocsinError('TOCSIN_VALIDATION', `policy: the escalation of ${state.groupKey} follows policy "${state.policy}", not "${policy.name}"`, { field: 'policy' });
  }
}

function instant(field: string, at: number): void {
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    throw new TocsinError('TOCSIN_VALIDATION', `${field}: must be an instant in epoch milliseconds, got ${String(at)}`, { field });
  }
}

function responder(by: string): void {
  if (typeof by !== 'string' || by.trim() === '') {
    throw new TocsinError('TOCSIN_VALIDATION', `by: must name the responder, got ${typeof by === 'string' ? `"${by}"` : String(by)}`, { field: 'by' });
  }
}
