import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { runBodies, stepResult } from './step-runner.ts';
import type { StepSink } from './step-sink.ts';

/** The table shape the server uses for observations (see src/store/migrations). */
export const observationsDdl =
  'create table observations (series_id int4 not null, t timestamptz not null, v float8 not null, primary key (series_id, t))';

/** A fresh schema name per run, so runs never collide and are easy to drop. */
export function freshSchemaName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/**
 * Finds a PostgreSQL URL that answers: BENCH_DATABASE_URL if set, else the `test` database on
 * 127.0.0.1 as `postgres`, then as the current OS user (trust auth). Only loopback is allowed,
 * since the benchmark must not talk to anything off this machine.
 */
export async function resolvePostgresUrl(): Promise<{ url: string; version: string }> {
  const candidates = process.env.BENCH_DATABASE_URL
    ? [process.env.BENCH_DATABASE_URL]
    : ['postgres://postgres@127.0.0.1:5432/test', `postgres://${userInfo().username}@127.0.0.1:5432/test`];
  const problems: string[] = [];
  for (const url of candidates) {
    const host = new URL(url).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') {
      problems.push(`${redact(url)}: only 127.0.0.1 is allowed`);
      continue;
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      const r = await client.query<{ server_version: string }>('show server_version');
      return { url, version: `PostgreSQL ${r.rows[0]?.server_version ?? '?'}` };
    } catch (err) {
      problems.push(`${redact(url)}: ${(err as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`no PostgreSQL server answered (${problems.join('; ')})`);
}

/** Runs one statement on its own short-lived connection (schema create/drop). */
export async function execOnce(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Raw COPY limit on the PostgreSQL server: a fresh `observations` table in a throwaway schema,
 * one `COPY … FROM STDIN` (pg-copy-streams, autocommit) per body of the workload's binary COPY data,
 * with as many connections as the step has HTTP clients.
 */
export async function openPostgresCopy(url: string, maxClients: number): Promise<StepSink> {
  const schema = freshSchemaName('bench');
  const conns: pg.Client[] = [];
  const release = async (): Promise<void> => {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
    await execOnce(url, `drop schema if exists ${schema} cascade`);
  };
  try {
    await execOnce(url, `create schema ${schema}`);
    for (let i = 0; i < maxClients; i++) {
      const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      conns.push(c);
      await c.connect();
    }
    await conns[0]!.query(observationsDdl);
  } catch (err) {
    await release().catch(() => undefined);
    throw err;
  }
  return {
    backend: 'postgres',
    async runStep(step, rowsBefore) {
      const r = await runBodies(step.bodies.postgres, step.clients, step.timeLimitMs, async (body, w) => {
        const stream = conns[w]!.query(copyFrom('copy observations (series_id, t, v) from stdin with (format binary)'));
        await pipeline(Readable.from([body.copy]), stream);
      });
      return stepResult(step, rowsBefore, r);
    },
    async close(expectedRows) {
      const count = await conns[0]!
        .query<{ n: string }>('select count(*) as n from observations')
        .then((c) => Number(c.rows[0]?.n), (err: Error) => err);
      await release().catch((err: Error) => {
        throw new Error(`could not drop schema ${schema}: ${err.message}`);
      });
      if (count instanceof Error) throw count;
      if (count !== expectedRows) throw new Error(`table holds ${count} rows, expected ${expectedRows}`);
    },
  };
}

/** A URL with any password replaced, for messages. */
export function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:<redacted>@');
}
