import type { Level } from './levels.ts';

/**
 * The detector contract. A detector is pure and deterministic: `step(params, state, input)` answers
 * the next state and what it saw, and reads nothing else (no clock, no I/O, no randomness). State
 * is plain JSON-serialisable data, so it can be persisted after each step and a restart, a replay
 * or a backtest gives bit-for-bit the same outputs as an uninterrupted live run.
 */

/** One value fed to a detector: for period detectors (EARS, Farrington…) a period's count. */
export interface DetectorInput {
  /** Epoch ms of the observation (for period detectors: the start of the period). */
  t: number;
  v: number;
}

/** What a detector saw at one step. */
export interface DetectorOutput {
  /** The level reached, or null when the value is normal (also while warming up). */
  level: Level | null;
  /** The alarm threshold at this step, where the method has one (R's `upperbound`). */
  upperbound?: number | null;
  /** Method-specific figures worth showing or comparing (expected, score, pvalue, phi, cusum…). */
  extras?: Record<string, number | null>;
}

/** A problem with a detector's parameters, naming the field (e.g. `detector.levels.red`). */
export interface ParamProblem {
  field: string;
  message: string;
}

/** One detector type: how to read its parameters, its initial state, and one step. */
export interface DetectorDefinition<Params = unknown, State = unknown> {
  /** The `type` a rule names, e.g. `bands`, `ewma`, `ears`, `farrington`. */
  readonly type: string;
  /** One line on what it detects, for docs and the rule editor. */
  readonly summary: string;
  /**
   * What the detector consumes: observations (the default) or other rules' signals (composite
   * rules, which the engine feeds with the functions of their own module, never `step`).
   */
  readonly input?: 'observations' | 'signals';
  /** Checks raw parameters (the rule's `detector` object without `type`); answers them typed or every problem. */
  parseParams(raw: Record<string, unknown>): { params: Params } | { problems: ParamProblem[] };
  /** State before the first observation. */
  init(params: Params): State;
  /** Feeds one input; answers the next state and the output. Must not mutate `state`. */
  step(params: Params, state: State, input: DetectorInput): { state: State; output: DetectorOutput };
  /**
   * For detectors driven by time rather than arrivals (staleness): called by the runtime's clock
   * with `now`; answers a new state and output, or null when nothing changed.
   */
  tick?(params: Params, state: State, now: number): { state: State; output: DetectorOutput } | null;
  /** The allocation-free form of `step`, where the state is a few numbers (see InPlaceStep). */
  readonly inPlace?: InPlaceStep<Params, State>;
}

/**
 * An optional second form of `step` for detectors whose state is a fixed number of doubles: the
 * caller owns the state's numbers (a slot of `size` doubles at `at` in a Float64Array) and the
 * step overwrites them in place, so a steady stream allocates nothing. The JSON state stays the
 * contract (persisted, replayed, compared): `pack` and `unpack` convert, and for every state `s`
 * and input the in-place step on `pack(s)` must leave `unpack` deep-equal to `step(s).state`,
 * answer `step(s).output.level`, and make `output` answer `step(s).output` — the detector's tests
 * check that on generated streams, so both forms give bit-identical runs.
 */
export interface InPlaceStep<Params, State> {
  /** Doubles in one state. */
  readonly size: number;
  /** Writes the numbers of `state` to `into[at … at + size)`. */
  pack(params: Params, state: State, into: Float64Array, at: number): void;
  /** The JSON state held at `from[at …]`. */
  unpack(params: Params, from: Float64Array, at: number): State;
  /** Feeds one input to the state at `states[at …]` in place; answers the output's level. */
  step(params: Params, states: Float64Array, at: number, t: number, v: number): Level | null;
  /** The whole output of the step just taken (asked only when a signal needs its bound and figures). */
  output(params: Params, states: Float64Array, at: number, v: number): DetectorOutput;
}

/** The detectors a rule can name, by type. */
export type DetectorRegistry = ReadonlyMap<string, DetectorDefinition<unknown, unknown>>;
