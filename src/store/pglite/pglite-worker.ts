/**
 * Runs PGlite in its own thread. PGlite executes each query synchronously inside WASM and so blocks
 * whatever thread it lives on for the query's whole length (STACK.md pitfall 1); here that thread is
 * not the server's, which keeps answering requests during long reads and big writes.
 */
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { SerializedDbError, WorkerRequest, WorkerResponse } from './worker-protocol.ts';
import {
  copyBinaryOption,
  createStageSql,
  encodeObservationCopyBinary,
  insertStagedObservationsSql,
  uniqueViolation,
} from '../observation-copy.ts';

if (!parentPort) throw new Error('pglite-worker must run in a worker thread');
const port = parentPort;
let db: PGlite | null = null;

function database(): PGlite {
  if (!db) throw new Error('PGlite is not open');
  return db;
}

function serializeError(err: unknown): SerializedDbError {
  const e = err as Record<string, unknown>;
  const out: SerializedDbError = { message: err instanceof Error ? err.message : String(err) };
  for (const key of ['code', 'detail', 'hint', 'position', 'constraint'] as const) {
    if (typeof e[key] === 'string') out[key] = e[key] as string;
  }
  return out;
}

/**
 * COPY straight into observations first: a new batch (the usual case) then costs one COPY. When
 * the batch repeats a stored (series, t), the COPY fails on the primary key and the batch goes
 * through a staging table and `on conflict do nothing`, which counts what was new.
 */
async function insertObservations(req: Extract<WorkerRequest, { op: 'insertObservations' }>): Promise<number> {
  const pg = database();
  const blob = new Blob([encodeObservationCopyBinary(req)]);
  await pg.exec('begin');
  try {
    await pg.query(`copy observations (series_id, t, v) from '/dev/blob' ${copyBinaryOption}`, [], { blob });
    await pg.exec('commit');
    return req.length;
  } catch (err) {
    await pg.exec('rollback');
    if ((err as { code?: string }).code !== uniqueViolation) throw err;
  }
  await pg.exec('begin');
  try {
    await pg.exec(createStageSql);
    await pg.query(`copy observation_stage (series_id, t, v) from '/dev/blob' ${copyBinaryOption}`, [], { blob });
    const result = await pg.query(insertStagedObservationsSql);
    await pg.exec('commit');
    return result.affectedRows ?? 0;
  } catch (err) {
    await pg.exec('rollback');
    throw err;
  }
}

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  switch (req.op) {
    case 'open': {
      db = req.dataDir ? new PGlite(req.dataDir) : new PGlite();
      await db.waitReady;
      return { id: req.id, ok: true };
    }
    case 'query': {
      if (req.params.length === 0) {
        // Without parameters use the simple protocol, which also runs several statements (migrations).
        const results = await database().exec(req.sql);
        const last = results[results.length - 1];
        const rows = last?.rows ?? [];
        return { id: req.id, ok: true, rows, rowCount: rows.length || (last?.affectedRows ?? 0) };
      }
      const result = await database().query(req.sql, req.params as unknown[]);
      const rowCount = result.affectedRows ?? result.rows.length;
      return { id: req.id, ok: true, rows: result.rows, rowCount: result.rows.length || rowCount };
    }
    case 'exec': {
      await database().exec(req.sql);
      return { id: req.id, ok: true };
    }
    case 'insertObservations': {
      return { id: req.id, ok: true, rowCount: await insertObservations(req) };
    }
    case 'copyRows': {
      const blob = new Blob([req.text]);
      const cols = req.columns.map((c) => `"${c}"`).join(', ');
      const result = await database().query(`copy ${req.table} (${cols}) from '/dev/blob'`, [], { blob });
      return { id: req.id, ok: true, rowCount: result.affectedRows ?? 0 };
    }
    case 'close': {
      await db?.close();
      db = null;
      return { id: req.id, ok: true };
    }
  }
}

// Requests are handled strictly one after another: PGlite is a single connection.
let queue: Promise<void> = Promise.resolve();
port.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    let response: WorkerResponse;
    try {
      response = await handle(req);
    } catch (err) {
      response = { id: req.id, ok: false, error: serializeError(err) };
    }
    port.postMessage(response);
    if (req.op === 'close') port.close();
  });
});
