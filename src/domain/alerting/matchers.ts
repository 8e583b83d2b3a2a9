import type { Labels } from './fingerprint.ts';

/**
 * Label matchers as Alertmanager reads and applies them (routes, silences, inhibition): `=`, `!=`,
 * `=~`, `!~`. A label that is absent has the value "" (so `team=""` matches alerts without a team,
 * as in Alertmanager). Regular expressions are anchored at both ends, `X` meaning `^(?:X)$`.
 * JavaScript's regular expressions stand in for Go's RE2: the syntax operators write (alternation,
 * classes, repetition, groups) means the same in both.
 */

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  /** The anchored expression, for `=~` and `!~`. */
  readonly re: RegExp | null;
}

/** A matcher that cannot be built or read; the message says why, in Alertmanager's words where it has them. */
export class MatcherError extends Error {}

/** Builds a matcher; throws MatcherError for a regular expression that does not compile. */
export function matcher(name: string, type: MatchType, value: string): Matcher {
  let re: RegExp | null = null;
  if (type === '=~' || type === '!~') {
    try {
      re = new RegExp(`^(?:${value})$`);
    } catch (err) {
      throw new MatcherError(`error parsing regexp: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
    }
  }
  return { name, type, value, re };
}

/** Whether the label set satisfies the matcher. */
export function matchesOne(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.re!.test(v);
    case '!~':
      return !m.re!.test(v);
  }
}

/** Whether the label set satisfies every matcher (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) if (!matchesOne(m, labels)) return false;
  return true;
}

/** `name="value"` with Go's %q quoting of the value, as Alertmanager prints matchers (group keys, API). */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.type}${goQuote(m.value)}`;
}

/** Go's strconv.Quote for the characters label values hold: quotes, backslashes and control characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const operators: readonly MatchType[] = ['=~', '!~', '!=', '='];

/**
 * Reads matchers written as Alertmanager's configuration and amtool take them: one or more of
 * `name<op>value` separated by commas, optionally inside `{…}`; names and values bare or in
 * double quotes (with backslash escapes). `foo=bar`, `"foo"="bar"`, `{a="1", b=~"x|y"}`.
 * Throws MatcherError naming the part that could not be read.
 */
export function parseMatchers(text: string): Matcher[] {
  let s = text.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw new MatcherError(`${text}: missing closing "}"`);
    s = s.slice(1, -1).trim();
  }
  const out: Matcher[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new MatcherError(`${text}: ${why}`);
  };
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const readQuoted = (): string => {
    // s[i] is the opening quote.
    let value = '';
    i++;
    for (;;) {
      if (i >= s.length) fail('missing closing quote');
      const ch = s[i]!;
      if (ch === '"') {
        i++;
        return value;
      }
      if (ch === '\\') {
        const next = s[i + 1];
        if (next === undefined) fail('missing closing quote');
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
        i += 2;
      } else {
        value += ch;
        i++;
      }
    }
  };
  while (i < s.length) {
    skipSpace();
    if (i >= s.length) break;
    let name: string;
    if (s[i] === '"') name = readQuoted();
    else {
      const start = i;
      while (i < s.length && !/[\s=!~,"{}]/.test(s[i]!)) i++;
      name = s.slice(start, i);
    }
    if (name === '') fail(`expected a label name at position ${i + 1}`);
    skipSpace();
    const type = operators.find((op) => s.startsWith(op, i));
    if (!type) fail(`expected one of =, !=, =~, !~ after "${name}"`);
    i += type!.length;
    skipSpace();
    let value: string;
    if (s[i] === '"') value = readQuoted();
    else {
      const start = i;
      while (i < s.length && s[i] !== ',') i++;
      value = s.slice(start, i).trim();
    }
    out.push(matcher(name, type!, value));
    skipSpace();
    if (i < s.length) {
      if (s[i] !== ',') fail(`expected "," after the matcher on "${name}"`);
      i++;
    }
  }
  if (out.length === 0) fail('no matcher');
  return out;
}
