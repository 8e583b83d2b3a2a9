import type { DetectorDefinition, DetectorOutput, ParamProblem } from '../detector.ts';
import { checkFarringtonControl, farringtonPresets, type FarringtonControl } from './control.ts';
import { FitDataError } from './fit-data.ts';
import { evaluateFarringtonAt, type FarringtonMode, type PreparedSeries } from './farrington-flexible.ts';

/**
 * Farrington flexible as a streaming detector: the state keeps the last periods the method needs
 * (b years + w + a margin for calendar shifts), and each step evaluates the newest period exactly
 * as `farringtonFlexible` would evaluate it with the whole history.
 *
 * Inputs are period counts with `t` the start of the period (epoch ms). Policy for arrivals:
 * a later period appends (skipped periods in between count as missing, as R's NA); a value for
 * the newest period replaces it and re-evaluates (counts are often revised); a value for an older
 * period is ignored (no output level, state unchanged).
 */

/** Parameters: R's control list (merged over an optional preset), the period, the calendar mode and R's or the textbook method. */
export interface FarringtonParams {
  control: FarringtonControl;
  /** `r` (default): as surveillance, quirks included; `textbook`: the published method (see `FarringtonMode`). */
  mode: FarringtonMode;
  /** Periods per year: 52 (ISO weeks), 12 (months) or 365 (days). */
  freq: 52 | 12 | 365;
  /** Find reference periods by calendar (R's epochAsDate) instead of by index. */
  epochAsDate: boolean;
  /** Periods of history kept. */
  capacity: number;
}

/** The history window: period starts (epoch ms) and counts (null = missing), oldest first. */
export interface FarringtonState {
  t: number[];
  v: (number | null)[];
}

const DAY_MS = 86_400_000;
const OWN_KEYS = ['preset', 'freq', 'epochAsDate', 'mode'];

/** Farrington flexible (surveillance::farringtonFlexible) on weekly, monthly or daily counts. */
export const farringtonDetector: DetectorDefinition<FarringtonParams, FarringtonState> = {
  type: 'farrington',
  summary: 'Farrington flexible (quasi-Poisson GLM on past years, as surveillance::farringtonFlexible): alarm above the upper bound',

  parseParams(raw) {
    const problems: ParamProblem[] = [];
    let base: Readonly<Record<string, unknown>> = {};
    const preset = raw['preset'];
    if (preset !== undefined) {
      if (typeof preset === 'string' && preset in farringtonPresets) base = farringtonPresets[preset]!;
      else problems.push({ field: 'detector.preset', message: `must be one of ${Object.keys(farringtonPresets).join(', ')}, got ${JSON.stringify(preset)}` });
    }
    const freq = raw['freq'] ?? 52;
    if (freq !== 52 && freq !== 12 && freq !== 365) {
      problems.push({ field: 'detector.freq', message: `must be 52 (weekly), 12 (monthly) or 365 (daily), got ${JSON.stringify(freq)}` });
    }
    const epochAsDate = raw['epochAsDate'] ?? false;
    if (typeof epochAsDate !== 'boolean') problems.push({ field: 'detector.epochAsDate', message: `must be true or false, got ${JSON.stringify(epochAsDate)}` });
    const mode = raw['mode'] ?? 'r';
    if (mode !== 'r' && mode !== 'textbook') problems.push({ field: 'detector.mode', message: `must be "r" or "textbook", got ${JSON.stringify(mode)}` });
    if (raw['range'] !== undefined) problems.push({ field: 'detector.range', message: 'not used by the streaming detector: every new period is evaluated' });
    const controlRaw: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(raw)) if (!OWN_KEYS.includes(key) && key !== 'range') controlRaw[key] = value;
    const checked = checkFarringtonControl(controlRaw, 'detector.');
    if ('problems' in checked) problems.push(...checked.problems);
    if (problems.length > 0 || !('control' in checked)) return { problems };
    const control = checked.control;
    const f = freq as 52 | 12 | 365;
    // Undated: k − b·freq − w is the oldest point used. Dated: "b years back" may reach b more
    // periods (53-week years, leap days) plus the weekday shift.
    const span = f * control.b + control.w + 1 + (epochAsDate ? control.b + 7 : 0);
    const capacity = Math.max(span, control.limit54[1], control.pastWeeksNotIncluded + 1);
    return { params: { control, mode: mode as FarringtonMode, freq: f, epochAsDate: epochAsDate as boolean, capacity } };
  },

  init() {
    return { t: [], v: [] };
  },

  step(params, state, input) {
    const value = Number.isFinite(input.v) && input.v >= 0 ? input.v : null;
    const n = state.t.length;
    let t: number[];
    let v: (number | null)[];
    if (n === 0) {
      t = [input.t];
      v = [value];
    } else {
      const last = state.t[n - 1]!;
      const gap = periodsBetween(last, input.t, params.freq);
      if (gap < 0) return { state, output: { level: null } };
      if (gap === 0) {
        t = state.t.slice();
        v = state.v.slice();
        v[n - 1] = value;
      } else {
        t = state.t.slice();
        v = state.v.slice();
        for (let i = 1; i < gap; i++) {
          t.push(addPeriods(last, i, params.freq));
          v.push(null);
        }
        t.push(input.t);
        v.push(value);
      }
      if (t.length > params.capacity) {
        t = t.slice(t.length - params.capacity);
        v = v.slice(v.length - params.capacity);
      }
    }
    return { state: { t, v }, output: evaluateNewest(params, t, v) };
  },
};

function evaluateNewest(params: FarringtonParams, t: number[], v: (number | null)[]): DetectorOutput {
  const n = t.length;
  const observed = new Float64Array(n);
  for (let i = 0; i < n; i++) observed[i] = v[i] ?? NaN;
  let days: Int32Array | null = null;
  let dayIndex: Map<number, number> | null = null;
  if (params.epochAsDate) {
    days = new Int32Array(n);
    dayIndex = new Map();
    for (let i = 0; i < n; i++) {
      days[i] = Math.floor(t[i]! / DAY_MS);
      dayIndex.set(days[i]!, i + 1);
    }
  }
  const series: PreparedSeries = { observed, days, dayIndex, freq: params.freq, logPopulation: null };
  try {
    const p = evaluateFarringtonAt(series, n, params.control, params.mode);
    const num = (x: number) => (Number.isNaN(x) ? null : x);
    return {
      level: p.alarm === 1 ? 'yellow' : null,
      upperbound: num(p.upperbound),
      extras: {
        alarm: num(p.alarm),
        expected: num(p.expected),
        score: num(p.score),
        pvalue: num(p.pvalue),
        ...(params.control.thresholdMethod !== 'delta' ? { mu0: num(p.mu0) } : {}),
        phi: num(p.phi),
        trend: num(p.trend),
        trendCoef: num(p.trendCoef),
      },
    };
  } catch (err) {
    if (err instanceof FitDataError) return { level: null }; // warming up: not enough history yet
    throw err;
  }
}

/** Whole periods from `from` to `to` (negative when `to` is earlier). */
function periodsBetween(from: number, to: number, freq: 52 | 12 | 365): number {
  if (freq === 12) {
    const a = new Date(from);
    const b = new Date(to);
    return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  }
  const length = freq === 52 ? 7 * DAY_MS : DAY_MS;
  return Math.round((to - from) / length);
}

function addPeriods(from: number, count: number, freq: 52 | 12 | 365): number {
  if (freq === 12) {
    const a = new Date(from);
    return Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + count, a.getUTCDate());
  }
  return from + count * (freq === 52 ? 7 * DAY_MS : DAY_MS);
}
