import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Store } from '../sql-client.ts';
import { openStore } from '../open-store.ts';
import { openPostgresStore } from '../postgres/postgres-store.ts';

/** The PostgreSQL server the storage suite runs against (CI and every developer machine run one). */
export const testDatabaseUrl = process.env['TOCSIN_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other run uses, so concurrent runs on one server never collide. */
export function freshSchemaName(): string {
  return `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const admin = await openPostgresStore({ url: testDatabaseUrl });
  try {
    await admin.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await admin.close();
  }
}

/** Opens a migrated store of the given kind: in-memory PGlite, or a fresh schema on the server. */
export async function openTestStore(kind: 'pglite' | 'postgres'): Promise<{ store: Store; dispose: () => Promise<void> }> {
  if (kind === 'pglite') {
    const store = await openStore({ dataDir: null });
    return { store, dispose: () => store.close() };
  }
  const schema = freshSchemaName();
  const store = await openStore({ databaseUrl: testDatabaseUrl, schema, dataDir: null });
  return {
    store,
    dispose: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

/**
 * Runs one suite on both backends: embedded PGlite and the real PostgreSQL server. The same tests,
 * the same SQL: that is the promise of "one dialect". Each backend gets one migrated store for the
 * whole suite; tests that need isolation use distinct series keys or names.
 */
export function describeEachStore(title: string, suite: (getStore: () => Store) => void): void {
  for (const kind of ['pglite', 'postgres'] as const) {
    describe(`${title} [${kind}]`, () => {
      let opened: { store: Store; dispose: () => Promise<void> } | undefined;
      beforeAll(async () => {
        opened = await openTestStore(kind);
      }, 60_000);
      afterAll(async () => {
        await opened?.dispose();
      });
      suite(() => {
        if (!opened) throw new Error(`${kind} store did not open`);
        return opened.store;
      });
    });
  }
}
