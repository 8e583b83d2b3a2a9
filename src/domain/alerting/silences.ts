import { compareBytes, type Labels } from './fingerprint.ts';
import { matcher, MatcherError, matchesAll, parseMatchers, type Matcher, type MatchType } from './matchers.ts';
import { describeValue, isMapping, unknownFieldMessage } from '../detect/rules/field-checks.ts';
import { parseTime } from '../observations/validate-observation.ts';

/**
 * Silences as Alertmanager keeps them (silence/silence.go): a set of matchers and a time span;
 * while the span is on, alerts whose labels satisfy every matcher are not notified. Nothing here
 * reads the clock: `now` is always an argument (epoch ms). A silence is never edited in place by
 * these functions: expiring answers a new value, and the store keeps the history.
 */

/** A stored silence; `id` is given by the store (Alertmanager uses a UUID). Times are epoch ms. */
export interface Silence {
  id: string;
  matchers: Matcher[];
  createdBy: string;
  comment: string;
  startsAt: number;
  endsAt: number;
  updatedAt: number;
}

/** A checked new silence, before the store gives it an id. */
export type SilenceDraft = Omit<Silence, 'id'>;

/** Where a silence stands at an instant. */
export type SilenceState = 'pending' | 'active' | 'expired';

/** One thing wrong with a silence request: the field (`matchers[1].value`, `endsAt`…) and what is wrong. */
export interface SilenceProblem {
  field: string;
  message: string;
}

/** The outcome of checking a silence request: the draft, or every problem found. */
export type ValidatedSilence = { value: SilenceDraft } | { problems: SilenceProblem[] };

/** The outcome of expiring a silence: the expired silence, or why it cannot be expired. */
export type ExpiredSilence = { value: Silence } | { refused: string };

/** Alertmanager's default `--data.retention`: expired silences stay visible for 120 h. */
export const defaultSilenceRetentionMs = 120 * 3_600_000;

/**
 * The state at `now`: pending before startsAt, active on [startsAt, endsAt), expired from endsAt.
 * Alertmanager's getState uses the same boundaries save one: it counts the very instant endsAt as
 * still active (`ts.After(EndsAt)` for expired). There time has nanoseconds and the instant is
 * gone at once; here time has milliseconds, and `expireSilence(s, now)` sets endsAt = now, which
 * must mute nothing at `now` — so the span is half-open, and back-to-back silences do not overlap.
 */
export function silenceState(s: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  if (now >= s.endsAt) return 'expired';
  return 'active';
}

/** Ids of the silences active at `now` whose matchers all match the labels, in Go's string order (Silencer.Mutes sorts them). */
export function silencedBy(silences: readonly Silence[], labels: Labels, now: number): string[] {
  const ids: string[] = [];
  for (const s of silences) {
    if (silenceState(s, now) === 'active' && matchesAll(s.matchers, labels)) ids.push(s.id);
  }
  return ids.sort(compareBytes);
}

/**
 * Fingerprints of the alerts a silence with these matchers would mute, in the order given: the
 * console's preview while the operator writes one. Time plays no part (the silence may start later).
 */
export function previewSilence(matchers: readonly Matcher[], alerts: readonly { fingerprint: string; labels: Labels }[]): string[] {
  return alerts.filter((a) => matchesAll(matchers, a.labels)).map((a) => a.fingerprint);
}

/**
 * Expires a silence at `now`, as Alertmanager's Silences.expire does: an active one ends now; a
 * pending one gets startsAt = endsAt = now, so it is expired at once yet stays in the history
 * (Alertmanager's way of deleting a silence that never started: it is shown as expired, not lost).
 * An expired silence is refused rather than touched: Alertmanager's expire now answers success
 * without change (older releases: "silence already expired", ErrInvalidState); refusing lets the
 * API say so (a conflict) and keeps updatedAt the time of the last real change.
 */
export function expireSilence(s: Silence, now: number): ExpiredSilence {
  switch (silenceState(s, now)) {
    case 'expired':
      return { refused: `silence ${s.id} has already expired (at ${new Date(s.endsAt).toISOString()})` };
    case 'active':
      return { value: { ...s, endsAt: now, updatedAt: now } };
    case 'pending':
      return { value: { ...s, startsAt: now, endsAt: now, updatedAt: now } };
  }
}

/**
 * The silences to keep at `now`: all but those that ended `retentionMs` or more ago. Alertmanager
 * stores each silence with ExpiresAt = EndsAt + retention and its GC drops it once ExpiresAt is
 * not after now; pending and active silences end in the future, so they always stay.
 */
export function retainedSilences<T extends Pick<Silence, 'endsAt'>>(silences: readonly T[], now: number, retentionMs: number = defaultSilenceRetentionMs): T[] {
  if (!Number.isFinite(retentionMs) || retentionMs < 0) throw new RangeError(`retentionMs must be a finite number of milliseconds ≥ 0, got ${retentionMs}`);
  return silences.filter((s) => s.endsAt + retentionMs > now);
}

const silenceFields = ['matchers', 'createdBy', 'comment', 'startsAt', 'endsAt'] as const;
const matcherFields = ['name', 'value', 'isRegex', 'isEqual'] as const;

/**
 * Checks a request for a new silence (the Alertmanager v2 API's PostableSilence, without `id`):
 * `matchers` as matcher strings (`area="D07"`, one string may hold several, as amtool writes them)
 * or as `{name, value, isRegex, isEqual}` objects (isEqual defaults to true, as in the v2 API);
 * `startsAt`/`endsAt` as epoch ms or ISO-8601 with an offset. Every problem is reported, each
 * naming its field. As Alertmanager's Silences.Set does for a new silence, a startsAt in the past
 * becomes `now` (a silence cannot be backdated), and updatedAt is `now`.
 */
export function validateSilence(input: unknown, now: number): ValidatedSilence {
  if (!isMapping(input)) {
    return { problems: [{ field: '', message: `expected a silence (a mapping with matchers, createdBy, comment, startsAt and endsAt), got ${describeValue(input)}` }] };
  }
  const problems: SilenceProblem[] = [];
  const report = (field: string, message: string): null => {
    problems.push({ field, message });
    return null;
  };
  for (const key of Object.keys(input)) {
    if (!(silenceFields as readonly string[]).includes(key)) report(key, unknownFieldMessage(key, silenceFields));
  }

  const matchers = readMatchers(input['matchers'], report);
  const createdBy = readText(input['createdBy'], 'createdBy', 'who is silencing (createdBy)', report);
  const comment = readText(input['comment'], 'comment', 'why the alerts are silenced (comment)', report);
  const startsAt = readInstant(input['startsAt'], 'startsAt', report);
  const endsAt = readInstant(input['endsAt'], 'endsAt', report);
  if (startsAt !== null && endsAt !== null) {
    // The v2 API's checks, in its words (api/v2/api.go, postSilencesHandler).
    if (endsAt <= startsAt) report('endsAt', 'start time must be before end time');
    else if (endsAt < now) report('endsAt', "end time can't be in the past");
    else if (endsAt === now) report('endsAt', 'end time is now: the silence would be expired as soon as it is made');
  }

  if (problems.length > 0 || matchers === null || createdBy === null || comment === null || startsAt === null || endsAt === null) return { problems };
  return { value: { matchers, createdBy, comment, startsAt: Math.max(startsAt, now), endsAt, updatedAt: now } };
}

type Report = (field: string, message: string) => null;

function readMatchers(raw: unknown, report: Report): Matcher[] | null {
  // Alertmanager's words (silence.go, validateSilence) for the two whole-list checks.
  if (raw === undefined || raw === null) return report('matchers', 'at least one matcher required');
  if (!Array.isArray(raw)) return report('matchers', `expected a list of matchers, got ${describeValue(raw)}`);
  if (raw.length === 0) return report('matchers', 'at least one matcher required');
  const out: Matcher[] = [];
  let ok = true;
  raw.forEach((item: unknown, i) => {
    const read = readMatcher(item, `matchers[${i}]`, report);
    if (read === null) ok = false;
    else out.push(...read);
  });
  if (!ok) return null;
  // A silence every matcher of which matches "" would mute every alert that lacks the labels,
  // i.e. nearly all of them. Alertmanager's matchesEmpty counts only `=` and `=~` (a `!=`/`!~`
  // matcher never counts as matching "", so `team!="x"` alone is allowed): so do we.
  if (out.every(matchesEmpty)) return report('matchers', 'at least one matcher must not match the empty string');
  return out;
}

/** Alertmanager's matchesEmpty (silence.go): only `=` and `=~` matchers can count as matching "". */
function matchesEmpty(m: Matcher): boolean {
  if (m.type === '=') return m.value === '';
  if (m.type === '=~') return m.re!.test('');
  return false;
}

function readMatcher(item: unknown, field: string, report: Report): Matcher[] | null {
  if (typeof item === 'string') {
    try {
      return parseMatchers(item);
    } catch (err) {
      if (err instanceof MatcherError) return report(field, err.message);
      throw err;
    }
  }
  if (!isMapping(item)) return report(field, `expected a matcher (text such as area="D07", or {name, value, isRegex, isEqual}), got ${describeValue(item)}`);
  let ok = true;
  const fail = (sub: string, message: string) => {
    ok = false;
    report(`${field}.${sub}`, message);
  };
  for (const key of Object.keys(item)) {
    if (!(matcherFields as readonly string[]).includes(key)) fail(key, unknownFieldMessage(key, matcherFields));
  }
  const { name, value, isRegex } = item;
  const isEqual = item['isEqual'] ?? true;
  if (name === undefined || name === null || name === '') fail('name', 'required: the label name to match');
  else if (typeof name !== 'string') fail('name', `expected a label name, got ${describeValue(name)}`);
  if (value === undefined || value === null) fail('value', 'required: the value or regular expression to match (may be "")');
  else if (typeof value !== 'string') fail('value', `expected text, got ${describeValue(value)}`);
  if (isRegex === undefined || isRegex === null) fail('isRegex', 'required: true for a regular expression, false for a plain value');
  else if (typeof isRegex !== 'boolean') fail('isRegex', `expected true or false, got ${describeValue(isRegex)}`);
  if (typeof isEqual !== 'boolean') fail('isEqual', `expected true or false, got ${describeValue(isEqual)}`);
  if (!ok || typeof name !== 'string' || typeof value !== 'string' || typeof isRegex !== 'boolean' || typeof isEqual !== 'boolean') return null;
  // The v2 API's mapping (api/v2/compat.go, PostableSilenceToProto).
  const type: MatchType = isRegex ? (isEqual ? '=~' : '!~') : isEqual ? '=' : '!=';
  try {
    return [matcher(name, type, value)];
  } catch (err) {
    if (err instanceof MatcherError) return report(`${field}.value`, err.message);
    throw err;
  }
}

function readText(raw: unknown, field: string, what: string, report: Report): string | null {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return report(field, `required: ${what}`);
  if (typeof raw !== 'string') return report(field, `expected text, got ${describeValue(raw)}`);
  return raw;
}

function readInstant(raw: unknown, field: string, report: Report): number | null {
  if (raw === undefined || raw === null) return report(field, 'required: epoch milliseconds or ISO-8601 with an offset');
  const t = parseTime(raw);
  // parseTime words its reasons for an observation's `t`; the reason is the same for this field.
  return typeof t === 'number' ? t : report(field, t.replace(/^t: /, ''));
}
