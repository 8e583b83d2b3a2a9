import type { Clock } from '../domain/kernel/clock.ts';

/**
 * Demo time: runs `speed` times faster than the real clock from `demoStartMs`, anchored at the
 * real instant `realStartMs`. Pure: the real time is read through the clock it is given.
 */
export function scaledClock(real: Clock, realStartMs: number, demoStartMs: number, speed: number): Clock {
  return { now: () => demoStartMs + (real.now() - realStartMs) * speed };
}
