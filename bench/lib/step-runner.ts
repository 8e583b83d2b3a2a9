import type { StepResult } from './results.ts';
import { perSecond } from './stats.ts';
import type { Body, Step } from './workload.ts';

/** What one pass over a step's bodies achieved. */
export interface BodiesRun {
  bodies: number;
  rows: number;
  elapsedMs: number;
  timeLimited: boolean;
}

/**
 * Sends bodies with `workers` concurrent senders sharing one queue, until every body is sent or
 * `timeLimitMs` has passed (bodies in flight then finish). `send` gets the worker's index so a
 * caller can give each worker its own connection. Time runs from the first send to the last
 * answer. The first failing send stops every worker, and its error is rethrown once all settle.
 */
export async function runBodies(
  bodies: readonly Body[],
  workers: number,
  timeLimitMs: number,
  send: (body: Body, worker: number) => Promise<void>,
): Promise<BodiesRun> {
  let next = 0;
  let rows = 0;
  let sent = 0;
  let failure: { error: unknown } | undefined;
  const start = performance.now();
  const deadline = start + timeLimitMs;
  const worker = async (w: number): Promise<void> => {
    while (!failure && next < bodies.length && performance.now() < deadline) {
      const body = bodies[next++]!;
      try {
        await send(body, w);
      } catch (error) {
        failure ??= { error };
        return;
      }
      rows += body.lines;
      sent++;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  if (failure) throw failure.error;
  return { bodies: sent, rows, elapsedMs: performance.now() - start, timeLimited: sent < bodies.length };
}

/** A step's result from one pass over its bodies. */
export function stepResult(step: Step, rowsBefore: number, r: BodiesRun): StepResult {
  return {
    label: step.label,
    batch: step.batch,
    clients: step.clients,
    rows: r.rows,
    rowsBefore,
    elapsedMs: r.elapsedMs,
    rowsPerSecond: perSecond(r.rows, r.elapsedMs),
    timeLimited: r.timeLimited,
  };
}
