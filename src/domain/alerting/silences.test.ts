import { describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.ts';
import { formatMatcher, parseMatchers } from './matchers.ts';
import {
  defaultSilenceRetentionMs,
  expireSilence,
  previewSilence,
  retainedSilences,
  silencedBy,
  silenceState,
  validateSilence,
  type Silence,
  type SilenceDraft,
  type SilenceProblem,
} from './silences.ts';

const t0 = Date.parse('2026-11-22T08:00:00Z');
const minute = 60_000;
const hour = 3_600_000;

function silence(id: string, matchers: string, startsAt: number, endsAt: number): Silence {
  return { id, matchers: parseMatchers(matchers), createdBy: 'duty@example.org', comment: 'works on the gauge', startsAt, endsAt, updatedAt: startsAt };
}

const body = (over: Record<string, unknown> = {}) => ({
  matchers: ['area="D07"'],
  createdBy: 'duty@example.org',
  comment: 'dyke works, gauge unreliable',
  startsAt: t0,
  endsAt: t0 + 2 * hour,
  ...over,
});

function draftOf(input: unknown, now = t0): SilenceDraft {
  const result = validateSilence(input, now);
  if ('problems' in result) throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result.value;
}

function problemsOf(input: unknown, now = t0): SilenceProblem[] {
  const result = validateSilence(input, now);
  if ('value' in result) throw new Error('the silence was accepted');
  return result.problems;
}

describe('silenceState', () => {
  const s = silence('a', 'area="D07"', t0, t0 + hour);
  it.each([
    ['before startsAt', t0 - 1, 'pending'],
    ['at startsAt', t0, 'active'],
    ['inside', t0 + 30 * minute, 'active'],
    ['the last millisecond', t0 + hour - 1, 'active'],
    ['at endsAt (half-open: expiring at now mutes nothing at now)', t0 + hour, 'expired'],
    ['after endsAt', t0 + 2 * hour, 'expired'],
  ])('%s → %s', (_what, now, want) => {
    expect(silenceState(s, now)).toBe(want);
  });
});

describe('silencedBy', () => {
  const silences = [
    silence('c-late', 'area="D07"', t0 + hour, t0 + 2 * hour), // pending at t0
    silence('b-area', 'area="D07"', t0, t0 + hour),
    silence('a-level', 'level=~"yellow|orange"', t0, t0 + hour),
    silence('d-old', 'area="D07"', t0 - 2 * hour, t0), // expired at t0
    silence('e-other', 'area="D08"', t0, t0 + hour),
  ];
  it.each([
    [{ area: 'D07', level: 'yellow' }, t0, ['a-level', 'b-area']], // sorted ids, only active ones
    [{ area: 'D07', level: 'red' }, t0, ['b-area']],
    [{ area: 'D09', level: 'red' }, t0, []],
    [{ area: 'D07', level: 'red' }, t0 + hour, ['c-late']], // b-area has ended, c-late has begun
    [{ area: 'D07', level: 'red' }, t0 - minute, ['d-old']],
  ])('%j at %i → %j', (labels, now, want) => {
    expect(silencedBy(silences, labels, now)).toEqual(want);
  });

  it("sorts ids by bytes, as Go's sort.Strings", () => {
    const ids = ['b', 'B', 'a'].map((id) => silence(id, 'area="D07"', t0, t0 + hour));
    expect(silencedBy(ids, { area: 'D07' }, t0)).toEqual(['B', 'a', 'b']);
    // Above U+FFFF the orders part: UTF-16 puts U+1F600 before U+FF21, UTF-8 bytes after.
    const wide = ['\u{1F600}', '\uFF21'].map((id) => silence(id, 'area="D07"', t0, t0 + hour));
    expect(silencedBy(wide, { area: 'D07' }, t0)).toEqual(['\uFF21', '\u{1F600}']);
  });
});

describe('previewSilence', () => {
  const alerts = [
    { area: 'D07', level: 'yellow' },
    { area: 'D07', level: 'red' },
    { area: 'D08', level: 'yellow' },
  ].map((labels) => ({ fingerprint: fingerprint(labels), labels }));
  it.each([
    ['area="D07"', [0, 1]],
    ['area="D07", level!="red"', [0]],
    ['level=~"yel.*"', [0, 2]],
    ['area="D09"', []],
  ])('%s matches alerts %j', (text, want) => {
    expect(previewSilence(parseMatchers(text), alerts)).toEqual(want.map((i) => alerts[i]!.fingerprint));
  });
});

describe('expireSilence', () => {
  const s = silence('s1', 'area="D07"', t0, t0 + hour);
  it('ends an active silence now', () => {
    const now = t0 + 10 * minute;
    const result = expireSilence(s, now);
    expect(result).toEqual({ value: { ...s, endsAt: now, updatedAt: now } });
    if ('value' in result) expect(silenceState(result.value, now)).toBe('expired');
  });

  it('moves both ends of a pending silence to now, so it is expired at once but kept in the history', () => {
    const now = t0 - 10 * minute;
    const result = expireSilence(s, now);
    expect(result).toEqual({ value: { ...s, startsAt: now, endsAt: now, updatedAt: now } });
    if ('value' in result) expect(silenceState(result.value, now)).toBe('expired');
  });

  it.each([t0 + hour, t0 + 5 * hour])('refuses a silence already expired (at %i), leaving it as it was', (now) => {
    const result = expireSilence(s, now);
    expect(result).toEqual({ refused: 'silence s1 has already expired (at 2026-11-22T09:00:00.000Z)' });
  });
});

describe('retainedSilences', () => {
  const ended = silence('ended', 'a="1"', t0 - 10 * hour, t0 - 5 * hour);
  const active = silence('active', 'a="1"', t0 - hour, t0 + hour);
  const pending = silence('pending', 'a="1"', t0 + hour, t0 + 2 * hour);
  const all = [ended, active, pending];
  it.each([
    ['keeps an expired silence within the retention', t0 - 5 * hour + 3 * hour, 3 * hour + 1, ['ended', 'active', 'pending']],
    ['drops it once the retention has passed since endsAt (Alertmanager GC: ExpiresAt not after now)', t0, 5 * hour, ['active', 'pending']],
    ['keeps active and pending ones whatever the retention', t0, 0, ['active', 'pending']],
    ['defaults to 120 h', t0 + 115 * hour - 1, undefined, ['ended', 'active', 'pending']],
    ['…and drops at 120 h after endsAt', t0 + 115 * hour, undefined, ['active', 'pending']],
  ])('%s', (_what, now, retention, want) => {
    expect(retainedSilences(all, now, retention).map((s) => s.id)).toEqual(want);
  });

  it('has the default retention of Alertmanager', () => {
    expect(defaultSilenceRetentionMs).toBe(120 * hour);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a retention of %d', (retention) => {
    expect(() => retainedSilences(all, t0, retention)).toThrow(/retentionMs must be a finite number of milliseconds ≥ 0/);
  });
});

describe('validateSilence: what it accepts', () => {
  it('reads a body with matcher strings, keeping the times and stamping updatedAt', () => {
    const draft = draftOf(body({ startsAt: t0 + hour, endsAt: t0 + 3 * hour }));
    expect(draft).toMatchObject({ createdBy: 'duty@example.org', comment: 'dyke works, gauge unreliable', startsAt: t0 + hour, endsAt: t0 + 3 * hour, updatedAt: t0 });
    expect(draft.matchers.map(formatMatcher)).toEqual(['area="D07"']);
  });

  it.each([
    [{ name: 'area', value: 'D07', isRegex: false }, 'area="D07"'], // isEqual defaults to true
    [{ name: 'area', value: 'D07', isRegex: false, isEqual: true }, 'area="D07"'],
    [{ name: 'area', value: 'D07', isRegex: false, isEqual: false }, 'area!="D07"'],
    [{ name: 'area', value: 'D0[78]', isRegex: true }, 'area=~"D0[78]"'],
    [{ name: 'area', value: 'D0[78]', isRegex: true, isEqual: false }, 'area!~"D0[78]"'],
  ])('reads the v2 API matcher %j as %s', (m, want) => {
    expect(draftOf(body({ matchers: [m] })).matchers.map(formatMatcher)).toEqual([want]);
  });

  it('reads a string that holds several matchers, and mixes both forms', () => {
    const draft = draftOf(body({ matchers: ['{area="D07", level=~"yellow|orange"}', { name: 'hazard', value: 'flood', isRegex: false }] }));
    expect(draft.matchers.map(formatMatcher)).toEqual(['area="D07"', 'level=~"yellow|orange"', 'hazard="flood"']);
  });

  it('reads ISO-8601 times with an offset', () => {
    const draft = draftOf(body({ startsAt: '2026-11-22T10:00:00+02:00', endsAt: '2026-11-22T12:00:00+02:00' }));
    expect([draft.startsAt, draft.endsAt]).toEqual([t0, t0 + 2 * hour]);
  });

  it('moves a startsAt in the past to now, as Silences.Set does for a new silence', () => {
    expect(draftOf(body({ startsAt: t0 - hour }), t0 + minute).startsAt).toBe(t0 + minute);
  });

  it.each([
    ['team!="x" (Alertmanager counts != as not matching the empty string)', ['team!="x"']],
    ['one matcher that needs a value', ['team=""', 'area="D07"']],
    ['a regex that needs a character', ['area=~".+"']],
  ])('accepts %s', (_what, matchers) => {
    expect('value' in validateSilence(body({ matchers }), t0)).toBe(true);
  });
});

describe('validateSilence: what it refuses, naming the field', () => {
  it.each([
    ['no matchers key', { matchers: undefined }, [{ field: 'matchers', message: 'at least one matcher required' }]],
    ['an empty list', { matchers: [] }, [{ field: 'matchers', message: 'at least one matcher required' }]],
    ['matchers not a list', { matchers: 'area="D07"' }, [{ field: 'matchers', message: 'expected a list of matchers, got the text "area=\\"D07\\""' }]],
    ['only matchers that match ""', { matchers: ['team=""', 'area=~".*"'] }, [{ field: 'matchers', message: 'at least one matcher must not match the empty string' }]],
    ['a matcher string that does not parse', { matchers: ['area="D07"', 'level'] }, [{ field: 'matchers[1]', message: 'level: expected one of =, !=, =~, !~ after "level"' }]],
    ['a number for a matcher', { matchers: [7] }, [{ field: 'matchers[0]', message: 'expected a matcher (text such as area="D07", or {name, value, isRegex, isEqual}), got the number 7' }]],
    [
      'a v2 matcher without name and isRegex',
      { matchers: [{ value: 'D07' }] },
      [
        { field: 'matchers[0].name', message: 'required: the label name to match' },
        { field: 'matchers[0].isRegex', message: 'required: true for a regular expression, false for a plain value' },
      ],
    ],
    [
      'a v2 matcher with wrong types',
      { matchers: [{ name: 3, value: 4, isRegex: 'yes', isEqual: 'no' }] },
      [
        { field: 'matchers[0].name', message: 'expected a label name, got the number 3' },
        { field: 'matchers[0].value', message: 'expected text, got the number 4' },
        { field: 'matchers[0].isRegex', message: 'expected true or false, got the text "yes"' },
        { field: 'matchers[0].isEqual', message: 'expected true or false, got the text "no"' },
      ],
    ],
    ['a v2 matcher with an unknown key', { matchers: [{ name: 'a', value: 'b', isRegex: false, isregex: true }] }, [{ field: 'matchers[0].isregex', message: 'unknown field; did you mean "isRegex"?' }]],
    ['createdBy missing', { createdBy: undefined }, [{ field: 'createdBy', message: 'required: who is silencing (createdBy)' }]],
    ['createdBy blank', { createdBy: '  ' }, [{ field: 'createdBy', message: 'required: who is silencing (createdBy)' }]],
    ['createdBy not text', { createdBy: 12 }, [{ field: 'createdBy', message: 'expected text, got the number 12' }]],
    ['comment missing', { comment: '' }, [{ field: 'comment', message: 'required: why the alerts are silenced (comment)' }]],
    ['startsAt missing', { startsAt: undefined }, [{ field: 'startsAt', message: 'required: epoch milliseconds or ISO-8601 with an offset' }]],
    ['endsAt not a time', { endsAt: 'tomorrow' }, [{ field: 'endsAt', message: '"tomorrow" is not ISO-8601 with an offset (e.g. 2026-11-21T10:00:00Z) nor epoch milliseconds' }]],
    ['endsAt before startsAt', { endsAt: t0 - minute }, [{ field: 'endsAt', message: 'start time must be before end time' }]],
    ['endsAt equal to startsAt', { endsAt: t0 }, [{ field: 'endsAt', message: 'start time must be before end time' }]],
    ['an unknown key', { coment: 'x' }, [{ field: 'coment', message: 'unknown field; did you mean "comment"?' }]],
  ])('%s', (_what, over, want) => {
    expect(problemsOf(body(over))).toEqual(want);
  });

  it('refuses a bad regular expression in the v2 shape on its value', () => {
    const [problem] = problemsOf(body({ matchers: [{ name: 'area', value: '(', isRegex: true }] }));
    expect(problem?.field).toBe('matchers[0].value');
    expect(problem?.message).toMatch(/^error parsing regexp/);
  });

  it("refuses an end time in the past, in the v2 API's words", () => {
    expect(problemsOf(body({ startsAt: t0 - 2 * hour, endsAt: t0 - hour }))).toEqual([{ field: 'endsAt', message: "end time can't be in the past" }]);
  });

  it('refuses an end time that is now: the silence would be expired at once', () => {
    expect(problemsOf(body({ startsAt: t0 - hour, endsAt: t0 }))).toEqual([{ field: 'endsAt', message: 'end time is now: the silence would be expired as soon as it is made' }]);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ matchers: [], createdBy: '', startsAt: t0 }).map((p) => p.field)).toEqual(['matchers', 'createdBy', 'comment', 'endsAt']);
  });

  it.each([null, 'silence', [body()]])('refuses a body that is not a mapping (%j)', (input) => {
    expect(problemsOf(input)).toEqual([{ field: '', message: expect.stringMatching(/^expected a silence \(a mapping with matchers, createdBy, comment, startsAt and endsAt\), got /) }]);
  });
});
