import type { DetectorDefinition, DetectorOutput, ParamProblem } from '../detector.ts';
import { levelRank, type Level } from '../levels.ts';
import { parseAggregateSpec, periodMismatch, type AggregateSpec } from './aggregate-spec.ts';
import { periodOf, type PeriodKind } from './periods.ts';

/**
 * A detector over calendar periods fed from raw observations (one per report, per lab case): the
 * wrapper gathers the observations of each period (day, ISO week, month in a time zone) into one
 * value and feeds the inner detector one input per period, `t` = the period's start, in order,
 * with empty periods as 0 (`sum`, `count`) or missing, NaN (`mean`, `max`).
 *
 * A period is fed once it is over: when an observation of a later period arrives, or when the
 * clock passes its end (`tick`). Until the next period closes, arrivals answer the last closed
 * period's output, so its level holds. With `evaluate: running` each arrival also evaluates the
 * period in progress as if it ended now, so a surge alarms before the week is out; the output
 * shown is whichever of the last closed and the running evaluation has the higher level (the
 * running one on a tie). Outputs carry `extras.period` (the evaluated period's start),
 * `extras.period_value` and `extras.partial` (1 for a period still in progress).
 *
 * An observation older than the current period is not counted: its period was already fed. After
 * about ten years without data the inner detector starts afresh rather than being fed thousands
 * of empty periods.
 */

/** The wrapper's parameters: the aggregate and the inner detector's own parameters. */
export interface AggregatingParams<P = unknown> {
  aggregate: AggregateSpec;
  inner: P;
}

/**
 * JSON state: the period being gathered and what it holds so far, the inner detector's state
 * before that period, and the last closed period's output. The period in progress can be
 * evaluated from the inner state at any time without changing it, since `step` is pure.
 */
export interface AggregatingState<S = unknown> {
  /** Start of the period being gathered (epoch ms); null before the first observation. */
  start: number | null;
  /** Its end, the next period's start (epoch ms); null before the first observation. */
  end: number | null;
  /** Observations gathered in it, their sum and their maximum (null when none). */
  n: number;
  sum: number;
  max: number | null;
  inner: S;
  /** What the inner detector answered for the last closed period, or null before the first. */
  closed: DetectorOutput | null;
}

// About ten years of periods: a longer silence restarts the inner detector (see above).
const restartAfter: Readonly<Record<PeriodKind, number>> = { day: 3653, isoweek: 522, month: 120 };
const nominalMs: Readonly<Record<PeriodKind, number>> = { day: 86_400_000, isoweek: 604_800_000, month: 2_629_746_000 };

const quiet: DetectorOutput = Object.freeze({ level: null });

/** Wraps a period detector so that it runs on period values aggregated from raw observations. */
export function aggregatingDetector<P, S>(inner: DetectorDefinition<P, S>): DetectorDefinition<AggregatingParams<P>, AggregatingState<S>> {
  const definition: DetectorDefinition<AggregatingParams<P>, AggregatingState<S>> = {
    type: inner.type,
    summary: `${inner.summary} Run on period values aggregated from raw observations.`,

    parseParams(raw) {
      const { aggregate, ...rest } = raw;
      const problems: ParamProblem[] = [];
      const spec = parseAggregateSpec(aggregate);
      if ('problems' in spec) problems.push(...spec.problems);
      const params = inner.parseParams(rest);
      if ('problems' in params) problems.push(...params.problems);
      if ('spec' in spec && 'params' in params) {
        const mismatch = periodMismatch(spec.spec.period, params.params);
        if (mismatch) problems.push({ field: 'aggregate.period', message: mismatch });
      }
      if (problems.length > 0 || !('spec' in spec) || !('params' in params)) return { problems };
      return { params: { aggregate: spec.spec, inner: params.params } };
    },

    init(params) {
      return { start: null, end: null, n: 0, sum: 0, max: null, inner: inner.init(params.inner), closed: null };
    },

    step(params, state, input) {
      if (state.start !== null && input.t < state.start) return { state, output: shown(inner, params, state) };
      const current = state.start === null || input.t >= state.end! ? advance(inner, params, state, input.t) : state;
      const next = gather(current, input.v);
      return { state: next, output: shown(inner, params, next) };
    },

    tick(params, state, now) {
      let next = state;
      if (state.start !== null && now >= state.end!) next = advance(inner, params, state, now);
      const innerTick = inner.tick?.(params.inner, next.inner, now) ?? null;
      // A time-driven inner detector speaks for the present, so its word replaces the last closed one.
      if (innerTick) next = { ...next, inner: innerTick.state, closed: innerTick.output };
      return next === state ? null : { state: next, output: shown(inner, params, next) };
    },
  };
  return definition;
}

/** The value a period gives the inner detector, from what it gathered. */
export function periodValue(of: AggregateSpec['of'], gathered: Pick<AggregatingState, 'n' | 'sum' | 'max'>): number {
  switch (of) {
    case 'sum':
      return gathered.sum;
    case 'count':
      return gathered.n;
    case 'mean':
      return gathered.n > 0 ? gathered.sum / gathered.n : NaN;
    case 'max':
      return gathered.max ?? NaN;
  }
}

function gather<S>(state: AggregatingState<S>, v: number): AggregatingState<S> {
  // Ingest stores only finite values; anything else is no value at all, not a zero.
  if (!Number.isFinite(v)) return state;
  return { ...state, n: state.n + 1, sum: state.sum + v, max: state.max === null || v > state.max ? v : state.max };
}

// Closes every period that ends at or before `t` and opens the one holding `t`, empty.
function advance<P, S>(inner: DetectorDefinition<P, S>, params: AggregatingParams<P>, state: AggregatingState<S>, t: number): AggregatingState<S> {
  const { period, timezone, of } = params.aggregate;
  const empty = { n: 0, sum: 0, max: null };
  if (state.start === null || (t - state.end!) / nominalMs[period] > restartAfter[period]) {
    const bounds = periodOf(period, t, timezone);
    return { ...empty, start: bounds.start, end: bounds.end, inner: inner.init(params.inner), closed: null };
  }
  let start = state.start;
  let end = state.end!;
  let innerState = state.inner;
  let closed = state.closed;
  let value = periodValue(of, state);
  while (end <= t) {
    const result = inner.step(params.inner, innerState, { t: start, v: value });
    innerState = result.state;
    closed = decorate(result.output, start, value, false);
    start = end;
    end = periodOf(period, start, timezone).end;
    value = periodValue(of, empty);
  }
  return { ...empty, start, end, inner: innerState, closed };
}

// What the detector shows now: the last closed period, or (running) the period in progress if higher.
function shown<P, S>(inner: DetectorDefinition<P, S>, params: AggregatingParams<P>, state: AggregatingState<S>): DetectorOutput {
  const closed = state.closed ?? quiet;
  if (params.aggregate.evaluate === 'closed' || state.start === null || state.n === 0) return closed;
  const value = periodValue(params.aggregate.of, state);
  const running = decorate(inner.step(params.inner, state.inner, { t: state.start, v: value }).output, state.start, value, true);
  return rank(closed.level) > rank(running.level) ? closed : running;
}

function decorate(output: DetectorOutput, start: number, value: number, partial: boolean): DetectorOutput {
  return {
    ...output,
    extras: { ...output.extras, period: start, period_value: Number.isFinite(value) ? value : null, partial: partial ? 1 : 0 },
  };
}

function rank(level: Level | null): number {
  return level === null ? -1 : levelRank(level);
}
