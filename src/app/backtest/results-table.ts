import type { BacktestMetrics } from './metrics.ts';
import type { BacktestResult, RuleResult, SeriesResult } from './run-backtest.ts';

/** A summary row: one series of a rule, or the rule's total. */
export interface SummaryRow {
  rule: string;
  /** The series key, or `(all N)` for the rule's total. */
  series: string;
  total: boolean;
  signals: number;
  metrics: BacktestMetrics;
}

/**
 * The rows a summary shows: per rule, its series that had a signal or an event (every series
 * with `allSeries`), then its total. Answers how many quiet series were left out.
 */
export function summaryRows(result: BacktestResult, allSeries = false): { rows: SummaryRow[]; hidden: number } {
  const rows: SummaryRow[] = [];
  let hidden = 0;
  for (const rule of result.rules) {
    for (const s of rule.series) {
      if (allSeries || shown(s)) rows.push({ rule: rule.rule, series: s.series, total: false, signals: s.signals, metrics: s.metrics });
      else hidden++;
    }
    rows.push({ rule: rule.rule, series: `(all ${rule.series.length})`, total: true, signals: signalCount(rule), metrics: rule.total });
  }
  return { rows, hidden };
}

/** The column headings of the summary, with or without truth. */
export function summaryHeadings(withTruth: boolean): string[] {
  return withTruth
    ? ['rule', 'series', 'alarms', 'events', 'detected', 'sensitivity', 'false alarms', 'FA/year', 'PPV', 'median delay', 'median lead']
    : ['rule', 'series', 'signals', 'alarms'];
}

/** A summary row's cells, in the order of `summaryHeadings`. */
export function summaryCells(row: SummaryRow, withTruth: boolean): string[] {
  const m = row.metrics;
  if (!withTruth) return [row.rule, row.series, String(row.signals), String(m.alarms)];
  return [
    row.rule,
    row.series,
    String(m.alarms),
    orDash(m.events),
    orDash(m.detected),
    m.sensitivity === null ? '–' : percent(m.sensitivity),
    orDash(m.falseAlarms),
    m.falseAlarmsPerYear === null ? '–' : m.falseAlarmsPerYear.toFixed(1),
    m.ppv === null ? '–' : percent(m.ppv),
    m.medianDelayMs === null ? '–' : duration(m.medianDelayMs),
    m.medianLeadMs === null ? '–' : duration(m.medianLeadMs),
  ];
}

/** The summary as an aligned text table (text columns left, figures right), one line per row. */
export function resultsTable(result: BacktestResult, allSeries = false): string {
  const { rows, hidden } = summaryRows(result, allSeries);
  const headings = summaryHeadings(result.withTruth);
  const body = rows.map((r) => summaryCells(r, result.withTruth));
  const text = alignColumns([headings, ...body], (column) => column >= 2);
  const note = hidden > 0 ? `(${hidden} more series had no signal and no event; --all-series lists them)\n` : '';
  return `${text}${note}`;
}

/** Lines of cells padded to their column's width; `right(column)` right-aligns a column. */
export function alignColumns(lines: readonly (readonly string[])[], right: (column: number) => boolean): string {
  const widths: number[] = [];
  for (const line of lines) line.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, [...cell].length)));
  return lines
    .map((line) =>
      line
        .map((cell, c) => {
          const pad = ' '.repeat(widths[c]! - [...cell].length);
          return right(c) ? pad + cell : c === line.length - 1 ? cell : cell + pad;
        })
        .join('  '),
    )
    .join('\n')
    .concat(lines.length > 0 ? '\n' : '');
}

/** A signed duration in its two largest units: `45s`, `12m`, `1h30m`, `2d4h`, `-20m`. */
export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [name, size] of units) {
    if (parts.length === 2) break;
    const n = Math.floor(s / size);
    if (n > 0 || parts.length > 0) {
      if (n > 0) parts.push(`${n}${name}`);
      else break;
    }
    s -= n * size;
  }
  return parts.length === 0 ? '0s' : sign + parts.join('');
}

/** A ratio as a percentage with at most one decimal: `50%`, `33.3%`. */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

function orDash(n: number | null): string {
  return n === null ? '–' : String(n);
}

function shown(s: SeriesResult): boolean {
  return s.signals > 0 || (s.metrics.events ?? 0) > 0;
}

function signalCount(rule: RuleResult): number {
  return rule.series.reduce((n, s) => n + s.signals, 0);
}
