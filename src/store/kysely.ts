import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { SqlClient } from './sql-client.ts';

/**
 * Kysely over our SqlClient port, so typed repositories run unchanged on PGlite (in its worker)
 * and on the PostgreSQL server. Kysely's begin/commit calls are turned into one
 * `SqlClient.transaction` held open until Kysely commits or rolls back.
 */
export function kyselyOver<Database>(client: SqlClient): Kysely<Database> {
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new SqlClientDriver(client),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
  return new Kysely<Database>({ dialect });
}

class SqlClientConnection implements DatabaseConnection {
  private tx: { client: SqlClient; finish: (commit: boolean) => Promise<void> } | null = null;

  constructor(private readonly root: SqlClient) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const client = this.tx?.client ?? this.root;
    const res = await client.query<R>(query.sql, query.parameters);
    return { rows: res.rows, numAffectedRows: BigInt(res.rowCount) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by the SqlClient port');
  }

  async begin(): Promise<void> {
    let opened!: (tx: SqlClient) => void;
    let decide!: (commit: boolean) => void;
    const ready = new Promise<SqlClient>((resolve) => (opened = resolve));
    const decision = new Promise<boolean>((resolve) => (decide = resolve));
    const outcome = this.root.transaction(async (tx) => {
      opened(tx);
      if (!(await decision)) throw rollbackSignal;
    });
    const settled = outcome.catch((err: unknown) => {
      if (err !== rollbackSignal) throw err;
    });
    const client = await Promise.race([ready, settled.then(() => null)]);
    if (!client) throw new Error('transaction could not start');
    this.tx = {
      client,
      finish: async (commit) => {
        decide(commit);
        this.tx = null;
        await settled;
      },
    };
  }

  async end(commit: boolean): Promise<void> {
    if (!this.tx) throw new Error('no open transaction');
    await this.tx.finish(commit);
  }
}

const rollbackSignal = new Error('rollback requested');

class SqlClientDriver implements Driver {
  constructor(private readonly client: SqlClient) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new SqlClientConnection(this.client);
  }
  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as SqlClientConnection).begin();
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as SqlClientConnection).end(true);
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as SqlClientConnection).end(false);
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}
