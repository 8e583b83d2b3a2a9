import type { StepResult } from './results.ts';
import type { Backend, Step } from './workload.ts';

/**
 * Something the workload's steps are written into: raw COPY into a database, or HTTP into a
 * server. Opening one prepares it (tables, connections, a started server); each step then sends
 * that step's bodies, and untimed steps run too so every sink's table holds the same rows.
 */
export interface StepSink<R extends StepResult = StepResult> {
  readonly backend: Backend;
  /** Sends the step's bodies; `rowsBefore` is how many rows the table held when it began. */
  runStep(step: Step, rowsBefore: number): Promise<R>;
  /**
   * Releases everything (connections, schema, temp folder, server), then throws if the table did
   * not end with `expectedRows` rows or the clean-up failed.
   */
  close(expectedRows: number): Promise<void>;
}
