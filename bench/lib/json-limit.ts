import type { Body } from './workload.ts';
import { median, perSecond } from './stats.ts';

/** The JSON.parse ceiling: what one core can parse of the exact NDJSON bodies, nothing else. */
export interface JsonLimitResult {
  lines: number;
  bytes: number;
  /** Median of the passes, ms. */
  elapsedMs: number;
  linesPerSecond: number;
  passes: number;
}

/**
 * Decodes each body and parses it line by line with `indexOf('\n')` + `JSON.parse(slice)`, the
 * fastest way measured in STACK.md §2a. The decode is included because a server must do it too.
 */
export function measureJsonLimit(bodies: readonly Body[], passes: number): JsonLimitResult {
  let lines = 0;
  let bytes = 0;
  for (const b of bodies) {
    lines += b.lines;
    bytes += b.ndjson.length;
  }
  // One short untimed pass so the first timed one does not pay for JIT warm-up.
  parseAll(bodies.slice(0, 20));
  const times: number[] = [];
  for (let p = 0; p < passes; p++) {
    const start = performance.now();
    const parsed = parseAll(bodies);
    times.push(performance.now() - start);
    if (parsed.count !== lines) throw new Error(`bench: parsed ${parsed.count} lines, expected ${lines}`);
  }
  const elapsedMs = median(times);
  return { lines, bytes, elapsedMs, linesPerSecond: perSecond(lines, elapsedMs), passes };
}

function parseAll(bodies: readonly Body[]): { count: number; sum: number } {
  let count = 0;
  // Summing v keeps the parsed objects observable so the work cannot be optimised away.
  let sum = 0;
  for (const b of bodies) {
    const text = b.ndjson.toString('utf8');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) {
        const obs = JSON.parse(text.slice(start, end)) as { v: number };
        sum += obs.v;
        count++;
      }
      start = end + 1;
    }
  }
  return { count, sum };
}
