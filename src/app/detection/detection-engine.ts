import type { ObservationRows } from '../../store/sql-client.ts';
import type { DetectorOutput, InPlaceStep } from '../../domain/detect/detector.ts';
import type { Level } from '../../domain/detect/levels.ts';
import { advanceHold, quietHold, type HoldState } from '../../domain/detect/hold.ts';
import type { NewSignal, SignalRecord, StoredCompositeState, StoredDetectorState } from '../../store/repos/detection-repo.ts';
import type { ActiveRule, SeriesInfo } from './active-rule.ts';
import { CompositeRunner } from './composite-runner.ts';

/** The per-(rule, series) state the engine keeps and checkpoints (JSON). */
interface RuleSeriesState {
  fingerprint: string;
  /** The detector's JSON state; stale while `cell` holds it (see DetectionEngine.cellOf). */
  detector: unknown;
  hold: HoldState;
  /** Newest observation time seen (epoch ms); older or equal ones are not evaluated. */
  lastT: number;
  /** The detector state's numbers, stepped in place, for detectors with an in-place step. Not persisted. */
  cell?: Float64Array;
}

/** What the engine needs from the outside: series descriptions, persistence and an outlet for signals. */
export interface DetectionPorts {
  /** Describes the given series (unknown ids are left out). */
  seriesInfo(ids: readonly number[]): Promise<Map<number, SeriesInfo>>;
  /** Stores signals once each; answers the newly stored ones. */
  insertSignals(signals: readonly NewSignal[]): Promise<SignalRecord[]>;
  saveStates(states: readonly StoredDetectorState[]): Promise<void>;
  loadStates(): Promise<StoredDetectorState[]>;
  /** Composite rules' states per group, checkpointed beside the detector states. */
  saveCompositeStates(states: readonly StoredCompositeState[]): Promise<void>;
  loadCompositeStates(): Promise<StoredCompositeState[]>;
  /** Observations of a series strictly after `afterMs`, oldest first (recovery replay). */
  observationsAfter(seriesId: number, afterMs: number): Promise<{ t: number; v: number }[]>;
  /** Told about every newly stored signal (server-sent events, later alerting). */
  onSignals(signals: readonly SignalRecord[]): void;
}

/** Counters the runtime exposes as metrics. */
export interface DetectionCounters {
  evaluated: number;
  /** Observations not newer than what a rule had already seen for the series (late or repeated). */
  late: number;
  signals: number;
}

const separator = '\u0000';

type Transition = NonNullable<ReturnType<typeof advanceHold>['transition']>;

/** The labels a rule's signal (and so its alert) carries for a series at a level (DESIGN.md). */
function alertLabels(rule: ActiveRule, series: SeriesInfo, level: Level | null): Record<string, string> {
  return {
    alertname: rule.name,
    series: series.key,
    ...(series.domain ? { domain: series.domain } : {}),
    ...(series.indicator ? { indicator: series.indicator } : {}),
    ...(series.area ? { area: series.area } : {}),
    ...(level ? { level } : {}),
    ...series.labels,
    ...rule.labels,
  };
}

/** The numbers of a state stepped in place, unpacked from its JSON state on first use. */
function cellOf(rule: ActiveRule, state: RuleSeriesState, inPlace: InPlaceStep<unknown, unknown>): Float64Array {
  if (!state.cell) {
    state.cell = new Float64Array(inPlace.size);
    inPlace.pack(rule.params, state.detector, state.cell, 0);
  }
  return state.cell;
}

/**
 * Runs every accepted observation through the rules that select its series, in per-series time
 * order, one batch after another. Late data policy: an observation whose time is not after the
 * newest one a rule has seen for that series is stored but not evaluated (counted as `late`), so
 * detectors always see each series moving forward and replays are deterministic.
 */
export class DetectionEngine {
  private rules: ActiveRule[] = [];
  /** The rules over observations (composites run over their signals, in `composites`). */
  private seriesRules: ActiveRule[] = [];
  private readonly composites = new CompositeRunner((id) => this.series.get(id));
  /** Cache of the time-driven states for `tick`; null when states or rules changed since. */
  private timed: { key: string; rule: ActiveRule; seriesId: number }[] | null = null;
  private readonly matched = new Map<number, ActiveRule[]>();
  private readonly series = new Map<number, SeriesInfo>();
  private readonly states = new Map<string, RuleSeriesState>();
  private readonly dirty = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  readonly counters: DetectionCounters = { evaluated: 0, late: 0, signals: 0 };

  constructor(private readonly ports: DetectionPorts) {}

  /** Replaces the rule set; states of changed or removed rules are dropped. */
  setRules(rules: readonly ActiveRule[]): void {
    this.rules = [...rules];
    this.timed = null;
    this.seriesRules = rules.filter((r) => r.detector.input !== 'signals');
    this.composites.setRules(rules.filter((r) => r.detector.input === 'signals'));
    this.matched.clear();
    const fingerprints = new Map(rules.map((r) => [r.name, r.fingerprint]));
    for (const [key, state] of this.states) {
      const rule = key.slice(0, key.indexOf(separator));
      if (fingerprints.get(rule) !== state.fingerprint) {
        this.states.delete(key);
        this.dirty.delete(key);
      }
    }
  }

  /** Forgets what it knows of these series (their metadata changed, so selections may too). */
  forgetSeries(ids: readonly number[]): void {
    for (const id of ids) {
      this.series.delete(id);
      this.matched.delete(id);
    }
  }

  /** Observations submitted and not yet processed (for the queue metric and backpressure). */
  get queuedObservations(): number {
    return this.queued;
  }

  /** Queues a committed batch; resolves with the signals it raised, after those before it. */
  submit(rows: ObservationRows): Promise<SignalRecord[]> {
    this.queued += rows.length;
    const run = this.queue.then(() => this.process(rows)).finally(() => (this.queued -= rows.length));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when everything submitted so far has been processed. */
  async drain(): Promise<void> {
    await this.queue;
  }

  /**
   * Loads checkpointed states whose rule is unchanged and replays the observations stored after
   * each one, so nothing that arrived before a crash is missed (re-derived signals are stored once).
   */
  async recover(): Promise<SignalRecord[]> {
    const byName = new Map(this.rules.map((r) => [r.name, r]));
    this.composites.restore(await this.ports.loadCompositeStates());
    const stored = await this.ports.loadStates();
    const replay: { seriesId: number; after: number }[] = [];
    for (const s of stored) {
      if (byName.get(s.rule)?.fingerprint !== s.fingerprint) continue;
      this.states.set(s.rule + separator + s.seriesId, s.state as RuleSeriesState);
      this.timed = null;
      replay.push({ seriesId: s.seriesId, after: s.lastT });
    }
    const earliest = new Map<number, number>();
    for (const r of replay) earliest.set(r.seriesId, Math.min(earliest.get(r.seriesId) ?? Infinity, r.after));
    const raised: SignalRecord[] = [];
    for (const [seriesId, after] of earliest) {
      const rows = await this.ports.observationsAfter(seriesId, after);
      if (rows.length === 0) continue;
      raised.push(
        ...(await this.submit({
          seriesIds: new Int32Array(rows.length).fill(seriesId),
          times: Float64Array.from(rows, (r) => r.t),
          values: Float64Array.from(rows, (r) => r.v),
          length: rows.length,
        })),
      );
    }
    return raised;
  }

  /** Writes the states changed since the last checkpoint. */
  async checkpoint(): Promise<number> {
    await this.drain();
    const rows: StoredDetectorState[] = [];
    for (const key of this.dirty) {
      const state = this.states.get(key);
      if (!state) continue;
      const cut = key.indexOf(separator);
      const ruleName = key.slice(0, cut);
      // A state stepped in place is written as the detector's JSON state, as `step` would hold it.
      const rule = state.cell ? this.seriesRules.find((r) => r.name === ruleName) : undefined;
      const detector = state.cell && rule?.detector.inPlace ? rule.detector.inPlace.unpack(rule.params, state.cell, 0) : state.detector;
      const saved: RuleSeriesState = { fingerprint: state.fingerprint, detector, hold: state.hold, lastT: state.lastT };
      rows.push({ rule: ruleName, seriesId: Number(key.slice(cut + 1)), fingerprint: state.fingerprint, state: saved, lastT: state.lastT });
    }
    this.dirty.clear();
    await this.ports.saveStates(rows);
    const composites = this.composites.takeDirty();
    await this.ports.saveCompositeStates(composites);
    return rows.length + composites.length;
  }

  /** Lets time-driven detectors (staleness, periods closing) look at the clock; answers the signals raised. */
  async tick(now: number): Promise<SignalRecord[]> {
    await this.drain();
    const fresh: NewSignal[] = [];
    const timed = this.timedStates();
    // After a restart a silent series has a recovered state but no cached description: load it,
    // or the very series that stopped reporting could never be flagged.
    if (timed.some((entry) => !this.series.has(entry.seriesId))) await this.describe(timed.map((entry) => entry.seriesId));
    for (const { key, rule, seriesId } of timed) {
      const state = this.states.get(key);
      const series = this.series.get(seriesId);
      if (!state || !series) continue;
      const result = rule.detector.tick!(rule.params, state.detector, now);
      if (!result) continue;
      state.detector = result.state;
      const transition = this.advance(rule, key, state, result.output.level, now);
      if (transition) this.raise(rule, series, transition, result.output, now, NaN, fresh);
    }
    this.composites.feed(fresh);
    this.composites.tick(now, fresh);
    return this.store(fresh);
  }

  /**
   * The states of time-driven rules, kept as a list between ticks: a backtest ticks every minute of
   * a year's history, and walking every state of every rule each time was most of its run time.
   */
  private timedStates(): { key: string; rule: ActiveRule; seriesId: number }[] {
    if (this.timed === null) {
      const byName = new Map(this.seriesRules.filter((r) => r.detector.tick).map((r) => [r.name, r]));
      this.timed = [];
      for (const key of this.states.keys()) {
        const cut = key.indexOf(separator);
        const rule = byName.get(key.slice(0, cut));
        if (rule) this.timed.push({ key, rule, seriesId: Number(key.slice(cut + 1)) });
      }
    }
    return this.timed;
  }

  private async process(rows: ObservationRows): Promise<SignalRecord[]> {
    if (this.seriesRules.length === 0 || rows.length === 0) return [];
    await this.describe(rows.seriesIds);
    // Per-series time order, whatever order the batch came in.
    const order = Array.from({ length: rows.length }, (_, i) => i);
    order.sort((a, b) => rows.seriesIds[a]! - rows.seriesIds[b]! || rows.times[a]! - rows.times[b]!);
    const fresh: NewSignal[] = [];
    for (const i of order) {
      const seriesId = rows.seriesIds[i]!;
      const series = this.series.get(seriesId);
      if (!series) continue;
      for (const rule of this.rulesFor(series)) this.evaluate(rule, series, rows.times[i]!, rows.values[i]!, fresh);
    }
    // Every derived signal, stored before or not, feeds the composites: a replay after a restart
    // must count the same members as the uninterrupted run did.
    this.composites.feed(fresh);
    return this.store(fresh);
  }

  private evaluate(rule: ActiveRule, series: SeriesInfo, t: number, v: number, out: NewSignal[]): void {
    const key = rule.name + separator + series.id;
    let state = this.states.get(key);
    if (!state) {
      state = { fingerprint: rule.fingerprint, detector: rule.detector.init(rule.params), hold: quietHold, lastT: -Infinity };
      this.states.set(key, state);
      if (rule.detector.tick) this.timed = null;
    }
    if (t <= state.lastT) {
      this.counters.late++;
      return;
    }
    this.counters.evaluated++;
    // Time-driven detectors tick their JSON state, so they always step it too.
    const inPlace = rule.detector.tick ? undefined : rule.detector.inPlace;
    if (inPlace) {
      // No allocation per observation: the state's numbers change in place, the full output is
      // built only when a signal needs it.
      const cell = cellOf(rule, state, inPlace);
      const level = inPlace.step(rule.params, cell, 0, t, v);
      const transition = this.advance(rule, key, state, level, t);
      if (transition) this.raise(rule, series, transition, inPlace.output(rule.params, cell, 0, v), t, v, out);
    } else {
      const result = rule.detector.step(rule.params, state.detector, { t, v });
      state.detector = result.state;
      const transition = this.advance(rule, key, state, result.output.level, t);
      if (transition) this.raise(rule, series, transition, result.output, t, v, out);
    }
    state.lastT = t;
  }

  /** One output object reused to ask a rule for its level (ActiveRule.levelOf reads only `level`). */
  private readonly levelProbe: { level: Level | null } = { level: null };

  /** Moves the rule's hold on with the detector's level; answers the transition, if any. */
  private advance(rule: ActiveRule, key: string, state: RuleSeriesState, detectorLevel: Level | null, t: number): Transition | null {
    this.levelProbe.level = detectorLevel;
    const { hold, transition } = advanceHold(state.hold, rule.levelOf(this.levelProbe), t, rule.forMs);
    state.hold = hold;
    this.dirty.add(key);
    return transition ?? null;
  }

  /** Adds the signal of a transition, with the labels and annotations of its rule and series. */
  private raise(rule: ActiveRule, series: SeriesInfo, transition: Transition, output: DetectorOutput, t: number, v: number, out: NewSignal[]): void {
    // A period detector's verdict is about the period's total, not the event that closed it.
    const periodValue = output.extras?.['period_value'];
    if (typeof periodValue === 'number') v = periodValue;
    const labels = alertLabels(rule, series, transition.level ?? transition.previous);
    out.push({
      rule: rule.name,
      seriesId: series.id,
      seriesKey: series.key,
      t,
      kind: transition.kind,
      level: transition.level,
      previousLevel: transition.previous,
      value: Number.isNaN(v) ? 0 : v,
      upperbound: output.upperbound ?? null,
      labels,
      annotations: rule.annotations({ series: series.key, level: transition.level, value: v, labels }),
      extras: output.extras ?? null,
    });
  }

  /**
   * Rules holding a level through their `for`, by series: the alerts that are *pending*, with the
   * labels their signal will carry and since when (derived from the held states, nothing stored).
   */
  pendingAlerts(): { rule: string; series: string; level: Level; since: number; labels: Record<string, string> }[] {
    const byName = new Map(this.seriesRules.map((r) => [r.name, r]));
    const out: { rule: string; series: string; level: Level; since: number; labels: Record<string, string> }[] = [];
    for (const [key, state] of this.states) {
      const { pendingSince, pendingLevel } = state.hold;
      if (pendingSince === null || pendingLevel === undefined) continue;
      const cut = key.indexOf(separator);
      const rule = byName.get(key.slice(0, cut));
      const series = this.series.get(Number(key.slice(cut + 1)));
      if (!rule || !series) continue;
      // The hold keeps the rule's own level (the engine maps the detector's through levelOf first).
      out.push({ rule: rule.name, series: series.key, level: pendingLevel, since: pendingSince, labels: alertLabels(rule, series, pendingLevel) });
    }
    return out;
  }

  private async store(fresh: NewSignal[]): Promise<SignalRecord[]> {
    if (fresh.length === 0) return [];
    const stored = await this.ports.insertSignals(fresh);
    this.counters.signals += stored.length;
    if (stored.length > 0) this.ports.onSignals(stored);
    return stored;
  }

  private rulesFor(series: SeriesInfo): ActiveRule[] {
    let rules = this.matched.get(series.id);
    if (!rules) {
      rules = this.seriesRules.filter((r) => r.matches(series));
      this.matched.set(series.id, rules);
    }
    return rules;
  }

  private async describe(ids: Iterable<number>): Promise<void> {
    const unknown = new Set<number>();
    for (const id of ids) if (!this.series.has(id)) unknown.add(id);
    if (unknown.size === 0) return;
    const found = await this.ports.seriesInfo([...unknown]);
    for (const [id, info] of found) this.series.set(id, info);
  }
}
