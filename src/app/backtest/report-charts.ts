import type { DetectorRegistry } from '../../domain/detect/detector.ts';
import type { Level } from '../../domain/detect/levels.ts';
import type { Rule } from '../../domain/detect/rules/rule.ts';
import type { SignalKind } from '../../domain/detect/hold.ts';
import { toActiveRule } from '../detection/active-rules.ts';
import { runRuleOverSeries } from '../detection/run-rule-over-series.ts';
import type { BacktestData } from './backtest-data.ts';
import type { BacktestResult } from './run-backtest.ts';
import { truthMatcher, type TruthPeriod } from './truth.ts';

/** What one chart of the report shows: a rule on one series. */
export interface ChartModel {
  rule: string;
  series: string;
  area: string | null;
  /** The time axis, epoch ms. */
  from: number;
  to: number;
  /** Observed values, oldest first (thinned to at most `maxPoints`, keeping each stretch's extremes). */
  points: { t: number; v: number }[];
  /** The detector's upper bound at the same points, where it gives one. */
  upper: (number | null)[];
  /** Fixed thresholds of the rule's parameters (bands' levels). */
  thresholds: { level: Level; value: number }[];
  signals: { t: number; kind: SignalKind; level: Level | null; previousLevel: Level | null }[];
  truth: { line: number; start: number; end: number; known: number | null; label: string | null; detected: boolean }[];
}

/** Limits that keep a report small enough to open; both have defaults. */
export interface ChartLimits {
  /** Most charts (pairs with signals first, then pairs with missed events). Default 200. */
  maxCharts?: number;
  /** Most points per chart. Default 2000. */
  maxPoints?: number;
}

/**
 * One chart per (rule, series) that had signals, then per pair with truth events and no signal
 * (a missed event is worth seeing too), up to `maxCharts`; answers how many pairs were left out.
 * The upper bound is re-derived by running the rule over the series alone (runRuleOverSeries):
 * it is for the picture only (signals and metrics come from the engine's run).
 */
export function chartModels(
  result: BacktestResult,
  data: BacktestData,
  rules: readonly Rule[],
  registry: DetectorRegistry,
  truth: readonly TruthPeriod[] | null,
  limits: ChartLimits = {},
): { charts: ChartModel[]; omitted: number } {
  const maxCharts = limits.maxCharts ?? 200;
  const maxPoints = limits.maxPoints ?? 2000;
  const byName = new Map(rules.map((r) => [r.name, r]));
  const seriesByKey = new Map(data.series.map((s) => [s.key, s]));
  const wanted: { rule: string; series: string; area: string | null }[] = [];
  const missedOnly: typeof wanted = [];
  for (const r of result.rules) {
    for (const s of r.series) {
      if (s.signals > 0) wanted.push({ rule: r.rule, series: s.series, area: s.area });
      else if ((s.metrics.events ?? 0) > 0) missedOnly.push({ rule: r.rule, series: s.series, area: s.area });
    }
  }
  const all = [...wanted, ...missedOnly];
  const chosen = all.slice(0, maxCharts);
  const needed = new Set(chosen.map((c) => seriesByKey.get(c.series)?.id).filter((id) => id !== undefined));
  const observations = observationsBySeries(data, needed);
  const matchers = (truth ?? []).map((p) => ({ period: p, matches: truthMatcher(p) }));

  const charts = chosen.map((pair): ChartModel => {
    const rule = byName.get(pair.rule);
    const info = seriesByKey.get(pair.series);
    const rows = info ? (observations.get(info.id) ?? []) : [];
    const upperAll = rule ? upperBounds(rule, registry, rows, result.tickMs) : rows.map(() => null);
    const keep = thin(rows, maxPoints);
    const signals = result.signals
      .filter((s) => s.rule === pair.rule && s.seriesKey === pair.series)
      .map((s) => ({ t: s.t, kind: s.kind, level: s.level, previousLevel: s.previousLevel }));
    const periods = matchers
      .filter((m) => m.matches({ rule: pair.rule, seriesKey: pair.series, area: pair.area }))
      .map(({ period: p }) => ({
        line: p.line,
        start: p.start,
        end: p.end,
        known: p.known,
        label: p.label,
        // Detected on this series: an alarm of this pair within the period.
        detected: signals.some((s) => s.kind === 'firing' && s.t >= p.start && s.t <= p.end),
      }));
    // The axis covers the series' own observations and signals (the whole data's span when it has neither).
    const edges = [...(rows.length > 0 ? [rows[0]!.t, rows[rows.length - 1]!.t] : []), ...signals.map((s) => s.t)];
    const from = edges.length > 0 ? edges.reduce((a, b) => Math.min(a, b)) : (result.span?.from ?? 0);
    const to = edges.length > 0 ? edges.reduce((a, b) => Math.max(a, b)) : (result.span?.to ?? 0);
    return {
      rule: pair.rule,
      series: pair.series,
      area: pair.area,
      from,
      to,
      points: keep.map((i) => rows[i]!),
      upper: keep.map((i) => upperAll[i] ?? null),
      thresholds: rule ? fixedThresholds(rule.detector.params) : [],
      signals,
      truth: periods,
    };
  });
  return { charts, omitted: all.length - chosen.length };
}

// Each wanted series' observations in time order, the first of repeated times only (as the engine sees them).
function observationsBySeries(data: BacktestData, wanted: ReadonlySet<number | undefined>): Map<number, { t: number; v: number }[]> {
  const out = new Map<number, { t: number; v: number; i: number }[]>();
  for (let i = 0; i < data.length; i++) {
    const id = data.seriesIds[i]!;
    if (!wanted.has(id)) continue;
    let rows = out.get(id);
    if (!rows) out.set(id, (rows = []));
    rows.push({ t: data.times[i]!, v: data.values[i]!, i });
  }
  const result = new Map<number, { t: number; v: number }[]>();
  for (const [id, rows] of out) {
    rows.sort((a, b) => a.t - b.t || a.i - b.i);
    result.set(
      id,
      rows.filter((r, k) => k === 0 || r.t > rows[k - 1]!.t).map(({ t, v }) => ({ t, v })),
    );
  }
  return result;
}

function upperBounds(rule: Rule, registry: DetectorRegistry, rows: readonly { t: number; v: number }[], tickMs: number): (number | null)[] {
  const active = toActiveRule(rule, registry);
  if (active.detector.input === 'signals' || rows.length === 0) return rows.map(() => null);
  const out: (number | null)[] = rows.map(() => null);
  for (const row of runRuleOverSeries(active, rows, tickMs)) {
    if (row.point !== null && row.upperbound !== null && Number.isFinite(row.upperbound)) out[row.point] = row.upperbound;
  }
  return out;
}

// Parameters holding fixed level thresholds (bands: `thresholds: [{ level, threshold }]`).
function fixedThresholds(params: unknown): { level: Level; value: number }[] {
  const list = (params as { thresholds?: unknown } | null)?.thresholds;
  if (!Array.isArray(list)) return [];
  return list.flatMap((x: unknown) => {
    const item = x as { level?: unknown; threshold?: unknown };
    return typeof item.level === 'string' && typeof item.threshold === 'number' ? [{ level: item.level as Level, value: item.threshold }] : [];
  });
}

// Indices to keep so a chart has at most `max` points: per time bucket, its lowest and highest
// value (in time order), so peaks and troughs survive the thinning.
function thin(rows: readonly { t: number; v: number }[], max: number): number[] {
  if (rows.length <= max) return rows.map((_, i) => i);
  const buckets = Math.max(1, Math.floor(max / 2));
  const from = rows[0]!.t;
  const width = (rows[rows.length - 1]!.t - from) / buckets || 1;
  const keep: number[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < rows.length; b++) {
    const edge = b === buckets - 1 ? Infinity : from + (b + 1) * width;
    let lo = -1;
    let hi = -1;
    for (; i < rows.length && rows[i]!.t < edge; i++) {
      if (lo < 0 || rows[i]!.v < rows[lo]!.v) lo = i;
      if (hi < 0 || rows[i]!.v > rows[hi]!.v) hi = i;
    }
    if (lo < 0) continue;
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return keep;
}
