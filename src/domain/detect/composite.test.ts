import { describe, expect, it } from 'vitest';
import {
  compositeDetector,
  groupOf,
  initCompositeState,
  memberRuleMatcher,
  parseCompositeParams,
  stepComposite,
  tickComposite,
  type CompositeParams,
  type CompositeState,
  type MemberSignal,
} from './composite.ts';

const H = 3_600_000;

function params(raw: Record<string, unknown>): CompositeParams {
  const parsed = parseCompositeParams(raw);
  if (!('params' in parsed)) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

function run(p: CompositeParams, signals: MemberSignal[]): { state: CompositeState; levels: (string | null)[] } {
  let state = initCompositeState();
  const levels: (string | null)[] = [];
  for (const s of signals) {
    const r = stepComposite(p, state, s);
    state = r.state;
    levels.push(r.output.level);
  }
  return { state, levels };
}

describe('composite parameters', () => {
  it.each([
    [{ count: 3, within: '6h' }, 'rules', 'expected a rule name or glob'],
    [{ rules: [], count: 3, within: '6h' }, 'rules', 'expected a rule name or glob'],
    [{ rules: 'river-*', within: '6h' }, 'count', 'required'],
    [{ rules: 'river-*', count: 1, within: '6h' }, 'count', 'from 2 to 10000'],
    [{ rules: 'river-*', count: 2.5, within: '6h' }, 'count', 'from 2 to 10000'],
    [{ rules: 'river-*', count: 3 }, 'within', 'required'],
    [{ rules: 'river-*', count: 3, within: 'soon' }, 'within', ''],
    [{ rules: 'river-*', count: 3, within: '6h', minLevel: 'purple' }, 'minLevel', 'must be one of'],
    [{ rules: 'river-*', count: 3, within: '6h', level: 'pink' }, 'level', 'must be one of'],
    [{ rules: 'river-*', count: 3, within: '6h', by: ['1area'] }, 'by', 'not a label name'],
    [{ rules: 'river-*', count: 3, within: '6h', windw: '1h' }, 'windw', 'unknown parameter'],
  ])('%j is refused, naming %s', (raw, field, message) => {
    const parsed = parseCompositeParams(raw);
    expect('problems' in parsed).toBe(true);
    if (!('problems' in parsed)) return;
    const problem = parsed.problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(parsed.problems)).toBeDefined();
    expect(problem!.message).toContain(message);
  });

  it('defaults: group by area, any level counts, the level of the highest member', () => {
    expect(params({ rules: ['river-bands', 'rain-*'], count: 3, within: '6h' })).toEqual({
      rules: ['river-bands', 'rain-*'],
      count: 3,
      within: 6 * H,
      minLevel: 'blue',
      by: ['area'],
      level: null,
    });
  });

  it('member rules match by name or glob', () => {
    const matches = memberRuleMatcher(params({ rules: ['river-bands', 'rain-*'], count: 2, within: '1h' }));
    expect(['river-bands', 'rain-24h', 'river-bands-2', 'smell'].map(matches)).toEqual([true, true, false, false]);
  });

  it('groups by the values of the `by` labels; a member without one is in no group', () => {
    const p = params({ rules: 'x', count: 2, within: '1h', by: ['area', 'hazard'] });
    expect(groupOf(p, { area: 'D01', hazard: 'flood' })).toBe('area=D01,hazard=flood');
    expect(groupOf(p, { area: 'D01' })).toBeNull();
  });

  it('is a registered-style detector over signals whose step refuses observations', () => {
    expect(compositeDetector.input).toBe('signals');
    expect(() => compositeDetector.step(params({ rules: 'x', count: 2, within: '1h' }), initCompositeState(), { t: 0, v: 1 })).toThrow(/signals/);
  });
});

describe('composite evaluation', () => {
  const p = params({ rules: 'river-*', count: 3, within: '6h' });

  it('fires when the Nth distinct series goes into alarm within the window, at the highest member level', () => {
    const { levels } = run(p, [
      { seriesKey: 'A', t: 0, kind: 'firing', level: 'yellow' },
      { seriesKey: 'B', t: 1 * H, kind: 'firing', level: 'orange' },
      { seriesKey: 'A', t: 2 * H, kind: 'changed', level: 'red' },
      { seriesKey: 'C', t: 3 * H, kind: 'firing', level: 'yellow' },
    ]);
    expect(levels).toEqual([null, null, null, 'red']);
  });

  it('a series counts once however often it signals', () => {
    const { levels } = run(p, [
      { seriesKey: 'A', t: 0, kind: 'firing', level: 'yellow' },
      { seriesKey: 'A', t: H, kind: 'resolved', level: null },
      { seriesKey: 'A', t: 2 * H, kind: 'firing', level: 'yellow' },
      { seriesKey: 'B', t: 3 * H, kind: 'firing', level: 'yellow' },
    ]);
    expect(levels).toEqual([null, null, null, null]);
  });

  it('a resolved member still counts for the window after it resolved, then stops counting', () => {
    let state = run(p, [
      { seriesKey: 'A', t: 0, kind: 'firing', level: 'yellow' },
      { seriesKey: 'A', t: H, kind: 'resolved', level: null },
      { seriesKey: 'B', t: 2 * H, kind: 'firing', level: 'yellow' },
      { seriesKey: 'C', t: 3 * H, kind: 'firing', level: 'yellow' },
    ]).state;
    expect(tickComposite(p, state, 7 * H)!.output.level).toBe('yellow'); // A resolved at 1h: counts until 7h
    const later = tickComposite(p, state, 7 * H + 1)!;
    expect(later.output.level).toBeNull();
    expect(later.output.extras).toEqual({ count: 2, needed: 3 });
    expect(Object.keys(later.state.members).sort()).toEqual(['B', 'C']);
    state = later.state;
    // Still-firing members never expire however long ago they fired.
    expect(tickComposite(p, state, 100 * H)!.state.members['B']).toEqual({ level: 'yellow', since: 2 * H, until: null });
  });

  it('members below minLevel do not count, and dropping below it ends the episode', () => {
    const q = params({ rules: 'river-*', count: 2, within: '1h', minLevel: 'orange', level: 'red' });
    const { levels, state } = run(q, [
      { seriesKey: 'A', t: 0, kind: 'firing', level: 'yellow' },
      { seriesKey: 'B', t: 1, kind: 'firing', level: 'orange' },
      { seriesKey: 'A', t: 2, kind: 'changed', level: 'orange' },
      { seriesKey: 'B', t: 3, kind: 'changed', level: 'yellow' },
    ]);
    expect(levels).toEqual([null, null, 'red', 'red']);
    expect(state.members['B']).toEqual({ level: 'orange', since: 1, until: 3 });
    expect(tickComposite(q, state, 3 + H + 1)!.output.level).toBeNull();
  });

  it('a tick with no members or no time passing answers nothing', () => {
    expect(tickComposite(p, initCompositeState(), 5)).toBeNull();
    const { state } = run(p, [{ seriesKey: 'A', t: 10, kind: 'firing', level: 'yellow' }]);
    expect(tickComposite(p, state, 10)).toBeNull();
  });

  it('state survives a JSON round trip mid-stream with identical results', () => {
    const signals: MemberSignal[] = [];
    for (let i = 0; i < 40; i++) {
      signals.push({ seriesKey: `S${i % 7}`, t: i * 20 * 60_000, kind: i % 3 === 2 ? 'resolved' : 'firing', level: i % 3 === 2 ? null : i % 2 ? 'orange' : 'yellow' });
    }
    const whole = run(p, signals).levels;
    for (let cut = 0; cut <= signals.length; cut++) {
      const first = run(p, signals.slice(0, cut));
      let state = JSON.parse(JSON.stringify(first.state)) as CompositeState;
      if (cut === 0) state = initCompositeState();
      const rest: (string | null)[] = [];
      for (const s of signals.slice(cut)) {
        const r = stepComposite(p, state, s);
        state = r.state;
        rest.push(r.output.level);
      }
      expect([...first.levels, ...rest]).toEqual(whole);
    }
  });
});
