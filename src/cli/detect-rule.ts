import fs from 'node:fs';
import path from 'node:path';
import { parseCsvLine } from '../domain/observations/csv-line.ts';
import { parseTime } from '../domain/observations/validate-observation.ts';
import { parseDuration } from '../domain/kernel/duration.ts';
import { detectorRegistry } from '../domain/detect/registry.ts';
import { formatRuleProblem, parseRuleFile } from '../domain/detect/rules/rule-file.ts';
import { toActiveRule } from '../app/detection/active-rules.ts';
import { runRuleOverSeries, type RuleRunRow, type SeriesPoint } from '../app/detection/run-rule-over-series.ts';
import { defaultTickMs } from '../app/backtest/run-backtest.ts';

/**
 * `tocsin detect --rule FILE --data FILE.csv [--out FILE.csv]`: one rule over one series from a
 * CSV file, written back as `t,observed,upperbound,alarm,level,signal` plus the detector's own
 * columns (expected, score, cusum…), so anyone can look at or plot what a rule would have done.
 */

/** A problem with the command's input, reported as one line naming the file, line and column. */
export class DetectInputError extends Error {}

const timeColumns = ['t', 'time', 'date'];
const valueColumns = ['observed', 'v', 'value'];
const missing = new Set(['', 'NA', 'NaN', 'null']);

/** Reads a series from CSV text: a header naming a time column (t, time or date) and a value column (observed, v or value). */
export function readSeriesCsv(text: string, file: string): { points: SeriesPoint[]; labels: string[] } {
  const lines = text.split(/\r?\n/);
  const header = parseCsvLine(lines[0] ?? '');
  if (typeof header === 'string') throw new DetectInputError(`${file}:1: ${header}`);
  const names = header.map((h) => h.trim());
  const tAt = names.findIndex((h) => timeColumns.includes(h));
  const vAt = names.findIndex((h) => valueColumns.includes(h));
  if (tAt < 0 || vAt < 0) {
    const lacking = tAt < 0 ? `a time column (${timeColumns.join(', ')})` : `a value column (${valueColumns.join(', ')})`;
    throw new DetectInputError(`${file}:1: the header needs ${lacking}; it has ${names.join(', ') || 'nothing'}`);
  }
  const seriesAt = names.indexOf('series');
  const points: SeriesPoint[] = [];
  const labels: string[] = [];
  let series: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const where = `${file}:${i + 1}`;
    const cells = parseCsvLine(line);
    if (typeof cells === 'string') throw new DetectInputError(`${where}: ${cells}`);
    const rawT = (cells[tAt] ?? '').trim();
    // A bare date (R's Date columns) is that day's midnight UTC.
    const t = parseTime(/^\d{4}-\d{2}-\d{2}$/.test(rawT) ? `${rawT}T00:00:00Z` : /^-?\d+$/.test(rawT) ? Number(rawT) : rawT);
    if (typeof t === 'string') throw new DetectInputError(`${where}: column ${names[tAt]}: ${t.replace(/^t: /, '')}`);
    const rawV = (cells[vAt] ?? '').trim();
    const v = missing.has(rawV) ? NaN : Number(rawV);
    if (!missing.has(rawV) && !Number.isFinite(v)) throw new DetectInputError(`${where}: column ${names[vAt]}: expected a number or NA, got ${JSON.stringify(rawV)}`);
    if (seriesAt >= 0) {
      const key = (cells[seriesAt] ?? '').trim();
      series ??= key;
      if (key !== series) throw new DetectInputError(`${where}: column series: "${key}" is a second series (the file holds "${series}"); detect runs one series — use tocsin backtest for many`);
    }
    const previous = points[points.length - 1];
    if (previous && !(t > previous.t)) {
      throw new DetectInputError(`${where}: column ${names[tAt]}: ${rawT} is not later than the row before; rows must be in increasing time order without repeats`);
    }
    points.push({ t, v });
    labels.push(rawT);
  }
  if (points.length === 0) throw new DetectInputError(`${file}: no data rows under the header`);
  return { points, labels };
}

/** The rows as CSV: fixed columns, then every extra column any row had, in first-seen order. */
export function rowsToCsv(rows: readonly RuleRunRow[], timeLabels: readonly string[]): string {
  const extraNames: string[] = [];
  for (const row of rows) for (const name of Object.keys(row.extras)) if (!extraNames.includes(name)) extraNames.push(name);
  const out = [['t', 'observed', 'upperbound', 'alarm', 'level', 'signal', ...extraNames].join(',')];
  for (const row of rows) {
    const t = row.point === null ? new Date(row.t).toISOString() : timeLabels[row.point]!;
    out.push(
      [csvText(t), num(row.observed), num(row.upperbound), String(row.alarm), row.level ?? '', row.signal ?? '', ...extraNames.map((n) => num(row.extras[n] ?? null))].join(','),
    );
  }
  return `${out.join('\n')}\n`;
}

function num(v: number | null): string {
  if (v === null || Number.isNaN(v)) return 'NA';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function csvText(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Options of one run. */
export interface DetectRuleOptions {
  rule: string;
  data: string;
  /** Which rule of a file holding several. */
  name?: string;
  /** Spacing of clock ticks for time-driven detectors, e.g. `1m`; default: the series' smallest gap, coarsened past 100,000 ticks. */
  tick?: string;
}

/** Runs the command; answers the CSV (the caller writes it to --out or stdout) and a one-line summary for stderr. */
export function detectRule(opts: DetectRuleOptions): { csv: string; summary: string } {
  const registry = detectorRegistry();
  let text: string;
  try {
    text = fs.readFileSync(opts.rule, 'utf8');
  } catch (err) {
    throw new DetectInputError(`--rule ${opts.rule}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const parsed = parseRuleFile(text, path.basename(opts.rule), registry);
  const chosen = opts.name === undefined ? parsed.rules : parsed.rules.filter((r) => r.name === opts.name);
  const problems = parsed.problems.filter((p) => opts.name === undefined || p.rule === opts.name || p.index === null);
  if (problems.length > 0) throw new DetectInputError(problems.map(formatRuleProblem).join('\n'));
  if (chosen.length !== 1) {
    throw new DetectInputError(
      chosen.length === 0
        ? `--rule ${opts.rule}: ${opts.name === undefined ? 'holds no rule' : `has no rule named "${opts.name}" (it has ${parsed.rules.map((r) => r.name).join(', ')})`}`
        : `--rule ${opts.rule}: holds ${chosen.length} rules (${chosen.map((r) => r.name).join(', ')}); choose one with --name`,
    );
  }
  const rule = toActiveRule(chosen[0]!, registry);
  if (rule.detector.input === 'signals') throw new DetectInputError(`rule "${rule.name}" is a composite over other rules' signals; run it with tocsin backtest`);
  let dataText: string;
  try {
    dataText = fs.readFileSync(opts.data, 'utf8');
  } catch (err) {
    throw new DetectInputError(`--data ${opts.data}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const { points, labels } = readSeriesCsv(dataText, path.basename(opts.data));
  // The series' own cadence, coarsened on long histories as a backtest does, so a year of
  // minute data with one second-apart pair does not mean millions of ticks.
  let tickMs = Math.max(smallestGap(points), defaultTickMs(points[points.length - 1]!.t - points[0]!.t));
  if (opts.tick !== undefined) {
    const ms = parseDuration(opts.tick);
    if (ms === null || ms <= 0) throw new DetectInputError(`--tick: expected a duration such as 1m or 1h, got "${opts.tick}"`);
    tickMs = ms;
  }
  const rows = runRuleOverSeries(rule, points, tickMs);
  const alarms = rows.filter((r) => r.alarm === 1).length;
  const signals = rows.filter((r) => r.signal === 'firing').length;
  return { csv: rowsToCsv(rows, labels), summary: `${rule.name}: ${points.length} points, ${alarms} in alarm, ${signals} signal(s) fired` };
}

function smallestGap(points: readonly SeriesPoint[]): number {
  let gap = Infinity;
  for (let i = 1; i < points.length; i++) gap = Math.min(gap, points[i]!.t - points[i - 1]!.t);
  return Number.isFinite(gap) ? Math.max(gap, 1000) : 60_000;
}
