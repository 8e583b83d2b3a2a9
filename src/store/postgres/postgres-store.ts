import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ObservationRows, SqlClient, SqlResult, Store } from '../sql-client.ts';
import {
  copyBinaryOption,
  createStageSql,
  encodeObservationCopySlices,
  insertStagedObservationsSql,
  uniqueViolation,
} from '../observation-copy.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';

// Counts and bigint ids fit in a double here; answer numbers as PGlite does, so both stores agree.
pg.types.setTypeParser(20, (text: string) => Number(text));

/** Options for the PostgreSQL server store. */
export interface PostgresStoreOptions {
  url: string;
  /** Schema for every table (created when missing): lets test runs and benchmarks share one database. */
  schema?: string;
  poolSize?: number;
}

/** The scale-out store: a PostgreSQL server through a `pg` pool. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TocsinError('TOCSIN_CONFIG_INVALID', `TOCSIN_DB_SCHEMA: "${schema}" is not a plain lower-case SQL name`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', () => undefined); // an idle client's lost connection is replaced on next use
  try {
    if (schema) await pool.query(`create schema if not exists ${schema}`);
    else await pool.query('select 1');
  } catch (err) {
    await pool.end();
    throw new TocsinError('TOCSIN_STORE_UNAVAILABLE', `cannot reach PostgreSQL at ${redactUrl(options.url)}: ${(err as Error).message}`);
  }
  return new PostgresStore(pool, `${redactUrl(options.url)}${schema ? ` (schema ${schema})` : ''}`);
}

/** The URL with any password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '<redacted>';
    return parsed.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

/** No parameters: send the simple protocol, which also runs several statements (migrations). */
function asValues(params: readonly unknown[]): unknown[] | undefined {
  return params.length === 0 ? undefined : (params as unknown[]);
}

/** Several statements answer one result each; like PGlite's exec, keep the last. */
function toResult<Row>(res: pg.QueryResult | pg.QueryResult[]): SqlResult<Row> {
  const last = Array.isArray(res) ? res[res.length - 1] : res;
  if (!last) return { rows: [], rowCount: 0 };
  return { rows: last.rows as Row[], rowCount: last.rowCount ?? last.rows.length };
}

function clientOf(conn: pg.PoolClient): SqlClient {
  const tx: SqlClient = {
    dialect: 'postgres',
    query: async <Row>(sql: string, params: readonly unknown[] = []) => toResult<Row>(await conn.query(sql, asValues(params))),
    transaction: (inner) => inner(tx), // nested work joins the open transaction
  };
  return tx;
}

class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    return toResult<Row>(await this.pool.query(sql, asValues(params)));
  }

  async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
    const conn = await this.pool.connect();
    try {
      await conn.query('begin');
      const result = await work(clientOf(conn));
      await conn.query('commit');
      return result;
    } catch (err) {
      await conn.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  /**
   * One COPY straight into observations for a new batch; a batch that repeats stored rows fails on
   * the primary key and is redone through a staging table with `on conflict do nothing`.
   */
  async insertObservations(rows: ObservationRows): Promise<{ inserted: number }> {
    const conn = await this.pool.connect();
    try {
      try {
        await conn.query('begin');
        await copyInto(conn, 'observations', rows);
        await conn.query('commit');
        return { inserted: rows.length };
      } catch (err) {
        await conn.query('rollback');
        if ((err as { code?: string }).code !== uniqueViolation) throw err;
      }
      await conn.query('begin');
      try {
        await conn.query(createStageSql);
        await copyInto(conn, 'observation_stage', rows);
        const res = await conn.query(insertStagedObservationsSql);
        await conn.query('commit');
        return { inserted: res.rowCount ?? 0 };
      } catch (err) {
        await conn.query('rollback').catch(() => undefined);
        throw err;
      }
    } finally {
      conn.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function copyInto(conn: pg.PoolClient, table: string, rows: ObservationRows): Promise<void> {
  const stream = conn.query(copyFrom(`copy ${table} (series_id, t, v) from stdin ${copyBinaryOption}`));
  await pipeline(Readable.from(encodeObservationCopySlices(rows)), stream);
}
