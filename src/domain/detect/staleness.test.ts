import { describe, expect, it } from 'vitest';
import { parseStalenessParams, stalenessDetector, type StalenessParams, type StalenessState } from './staleness.ts';

const minute = 60_000;

function params(raw: Record<string, unknown>): StalenessParams {
  const parsed = parseStalenessParams(raw);
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.params;
}

type Event = ['data', number] | ['tick', number];

/** Runs events (times in minutes); answers per event the level reached, or `-` when tick changed nothing. */
function run(p: StalenessParams, events: Event[]): string[] {
  let state: StalenessState = stalenessDetector.init(p);
  return events.map(([kind, m]) => {
    const r = kind === 'data' ? stalenessDetector.step(p, state, { t: m * minute, v: 1 }) : stalenessDetector.tick!(p, state, m * minute);
    if (r === null) return '-';
    state = r.state;
    return r.output.level ?? 'ok';
  });
}

describe('staleness', () => {
  it.each<[string, Record<string, unknown>, Event[], string[]]>([
    ['raises once the silence exceeds `after`, not at it', { after: '10m' }, [['data', 0], ['tick', 10], ['tick', 11]], ['ok', '-', 'yellow']],
    ['raises once, then stays quiet while stale', { after: '10m' }, [['data', 0], ['tick', 11], ['tick', 12], ['tick', 60]], ['ok', 'yellow', '-', '-']],
    ['clears on the next arrival and watches again', { after: '10m', level: 'orange' }, [['data', 0], ['tick', 11], ['data', 12], ['tick', 20], ['tick', 23]], ['ok', 'orange', 'ok', '-', 'orange']],
    ['a reading older than the newest neither refreshes nor clears', { after: '10m' }, [['data', 5], ['tick', 16], ['data', 3], ['tick', 17]], ['ok', 'yellow', 'yellow', '-']],
    ['never heard from: the silence counts from the first tick', { after: 10 * minute }, [['tick', 100], ['tick', 110], ['tick', 111]], ['ok', '-', 'yellow']],
    ['data keeps it fresh', { after: '10m' }, [['data', 0], ['tick', 9], ['data', 9], ['tick', 18], ['tick', 19.5]], ['ok', '-', 'ok', '-', 'yellow']],
  ])('%s', (_name, raw, events, want) => {
    expect(run(params(raw), events)).toEqual(want);
  });

  it('says when data was last seen and for how long it has been silent', () => {
    const p = params({ after: '10m' });
    const state = stalenessDetector.step(p, stalenessDetector.init(p), { t: 0, v: 1 }).state;
    expect(stalenessDetector.tick!(p, state, 15 * minute)?.output).toEqual({ level: 'yellow', extras: { last_seen: 0, silent_ms: 15 * minute } });
  });

  it.each([
    [{}, 'after', 'required: a duration such as "30m"'],
    [{ after: '0' }, 'after', 'must be a positive duration (ms, or text such as "10m", "1.5h", "2d"), not "0"'],
    [{ after: '5m', level: 'amber' }, 'level', 'must be one of blue, yellow, orange, red, not "amber"'],
    [{ after: '5m', timeout: '5m' }, 'timeout', 'unknown parameter (known: after, level)'],
  ])('rejects %j: %s %s', (raw, field, message) => {
    const parsed = parseStalenessParams(raw);
    expect('problems' in parsed ? parsed.problems : []).toContainEqual({ field, message });
  });
});
