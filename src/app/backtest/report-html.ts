import type { Level } from '../../domain/detect/levels.ts';
import type { ChartModel } from './report-charts.ts';
import { duration, summaryCells, summaryHeadings, summaryRows } from './results-table.ts';
import type { BacktestResult } from './run-backtest.ts';

/**
 * The backtest report: one self-contained HTML page (inline CSS and SVG; no script, font, image
 * or link that would reach the network), so it can be mailed, archived or opened offline. Every
 * text that came from rules, data or truth is HTML-escaped. Times are shown in UTC.
 */

/** What the page shows besides the results. */
export interface ReportContext {
  /** What was backtested, as the user named it (e.g. the command line's paths). */
  rulesSource: string;
  dataSource: string;
  truthSource: string | null;
  /** Charts and how many pairs were left out of them. */
  charts: readonly ChartModel[];
  omittedCharts: number;
}

const levelColours: Record<Level, string> = { blue: '#1f77b4', yellow: '#c9a400', orange: '#ff7f0e', red: '#d62728' };

/** Renders the report page. Pure. */
export function renderReportHtml(result: BacktestResult, context: ReportContext): string {
  const parts: string[] = [];
  parts.push(
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Tocsin backtest</title>',
    `<style>${css}</style>`,
    '</head><body>',
    '<h1>Tocsin backtest</h1>',
    `<p class="meta">${esc(describeRun(result, context))}</p>`,
    '<h2>Summary</h2>',
    summaryTable(result),
  );
  if (result.withTruth) parts.push('<h2>Events</h2>', eventsTable(result));
  parts.push('<h2>Charts</h2>');
  if (context.charts.length === 0) parts.push('<p>No rule raised a signal or had an event on any series.</p>');
  for (const chart of context.charts) parts.push(chartSection(chart));
  if (context.omittedCharts > 0) parts.push(`<p class="meta">${context.omittedCharts} more (rule, series) pairs are not charted.</p>`);
  parts.push(`<p class="meta">${esc(legendText)}</p>`, '</body></html>', '');
  return parts.join('\n');
}

/** Escapes text for HTML content and double-quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const legendText =
  'Charts: the line is the observed value, dashed the detector’s upper bound where it has one, horizontal lines the rule’s fixed ' +
  'thresholds; triangles mark alarms (firing), dots level changes, ticks resolutions; the bar below the plot shows when the rule was ' +
  'firing, by level; shaded periods are the truth file’s events (green when this series alarmed within them), a dotted line when the event became known.';

const css = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:14px;margin:18px 0 4px}
.meta{color:#555}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}
td.n{text-align:right}tr.total td{font-weight:600;border-bottom:2px solid #bbb}
svg.chart{display:block;width:100%;height:auto;max-width:960px;background:#fff;border:1px solid #e3e3e3}
svg text{font:11px system-ui,sans-serif;fill:#444}
.missed{color:#b00}.hit{color:#070}
`;

function describeRun(result: BacktestResult, context: ReportContext): string {
  const span = result.span
    ? `from ${isoMinute(result.span.from)} to ${isoMinute(result.span.to)} UTC (${duration(result.span.to - result.span.from)})`
    : 'no observations';
  const truth = context.truthSource ? `; truth ${context.truthSource}` : '; no truth file (alarms only)';
  return (
    `${result.rules.length} rule${result.rules.length === 1 ? '' : 's'} from ${context.rulesSource} over ${result.series} series ` +
    `from ${context.dataSource}, ${span}, ${result.observations} observations${truth}; engine ticks every ${duration(result.tickMs)} of data time.`
  );
}

function summaryTable(result: BacktestResult): string {
  const { rows } = summaryRows(result, false);
  const head = summaryHeadings(result.withTruth)
    .map((h) => `<th>${esc(h)}</th>`)
    .join('');
  const body = rows.map((row) => {
    const cells = summaryCells(row, result.withTruth)
      .map((c, i) => `<td${i >= 2 ? ' class="n"' : ''}>${esc(c)}</td>`)
      .join('');
    return `<tr${row.total ? ' class="total"' : ''}>${cells}</tr>`;
  });
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
}

function eventsTable(result: BacktestResult): string {
  const rows: string[] = [];
  for (const rule of result.rules) {
    for (const e of rule.events) {
      const cells = [
        rule.rule,
        String(e.id),
        e.label ?? '',
        isoMinute(e.start),
        isoMinute(e.end),
        e.known === null ? '–' : isoMinute(e.known),
        e.firstAlarm ? `${isoMinute(e.firstAlarm.t)} on ${e.firstAlarm.series}` : '–',
        e.delayMs === null ? '–' : duration(e.delayMs),
        e.leadMs === null ? '–' : duration(e.leadMs),
      ].map((c) => `<td>${esc(c)}</td>`);
      cells.splice(2, 0, `<td class="${e.detected ? 'hit">detected' : 'missed">missed'}</td>`);
      rows.push(`<tr>${cells.join('')}</tr>`);
    }
  }
  if (rows.length === 0) return '<p>No truth period concerns any series these rules watched.</p>';
  const head = ['rule', 'line', 'outcome', 'label', 'start', 'end', 'known', 'first alarm', 'delay', 'lead'].map((h) => `<th>${h}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

// Plot geometry (SVG user units).
const width = 960;
const height = 270;
const left = 64;
const right = 16;
const top = 12;
const plotBottom = 222;
const barTop = 228;
const barHeight = 7;

function chartSection(chart: ChartModel): string {
  const title = `${chart.rule} — ${chart.series}${chart.area ? ` (area ${chart.area})` : ''}`;
  return `<section><h3>${esc(title)}</h3>\n${chartSvg(chart)}\n</section>`;
}

/** One chart as inline SVG. */
export function chartSvg(chart: ChartModel): string {
  let from = chart.from;
  let to = chart.to;
  if (!(to > from)) {
    from -= 3_600_000;
    to += 3_600_000;
  }
  const ys = [...chart.points.map((p) => p.v), ...chart.upper.flatMap((u) => (u === null ? [] : [u])), ...chart.thresholds.map((t) => t.value)];
  let yMin = ys.length > 0 ? ys.reduce((a, b) => Math.min(a, b)) : 0;
  let yMax = ys.length > 0 ? ys.reduce((a, b) => Math.max(a, b)) : 1;
  if (!(yMax > yMin)) {
    yMin -= 1;
    yMax += 1;
  }
  const pad = (yMax - yMin) * 0.06;
  yMin -= pad;
  yMax += pad;
  const x = (t: number) => round(left + ((t - from) / (to - from)) * (width - left - right));
  const y = (v: number) => round(plotBottom - ((v - yMin) / (yMax - yMin)) * (plotBottom - top));
  const clampX = (t: number) => x(Math.min(Math.max(t, from), to));
  const out: string[] = [];
  const label = `${chart.rule} on ${chart.series}`;
  out.push(`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">`);
  out.push(`<rect x="${left}" y="${top}" width="${width - left - right}" height="${plotBottom - top}" fill="#fafafa" stroke="#ccc"/>`);

  for (const p of chart.truth) {
    if (p.end < from || p.start > to) continue;
    const x0 = clampX(p.start);
    const x1 = Math.max(clampX(p.end), x0 + 1);
    const name = `truth line ${p.line}${p.label ? `: ${p.label}` : ''}, ${isoMinute(p.start)} – ${isoMinute(p.end)}${p.detected ? ' (alarmed)' : ' (missed)'}`;
    out.push(
      `<rect class="truth" x="${x0}" y="${top}" width="${round(x1 - x0)}" height="${plotBottom - top}" fill="${p.detected ? '#cfe8c9' : '#f5d0cc'}" opacity="0.8"><title>${esc(name)}</title></rect>`,
    );
    if (p.label) out.push(`<text x="${x0 + 3}" y="${plotBottom - 5}">${esc(p.label)}</text>`);
    if (p.known !== null && p.known >= from && p.known <= to) {
      out.push(`<line x1="${x(p.known)}" x2="${x(p.known)}" y1="${top}" y2="${plotBottom}" stroke="#777" stroke-dasharray="2 3"><title>${esc(`known ${isoMinute(p.known)}`)}</title></line>`);
    }
  }

  // Axes: about five nice values up the side, five times along the bottom.
  for (const v of niceTicks(yMin, yMax, 5)) {
    out.push(`<line x1="${left - 4}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${esc(formatNumber(v))}</text>`);
  }
  for (const t of timeTicks(from, to)) {
    out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${plotBottom}" y2="${plotBottom + 4}" stroke="#999"/>`);
    out.push(`<text x="${x(t)}" y="${height - 8}" text-anchor="middle">${esc(timeLabel(t))}</text>`);
  }

  for (const th of chart.thresholds) {
    out.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(th.value)}" y2="${y(th.value)}" stroke="${levelColours[th.level] ?? '#888'}" stroke-width="1"><title>${esc(`${th.level} threshold ${formatNumber(th.value)}`)}</title></line>`,
    );
    out.push(`<text x="${width - right - 4}" y="${y(th.value) - 3}" text-anchor="end">${esc(`${th.level} ${formatNumber(th.value)}`)}</text>`);
  }

  const upperRuns: string[][] = [];
  let run: string[] | null = null;
  chart.points.forEach((p, i) => {
    const u = chart.upper[i];
    if (u === null || u === undefined) {
      run = null;
      return;
    }
    if (!run) upperRuns.push((run = []));
    run.push(`${x(p.t)},${y(u)}`);
  });
  for (const r of upperRuns) {
    out.push(r.length === 1 ? dot(r[0]!, '#555', 1.5) : `<polyline class="upper" points="${r.join(' ')}" fill="none" stroke="#555" stroke-dasharray="5 3"/>`);
  }
  // The line breaks where the series fell silent (a gap of more than three usual steps), so an
  // outage shows as one rather than as a straight line across it.
  for (const stretch of stretches(chart.points)) {
    if (stretch.length === 1) out.push(dot(`${x(stretch[0]!.t)},${y(stretch[0]!.v)}`, '#1f4e79', 2));
    else out.push(`<polyline class="values" points="${stretch.map((p) => `${x(p.t)},${y(p.v)}`).join(' ')}" fill="none" stroke="#1f4e79" stroke-width="1.4"/>`);
  }

  // The firing bar: one segment per stretch at one level, from each signal to the next.
  let current: { level: Level; since: number } | null = null;
  const segments: { level: Level; from: number; to: number }[] = [];
  for (const s of chart.signals) {
    if (current) segments.push({ level: current.level, from: current.since, to: s.t });
    current = s.level === null ? null : { level: s.level, since: s.t };
  }
  if (current) segments.push({ level: current.level, from: current.since, to });
  out.push(`<rect x="${left}" y="${barTop}" width="${width - left - right}" height="${barHeight}" fill="#f0f0f0"/>`);
  for (const seg of segments) {
    const x0 = clampX(seg.from);
    out.push(
      `<rect x="${x0}" y="${barTop}" width="${Math.max(round(clampX(seg.to) - x0), 1)}" height="${barHeight}" fill="${levelColours[seg.level]}"><title>${esc(`${seg.level} from ${isoMinute(seg.from)} to ${isoMinute(seg.to)}`)}</title></rect>`,
    );
  }

  for (const s of chart.signals) {
    const sx = clampX(s.t);
    const what = `${s.kind}${s.level ? ` ${s.level}` : ''}${s.previousLevel ? ` (was ${s.previousLevel})` : ''} at ${isoMinute(s.t)}`;
    const colour = s.level ? levelColours[s.level] : '#666';
    if (s.kind === 'firing') {
      out.push(`<line x1="${sx}" x2="${sx}" y1="${top}" y2="${plotBottom}" stroke="${colour}" stroke-width="1" opacity="0.7"/>`);
      out.push(`<path class="alarm" d="M${sx - 5},${top} L${sx + 5},${top} L${sx},${top + 9} Z" fill="${colour}"><title>${esc(what)}</title></path>`);
    } else if (s.kind === 'changed') {
      out.push(`<circle class="change" cx="${sx}" cy="${top + 5}" r="3.5" fill="${colour}"><title>${esc(what)}</title></circle>`);
    } else {
      out.push(`<line class="resolved" x1="${sx}" x2="${sx}" y1="${barTop - 3}" y2="${barTop + barHeight + 3}" stroke="#444" stroke-width="1.5"><title>${esc(what)}</title></line>`);
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

function stretches(points: readonly { t: number; v: number }[]): { t: number; v: number }[][] {
  if (points.length === 0) return [];
  const steps = points.slice(1).map((p, i) => p.t - points[i]!.t);
  const usual = steps.length > 0 ? [...steps].sort((a, b) => a - b)[steps.length >> 1]! : 0;
  const out: { t: number; v: number }[][] = [[points[0]!]];
  for (let i = 1; i < points.length; i++) {
    if (usual > 0 && steps[i - 1]! > 3 * usual) out.push([]);
    out[out.length - 1]!.push(points[i]!);
  }
  return out;
}

const timeSteps = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 2 * 86_400_000, 7 * 86_400_000, 14 * 86_400_000, 30 * 86_400_000, 91 * 86_400_000, 365 * 86_400_000];

// Round UTC instants (whole hours, days…) along the axis, about four to eight of them.
function timeTicks(from: number, to: number): number[] {
  const step = timeSteps.find((s) => (to - from) / s <= 8) ?? (to - from) / 6;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

// Midnight shows the date alone, any other instant the date and time (UTC).
function timeLabel(t: number): string {
  const iso = isoMinute(t);
  return iso.endsWith(' 00:00') ? iso.slice(0, 10) : iso;
}

function dot(at: string, colour: string, r: number): string {
  const [cx, cy] = at.split(',');
  return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${colour}"/>`;
}

/** `2026-11-21 10:00` (UTC). */
function isoMinute(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function formatNumber(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

// Values at 1, 2 or 5 × 10^k steps covering [lo, hi].
function niceTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}
