import type { Store } from './sql-client.ts';
import { openPgliteStore } from './pglite/pglite-store.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { migrate } from './migrate.ts';

/** Where the store lives: a PostgreSQL server when `databaseUrl` is set, else PGlite in `dataDir`. */
export interface StoreLocation {
  databaseUrl?: string | undefined;
  /** Schema on the server (TOCSIN_DB_SCHEMA); ignored for PGlite. */
  schema?: string | undefined;
  /** PGlite folder; null keeps it in memory (tests). */
  dataDir: string | null;
  /** Who opens it, written in the data folder's lock. */
  holder?: string;
}

/** Opens the store and brings its schema up to date (migrations are idempotent and locked). */
export async function openStore(where: StoreLocation, options: { migrate?: boolean } = {}): Promise<Store> {
  const store = where.databaseUrl
    ? await openPostgresStore({ url: where.databaseUrl, ...(where.schema ? { schema: where.schema } : {}) })
    : await openPgliteStore({ dataDir: where.dataDir, ...(where.holder ? { holder: where.holder } : {}) });
  if (options.migrate !== false) {
    try {
      await migrate(store);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}
