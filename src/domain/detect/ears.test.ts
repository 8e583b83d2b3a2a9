import { describe, expect, it } from 'vitest';
import type { DetectorOutput } from './detector.ts';
import { earsDetector, earsSeries, lookback, parseEarsParams, type EarsParams } from './ears.ts';
import { qnorm } from './stats/normal.ts';

function params(raw: Record<string, unknown>): EarsParams {
  const parsed = parseEarsParams(raw);
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

function stream(p: EarsParams, values: number[]): DetectorOutput[] {
  let state = earsDetector.init(p);
  return values.map((v, i) => {
    const r = earsDetector.step(p, state, { t: i * 86_400_000, v });
    state = r.state;
    return r.output;
  });
}

/** A typed result column as R prints it: NaN is NA (null). */
function na(column: Float64Array): (number | null)[] {
  return Array.from(column, (x) => (Number.isNaN(x) ? null : x));
}

/** The periods (1-based) at which `earsSeries` alarms over the whole evaluable range. */
function alarmsAt(y: (number | null)[], raw: Record<string, unknown>): number[] {
  const p = params(raw);
  const from = lookback(p) + 1;
  return earsSeries(y, [from, y.length], p).alarm.flatMap((a, k) => (a === true ? [from + k] : []));
}

// The conformance README's example: a flat, alternating series with one jump at t = 13.
const jump = [2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 30, 2, 2, 3, 2];

describe('EARS', () => {
  it.each([
    ['C1 flags the jump', { method: 'C1' }, [13]],
    ['C2 flags the jump (its guard band keeps the jump out of the next two references)', { method: 'C2' }, [13]],
    ["R's C3 flags the two periods after the jump, not the jump (the QUIRK)", { method: 'C3' }, [14, 15]],
    ['the CDC C3 flags the jump and the two periods its C2 is still summed over', { method: 'C3', mode: 'cdc' }, [13, 14, 15]],
    ['C1 with a large minSigma flags nothing', { method: 'C1', minSigma: 10 }, []],
  ])('%s', (_name, raw, want) => {
    expect(alarmsAt(jump, raw)).toEqual(want);
  });

  it('C1 is mean + z·sd of the previous n counts, z = qnorm(1 − alpha)', () => {
    const y = [1, 2, 3, 4, 5, 6, 7, 100];
    const r = earsSeries(y, [8, 8], params({ method: 'C1' }));
    const sd = Math.sqrt(4.666666666666667);
    expect(na(r.refMean)).toEqual([4]);
    expect(r.refSd[0]).toBeCloseTo(sd, 14);
    expect(r.upperbound[0]).toBeCloseTo(4 + qnorm(0.999) * sd, 12);
    expect(r.alarm).toEqual([true]);
  });

  it('C2 skips the two periods before the current one', () => {
    const y = [1, 2, 3, 4, 5, 6, 7, 1000, 1000, 20];
    const r = earsSeries(y, [10, 10], params({ method: 'C2' }));
    expect(na(r.refMean)).toEqual([4]);
    expect(r.alarm).toEqual([true]);
  });

  it.each([
    // A constant reference: sd = 0, so C1 gives U = mean, and alarms iff y > mean.
    ['C1', [0, 0, 0, 0, 0, 0, 0, 0], 0, false],
    ['C1', [0, 0, 0, 0, 0, 0, 0, 1], 0, true],
    // R's C3 with sd = 0 is 0·(z − ∞) or 0/0: NaN, an NA alarm (imdDaily_earsC3).
    ['C3', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0], null, null],
  ] as const)('%s with a constant reference: %j → upperbound %s, alarm %s', (method, y, upper, alarm) => {
    const p = params({ method });
    const r = earsSeries([...y], [y.length, y.length], p);
    expect(na(r.upperbound)).toEqual([upper]);
    expect(r.alarm).toEqual([alarm]);
  });

  it('treats a missing count as R does NA: no bound where it is in the window, no alarm where it is current', () => {
    const y = [1, 2, null, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    const p = params({ method: 'C1' });
    const r = earsSeries(y, [8, 10], p);
    expect(na(r.upperbound)).toEqual([null, null, null]);
    expect(r.alarm).toEqual([null, null, null]);
    expect(earsSeries(y, [11, 11], p).upperbound[0]).not.toBeNaN();
    const current = earsSeries([1, 2, 3, 4, 5, 6, 7, null], [8, 8], p);
    expect(current.upperbound[0]).not.toBeNaN();
    expect(current.alarm).toEqual([null]);
  });

  it.each([
    ['C1', 8],
    ['C2', 10],
    ['C3', 12],
  ] as const)('%s starts at R’s default first period %i', (method, first) => {
    const p = params({ method });
    expect(lookback(p) + 1).toBe(first);
    const outputs = stream(p, jump);
    expect(outputs.slice(0, first - 1).every((o) => o.upperbound === null && o.level === null)).toBe(true);
    expect(outputs[first - 1]!.upperbound).not.toBeNull();
  });

  it.each([
    [{ method: 'C1' }],
    [{ method: 'C2', baseline: 4 }],
    [{ method: 'C3' }],
    [{ method: 'C3', mode: 'cdc', minSigma: 0.5 }],
    [{ method: 'C1', alpha: 0.05, minSigma: 1 }],
  ])('streaming %j gives what earsSeries gives, an alarm as level yellow', (raw) => {
    const p = params(raw);
    let seed = 7;
    const y: (number | null)[] = Array.from({ length: 200 }, (_, i) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * 6) + (i % 37 === 36 ? 25 : 0);
    });
    // Windows the exact integer sums cannot take: a fraction, a missing count, counts whose
    // squares pass 2^53. The series slides its sums past them; the stream computes each window.
    y[60] = 2.5;
    y[90] = null;
    y[120] = 1e8;
    y[121] = 3e8;
    const from = lookback(p) + 1;
    const batch = earsSeries(y, [from, y.length], p);
    const outputs = stream(p, y.map((v) => v ?? NaN)).slice(from - 1);
    expect(outputs.map((o) => o.upperbound)).toEqual(na(batch.upperbound));
    expect(outputs.map((o) => o.level)).toEqual(batch.alarm.map((a) => (a === true ? 'yellow' : null)));
    expect(outputs.map((o) => o.extras?.['ref_mean'])).toEqual(na(batch.refMean));
    expect(outputs.map((o) => o.extras?.['ref_sd'])).toEqual(na(batch.refSd));
    expect(batch.alarm.some((a) => a === true)).toBe(true);
  });

  it('keeps only the window it needs in its state', () => {
    const p = params({ method: 'C3', baseline: 5 });
    let state = earsDetector.init(p);
    for (let i = 0; i < 50; i++) state = earsDetector.step(p, state, { t: i, v: i }).state;
    expect(state.recent).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49]);
  });

  it('does not touch the state it is given', () => {
    const p = params({ method: 'C1' });
    const state = Object.freeze({ recent: Object.freeze([1, 2, 3, 4, 5, 6, 7]) as number[] });
    const r = earsDetector.step(p, state, { t: 0, v: 40 });
    expect(r.output.level).toBe('yellow');
    expect(state.recent).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it.each([
    [{}, { method: 'C1', baseline: 7, alpha: 0.001, minSigma: 0, mode: 'r' }],
    [{ method: 'C3' }, { method: 'C3', baseline: 7, alpha: 0.025, minSigma: 0, mode: 'r' }],
    [{ method: 'C2', alpha: 0.01, baseline: 28 }, { method: 'C2', baseline: 28, alpha: 0.01, minSigma: 0, mode: 'r' }],
  ])('reads %j with R’s defaults', (raw, want) => {
    expect(parseEarsParams(raw)).toEqual({ params: want });
  });

  it.each([
    [{ method: 'C4' }, 'method'],
    [{ baseline: 2 }, 'baseline'],
    [{ baseline: 7.5 }, 'baseline'],
    [{ alpha: 1 }, 'alpha'],
    [{ alpha: '0.05' }, 'alpha'],
    [{ minSigma: -1 }, 'minSigma'],
    [{ mode: 'sas' }, 'mode'],
    [{ method: 'C3', mode: 'cdc', alpha: 0.05 }, 'alpha'],
    [{ methd: 'C2' }, 'methd'],
  ])('rejects %j naming %s', (raw, field) => {
    const parsed = parseEarsParams(raw);
    expect('problems' in parsed ? parsed.problems.map((p) => p.field) : []).toEqual([field]);
  });

  it.each([
    [[3, 10], 'range: starts at 3'],
    [[12, 40], 'range: ends at 40'],
    [[9, 8], 'range: must be'],
  ] as const)('refuses the range %j', (range, message) => {
    expect(() => earsSeries(jump, [range[0], range[1]], params({ method: 'C1' }))).toThrow(message);
  });
});
