import { parsePromDuration } from '../config/duration.ts';

/**
 * Escalation policies: who is paged about an alert group, in what order, and how long each rung
 * waits for an acknowledgement before the next one is paged. They live in the alerting config
 * under a top-level `escalation_policies:` list and a route names one with `escalation_policy:`.
 *
 *   escalation_policies:
 *     - name: flood-duty
 *       steps:
 *         - notify: [{ schedule: hydrology-primary }]
 *           wait: 5m
 *         - notify: [{ user: alice }, { team: civil-protection }]
 *           wait: 15m
 *       repeat: 1                      # run the whole list once more if nobody answered (default 0)
 *       acknowledgements_required: 2   # distinct responders before paging stops (default 1)
 *
 * Reading is pure: it takes the already-decoded YAML value and answers the policies or every
 * problem at once, each naming its field as a path, so an operator fixes the file in one pass.
 */

/** Who a step pages: one user, every member of a team, or whoever a schedule has on call then. */
export type EscalationTarget = { user: string } | { team: string } | { schedule: string };

/** One rung of the ladder: page these targets, then wait this long for an acknowledgement. */
export interface EscalationStep {
  notify: EscalationTarget[];
  /** Milliseconds (> 0) before the next step, or the next round, or exhaustion after the last. */
  waitMs: number;
}

/** A named escalation policy, durations already in milliseconds and defaults filled in. */
export interface EscalationPolicy {
  name: string;
  /** At least one, in the order they page. */
  steps: EscalationStep[];
  /** How many more times the whole list runs after the first pass while nobody acknowledges. */
  repeat: number;
  /** Distinct responders who must acknowledge before escalation stops (≥ 1). */
  acknowledgementsRequired: number;
}

/** A problem with the escalation config, naming the field (e.g. `escalation_policies[0].steps[2].wait`). */
export interface EscalationConfigProblem {
  field: string;
  message: string;
}

/** The keys a target may have: exactly one of them, so a target pages one kind of thing. */
export const targetKinds = ['user', 'team', 'schedule'] as const;

const policyKeys = ['name', 'steps', 'repeat', 'acknowledgements_required'];
const stepKeys = ['notify', 'wait'];
const root = 'escalation_policies';

/**
 * Reads the `escalation_policies:` value (absent or null means none). Schedule targets must name a
 * schedule in `known.schedules`, because a page to an undefined rota would reach nobody silently.
 * Answers the policies by name, in file order, or every problem found.
 */
export function parseEscalationPolicies(
  raw: unknown,
  known: { schedules: ReadonlySet<string> },
): { value: Map<string, EscalationPolicy> } | { problems: EscalationConfigProblem[] } {
  const value = new Map<string, EscalationPolicy>();
  if (raw === undefined || raw === null) return { value };
  if (!Array.isArray(raw)) return { problems: [{ field: root, message: `must be a list of escalation policies, got ${describe(raw)}` }] };
  const problems: EscalationConfigProblem[] = [];
  const firstAt = new Map<string, string>();
  raw.forEach((item: unknown, i) => {
    const at = `${root}[${i}]`;
    const { name, policy } = readPolicy(item, at, known, problems);
    if (name === null) return;
    // Names are checked even on broken policies, so a duplicate is not hidden behind another problem.
    const earlier = firstAt.get(name);
    if (earlier !== undefined) {
      problems.push({ field: `${at}.name`, message: `duplicate escalation policy name "${name}" (already defined at ${earlier})` });
      return;
    }
    firstAt.set(name, at);
    if (policy !== null) value.set(name, policy);
  });
  return problems.length > 0 ? { problems } : { value };
}

/** Reads one policy: its name when that is valid, and the policy when nothing at all is wrong with it. */
function readPolicy(
  item: unknown,
  at: string,
  known: { schedules: ReadonlySet<string> },
  problems: EscalationConfigProblem[],
): { name: string | null; policy: EscalationPolicy | null } {
  if (!isMapping(item)) {
    problems.push({ field: at, message: `must be a mapping with name and steps, got ${describe(item)}` });
    return { name: null, policy: null };
  }
  const before = problems.length;
  unknownKeys(item, policyKeys, at, 'an escalation policy has name, steps, repeat, acknowledgements_required', problems);

  const rawName = item['name'];
  let name: string | null = null;
  if (rawName === undefined || rawName === null) problems.push({ field: `${at}.name`, message: 'is required: routes refer to the policy by it' });
  else if (typeof rawName !== 'string' || rawName.trim() === '') problems.push({ field: `${at}.name`, message: `must be a non-empty string, got ${describe(rawName)}` });
  else name = rawName;
  const label = name === null ? at : `"${name}"`;

  const steps = readSteps(item['steps'], `${at}.steps`, label, known, problems);
  const repeat = readCount(item['repeat'], `${at}.repeat`, 0, 0, problems);
  const acknowledgementsRequired = readCount(item['acknowledgements_required'], `${at}.acknowledgements_required`, 1, 1, problems);

  if (problems.length > before || name === null || steps === null || repeat === null || acknowledgementsRequired === null) return { name, policy: null };
  return { name, policy: { name, steps, repeat, acknowledgementsRequired } };
}

function readSteps(
  raw: unknown,
  at: string,
  label: string,
  known: { schedules: ReadonlySet<string> },
  problems: EscalationConfigProblem[],
): EscalationStep[] | null {
  if (raw === undefined || raw === null) {
    problems.push({ field: at, message: 'is required: list at least one step' });
    return null;
  }
  if (!Array.isArray(raw)) {
    problems.push({ field: at, message: `must be a list of steps, got ${describe(raw)}` });
    return null;
  }
  if (raw.length === 0) {
    problems.push({ field: at, message: 'must list at least one step' });
    return null;
  }
  const steps: EscalationStep[] = [];
  let ok = true;
  raw.forEach((item: unknown, k) => {
    const step = readStep(item, `${at}[${k}]`, label, known, problems);
    if (step === null) ok = false;
    else steps.push(step);
  });
  return ok ? steps : null;
}

function readStep(
  item: unknown,
  at: string,
  label: string,
  known: { schedules: ReadonlySet<string> },
  problems: EscalationConfigProblem[],
): EscalationStep | null {
  if (!isMapping(item)) {
    problems.push({ field: at, message: `must be a mapping with notify and wait, got ${describe(item)}` });
    return null;
  }
  const before = problems.length;
  unknownKeys(item, stepKeys, at, 'a step has notify and wait', problems);
  const notify = readTargets(item['notify'], `${at}.notify`, label, known, problems);
  const waitMs = readWait(item['wait'], `${at}.wait`, problems);
  if (problems.length > before || notify === null || waitMs === null) return null;
  return { notify, waitMs };
}

function readTargets(
  raw: unknown,
  at: string,
  label: string,
  known: { schedules: ReadonlySet<string> },
  problems: EscalationConfigProblem[],
): EscalationTarget[] | null {
  if (raw === undefined || raw === null) {
    problems.push({ field: at, message: 'is required: list at least one target ({ user: id }, { team: id } or { schedule: name })' });
    return null;
  }
  if (!Array.isArray(raw)) {
    problems.push({ field: at, message: `must be a list of targets, got ${describe(raw)}` });
    return null;
  }
  if (raw.length === 0) {
    problems.push({ field: at, message: 'must list at least one target' });
    return null;
  }
  const targets: EscalationTarget[] = [];
  let ok = true;
  raw.forEach((item: unknown, t) => {
    const target = readTarget(item, `${at}[${t}]`, label, known, problems);
    if (target === null) ok = false;
    else targets.push(target);
  });
  return ok ? targets : null;
}

function readTarget(
  item: unknown,
  at: string,
  label: string,
  known: { schedules: ReadonlySet<string> },
  problems: EscalationConfigProblem[],
): EscalationTarget | null {
  const shape = `exactly one of ${targetKinds.join(', ')}`;
  if (!isMapping(item)) {
    problems.push({ field: at, message: `must be a mapping with ${shape}, got ${describe(item)}` });
    return null;
  }
  // An unknown key beside a valid one is reported here and refuses the step (its caller counts problems).
  unknownKeys(item, targetKinds, at, `a target has ${shape}`, problems);
  const present = targetKinds.filter((k) => k in item);
  if (present.length === 0) {
    problems.push({ field: at, message: `must have ${shape}` });
    return null;
  }
  if (present.length > 1) {
    problems.push({ field: at, message: `must have ${shape}, not ${present.length} (${present.join(', ')})` });
    return null;
  }
  const kind = present[0]!;
  const id = item[kind];
  if (typeof id !== 'string' || id.trim() === '') {
    problems.push({ field: `${at}.${kind}`, message: `must be a non-empty ${kind === 'schedule' ? 'schedule name' : `${kind} id`}, got ${describe(id)}` });
    return null;
  }
  if (kind === 'schedule' && !known.schedules.has(id)) {
    problems.push({ field: `${at}.schedule`, message: `undefined schedule "${id}" used in escalation policy ${label}` });
    return null;
  }
  switch (kind) {
    case 'user':
      return { user: id };
    case 'team':
      return { team: id };
    case 'schedule':
      return { schedule: id };
  }
}

function readWait(raw: unknown, at: string, problems: EscalationConfigProblem[]): number | null {
  if (raw === undefined || raw === null) {
    problems.push({ field: at, message: 'is required: how long to wait for an acknowledgement before the next step (e.g. 5m)' });
    return null;
  }
  if (typeof raw !== 'string') {
    problems.push({ field: at, message: `must be a duration such as 30s, 5m or 1h30m, got ${describe(raw)}` });
    return null;
  }
  const ms = parsePromDuration(raw);
  if (ms === null) {
    problems.push({ field: at, message: `"${raw}" is not a duration (use e.g. 30s, 5m or 1h30m)` });
    return null;
  }
  if (ms <= 0) {
    // A zero wait would page the next step at the same instant: nobody gets a chance to answer.
    problems.push({ field: at, message: `must be longer than 0, got "${raw}"` });
    return null;
  }
  return ms;
}

/** An optional whole number ≥ `min`; absent or null gives `fallback`. */
function readCount(raw: unknown, at: string, fallback: number, min: number, problems: EscalationConfigProblem[]): number | null {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < min) {
    problems.push({ field: at, message: `must be a whole number ≥ ${min}, got ${describe(raw)}` });
    return null;
  }
  return raw;
}

function unknownKeys(item: Record<string, unknown>, allowed: readonly string[], at: string, hint: string, problems: EscalationConfigProblem[]): void {
  for (const key of Object.keys(item)) {
    if (!allowed.includes(key)) problems.push({ field: `${at}.${key}`, message: `unknown key "${key}"; ${hint}` });
  }
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a wrong value reads in a message: its kind, and the value itself when short. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return `a string ("${v}")`;
    case 'number':
      return `a number (${v})`;
    case 'boolean':
      return `a boolean (${v})`;
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}
