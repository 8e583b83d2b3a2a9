/** The one way business code learns the time: passed in, never read from the system inside the domain. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The runtime's clock: the only place that reads the system time. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until told to move; for tests and replays. */
export function manualClock(startMs: number): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = startMs;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
    set(ms: number) {
      current = ms;
    },
  };
}
