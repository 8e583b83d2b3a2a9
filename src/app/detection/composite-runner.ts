import {
  groupOf,
  initCompositeState,
  memberRuleMatcher,
  stepComposite,
  tickComposite,
  type CompositeParams,
  type CompositeState,
} from '../../domain/detect/composite.ts';
import type { DetectorOutput } from '../../domain/detect/detector.ts';
import { advanceHold, quietHold, type HoldState } from '../../domain/detect/hold.ts';
import type { NewSignal, StoredCompositeState } from '../../store/repos/detection-repo.ts';
import type { ActiveRule, SeriesInfo } from './active-rule.ts';

/** A composite rule's state for one group: the domain state plus its hold. */
interface GroupState {
  fingerprint: string;
  /** The `by` labels' values that define the group, carried on its signals. */
  labels: Record<string, string>;
  composite: CompositeState;
  hold: HoldState;
}

interface CompositeRule {
  rule: ActiveRule;
  params: CompositeParams;
  isMember: (ruleName: string) => boolean;
}

const separator = '\u0000';

/**
 * Runs the composite rules of the detection engine: takes the signals the rules over observations
 * derive, feeds each to the composites that watch its rule and series, and answers the composites'
 * own signals — about a group (e.g. `area=D01`), so they carry no series id. Signals of a composite
 * never feed a composite, so rules cannot trigger each other in a loop.
 */
export class CompositeRunner {
  private rules: CompositeRule[] = [];
  private readonly states = new Map<string, GroupState>();
  private readonly dirty = new Set<string>();

  /** `seriesInfo` describes a member signal's series for the composite's selector. */
  constructor(private readonly seriesInfo: (id: number) => SeriesInfo | undefined) {}

  /** Replaces the composite rules; groups of changed or removed rules start afresh. */
  setRules(rules: readonly ActiveRule[]): void {
    this.rules = rules.map((rule) => {
      const params = rule.params as CompositeParams;
      return { rule, params, isMember: memberRuleMatcher(params) };
    });
    const fingerprints = new Map(rules.map((r) => [r.name, r.fingerprint]));
    for (const [key, state] of this.states) {
      if (fingerprints.get(key.slice(0, key.indexOf(separator))) !== state.fingerprint) {
        this.states.delete(key);
        this.dirty.delete(key);
      }
    }
  }

  /** Loads checkpointed group states whose rule is unchanged. */
  restore(stored: readonly StoredCompositeState[]): void {
    const fingerprints = new Map(this.rules.map((c) => [c.rule.name, c.rule.fingerprint]));
    for (const s of stored) {
      if (fingerprints.get(s.rule) !== s.fingerprint) continue;
      const saved = s.state as Omit<GroupState, 'fingerprint'>;
      this.states.set(s.rule + separator + s.subject, { fingerprint: s.fingerprint, labels: saved.labels, composite: saved.composite, hold: saved.hold });
    }
  }

  /** The group states changed since the last call, for the checkpoint. */
  takeDirty(): StoredCompositeState[] {
    const rows: StoredCompositeState[] = [];
    for (const key of this.dirty) {
      const state = this.states.get(key);
      if (!state) continue;
      const cut = key.indexOf(separator);
      rows.push({ rule: key.slice(0, cut), subject: key.slice(cut + 1), fingerprint: state.fingerprint, state: { labels: state.labels, composite: state.composite, hold: state.hold } });
    }
    this.dirty.clear();
    return rows;
  }

  /** Feeds member signals (in time order) to the composites; appends the composites' signals to `signals`. */
  feed(signals: NewSignal[]): void {
    if (this.rules.length === 0 || signals.length === 0) return;
    const members = signals.filter((s) => s.seriesId !== null).sort((a, b) => a.t - b.t);
    for (const signal of members) {
      const series = this.seriesInfo(signal.seriesId!);
      if (!series) continue;
      for (const c of this.rules) {
        if (!c.isMember(signal.rule) || !c.rule.matches(series)) continue;
        const group = groupOf(c.params, signal.labels);
        if (group === null) continue;
        const state = this.stateOf(c, group, signal.labels);
        const result = stepComposite(c.params, state.composite, { seriesKey: signal.seriesKey, t: signal.t, kind: signal.kind, level: signal.level });
        this.apply(c, group, state, result.state, result.output, signal.t, signals);
      }
    }
  }

  /** Lets the clock pass for every group, so windows run out without new signals. */
  tick(now: number, signals: NewSignal[]): void {
    const byName = new Map(this.rules.map((c) => [c.rule.name, c]));
    for (const [key, state] of this.states) {
      const cut = key.indexOf(separator);
      const c = byName.get(key.slice(0, cut));
      if (!c) continue;
      const result = tickComposite(c.params, state.composite, now);
      if (result) this.apply(c, key.slice(cut + 1), state, result.state, result.output, now, signals);
    }
  }

  private stateOf(c: CompositeRule, group: string, memberLabels: Readonly<Record<string, string>>): GroupState {
    const key = c.rule.name + separator + group;
    let state = this.states.get(key);
    if (!state) {
      const labels = Object.fromEntries(c.params.by.map((name) => [name, memberLabels[name]!]));
      state = { fingerprint: c.rule.fingerprint, labels, composite: initCompositeState(), hold: quietHold };
      this.states.set(key, state);
    }
    return state;
  }

  private apply(c: CompositeRule, group: string, state: GroupState, composite: CompositeState, output: DetectorOutput, t: number, out: NewSignal[]): void {
    state.composite = composite;
    this.dirty.add(c.rule.name + separator + group);
    const { hold, transition } = advanceHold(state.hold, c.rule.levelOf(output), t, c.rule.forMs);
    state.hold = hold;
    if (!transition) return;
    const count = Number(output.extras?.['count'] ?? 0);
    const level = transition.level ?? transition.previous;
    const labels: Record<string, string> = { alertname: c.rule.name, ...state.labels, ...(level ? { level } : {}), ...c.rule.labels };
    out.push({
      rule: c.rule.name,
      seriesId: null,
      seriesKey: group,
      t,
      kind: transition.kind,
      level: transition.level,
      previousLevel: transition.previous,
      value: count,
      upperbound: c.params.count,
      labels,
      annotations: c.rule.annotations({ series: group, level: transition.level, value: count, labels }),
      extras: output.extras ?? null,
    });
  }
}
