import { describe, expect, it } from 'vitest';
import { isTocsinError } from '../../kernel/errors.ts';
import type { EscalationPolicy } from './escalation-policy.ts';
import {
  acknowledge,
  dueActions,
  nextDueAt,
  nextEscalationStatus,
  resolve,
  startEscalation,
  unacknowledge,
  type EscalationAction,
  type EscalationEventKind,
  type EscalationState,
  type EscalationStatus,
} from './escalation-state.ts';

const min = 60_000;
const t0 = Date.UTC(2025, 2, 14, 3, 0);
/** An instant `m` minutes (plus `ms`) after the start. */
const at = (m: number, ms = 0): number => t0 + m * min + ms;

const alice = { user: 'alice' };
const civil = { team: 'civil-protection' };
const hydro = { schedule: 'hydro-primary' };

/** Two steps: alice, then after 5 minutes the civil-protection team, which waits 10 minutes. */
function policy(over: Partial<EscalationPolicy> = {}): EscalationPolicy {
  return {
    name: 'flood-duty',
    steps: [
      { notify: [alice], waitMs: 5 * min },
      { notify: [civil, hydro], waitMs: 10 * min },
    ],
    repeat: 0,
    acknowledgementsRequired: 1,
    ...over,
  };
}

/** Three steps of 1, 2 and 3 minutes: easy instants to read in time-jump tables. */
const ladder = (repeat: number): EscalationPolicy =>
  policy({
    repeat,
    steps: [
      { notify: [alice], waitMs: 1 * min },
      { notify: [civil], waitMs: 2 * min },
      { notify: [hydro], waitMs: 3 * min },
    ],
  });

/** An instant relative to the start, as tables write it: `5m`, or `299999ms` when not whole minutes. */
function rel(instant: number): string {
  const d = instant - t0;
  return d % min === 0 ? `${d / min}m` : `${d}ms`;
}

/** Pages as `r<round>s<step>@<instant>`: a timeline that reads at a glance. */
function pages(actions: readonly EscalationAction[]): string[] {
  return actions.map((a) => `r${a.round}s${a.step}@${rel(a.at)}`);
}

/** What the runtime does to an escalation: ask what is due, or apply a responder's or the group's event. */
type Op = { due: number } | { ack: string; at: number } | { unack: string; at: number } | { resolve: number };

/** Applies `ops` in order and logs each result, so a scenario and its expectation are both plain rows. */
function run(p: EscalationPolicy, start: EscalationState, ops: readonly Op[]): { log: string[]; state: EscalationState } {
  let state = start;
  const log: string[] = [];
  for (const op of ops) {
    if ('due' in op) {
      const r = dueActions(p, state, op.due);
      state = r.state;
      log.push(`due ${rel(op.due)}: ${pages(r.actions).join(' ') || '-'} → ${state.status}`);
    } else if ('ack' in op) {
      const r = acknowledge(p, state, { by: op.ack, at: op.at, comment: `on it (${op.ack})` });
      state = r.state;
      log.push(`ack ${op.ack} ${rel(op.at)}: ${r.outcome} → ${state.status}`);
    } else if ('unack' in op) {
      const r = unacknowledge(state, op.unack, op.at);
      state = r.state;
      log.push(`unack ${op.unack} ${rel(op.at)}: ${r.outcome} → ${state.status}`);
    } else {
      state = resolve(state, op.resolve);
      log.push(`resolve ${rel(op.resolve)} → ${state.status}`);
    }
  }
  return { log, state };
}

const fresh = (p: EscalationPolicy = policy()): EscalationState => startEscalation(p, '{}/{}:{alertname="flood"}', t0);

describe('startEscalation', () => {
  it('makes step 0 of round 0 due at once, and nothing before', () => {
    const s = fresh();
    expect(s.status).toBe('escalating');
    expect(nextDueAt(policy(), s)).toBe(t0);
    expect(dueActions(policy(), s, t0 - 1).actions).toEqual([]);
    expect(dueActions(policy(), s, t0).actions).toEqual([{ step: 0, round: 0, targets: [alice], at: t0 }]);
  });
});

describe('escalating to step 2 after step 1 has waited its wait (5m)', () => {
  it.each<[string, Op[], string[]]>([
    [
      'without an acknowledgement step 2 is due at exactly the end of the wait, not 1 ms earlier',
      [{ due: at(0) }, { due: at(5, -1) }, { due: at(5) }],
      ['due 0m: r0s0@0m → escalating', 'due 299999ms: - → escalating', 'due 5m: r0s1@5m → escalating'],
    ],
    [
      'an acknowledgement 1 ms before the end stops it, for good',
      [{ due: at(0) }, { ack: 'alice', at: at(5, -1) }, { due: at(5) }, { due: at(1000) }],
      ['due 0m: r0s0@0m → escalating', 'ack alice 299999ms: acknowledged → acknowledged', 'due 5m: - → acknowledged', 'due 1000m: - → acknowledged'],
    ],
    [
      'an acknowledgement at exactly the end, applied after the scheduler caught up, comes after the page',
      [{ due: at(0) }, { due: at(5) }, { ack: 'alice', at: at(5) }, { due: at(15) }],
      ['due 0m: r0s0@0m → escalating', 'due 5m: r0s1@5m → escalating', 'ack alice 5m: acknowledged → acknowledged', 'due 15m: - → acknowledged'],
    ],
    [
      'an acknowledgement applied before a due page was sent stops it (nobody is paged about an owned alert)',
      [{ due: at(0) }, { ack: 'alice', at: at(5) }, { due: at(5) }],
      ['due 0m: r0s0@0m → escalating', 'ack alice 5m: acknowledged → acknowledged', 'due 5m: - → acknowledged'],
    ],
  ])('%s', (_title, ops, expected) => {
    expect(run(policy(), fresh(), ops).log).toEqual(expected);
  });

  it('has the scheduler wake at the end of the wait, and never once acknowledged', () => {
    const paged = dueActions(policy(), fresh(), at(0)).state;
    expect(nextDueAt(policy(), paged)).toBe(at(5));
    expect(nextDueAt(policy(), acknowledge(policy(), paged, { by: 'alice', at: at(1) }).state)).toBeNull();
  });
});

describe('repeat', () => {
  it.each<[number, string[], string]>([
    [0, ['r0s0@0m', 'r0s1@1m', 'r0s2@3m'], '6m'],
    [1, ['r0s0@0m', 'r0s1@1m', 'r0s2@3m', 'r1s0@6m', 'r1s1@7m', 'r1s2@9m'], '12m'],
    [2, ['r0s0@0m', 'r0s1@1m', 'r0s2@3m', 'r1s0@6m', 'r1s1@7m', 'r1s2@9m', 'r2s0@12m', 'r2s1@13m', 'r2s2@15m'], '18m'],
  ])('repeat %i runs the list again that many times, then is exhausted when the last wait ends', (repeat, expected, exhaustedAt) => {
    const p = ladder(repeat);
    const exhausted = at(Number(exhaustedAt.slice(0, -1)));
    const before = dueActions(p, fresh(p), exhausted - 1);
    expect(pages(before.actions)).toEqual(expected);
    expect(before.state.status).toBe('escalating');
    expect(nextDueAt(p, before.state)).toBe(exhausted);

    const after = dueActions(p, before.state, exhausted);
    expect(after.actions).toEqual([]);
    expect(after.state.status).toBe('exhausted');
    expect(rel(after.state.statusSince)).toBe(exhaustedAt);
    expect(nextDueAt(p, after.state)).toBeNull();
    expect(dueActions(p, after.state, at(10_000)).actions).toEqual([]);
  });
});

describe('acknowledgements_required: 2', () => {
  it.each<[string, Op[], string[]]>([
    [
      'the same responder twice is not enough: paging goes on until a second person answers',
      [{ due: at(0) }, { ack: 'alice', at: at(1) }, { ack: 'alice', at: at(2) }, { due: at(5) }, { ack: 'bob', at: at(6) }, { due: at(1000) }],
      [
        'due 0m: r0s0@0m → escalating',
        'ack alice 1m: counted → escalating',
        'ack alice 2m: duplicate → escalating',
        'due 5m: r0s1@5m → escalating',
        'ack bob 6m: acknowledged → acknowledged',
        'due 1000m: - → acknowledged',
      ],
    ],
    [
      'two distinct responders before the wait ends stop step 2',
      [{ due: at(0) }, { ack: 'alice', at: at(1) }, { ack: 'bob', at: at(2) }, { due: at(5) }],
      ['due 0m: r0s0@0m → escalating', 'ack alice 1m: counted → escalating', 'ack bob 2m: acknowledged → acknowledged', 'due 5m: - → acknowledged'],
    ],
  ])('%s', (_title, ops, expected) => {
    expect(run(policy({ acknowledgementsRequired: 2 }), fresh(), ops).log).toEqual(expected);
  });

  it('keeps who acknowledged, when, and what they said', () => {
    const p = policy({ acknowledgementsRequired: 2 });
    const one = acknowledge(p, fresh(p), { by: 'alice', at: at(1), comment: 'checking the gauge' }).state;
    const two = acknowledge(p, one, { by: 'bob', at: at(2) }).state;
    expect(two.acks).toEqual([
      { by: 'alice', at: at(1), comment: 'checking the gauge' },
      { by: 'bob', at: at(2), comment: '' },
    ]);
    expect(two.statusSince).toBe(at(2));
  });
});

describe('a large time jump', () => {
  it('emits each missed page once, in order, with the instant it fell due, then runs out', () => {
    const p = ladder(1);
    const r = dueActions(p, fresh(p), at(24 * 60));
    expect(r.actions).toEqual([
      { round: 0, step: 0, targets: [alice], at: at(0) },
      { round: 0, step: 1, targets: [civil], at: at(1) },
      { round: 0, step: 2, targets: [hydro], at: at(3) },
      { round: 1, step: 0, targets: [alice], at: at(6) },
      { round: 1, step: 1, targets: [civil], at: at(7) },
      { round: 1, step: 2, targets: [hydro], at: at(9) },
    ]);
    expect(r.state.paged).toEqual(r.actions);
    expect(r.state.status).toBe('exhausted');
    expect(r.state.statusSince).toBe(at(12));
  });

  it.each([
    ['every minute', Array.from({ length: 20 }, (_, i) => at(i))],
    ['at odd instants', [at(0, 7), at(2, 500), at(8), at(11, 59_999), at(20)]],
    ['once', [at(20)]],
  ])('gives the same pages and state whether the scheduler asks %s', (_title, nows) => {
    const p = ladder(1);
    const jump = dueActions(p, fresh(p), at(20));
    let state = fresh(p);
    const all: EscalationAction[] = [];
    for (const now of nows) {
      const r = dueActions(p, state, now);
      all.push(...r.actions);
      state = r.state;
    }
    expect(all).toEqual(jump.actions);
    expect(state).toEqual(jump.state);
  });
});

describe('idempotence', () => {
  it.each([at(0), at(3), at(5), at(5, 1), at(15), at(24 * 60)])('asking twice at %i pages nothing the second time, and changes nothing', (now) => {
    const p = policy({ repeat: 1 });
    const once = dueActions(p, fresh(p), now);
    const twice = dueActions(p, once.state, now);
    expect(twice.actions).toEqual([]);
    expect(twice.state).toEqual(once.state);
    expect(dueActions(p, once.state, now - 1).actions).toEqual([]);
  });
});

describe('JSON round-trip', () => {
  const scripts: [string, EscalationPolicy, Op[]][] = [
    ['paging through rounds to exhaustion', ladder(2), [{ due: at(0) }, { due: at(2) }, { due: at(7) }, { due: at(13) }, { due: at(100) }]],
    [
      'acknowledgements, a withdrawal and resolution',
      policy({ acknowledgementsRequired: 2, repeat: 1 }),
      [{ due: at(0) }, { ack: 'alice', at: at(1) }, { due: at(5) }, { ack: 'bob', at: at(6) }, { unack: 'bob', at: at(40) }, { due: at(40) }, { due: at(60) }, { resolve: at(61) }, { due: at(100) }],
    ],
    ['acknowledged after exhaustion, then reopened', policy(), [{ due: at(100) }, { ack: 'alice', at: at(101) }, { unack: 'alice', at: at(102) }, { ack: 'bob', at: at(103) }]],
  ];

  it.each(scripts)('%s: stopping and reloading the state at any point gives the same future', (_title, p, ops) => {
    const whole = run(p, fresh(p), ops);
    for (let cut = 0; cut <= ops.length; cut++) {
      const before = run(p, fresh(p), ops.slice(0, cut));
      const stored: unknown = JSON.parse(JSON.stringify(before.state));
      expect(stored).toStrictEqual(before.state);
      const after = run(p, stored as EscalationState, ops.slice(cut));
      expect([...before.log, ...after.log]).toEqual(whole.log);
      expect(after.state).toStrictEqual(whole.state);
    }
  });
});

describe('acknowledge', () => {
  const twoNeeded = policy({ acknowledgementsRequired: 2 });
  it.each<[string, EscalationPolicy, Op[], string]>([
    ['on a resolved escalation is a no-op that says so', policy(), [{ resolve: at(1) }], 'already-resolved'],
    ['on an acknowledged escalation is a no-op that says so', policy(), [{ ack: 'alice', at: at(1) }], 'already-acknowledged'],
    ['by someone already counted is a no-op that says so', twoNeeded, [{ ack: 'bob', at: at(1) }], 'duplicate'],
  ])('%s', (_title, p, ops, outcome) => {
    const start = run(p, fresh(p), ops).state;
    const r = acknowledge(p, start, { by: 'bob', at: at(2) });
    expect(r.outcome).toBe(outcome);
    expect(r.state).toBe(start);
  });

  it('on an exhausted escalation records who took it', () => {
    const exhausted = dueActions(policy(), fresh(), at(100)).state;
    const r = acknowledge(policy(), exhausted, { by: 'alice', at: at(101) });
    expect([exhausted.status, r.outcome, r.state.status]).toEqual(['exhausted', 'acknowledged', 'acknowledged']);
  });
});

describe('unacknowledge', () => {
  it.each<[string, EscalationPolicy, Op[], string[]]>([
    [
      'before the wait ended: paging resumes at the instant it was due',
      policy(),
      [{ due: at(0) }, { ack: 'alice', at: at(1) }, { unack: 'alice', at: at(2) }, { due: at(5, -1) }, { due: at(5) }],
      ['due 0m: r0s0@0m → escalating', 'ack alice 1m: acknowledged → acknowledged', 'unack alice 2m: reopened → escalating', 'due 299999ms: - → escalating', 'due 5m: r0s1@5m → escalating'],
    ],
    [
      'after the wait ended: the next step pages once, at the reopening, and its wait counts from there',
      policy(),
      [{ due: at(0) }, { ack: 'alice', at: at(1) }, { unack: 'alice', at: at(30) }, { due: at(30) }, { due: at(40, -1) }, { due: at(40) }],
      ['due 0m: r0s0@0m → escalating', 'ack alice 1m: acknowledged → acknowledged', 'unack alice 30m: reopened → escalating', 'due 30m: r0s1@30m → escalating', 'due 2399999ms: - → escalating', 'due 40m: - → exhausted'],
    ],
    [
      'of a counted but insufficient acknowledgement: withdrawn, so two others are needed again',
      policy({ acknowledgementsRequired: 2 }),
      [{ ack: 'alice', at: at(1) }, { unack: 'alice', at: at(2) }, { ack: 'bob', at: at(3) }, { ack: 'alice', at: at(4) }],
      ['ack alice 1m: counted → escalating', 'unack alice 2m: withdrawn → escalating', 'ack bob 3m: counted → escalating', 'ack alice 4m: acknowledged → acknowledged'],
    ],
    [
      'by someone who has not acknowledged: a no-op that says so',
      policy(),
      [{ ack: 'alice', at: at(1) }, { unack: 'carol', at: at(2) }],
      ['ack alice 1m: acknowledged → acknowledged', 'unack carol 2m: not-acknowledged → acknowledged'],
    ],
    [
      'after the policy ran out: exhausted again at once, nobody paged',
      policy(),
      [{ due: at(100) }, { ack: 'alice', at: at(101) }, { unack: 'alice', at: at(102) }, { due: at(1000) }],
      ['due 100m: r0s0@0m r0s1@5m → exhausted', 'ack alice 101m: acknowledged → acknowledged', 'unack alice 102m: reopened → exhausted', 'due 1000m: - → exhausted'],
    ],
    [
      'after resolution: a no-op that says so',
      policy(),
      [{ ack: 'alice', at: at(1) }, { resolve: at(2) }, { unack: 'alice', at: at(3) }],
      ['ack alice 1m: acknowledged → acknowledged', 'resolve 2m → resolved', 'unack alice 3m: already-resolved → resolved'],
    ],
  ])('%s', (_title, p, ops, expected) => {
    expect(run(p, fresh(p), ops).log).toEqual(expected);
  });
});

describe('resolve', () => {
  it.each<[string, Op[]]>([
    ['while escalating', [{ due: at(0) }]],
    ['once acknowledged', [{ ack: 'alice', at: at(1) }]],
    ['once exhausted', [{ due: at(100) }]],
  ])('ends the escalation %s: nothing is ever due again', (_title, ops) => {
    const before = run(policy({ repeat: 3 }), fresh(), ops).state;
    const resolved = resolve(before, at(200));
    expect(resolved.status).toBe('resolved');
    expect(resolved.statusSince).toBe(at(200));
    expect(nextDueAt(policy({ repeat: 3 }), resolved)).toBeNull();
    expect(dueActions(policy({ repeat: 3 }), resolved, at(10_000)).actions).toEqual([]);
  });

  it('twice keeps the first instant', () => {
    const once = resolve(fresh(), at(1));
    expect(resolve(once, at(2))).toBe(once);
  });
});

describe('the transition table', () => {
  const rows: [EscalationStatus, EscalationEventKind, EscalationStatus | null][] = [
    ['escalating', 'page', 'escalating'],
    ['escalating', 'exhaust', 'exhausted'],
    ['escalating', 'ack', 'escalating'],
    ['escalating', 'acknowledge', 'acknowledged'],
    ['escalating', 'withdraw', 'escalating'],
    ['escalating', 'reopen', null],
    ['escalating', 'resolve', 'resolved'],
    ['acknowledged', 'page', null],
    ['acknowledged', 'exhaust', null],
    ['acknowledged', 'ack', null],
    ['acknowledged', 'acknowledge', null],
    ['acknowledged', 'withdraw', null],
    ['acknowledged', 'reopen', 'escalating'],
    ['acknowledged', 'resolve', 'resolved'],
    ['exhausted', 'page', null],
    ['exhausted', 'exhaust', null],
    ['exhausted', 'ack', 'exhausted'],
    ['exhausted', 'acknowledge', 'acknowledged'],
    ['exhausted', 'withdraw', 'exhausted'],
    ['exhausted', 'reopen', null],
    ['exhausted', 'resolve', 'resolved'],
    ['resolved', 'page', null],
    ['resolved', 'exhaust', null],
    ['resolved', 'ack', null],
    ['resolved', 'acknowledge', null],
    ['resolved', 'withdraw', null],
    ['resolved', 'reopen', null],
    ['resolved', 'resolve', null],
  ];

  it.each(rows)('%s + %s → %s', (from, event, to) => {
    expect(nextEscalationStatus(from, event)).toEqual(to === null ? { refused: `an escalation that is ${from} cannot take "${event}"` } : { to });
  });
});

describe('a policy changed by a config reload mid-escalation', () => {
  const oneStep = [{ notify: [alice], waitMs: 5 * min }];
  it.each<[string, EscalationPolicy, number, EscalationPolicy, number, string[], EscalationStatus]>([
    ['shortened to one step: the round ends where the list now ends', policy(), at(0), policy({ steps: oneStep }), at(5), [], 'exhausted'],
    ['shortened, with a repeat: the next round starts at the instant step 2 was due', policy(), at(0), policy({ repeat: 1, steps: oneStep }), at(5), ['r1s0@5m'], 'escalating'],
    ['repeat lowered: a round beyond it is never started', policy({ repeat: 1 }), at(5), policy(), at(15), [], 'exhausted'],
  ])('%s', (_title, original, until, changed, now, expected, status) => {
    const running = dueActions(original, fresh(original), until).state;
    expect(running.status).toBe('escalating');
    const r = dueActions(changed, running, now);
    expect(pages(r.actions)).toEqual(expected);
    expect(r.state.status).toBe(status);
  });
});

describe('bad input', () => {
  const other = policy({ name: 'storm-duty' });
  it.each<[string, () => unknown, string]>([
    ['a start instant that is not a number', () => startEscalation(policy(), 'g', Number.NaN), 'now: must be an instant in epoch milliseconds, got NaN'],
    ['an empty group key', () => startEscalation(policy(), '', t0), 'groupKey: must name the alert group being escalated'],
    ['another policy than the one started with', () => dueActions(other, fresh(), at(1)), 'policy: the escalation of {}/{}:{alertname="flood"} follows policy "flood-duty", not "storm-duty"'],
    ['an acknowledgement by nobody', () => acknowledge(policy(), fresh(), { by: ' ', at: at(1) }), 'by: must name the responder, got " "'],
    ['an acknowledgement at no instant', () => acknowledge(policy(), fresh(), { by: 'alice', at: Number.POSITIVE_INFINITY }), 'at: must be an instant in epoch milliseconds, got Infinity'],
    ['an acknowledgement whose comment is not text', () => acknowledge(policy(), fresh(), { by: 'alice', at: at(1), comment: 42 as unknown as string }), 'comment: must be text'],
    ['a withdrawal by nobody', () => unacknowledge(fresh(), '', at(1)), 'by: must name the responder, got ""'],
    ['a resolution at no instant', () => resolve(fresh(), Number.NaN), 'at: must be an instant in epoch milliseconds, got NaN'],
  ])('refuses %s', (_title, call, message) => {
    let error: unknown = null;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(isTocsinError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TOCSIN_VALIDATION', message });
  });
});
