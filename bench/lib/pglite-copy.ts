import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { observationsDdl } from './postgres.ts';
import { runBodies, stepResult } from './step-runner.ts';
import type { StepSink } from './step-sink.ts';

/** The raw PGlite sink plus the PostgreSQL version PGlite embeds, for the report. */
export interface PgliteCopySink extends StepSink {
  version: string;
}

/**
 * Raw COPY limit on PGlite: a file-persisted PGlite in a temp folder, in this process (no worker
 * thread, no server), one `COPY … FROM '/dev/blob'` per body of the workload's binary COPY data. PGlite
 * has one connection, so a step's "clients" run one after another here; the rows and their order
 * are still those the server receives. (COPY FROM STDIN through PGlite's node-postgres bridge
 * kills the WASM instance: STACK.md §5.3.)
 */
export async function openPgliteCopy(): Promise<PgliteCopySink> {
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-bench-pglite-'));
  const db = new PGlite(dir);
  const release = async (): Promise<void> => {
    await db.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  let version: string;
  try {
    const v = await db.query<{ version: string }>('select version()');
    version = (v.rows[0]?.version ?? '').split(' on ')[0] ?? '';
    await db.exec(observationsDdl);
  } catch (err) {
    await release();
    throw err;
  }
  return {
    backend: 'pglite',
    version,
    async runStep(step, rowsBefore) {
      const r = await runBodies(step.bodies.pglite, 1, step.timeLimitMs, async (body) => {
        await db.query(`copy observations (series_id, t, v) from '/dev/blob' with (format binary)`, [], { blob: new Blob([body.copy]) });
      });
      return stepResult(step, rowsBefore, r);
    },
    async close(expectedRows) {
      const count = await db
        .query<{ n: number }>('select count(*)::int as n from observations')
        .then((c) => c.rows[0]?.n, (err: Error) => err);
      await release();
      if (count instanceof Error) throw count;
      if (count !== expectedRows) throw new Error(`table holds ${count} rows, expected ${expectedRows}`);
    },
  };
}
