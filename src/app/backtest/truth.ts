import { parseCsvLine } from '../../domain/observations/csv-line.ts';
import { parseTime } from '../../domain/observations/validate-observation.ts';
import { compileGlob } from '../../domain/detect/rules/selector.ts';

/**
 * Ground truth for a backtest: the periods when something really happened (a flood, an outbreak,
 * a station outage), read from CSV. Each row names the series it concerns (a key or a glob) or
 * an area, optionally the rules it is truth for, and when it began, ended and became known
 * otherwise (an official declaration, a peak).
 */

/** One known event period. */
export interface TruthPeriod {
  /** The CSV line it came from (1-based); identifies the event in results. */
  line: number;
  /** A series key or glob (`ST0*.level`), or null when the row names an area. */
  series: string | null;
  /** An area, or null when the row names a series. */
  area: string | null;
  /** A rule name or glob the row is truth for, or null for every rule. */
  rule: string | null;
  /** Epoch ms; the event is [start, end], both ends included. */
  start: number;
  end: number;
  /** When the event became known without the rule (epoch ms), or null: lead time is measured to it. */
  known: number | null;
  label: string | null;
}

/** A bad truth line or header, naming the line and the column. */
export interface TruthProblem {
  line: number;
  /** The column at fault, or '' for the line as a whole. */
  column: string;
  message: string;
}

/** The columns a truth CSV may have. */
export const truthColumns = ['series', 'area', 'rule', 'start', 'end', 'known', 'label'] as const;

/** What can be told about a series when matching it against truth rows. */
export interface TruthSubject {
  rule: string;
  seriesKey: string;
  area: string | null;
}

/**
 * Reads a truth CSV: a header naming `start`, `end` and `series` or `area` (and optionally `rule`,
 * `known`, `label`), then one event a line. Times are ISO-8601 with an offset or epoch ms. Answers
 * the good periods and every problem; a caller should refuse the file when there are problems, as
 * a silently dropped event would skew sensitivity.
 */
export function parseTruthCsv(text: string): { periods: TruthPeriod[]; problems: TruthProblem[] } {
  const rows = text.split('\n');
  const periods: TruthPeriod[] = [];
  const problems: TruthProblem[] = [];
  const headerIndex = rows.findIndex((r) => r.trim() !== '');
  if (headerIndex === -1) {
    return { periods, problems: [{ line: 1, column: '', message: `empty file; expected a header such as "series,start,end,known,label"` }] };
  }
  const headerLine = headerIndex + 1;
  const header = parseCsvLine(rows[headerIndex]!.replace(/\r$/, '').replace(/^\uFEFF/, ''));
  if (typeof header === 'string') return { periods, problems: [{ line: headerLine, column: '', message: header }] };
  const columns = header.map((h) => h.trim());
  for (const column of columns) {
    if (!(truthColumns as readonly string[]).includes(column)) {
      problems.push({ line: headerLine, column, message: `unknown column (known: ${truthColumns.join(', ')})` });
    }
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) problems.push({ line: headerLine, column, message: 'named twice in the header' });
    seen.add(column);
  }
  for (const required of ['start', 'end']) {
    if (!columns.includes(required)) problems.push({ line: headerLine, column: required, message: 'missing from the header' });
  }
  if (!columns.includes('series') && !columns.includes('area')) {
    problems.push({ line: headerLine, column: 'series', message: 'the header must name a series or an area column' });
  }
  if (problems.length > 0) return { periods, problems };

  for (let i = headerIndex + 1; i < rows.length; i++) {
    const line = i + 1;
    const text = rows[i]!.replace(/\r$/, '');
    if (text.trim() === '') continue;
    const cells = parseCsvLine(text);
    if (typeof cells === 'string') {
      problems.push({ line, column: '', message: cells });
      continue;
    }
    if (cells.length !== columns.length) {
      problems.push({ line, column: '', message: `expected ${columns.length} fields (${columns.join(',')}), found ${cells.length}` });
      continue;
    }
    const cell = (name: string): string | null => {
      const at = columns.indexOf(name);
      const value = at < 0 ? '' : cells[at]!.trim();
      return value === '' ? null : value;
    };
    const before = problems.length;
    const report = (column: string, message: string) => problems.push({ line, column, message });
    const series = cell('series');
    const area = cell('area');
    const rule = cell('rule');
    if (series === null && area === null) report(columns.includes('series') ? 'series' : 'area', 'give a series (key or glob) or an area');
    if (series !== null && !/^[A-Za-z0-9_.:/*?-]+$/.test(series)) {
      report('series', `"${clip(series)}" is not a series key or glob (letters, digits, _ . : / - and the wildcards * ?)`);
    }
    if (rule !== null && !/^[a-z0-9_.*?-]+$/.test(rule)) report('rule', `"${clip(rule)}" is not a rule name or glob`);
    const start = readTime(cell('start'), 'start', true, report);
    const end = readTime(cell('end'), 'end', true, report);
    const known = readTime(cell('known'), 'known', false, report);
    if (start !== null && end !== null && end < start) {
      report('end', `${new Date(end).toISOString()} is before start ${new Date(start).toISOString()}`);
    }
    if (problems.length > before || start === null || end === null) continue;
    periods.push({ line, series, area, rule, start, end, known, label: cell('label') });
  }
  return { periods, problems };
}

/** One line per problem: `file:line: column: message`. */
export function formatTruthProblem(file: string, problem: TruthProblem): string {
  return `${file}:${problem.line}: ${problem.column === '' ? '' : `${problem.column}: `}${problem.message}`;
}

/** Compiles the periods into a test: does a period concern this rule's series? */
export function truthMatcher(period: TruthPeriod): (subject: TruthSubject) => boolean {
  const series = period.series === null ? null : compileGlob(period.series);
  const rule = period.rule === null ? null : compileGlob(period.rule);
  return (s) =>
    (rule === null || rule(s.rule)) && (series === null || series(s.seriesKey)) && (period.area === null || period.area === s.area);
}

function readTime(value: string | null, column: string, required: boolean, report: (column: string, message: string) => void): number | null {
  if (value === null) {
    if (required) report(column, 'missing: give ISO-8601 with an offset (2026-11-21T10:00:00Z) or epoch milliseconds');
    return null;
  }
  const t = parseTime(/^-?\d+$/.test(value) ? Number(value) : value);
  if (typeof t === 'string') {
    // parseTime names its field `t`; here the column is named by the problem itself.
    report(column, t.replace(/^t: /, ''));
    return null;
  }
  return t;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
