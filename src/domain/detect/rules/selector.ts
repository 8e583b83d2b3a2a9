import { TocsinError } from '../../kernel/errors.ts';

/**
 * Which series a rule watches. Every field is optional and the fields given combine with AND;
 * a selector naming nothing is refused (a rule over every series is almost always a mistake).
 *
 * `key` is a glob: `*` matches any run of characters (including none), `?` exactly one character
 * (one Unicode code point), and every other character stands for itself — there are no classes,
 * braces or escapes, and matching is case-sensitive over the whole key. Series keys may not hold
 * `*` or `?` (domain/observations), so a glob can never be ambiguous about a literal.
 * `domain`, `indicator` and `area` match exactly; `labels` requires every pair among the series'
 * own labels.
 */
export interface RuleSelector {
  key?: string;
  domain?: string;
  indicator?: string;
  area?: string;
  labels?: Readonly<Record<string, string>>;
}

/** The fields a selector may name, in the order they are documented. */
export const selectorFields = ['key', 'domain', 'indicator', 'area', 'labels'] as const;

/** What a selector looks at: a series' key and metadata (null where the series has none). */
export interface SeriesDescription {
  key: string;
  domain: string | null;
  indicator: string | null;
  area: string | null;
  labels: Readonly<Record<string, string>>;
}

/** A compiled selector: answers whether a series is one the rule watches. */
export type SeriesMatcher = (series: SeriesDescription) => boolean;

/** True when the selector names no field at all (empty labels count as none). */
export function selectorIsEmpty(select: RuleSelector): boolean {
  return (
    select.key === undefined &&
    select.domain === undefined &&
    select.indicator === undefined &&
    select.area === undefined &&
    (select.labels === undefined || Object.keys(select.labels).length === 0)
  );
}

/**
 * Compiles a selector once into a matcher that does no allocation per call: plain string
 * comparisons where the glob allows, a regular expression only when it holds `?`.
 */
export function compileSelector(select: RuleSelector): SeriesMatcher {
  if (selectorIsEmpty(select)) {
    throw new TocsinError('TOCSIN_VALIDATION', `select: must name at least one of ${selectorFields.join(', ')}`, { fields: ['select'] });
  }
  const checks: SeriesMatcher[] = [];
  if (select.key !== undefined) {
    const matchKey = compileGlob(select.key);
    checks.push((s) => matchKey(s.key));
  }
  const { domain, indicator, area } = select;
  if (domain !== undefined) checks.push((s) => s.domain === domain);
  if (indicator !== undefined) checks.push((s) => s.indicator === indicator);
  if (area !== undefined) checks.push((s) => s.area === area);
  const pairs = Object.entries(select.labels ?? {});
  if (pairs.length > 0) {
    // hasOwn: a label named like an Object.prototype member must not match through the prototype.
    checks.push((s) => pairs.every(([name, value]) => Object.hasOwn(s.labels, name) && s.labels[name] === value));
  }
  if (checks.length === 1) return checks[0]!;
  return (s) => checks.every((check) => check(s));
}

/** Compiles a glob (`*` any run, `?` one character, all else literal) into a whole-string test. */
export function compileGlob(pattern: string): (text: string) => boolean {
  if (pattern.includes('?')) return regexGlob(pattern);
  const parts = pattern.split('*');
  if (parts.length === 1) return (text) => text === pattern;
  const prefix = parts[0]!;
  const suffix = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const fixed = prefix.length + suffix.length;
  return (text) => {
    if (text.length < fixed || !text.startsWith(prefix) || !text.endsWith(suffix)) return false;
    // Leftmost-first placement of each literal between the stars is enough: if any placement
    // fits, the leftmost one does, because an earlier end only leaves more room for the rest.
    let at = prefix.length;
    const end = text.length - suffix.length;
    for (const part of middle) {
      const found = text.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

function regexGlob(pattern: string): (text: string) => boolean {
  let source = '^';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  // u: `?` is one code point, not half of a surrogate pair; s: `.` matches line breaks too.
  const re = new RegExp(`${source}$`, 'su');
  return (text) => re.test(text);
}
