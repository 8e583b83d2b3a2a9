/** Messages between the main thread and the PGlite worker thread (pglite-worker.ts). */
export type WorkerRequest =
  | { id: number; op: 'open'; dataDir: string | null }
  | { id: number; op: 'query'; sql: string; params: readonly unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | {
      id: number;
      op: 'insertObservations';
      seriesIds: Int32Array;
      times: Float64Array;
      values: Float64Array;
      length: number;
    }
  | { id: number; op: 'copyRows'; table: string; columns: string[]; text: string }
  | { id: number; op: 'close' };

/** A database error carried across the thread boundary with its SQLSTATE, like pg's DatabaseError. */
export interface SerializedDbError {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  constraint?: string;
}

export type WorkerResponse =
  | { id: number; ok: true; rows?: unknown[]; rowCount?: number }
  | { id: number; ok: false; error: SerializedDbError };
