import { describe, expect, it } from 'vitest';
import { advanceHold, quietHold, type HoldState } from './hold.ts';
import type { Level } from './levels.ts';

const minute = 60_000;

/** Runs a sequence of (minute, level) through the hold and answers the transitions as strings. */
function run(steps: [number, Level | null][], forMs: number): string[] {
  let hold: HoldState = quietHold;
  const out: string[] = [];
  for (const [m, level] of steps) {
    const r = advanceHold(hold, level, m * minute, forMs);
    hold = r.hold;
    if (r.transition) out.push(`${m}:${r.transition.kind}:${r.transition.previous ?? '-'}>${r.transition.level ?? '-'}`);
  }
  return out;
}

describe('advanceHold', () => {
  it.each([
    ['fires at once without a hold', [[0, 'yellow'], [1, null]], 0, ['0:firing:->yellow', '1:resolved:yellow>-']],
    ['waits for the hold before firing', [[0, 'yellow'], [5, 'yellow'], [10, 'yellow'], [11, null]], 10 * minute, ['10:firing:->yellow', '11:resolved:yellow>-']],
    ['forgets a spike shorter than the hold', [[0, 'red'], [5, null], [6, 'red'], [15, 'red'], [16, 'red']], 10 * minute, ['16:firing:->red']],
    ['fires at the level reached once the hold has passed', [[0, 'yellow'], [1, 'orange'], [5, 'red'], [11, 'red']], 10 * minute, ['11:firing:->red']],
    ['de-escalates at once', [[0, 'red'], [1, 'yellow'], [2, 'yellow'], [3, null]], 0, ['0:firing:->red', '1:changed:red>yellow', '3:resolved:yellow>-']],
    ['counts the hold from the first abnormal step, whatever its level', [[0, 'yellow'], [1, 'orange'], [3, 'orange'], [4, 'orange']], 2 * minute, ['3:firing:->orange']],
  ] as const)('%s', (_title, steps, forMs, expected) => {
    expect(run(steps as unknown as [number, Level | null][], forMs)).toEqual(expected);
  });

  it('escalates from a firing level only when the higher level lasts the hold', () => {
    const steps: [number, Level | null][] = [[0, 'yellow'], [2, 'yellow'], [3, 'orange'], [4, 'yellow'], [5, 'orange'], [7, 'orange']];
    expect(run(steps, 2 * minute)).toEqual(['2:firing:->yellow', '7:changed:yellow>orange']);
  });

  it('does not allocate a new state when nothing changes', () => {
    const firing = { firing: 'yellow' as const, pendingSince: null };
    expect(advanceHold(firing, 'yellow', 0, 0).hold).toBe(firing);
    expect(advanceHold(quietHold, null, 0, 0).hold).toBe(quietHold);
  });
});

describe('the pending level', () => {
  it('is kept while a level waits out the hold, follows a change of level, and goes when it fires or falls', async () => {
    const { advanceHold, quietHold } = await import('./hold.ts');
    const min = 60_000;
    let h = advanceHold(quietHold, 'yellow', 0, 10 * min).hold;
    expect(h).toEqual({ firing: null, pendingSince: 0, pendingLevel: 'yellow' });
    h = advanceHold(h, 'red', 2 * min, 10 * min).hold;
    expect(h).toEqual({ firing: null, pendingSince: 0, pendingLevel: 'red' });
    const fired = advanceHold(h, 'red', 10 * min, 10 * min);
    expect(fired.transition?.kind).toBe('firing');
    expect(fired.hold.pendingLevel).toBeUndefined();
    expect(advanceHold(h, null, 3 * min, 10 * min).hold).toEqual(quietHold);
  });
});
