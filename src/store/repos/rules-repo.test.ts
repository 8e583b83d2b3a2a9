import { expect, it } from 'vitest';
import { describeEachStore } from '../testing/stores-under-test.ts';
import { rulesRepo } from './rules-repo.ts';
import type { TocsinError } from '../../domain/kernel/errors.ts';

const t0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const definition = (above: number) => ({
  name: 'x',
  select: { indicator: 'river_level' },
  detector: { type: 'threshold', above },
  labels: { hazard: 'flood', 'x.y': 'kept as written' },
  enabled: true,
});

async function failure(promise: Promise<unknown>): Promise<TocsinError> {
  return (await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  )) as TocsinError;
}

describeEachStore('rules repository', (getStore) => {
  const repo = () => rulesRepo(getStore());

  it('inserts, finds and lists by name, keeping the definition as written', async () => {
    const a = await repo().insertRule({ name: 'r-b', definition: definition(5), at: t0, by: 'anna' });
    expect(a).toEqual({ name: 'r-b', definition: definition(5), version: 1, createdAt: t0, createdBy: 'anna', updatedAt: t0, updatedBy: 'anna' });
    await repo().insertRule({ name: 'r-a', definition: definition(1), at: t0 + 1, by: 'root' });
    expect(await repo().findRule('r-b')).toEqual(a);
    expect(await repo().findRule('r-nothing')).toBeNull();
    const names = (await repo().listRules()).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['r-a', 'r-b']));
    expect(names).toEqual([...names].sort());
  });

  it('answers TOCSIN_CONFLICT naming the field for a taken name', async () => {
    await repo().insertRule({ name: 'c-dup', definition: definition(1), at: t0, by: 'anna' });
    const err = await failure(repo().insertRule({ name: 'c-dup', definition: definition(2), at: t0, by: 'anna' }));
    expect(err.code).toBe('TOCSIN_CONFLICT');
    expect(err.message).toBe('name: a rule named "c-dup" already exists');
  });

  it('updates only at the expected version, counting versions up', async () => {
    await repo().insertRule({ name: 'u-1', definition: definition(1), at: t0, by: 'anna' });
    const v2 = await repo().updateRule({ name: 'u-1', definition: definition(2), expectedVersion: 1, at: t0 + 60_000, by: 'vic' });
    expect(v2).toEqual({
      name: 'u-1',
      definition: definition(2),
      version: 2,
      createdAt: t0,
      createdBy: 'anna',
      updatedAt: t0 + 60_000,
      updatedBy: 'vic',
    });
    const stale = await failure(repo().updateRule({ name: 'u-1', definition: definition(3), expectedVersion: 1, at: t0, by: 'anna' }));
    expect(stale.code).toBe('TOCSIN_CONFLICT');
    expect(stale.message).toBe(
      'version: rule "u-1" is at version 2 (changed by vic at 2026-11-21T10:01:00.000Z), not 1; read it again and reapply your change',
    );
    expect(stale.details).toMatchObject({ version: 2, expectedVersion: 1 });
    expect((await repo().findRule('u-1'))!.definition).toEqual(definition(2));
    const missing = await failure(repo().updateRule({ name: 'u-none', definition: definition(1), expectedVersion: 1, at: t0, by: 'anna' }));
    expect(missing.code).toBe('TOCSIN_NOT_FOUND');
  });

  it('deletes, checking the version when given', async () => {
    await repo().insertRule({ name: 'd-1', definition: definition(1), at: t0, by: 'anna' });
    expect((await failure(repo().deleteRule('d-1', 7))).code).toBe('TOCSIN_CONFLICT');
    await repo().deleteRule('d-1', 1);
    expect(await repo().findRule('d-1')).toBeNull();
    expect((await failure(repo().deleteRule('d-1'))).code).toBe('TOCSIN_NOT_FOUND');
    expect((await failure(repo().deleteRule('d-1', 1))).code).toBe('TOCSIN_NOT_FOUND');
    await repo().insertRule({ name: 'd-2', definition: definition(1), at: t0, by: 'anna' });
    await repo().deleteRule('d-2');
    expect(await repo().findRule('d-2')).toBeNull();
  });

  it('lets the table refuse what the domain would (names, non-object definitions)', async () => {
    await expect(getStore().query(`insert into rules (name, definition, created_at, created_by, updated_at, updated_by)
      values ('Bad Name', '{}', now(), 'x', now(), 'x')`)).rejects.toMatchObject({ code: '23514' });
    await expect(getStore().query(`insert into rules (name, definition, created_at, created_by, updated_at, updated_by)
      values ('ok', '[1]', now(), 'x', now(), 'x')`)).rejects.toMatchObject({ code: '23514' });
  });
});
