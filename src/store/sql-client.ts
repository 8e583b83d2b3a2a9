/**
 * The narrow port every repository talks to: PostgreSQL SQL with $1 parameters, on either the
 * embedded PGlite (in a worker thread) or a PostgreSQL server (`pg` pool). Rows come back as
 * plain objects; int8 and count(*) as numbers, timestamptz as Date, jsonb parsed.
 */
export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted (or returned, for SELECT). */
  rowCount: number;
}

export interface SqlClient {
  readonly dialect: 'pglite' | 'postgres';
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /** Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** One observation row ready to store: the series already resolved to its numeric id. */
export interface ObservationRows {
  seriesIds: Int32Array;
  /** Epoch milliseconds. */
  times: Float64Array;
  values: Float64Array;
  length: number;
}

/** A store: a SQL client plus the bulk path for observations, which each backend does its own way. */
export interface Store extends SqlClient {
  /** Inserts the rows once each; answers how many were new (the rest were already stored). Durable on return. */
  insertObservations(rows: ObservationRows): Promise<{ inserted: number }>;
  /** Where the data lives, for logs: a folder or a redacted URL. */
  readonly location: string;
  close(): Promise<void>;
}
