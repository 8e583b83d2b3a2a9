/** Result shapes the benchmarks produce and the report renders. */
import type { Backend } from './workload.ts';
import type { LatencySummary } from './stats.ts';

/** One timed step: rows written in elapsed wall time. */
export interface StepResult {
  label: string;
  batch: number;
  clients: number;
  rows: number;
  /** Rows already in the table when the step began (tables grow over the run, and so cost more). */
  rowsBefore: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** True when the step hit its time limit before sending every body. */
  timeLimited: boolean;
}

/** Raw COPY into one backend, replaying the same steps as the HTTP run. */
export interface CopyRun {
  backend: Backend;
  /** e.g. "PostgreSQL 15.20" */
  serverVersion: string;
  /** How the COPY was issued, for the report. */
  via: string;
  steps: StepResult[];
  error?: string;
}

/** CPU use while a step ran, in percent of one core (the machine has 2, so up to 200). */
export interface CpuShare {
  /** The benchmark process (sender and healthz probe). */
  client: number;
  /** The server under test, all threads. */
  server: number;
  /** Every `postgres` process. */
  postgres: number;
  /** Everything else on the machine. */
  other: number;
}

export interface HttpStepResult extends StepResult {
  requests: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Requests whose `accepted` differed from the lines sent, or that failed. */
  mismatches: string[];
  healthz: LatencySummary;
  cpu: CpuShare;
}

export interface HttpRun {
  backend: Backend;
  /** How the server was started, for the report (no secrets). */
  command: string;
  startupMs: number;
  steps: HttpStepResult[];
  /** /healthz over every timed step together. */
  healthz?: LatencySummary;
  error?: string;
  /** Top self-time functions when BENCH_PROFILE=1. */
  profile?: string[];
}
