import { describe, expect, it } from 'vitest';
import { describeEachStore } from './testing/stores-under-test.ts';
import { SeriesRepo } from './repos/series-repo.ts';
import { ObservationsRepo } from './repos/observations-repo.ts';
import { appliedMigrations, bundledMigrations, migrate } from './migrate.ts';
import { kyselyOver } from './kysely.ts';
import type { Database } from './schema.ts';
import type { ObservationRows } from './sql-client.ts';

const t0 = Date.UTC(2026, 10, 21, 0, 0, 0);
const minute = 60_000;

function rows(seriesId: number, startMinute: number, count: number, value = (i: number) => i): ObservationRows {
  const seriesIds = new Int32Array(count).fill(seriesId);
  const times = new Float64Array(count);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    times[i] = t0 + (startMinute + i) * minute;
    values[i] = value(startMinute + i);
  }
  return { seriesIds, times, values, length: count };
}

describeEachStore('store', (store) => {
  it('applies every bundled migration once, and again changes nothing', async () => {
    const versions = await appliedMigrations(store());
    expect(versions).toEqual(bundledMigrations().map((m) => m.version));
    expect(await migrate(store())).toEqual([]);
  });

  it('creates unknown series on first sight and applies metadata without erasing what it omits', async () => {
    const repo = new SeriesRepo(store());
    const first = await repo.ensure([{ key: 'MIG1.level' }, { key: 'MIG2.rain', meta: { unit: 'mm', domain: 'natural' } }]);
    expect(first.size).toBe(2);
    const again = await repo.ensure([{ key: 'MIG1.level', meta: { area: 'D01', labels: { basin: 'pearl' } } }]);
    expect(again.get('MIG1.level')).toBe(first.get('MIG1.level'));
    const s1 = await repo.byKey('MIG1.level');
    expect(s1).toMatchObject({ key: 'MIG1.level', indicator: 'level', area: 'D01', labels: { basin: 'pearl' } });
    const s2 = await repo.byKey('MIG2.rain');
    expect(s2).toMatchObject({ unit: 'mm', domain: 'natural', indicator: 'rain', labels: {} });
    await repo.ensure([{ key: 'MIG2.rain', meta: { indicator: 'rainfall' } }]);
    expect(await repo.byKey('MIG2.rain')).toMatchObject({ unit: 'mm', indicator: 'rainfall' });
  });

  it('refuses a domain outside the taxonomy at the database too', async () => {
    const repo = new SeriesRepo(store());
    await expect(repo.ensure([{ key: 'BAD.dom', meta: { domain: 'politics' as never } }])).rejects.toThrow(/check/);
  });

  it('stores a new batch once and counts a re-sent one as duplicates', async () => {
    const ids = await new SeriesRepo(store()).ensure([{ key: 'IDEM.level' }]);
    const id = ids.get('IDEM.level')!;
    expect(await store().insertObservations(rows(id, 0, 100))).toEqual({ inserted: 100 });
    expect(await store().insertObservations(rows(id, 0, 100))).toEqual({ inserted: 0 });
    // Half old, half new: only the new half is stored, and the old values are not overwritten.
    expect(await store().insertObservations(rows(id, 50, 100, () => -1))).toEqual({ inserted: 50 });
    const obs = new ObservationsRepo(store());
    const all = await obs.range(id, {}, 1000);
    expect(all).toHaveLength(150);
    expect(all[60]).toEqual({ t: t0 + 60 * minute, v: 60 });
    expect(all[120]).toEqual({ t: t0 + 120 * minute, v: -1 });
  });

  it('keeps the first of two equal (series, t) inside one batch', async () => {
    const id = (await new SeriesRepo(store()).ensure([{ key: 'TWICE.level' }])).get('TWICE.level')!;
    const batch: ObservationRows = {
      seriesIds: Int32Array.from([id, id, id]),
      times: Float64Array.from([t0, t0, t0 + minute]),
      values: Float64Array.from([1, 2, 3]),
      length: 3,
    };
    expect(await store().insertObservations(batch)).toEqual({ inserted: 2 });
    expect((await new ObservationsRepo(store()).range(id, {}, 10)).map((o) => o.v)).toEqual([1, 3]);
  });

  it('reads a time range [from, to), the latest values first when asked, and the newest observation', async () => {
    const id = (await new SeriesRepo(store()).ensure([{ key: 'RANGE.level' }])).get('RANGE.level')!;
    await store().insertObservations(rows(id, 0, 120));
    const obs = new ObservationsRepo(store());
    const slice = await obs.range(id, { from: t0 + 10 * minute, to: t0 + 20 * minute }, 1000);
    expect(slice.map((o) => o.v)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect((await obs.range(id, {}, 3)).map((o) => o.v)).toEqual([0, 1, 2]);
    expect((await obs.range(id, {}, 3, true)).map((o) => o.v)).toEqual([117, 118, 119]);
    expect(await obs.latest(id)).toEqual({ t: t0 + 119 * minute, v: 119 });
  });

  it('aggregates into epoch-aligned buckets with min, max, mean and count', async () => {
    const id = (await new SeriesRepo(store()).ensure([{ key: 'STEP.level' }])).get('STEP.level')!;
    await store().insertObservations(rows(id, 0, 120));
    const buckets = await new ObservationsRepo(store()).buckets(id, {}, 30 * minute, 100);
    expect(buckets).toHaveLength(4);
    expect(buckets[0]).toEqual({ t: t0, min: 0, max: 29, mean: 14.5, count: 30 });
    expect(buckets[3]).toEqual({ t: t0 + 90 * minute, min: 90, max: 119, mean: 104.5, count: 30 });
  });

  it('lists series by domain, indicator, area and labels, one keyset page at a time', async () => {
    const repo = new SeriesRepo(store());
    await repo.ensure(
      Array.from({ length: 5 }, (_, i) => ({
        key: `LIST-${i}.pm25`,
        meta: { domain: 'environment' as const, area: i < 3 ? 'LA' : 'LB', labels: { network: i % 2 ? 'odd' : 'even' } },
      })),
    );
    const page1 = await repo.list({ domain: 'environment', limit: 2 });
    expect(page1.total).toBe(5);
    expect(page1.items.map((s) => s.key)).toEqual(['LIST-0.pm25', 'LIST-1.pm25']);
    const page2 = await repo.list({ domain: 'environment', limit: 2, after: 'LIST-1.pm25' });
    expect(page2.items.map((s) => s.key)).toEqual(['LIST-2.pm25', 'LIST-3.pm25']);
    const filtered = await repo.list({ area: 'LA', labels: { network: 'even' }, indicator: 'pm25', limit: 10 });
    expect(filtered.items.map((s) => s.key)).toEqual(['LIST-0.pm25', 'LIST-2.pm25']);
  });

  it('purges observations older than the retention cutoff and keeps the rest', async () => {
    const id = (await new SeriesRepo(store()).ensure([{ key: 'PURGE.level' }])).get('PURGE.level')!;
    await store().insertObservations(rows(id, 0, 60));
    const obs = new ObservationsRepo(store());
    const deleted = await obs.purgeBefore(t0 + 45 * minute);
    expect(deleted).toBeGreaterThanOrEqual(45);
    expect((await obs.range(id, {}, 100)).map((o) => o.v)[0]).toBe(45);
  });

  it('commits a transaction that succeeds and rolls back one that throws', async () => {
    await store().query('create table if not exists tx_probe (n int4)');
    await store().transaction(async (tx) => {
      await tx.query('insert into tx_probe values (1)');
    });
    await expect(
      store().transaction(async (tx) => {
        await tx.query('insert into tx_probe values (2)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const res = await store().query<{ n: number }>('select n from tx_probe order by n');
    expect(res.rows.map((r) => r.n)).toEqual([1]);
  });

  it('runs Kysely queries and transactions over the same connection discipline', async () => {
    const db = kyselyOver<Database>(store());
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('series').values({ key: 'KYS.level', labels: '{}' }).execute();
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('series').values({ key: 'KYS2.level', labels: '{}' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const keys = await db.selectFrom('series').select('key').where('key', 'like', 'KYS%').execute();
    expect(keys.map((k) => k.key)).toEqual(['KYS.level']);
  });

  it('answers a database error with its SQLSTATE code', async () => {
    await expect(store().query('select * from no_such_table')).rejects.toMatchObject({ code: '42P01' });
  });
});

describe('store isolation', () => {
  it('does not let a query run inside another caller’s open PGlite transaction', async () => {
    const { openTestStore } = await import('./testing/stores-under-test.ts');
    const { store, dispose } = await openTestStore('pglite');
    try {
      await store.query('create table iso (n int4)');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tx = store.transaction(async (t) => {
        await t.query('insert into iso values (1)');
        await gate;
        throw new Error('rollback');
      });
      const outside = store.query<{ n: number }>('select count(*)::int4 as n from iso');
      release();
      await expect(tx).rejects.toThrow('rollback');
      // Had the read slipped into the transaction it would have seen the uncommitted row.
      expect((await outside).rows[0]?.n).toBe(0);
    } finally {
      await dispose();
    }
  });
});
