import type { DetectorRegistry } from '../../domain/detect/detector.ts';
import type { Rule } from '../../domain/detect/rules/rule.ts';
import type { SignalRecord } from '../../store/repos/detection-repo.ts';
import type { ObservationRows } from '../../store/sql-client.ts';
import { DetectionEngine } from '../detection/detection-engine.ts';
import { toActiveRule } from '../detection/active-rules.ts';
import type { ActiveRule } from '../detection/active-rule.ts';
import { dataSpan, type BacktestData } from './backtest-data.ts';
import { memoryDetectionPorts } from './memory-ports.ts';
import { computeMetrics, type BacktestMetrics, type EventOutcome, type MetricsUnit } from './metrics.ts';
import { truthMatcher, type TruthPeriod } from './truth.ts';

/**
 * A backtest: history replayed through rules by the live detection engine itself (the same
 * DetectionEngine, rules built by the same toActiveRule), with ports over memory instead of the
 * store, then scored against known events. Observations go in sorted by time across all series,
 * in chunks; between chunks the engine's clock ticks in data time, so time-driven detectors
 * (staleness) see the silences of the history as they would have live.
 */

/** What a backtest needs; only `rules`, `registry` and `data` are required. */
export interface BacktestInput {
  /** Checked rules (disabled ones too: the caller decides what to try). */
  rules: readonly Rule[];
  registry: DetectorRegistry;
  data: BacktestData;
  /** Known events; absent: alarms are counted but nothing is scored. */
  truth?: readonly TruthPeriod[] | null;
  /** Data time between the engine's ticks (ms). Default: `defaultTickMs(span of the data)`. */
  tickMs?: number;
  /** Most observations submitted to the engine at once. Default 10 000. */
  chunkSize?: number;
  /** Told how many observations have been replayed, of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Lets other work run now and then (a CLI passes setImmediate so its progress bar redraws). */
  yieldToOthers?: () => Promise<void>;
}

/** One series a rule watched (or signalled about), and how the rule did there. */
export interface SeriesResult {
  series: string;
  area: string | null;
  signals: number;
  metrics: BacktestMetrics;
}

/** An event and what became of it under one rule. */
export interface RuleEventOutcome extends EventOutcome {
  label: string | null;
  start: number;
  end: number;
  known: number | null;
}

/** How one rule did: over all its series, per series, and per event. */
export interface RuleResult {
  rule: string;
  detector: string;
  enabled: boolean;
  /** Series of the data the rule selects (a composite's members). */
  watched: number;
  total: BacktestMetrics;
  /**
   * Every series the rule watched or signalled about, by key; for a composite rule, the groups it
   * signalled about (keyed like `area=D01`), scored against truth rows for their area.
   */
  series: SeriesResult[];
  events: RuleEventOutcome[];
}

/** Everything a backtest found. */
export interface BacktestResult {
  /** First and last observation time, or null for no data. */
  span: { from: number; to: number } | null;
  tickMs: number;
  /** Engine ticks run (0 when no rule's detector is time-driven). */
  ticks: number;
  observations: number;
  series: number;
  /** Rule × observation evaluations, and those skipped as not newer than the last seen (repeated times). */
  evaluated: number;
  late: number;
  withTruth: boolean;
  rules: RuleResult[];
  /** Every signal raised, in the order the engine raised them. */
  signals: SignalRecord[];
}

/** Most engine ticks a backtest makes by default (each visits every rule × series state). */
export const maxDefaultTicks = 100_000;
const tickSteps = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * 60_000);

/**
 * The default tick: one minute of data time (fine enough for staleness limits of ten minutes and
 * more), coarsened to the next round step when a long history would need more than
 * `maxDefaultTicks` (10 minutes for a year, an hour for ten years).
 */
export function defaultTickMs(spanMs: number): number {
  return tickSteps.find((step) => spanMs / step <= maxDefaultTicks) ?? Math.ceil(spanMs / maxDefaultTicks / 86_400_000) * 86_400_000;
}
const defaultChunkSize = 10_000;

/** Replays the data through the rules and scores them. Deterministic: no wall clock, no randomness. */
export async function runBacktest(input: BacktestInput): Promise<BacktestResult> {
  const span = dataSpan(input.data);
  const tickMs = input.tickMs ?? defaultTickMs(span ? span.to - span.from : 0);
  const chunkSize = input.chunkSize ?? defaultChunkSize;
  if (!(Number.isInteger(tickMs) && tickMs > 0)) throw new RangeError(`tickMs must be a positive whole number of ms, got ${tickMs}`);
  if (!(Number.isInteger(chunkSize) && chunkSize > 0)) throw new RangeError(`chunkSize must be a positive whole number, got ${chunkSize}`);
  const { data } = input;
  const active = input.rules.map((rule) => toActiveRule(rule, input.registry));
  const ports = memoryDetectionPorts(data);
  const engine = new DetectionEngine(ports);
  engine.setRules(active);

  const sorted = sortByTime(data);
  const n = sorted.length;
  // Composite rules are ticked by the engine too (their windows run out with time).
  const ticking = active.some((r) => r.detector.tick !== undefined || r.detector.input === 'signals');
  let ticks = 0;
  let done = 0;
  const submitThrough = async (limit: number) => {
    while (done < n && sorted.times[done]! <= limit) {
      let end = Math.min(done + chunkSize, n);
      // Stop the chunk at the limit (binary search: times are sorted).
      if (sorted.times[end - 1]! > limit) end = upperBound(sorted.times, limit, done, end);
      await engine.submit(slice(sorted, done, end));
      done = end;
      input.onProgress?.(done, n);
      await input.yieldToOthers?.();
    }
  };

  if (span && ticking) {
    // Ticks at whole multiples of tickMs (so chunking never changes when they fall), after the
    // observations up to and including that instant, through the first one at or after the end.
    const last = Math.ceil(span.to / tickMs) * tickMs;
    for (let now = (Math.floor(span.from / tickMs) + 1) * tickMs; now <= last; now += tickMs) {
      await submitThrough(now);
      await engine.tick(now);
      ticks++;
      if (ticks % 1024 === 0) await input.yieldToOthers?.();
    }
  }
  await submitThrough(Infinity);
  await engine.drain();
  input.onProgress?.(n, n);

  const truth = input.truth ?? null;
  const spanMs = span ? span.to - span.from : 0;
  return {
    span,
    tickMs,
    ticks,
    observations: n,
    series: data.series.length,
    evaluated: engine.counters.evaluated,
    late: engine.counters.late,
    withTruth: truth !== null,
    rules: input.rules.map((rule, i) => scoreRule(rule, active[i]!, data, ports.signals, truth, spanMs)),
    signals: ports.signals,
  };
}

function scoreRule(rule: Rule, active: ActiveRule, data: BacktestData, signals: readonly SignalRecord[], truth: readonly TruthPeriod[] | null, spanMs: number): RuleResult {
  const units = new Map<string, { area: string | null; alarms: number[]; signals: number }>();
  let watched = 0;
  for (const series of data.series) {
    if (!active.matches(series)) continue;
    watched++;
    // A composite rule signals about groups (`area=D01`), not about the series it selects.
    if (active.detector.input !== 'signals') units.set(series.key, { area: series.area, alarms: [], signals: 0 });
  }
  for (const s of signals) {
    if (s.rule !== rule.name) continue;
    let unit = units.get(s.seriesKey);
    if (!unit) {
      // A composite's group: a truth row matches it by area (or by a glob over `area=D01`).
      unit = { area: s.labels['area'] ?? null, alarms: [], signals: 0 };
      units.set(s.seriesKey, unit);
    }
    unit.signals++;
    if (s.kind === 'firing') unit.alarms.push(s.t);
  }
  const matchers = (truth ?? []).map((p) => ({ period: p, matches: truthMatcher(p) }));
  const metricsUnits: MetricsUnit[] = [];
  const series: SeriesResult[] = [];
  for (const key of [...units.keys()].sort()) {
    const unit = units.get(key)!;
    const periods = matchers
      .filter((m) => m.matches({ rule: rule.name, seriesKey: key, area: unit.area }))
      .map(({ period: p }) => ({ id: p.line, start: p.start, end: p.end, known: p.known }));
    const metricsUnit = { key, alarms: unit.alarms, periods };
    metricsUnits.push(metricsUnit);
    series.push({ series: key, area: unit.area, signals: unit.signals, metrics: computeMetrics([metricsUnit], spanMs, truth !== null).metrics });
  }
  const { metrics, events } = computeMetrics(metricsUnits, spanMs, truth !== null);
  const byLine = new Map((truth ?? []).map((p) => [p.line, p]));
  return {
    rule: rule.name,
    detector: rule.detector.type,
    enabled: rule.enabled,
    watched,
    total: metrics,
    series,
    events: events.map((e) => {
      const p = byLine.get(e.id)!;
      return { ...e, label: p.label, start: p.start, end: p.end, known: p.known };
    }),
  };
}

interface SortedRows {
  seriesIds: Int32Array;
  times: Float64Array;
  values: Float64Array;
  length: number;
}

// Stable: observations at the same time keep the order they were read in, so of two readings of
// one series at one time the first counts (the engine skips the second, as the store would refuse it).
function sortByTime(data: BacktestData): SortedRows {
  const n = data.length;
  let ordered = true;
  for (let i = 1; i < n && ordered; i++) ordered = data.times[i - 1]! <= data.times[i]!;
  if (ordered) return { seriesIds: data.seriesIds, times: data.times, values: data.values, length: n };
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => data.times[a]! - data.times[b]! || a - b);
  const out = { seriesIds: new Int32Array(n), times: new Float64Array(n), values: new Float64Array(n), length: n };
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    out.seriesIds[i] = data.seriesIds[j]!;
    out.times[i] = data.times[j]!;
    out.values[i] = data.values[j]!;
  }
  return out;
}

function slice(rows: SortedRows, from: number, to: number): ObservationRows {
  return { seriesIds: rows.seriesIds.subarray(from, to), times: rows.times.subarray(from, to), values: rows.values.subarray(from, to), length: to - from };
}

// The first index in [lo, hi) whose time is after `limit` (times sorted ascending).
function upperBound(times: Float64Array, limit: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
