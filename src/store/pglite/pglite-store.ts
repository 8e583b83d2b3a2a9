import { Worker } from 'node:worker_threads';
import path from 'node:path';
import type { ObservationRows, SqlClient, SqlResult, Store } from '../sql-client.ts';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.ts';
import { DbError } from '../db-error.ts';
import { Mutex } from '../mutex.ts';
import { lockDataDir } from '../data-dir-lock.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';

type Pending = { resolve: (r: WorkerResponse & { ok: true }) => void; reject: (e: Error) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * The embedded store: PGlite persisted to a folder (or in memory when `dataDir` is null), run in
 * a worker thread so its synchronous WASM work never stalls the server's event loop.
 */
export async function openPgliteStore(options: { dataDir: string | null; holder?: string }): Promise<Store> {
  const release = options.dataDir ? lockDataDir(options.dataDir, options.holder ?? 'tocsin') : () => {};
  try {
    const store = new PgliteStore(options.dataDir, release);
    await store.start();
    return store;
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * Starts the worker thread. Built, the worker is plain JS beside this file. Under tsx or vitest it
 * is the .ts source, which a worker thread cannot load by itself: a two-line bootstrap registers
 * tsx's loader in the worker first.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pglite-worker.js', import.meta.url));
  const source = new URL('./pglite-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true });
}

class PgliteStore implements Store {
  readonly dialect = 'pglite' as const;
  readonly location: string;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly lock = new Mutex();
  private nextId = 1;
  private closed = false;
  private failure: Error | null = null;

  constructor(
    private readonly dataDir: string | null,
    private readonly releaseDir: () => void,
  ) {
    this.location = dataDir ? path.resolve(dataDir) : 'memory';
    this.worker = startWorker();
    this.worker.on('message', (res: WorkerResponse) => this.settle(res));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`PGlite worker exited with code ${code}`));
    });
  }

  async start(): Promise<void> {
    await this.send({ op: 'open', dataDir: this.dataDir });
  }

  query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    return this.lock.run(() => this.rawQuery<Row>(sql, params));
  }

  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      await this.send({ op: 'exec', sql: 'begin' });
      const tx: SqlClient = {
        dialect: 'pglite',
        query: (sql, params = []) => this.rawQuery(sql, params),
        transaction: (inner) => inner(tx), // nested work joins the open transaction
      };
      try {
        const result = await work(tx);
        await this.send({ op: 'exec', sql: 'commit' });
        return result;
      } catch (err) {
        await this.send({ op: 'exec', sql: 'rollback' }).catch(() => undefined);
        throw err;
      }
    });
  }

  insertObservations(rows: ObservationRows): Promise<{ inserted: number }> {
    return this.lock.run(async () => {
      const res = await this.send({
        op: 'insertObservations',
        seriesIds: rows.seriesIds,
        times: rows.times,
        values: rows.values,
        length: rows.length,
      });
      return { inserted: res.rowCount ?? 0 };
    });
  }

  /** Bulk-loads COPY text into a table (used by benchmarks and imports). */
  copyRows(table: string, columns: string[], text: string): Promise<number> {
    return this.lock.run(async () => (await this.send({ op: 'copyRows', table, columns, text })).rowCount ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Waits for every queued write to finish before the files are closed.
    await this.lock.run(async () => {
      await this.send({ op: 'close' }).catch(() => undefined);
      this.closed = true;
    });
    await this.worker.terminate();
    this.releaseDir();
  }

  private async rawQuery<Row>(sql: string, params: readonly unknown[]): Promise<SqlResult<Row>> {
    const res = await this.send({ op: 'query', sql, params: params.map(toWorkerParam) });
    return { rows: (res.rows ?? []) as Row[], rowCount: res.rowCount ?? 0 };
  }

  private send(body: RequestBody): Promise<WorkerResponse & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new TocsinError('TOCSIN_STORE_UNAVAILABLE', 'the store is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  private settle(res: WorkerResponse): void {
    const waiter = this.pending.get(res.id);
    if (!waiter) return;
    this.pending.delete(res.id);
    if (res.ok) waiter.resolve(res);
    else waiter.reject(new DbError(res.error));
  }

  private fail(err: Error): void {
    this.failure = new TocsinError('TOCSIN_STORE_UNAVAILABLE', `embedded database stopped: ${err.message}`);
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}

/** Structured clone keeps Dates and typed arrays; other objects (jsonb values) go as JSON text. */
function toWorkerParam(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || value instanceof Date || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value;
  return JSON.stringify(value);
}
