import { describe, expect, it } from 'vitest';
import { parseEscalationPolicies, type EscalationConfigProblem, type EscalationPolicy } from './escalation-policy.ts';

const known = { schedules: new Set(['hydro-primary', 'hydro-secondary']) };
const min = 60_000;

/** A valid policy as YAML decodes it; cases change one thing. */
const base = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'flood-duty',
  steps: [{ notify: [{ user: 'alice' }], wait: '5m' }],
  ...over,
});

/** A valid step; cases change one thing. */
const step = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ notify: [{ user: 'alice' }], wait: '5m', ...over });

/** The problems of a config that must be refused (fails the test if it is accepted). */
function problemsOf(raw: unknown): EscalationConfigProblem[] {
  const r = parseEscalationPolicies(raw, known);
  if (!('problems' in r)) throw new Error(`accepted: ${JSON.stringify([...r.value])}`);
  return r.problems;
}

/** The policies of a config that must be accepted (fails the test with the problems otherwise). */
function policiesOf(raw: unknown): EscalationPolicy[] {
  const r = parseEscalationPolicies(raw, known);
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return [...r.value.values()];
}

describe('parseEscalationPolicies accepts', () => {
  it('every kind of target, durations in milliseconds, and policies by name in file order', () => {
    const r = parseEscalationPolicies(
      [
        {
          name: 'flood-duty',
          steps: [
            { notify: [{ schedule: 'hydro-primary' }], wait: '5m' },
            { notify: [{ user: 'alice' }, { team: 'civil-protection' }], wait: '1h30m' },
          ],
          repeat: 2,
          acknowledgements_required: 2,
        },
        base({ name: 'storm-duty' }),
      ],
      known,
    );
    expect('value' in r && [...r.value.entries()]).toEqual([
      [
        'flood-duty',
        {
          name: 'flood-duty',
          steps: [
            { notify: [{ schedule: 'hydro-primary' }], waitMs: 5 * min },
            { notify: [{ user: 'alice' }, { team: 'civil-protection' }], waitMs: 90 * min },
          ],
          repeat: 2,
          acknowledgementsRequired: 2,
        },
      ],
      ['storm-duty', { name: 'storm-duty', steps: [{ notify: [{ user: 'alice' }], waitMs: 5 * min }], repeat: 0, acknowledgementsRequired: 1 }],
    ]);
  });

  it.each<[string, Record<string, unknown>, number, number]>([
    ['absent repeat and acknowledgements_required default to 0 and 1', base(), 0, 1],
    ['null (an empty YAML value) means the default too', base({ repeat: null, acknowledgements_required: null }), 0, 1],
    ['the smallest values allowed', base({ repeat: 0, acknowledgements_required: 1 }), 0, 1],
    ['larger values', base({ repeat: 10, acknowledgements_required: 3 }), 10, 3],
  ])('%s', (_title, raw, repeat, required) => {
    expect(policiesOf([raw]).map((p) => [p.repeat, p.acknowledgementsRequired])).toEqual([[repeat, required]]);
  });

  it.each([undefined, null, []])('no policies when the list is %j', (raw) => {
    expect(policiesOf(raw)).toEqual([]);
  });
});

describe('parseEscalationPolicies refuses', () => {
  const at = 'escalation_policies[0]';
  it.each<[string, unknown, EscalationConfigProblem[]]>([
    ['a mapping instead of a list', base(), [{ field: 'escalation_policies', message: 'must be a list of escalation policies, got a mapping' }]],
    ['a policy that is not a mapping', ['flood-duty'], [{ field: at, message: 'must be a mapping with name and steps, got a string ("flood-duty")' }]],
    [
      'an unknown key in a policy, naming it',
      [base({ repeats: 2 })],
      [{ field: `${at}.repeats`, message: 'unknown key "repeats"; an escalation policy has name, steps, repeat, acknowledgements_required' }],
    ],
    ['a policy without a name', [{ steps: [step()] }], [{ field: `${at}.name`, message: 'is required: routes refer to the policy by it' }]],
    ['a blank name', [base({ name: '  ' })], [{ field: `${at}.name`, message: 'must be a non-empty string, got a string ("  ")' }]],
    ['a name that is not text', [base({ name: 7 })], [{ field: `${at}.name`, message: 'must be a non-empty string, got a number (7)' }]],
    [
      'two policies with the same name',
      [base(), base({ name: 'storm-duty' }), base()],
      [{ field: 'escalation_policies[2].name', message: 'duplicate escalation policy name "flood-duty" (already defined at escalation_policies[0])' }],
    ],
    [
      'a duplicate name even on a policy with other problems',
      [base(), base({ steps: [] })],
      [
        { field: 'escalation_policies[1].steps', message: 'must list at least one step' },
        { field: 'escalation_policies[1].name', message: 'duplicate escalation policy name "flood-duty" (already defined at escalation_policies[0])' },
      ],
    ],
    ['a policy without steps', [{ name: 'flood-duty' }], [{ field: `${at}.steps`, message: 'is required: list at least one step' }]],
    ['steps that are not a list', [base({ steps: step() })], [{ field: `${at}.steps`, message: 'must be a list of steps, got a mapping' }]],
    ['an empty list of steps', [base({ steps: [] })], [{ field: `${at}.steps`, message: 'must list at least one step' }]],
    ['a step that is not a mapping', [base({ steps: [step(), 'page alice'] })], [{ field: `${at}.steps[1]`, message: 'must be a mapping with notify and wait, got a string ("page alice")' }]],
    ['an unknown key in a step, naming it', [base({ steps: [step({ delay: '1m' })] })], [{ field: `${at}.steps[0].delay`, message: 'unknown key "delay"; a step has notify and wait' }]],
    [
      'a step without targets',
      [base({ steps: [{ wait: '5m' }] })],
      [{ field: `${at}.steps[0].notify`, message: 'is required: list at least one target ({ user: id }, { team: id } or { schedule: name })' }],
    ],
    ['targets that are not a list', [base({ steps: [step({ notify: { user: 'alice' } })] })], [{ field: `${at}.steps[0].notify`, message: 'must be a list of targets, got a mapping' }]],
    ['an empty list of targets', [base({ steps: [step({ notify: [] })] })], [{ field: `${at}.steps[0].notify`, message: 'must list at least one target' }]],
    [
      'a target that is not a mapping',
      [base({ steps: [step({ notify: ['alice'] })] })],
      [{ field: `${at}.steps[0].notify[0]`, message: 'must be a mapping with exactly one of user, team, schedule, got a string ("alice")' }],
    ],
    ['a target with no key', [base({ steps: [step({ notify: [{}] })] })], [{ field: `${at}.steps[0].notify[0]`, message: 'must have exactly one of user, team, schedule' }]],
    [
      'a target with two keys',
      [base({ steps: [step({ notify: [{ user: 'alice', team: 'civil-protection' }] })] })],
      [{ field: `${at}.steps[0].notify[0]`, message: 'must have exactly one of user, team, schedule, not 2 (user, team)' }],
    ],
    [
      'an unknown kind of target, naming it',
      [base({ steps: [step({ notify: [{ email: 'ops@example.org' }] })] })],
      [
        { field: `${at}.steps[0].notify[0].email`, message: 'unknown key "email"; a target has exactly one of user, team, schedule' },
        { field: `${at}.steps[0].notify[0]`, message: 'must have exactly one of user, team, schedule' },
      ],
    ],
    [
      'an unknown key beside a valid one',
      [base({ steps: [step({ notify: [{ user: 'alice', via: 'sms' }] })] })],
      [{ field: `${at}.steps[0].notify[0].via`, message: 'unknown key "via"; a target has exactly one of user, team, schedule' }],
    ],
    ['an empty user id', [base({ steps: [step({ notify: [{ user: '' }] })] })], [{ field: `${at}.steps[0].notify[0].user`, message: 'must be a non-empty user id, got a string ("")' }]],
    ['a team id that is not text', [base({ steps: [step({ notify: [{ team: 42 }] })] })], [{ field: `${at}.steps[0].notify[0].team`, message: 'must be a non-empty team id, got a number (42)' }]],
    ['a schedule with no name', [base({ steps: [step({ notify: [{ schedule: null }] })] })], [{ field: `${at}.steps[0].notify[0].schedule`, message: 'must be a non-empty schedule name, got nothing' }]],
    [
      'an undefined schedule',
      [base({ steps: [step(), step({ notify: [{ user: 'alice' }, { schedule: 'hydro-backup' }] })] })],
      [{ field: `${at}.steps[1].notify[1].schedule`, message: 'undefined schedule "hydro-backup" used in escalation policy "flood-duty"' }],
    ],
    [
      'an undefined schedule in a policy without a name',
      [{ steps: [step({ notify: [{ schedule: 'hydro-backup' }] })] }],
      [
        { field: `${at}.name`, message: 'is required: routes refer to the policy by it' },
        { field: `${at}.steps[0].notify[0].schedule`, message: 'undefined schedule "hydro-backup" used in escalation policy escalation_policies[0]' },
      ],
    ],
    ['a step without a wait', [base({ steps: [{ notify: [{ user: 'alice' }] }] })], [{ field: `${at}.steps[0].wait`, message: 'is required: how long to wait for an acknowledgement before the next step (e.g. 5m)' }]],
    ['a wait given as a number', [base({ steps: [step({ wait: 300 })] })], [{ field: `${at}.steps[0].wait`, message: 'must be a duration such as 30s, 5m or 1h30m, got a number (300)' }]],
    ['a wait that is not a duration', [base({ steps: [step(), step(), step({ wait: '5 minutes' })] })], [{ field: `${at}.steps[2].wait`, message: '"5 minutes" is not a duration (use e.g. 30s, 5m or 1h30m)' }]],
    ['a wait with units out of order', [base({ steps: [step({ wait: '30s5m' })] })], [{ field: `${at}.steps[0].wait`, message: '"30s5m" is not a duration (use e.g. 30s, 5m or 1h30m)' }]],
    ['a zero wait', [base({ steps: [step({ wait: '0s' })] })], [{ field: `${at}.steps[0].wait`, message: 'must be longer than 0, got "0s"' }]],
    ['a bare zero wait', [base({ steps: [step({ wait: '0' })] })], [{ field: `${at}.steps[0].wait`, message: 'must be longer than 0, got "0"' }]],
    ['a negative repeat', [base({ repeat: -1 })], [{ field: `${at}.repeat`, message: 'must be a whole number ≥ 0, got a number (-1)' }]],
    ['a fractional repeat', [base({ repeat: 1.5 })], [{ field: `${at}.repeat`, message: 'must be a whole number ≥ 0, got a number (1.5)' }]],
    ['a repeat given as text', [base({ repeat: '2' })], [{ field: `${at}.repeat`, message: 'must be a whole number ≥ 0, got a string ("2")' }]],
    ['no acknowledgement required', [base({ acknowledgements_required: 0 })], [{ field: `${at}.acknowledgements_required`, message: 'must be a whole number ≥ 1, got a number (0)' }]],
    ['acknowledgements_required as text', [base({ acknowledgements_required: 'two' })], [{ field: `${at}.acknowledgements_required`, message: 'must be a whole number ≥ 1, got a string ("two")' }]],
    [
      'everything wrong at once, every problem reported',
      [
        { name: '', steps: [{ notify: [{ user: 'a', team: 'b' }, { schedule: 'nowhere' }], wait: '0s', escalate: true }], repeat: -2, acknowledgements_required: 1.5, owner: 'x' },
        'second',
        base({ steps: [step(), { notify: [], wait: 'soon' }] }),
      ],
      [
        { field: `${at}.owner`, message: 'unknown key "owner"; an escalation policy has name, steps, repeat, acknowledgements_required' },
        { field: `${at}.name`, message: 'must be a non-empty string, got a string ("")' },
        { field: `${at}.steps[0].escalate`, message: 'unknown key "escalate"; a step has notify and wait' },
        { field: `${at}.steps[0].notify[0]`, message: 'must have exactly one of user, team, schedule, not 2 (user, team)' },
        { field: `${at}.steps[0].notify[1].schedule`, message: 'undefined schedule "nowhere" used in escalation policy escalation_policies[0]' },
        { field: `${at}.steps[0].wait`, message: 'must be longer than 0, got "0s"' },
        { field: `${at}.repeat`, message: 'must be a whole number ≥ 0, got a number (-2)' },
        { field: `${at}.acknowledgements_required`, message: 'must be a whole number ≥ 1, got a number (1.5)' },
        { field: 'escalation_policies[1]', message: 'must be a mapping with name and steps, got a string ("second")' },
        { field: 'escalation_policies[2].steps[1].notify', message: 'must list at least one target' },
        { field: 'escalation_policies[2].steps[1].wait', message: '"soon" is not a duration (use e.g. 30s, 5m or 1h30m)' },
      ],
    ],
  ])('%s', (_title, raw, expected) => {
    expect(problemsOf(raw)).toEqual(expected);
  });
});
