import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SqlClient } from './sql-client.ts';
import { TocsinError } from '../domain/kernel/errors.ts';

/** One versioned migration: `NNNN_name.sql` in store/migrations/. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Any constant works; it only has to be the same in every Tocsin process sharing a database.
const migrationLockKey = 7_382_001;

/** The migrations shipped with this build, in version order. */
export function bundledMigrations(dir: string = fileURLToPath(new URL('./migrations/', import.meta.url))): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return files.map((file) => ({
    version: Number(file.slice(0, 4)),
    name: file.slice(5, -4),
    sql: fs.readFileSync(`${dir}/${file}`, 'utf8'),
  }));
}

/**
 * Applies every migration not yet applied, each in its own transaction together with its record
 * in schema_migrations. An advisory lock makes concurrent starts on one server take turns.
 * Answers the versions it applied.
 */
export async function migrate(db: SqlClient, migrations: Migration[] = bundledMigrations()): Promise<number[]> {
  await db.query(
    `create table if not exists schema_migrations (
       version int4 primary key,
       name text not null,
       applied_at timestamptz not null default now()
     )`,
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [migrationLockKey]);
      const seen = await tx.query('select 1 from schema_migrations where version = $1', [migration.version]);
      if (seen.rows.length > 0) return false;
      try {
        await tx.query(migration.sql);
      } catch (err) {
        throw new TocsinError(
          'TOCSIN_MIGRATION_FAILED',
          `migration ${migration.version}_${migration.name} failed: ${(err as Error).message}`,
          { version: migration.version },
        );
      }
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

/** Versions already applied to this database. */
export async function appliedMigrations(db: SqlClient): Promise<number[]> {
  const res = await db.query<{ version: number }>('select version from schema_migrations order by version');
  return res.rows.map((r) => r.version);
}
