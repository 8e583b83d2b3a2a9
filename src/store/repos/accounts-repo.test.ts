import { describe, expect, it } from 'vitest';
import { describeEachStore } from '../testing/stores-under-test.ts';
import { accountsRepo } from './accounts-repo.ts';
import type { TocsinError } from '../../domain/kernel/errors.ts';

const t0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const hex = (c: string) => c.repeat(64);

describeEachStore('accounts repository', (getStore) => {
  const repo = () => accountsRepo(getStore());

  describe('users', () => {
    it('inserts, finds, lists and counts', async () => {
      const before = await repo().countUsers();
      const alice = await repo().insertUser({ name: 'u-alice', role: 'analyst', passwordHash: '$argon2id$x', createdAt: t0 });
      const bot = await repo().insertUser({ name: 'u-bot', role: 'viewer', passwordHash: null, createdAt: t0 + 1 });
      expect(alice).toEqual({ id: alice.id, name: 'u-alice', role: 'analyst', passwordHash: '$argon2id$x', disabled: false, createdAt: t0 });
      expect(bot.passwordHash).toBeNull();
      expect(await repo().countUsers()).toBe(before + 2);
      expect(await repo().findUserByName('u-alice')).toEqual(alice);
      expect(await repo().findUserByName('u-nobody')).toBeNull();
      const names = (await repo().listUsers()).map((u) => u.name);
      expect(names).toEqual([...names].sort());
      expect(names).toEqual(expect.arrayContaining(['u-alice', 'u-bot']));
    });

    it('answers TOCSIN_CONFLICT naming the field for a taken name', async () => {
      await repo().insertUser({ name: 'u-dup', role: 'viewer', passwordHash: null, createdAt: t0 });
      const err = (await repo()
        .insertUser({ name: 'u-dup', role: 'admin', passwordHash: null, createdAt: t0 })
        .catch((e: unknown) => e)) as TocsinError;
      expect(err.code).toBe('TOCSIN_CONFLICT');
      expect(err.message).toBe('name: a user named "u-dup" already exists');
    });

    it('refuses a role outside the seven (the table checks it too)', async () => {
      await expect(
        getStore().query(`insert into users (name, role) values ('u-root', 'root')`),
      ).rejects.toMatchObject({ code: '23514' });
    });
  });

  describe('sessions', () => {
    it('stores, finds with owner, slides, revokes once and purges', async () => {
      const user = await repo().insertUser({ name: 's-carol', role: 'duty_officer', passwordHash: 'h', createdAt: t0 });
      const id = hex('a');
      await repo().insertSession({ id, userId: user.id, createdAt: t0, expiresAt: t0 + 1000 });
      expect(await repo().findSession(id)).toEqual({
        id,
        userId: user.id,
        createdAt: t0,
        expiresAt: t0 + 1000,
        lastSeenAt: t0,
        revokedAt: null,
        user: { id: user.id, name: 's-carol', role: 'duty_officer', disabled: false },
      });
      await repo().touchSession(id, t0 + 500, t0 + 2000);
      expect(await repo().findSession(id)).toMatchObject({ lastSeenAt: t0 + 500, expiresAt: t0 + 2000 });
      expect(await repo().revokeSession(id, t0 + 600)).toBe(true);
      expect(await repo().revokeSession(id, t0 + 700)).toBe(false);
      expect(await repo().findSession(id)).toMatchObject({ revokedAt: t0 + 600 });
      await repo().touchSession(id, t0 + 800, t0 + 9000); // a revoked session does not slide
      expect(await repo().findSession(id)).toMatchObject({ expiresAt: t0 + 2000 });

      await repo().insertSession({ id: hex('b'), userId: user.id, createdAt: t0, expiresAt: t0 + 10_000 });
      expect(await repo().deleteSessionsEndedBefore(t0 + 5000)).toBeGreaterThanOrEqual(1);
      expect(await repo().findSession(id)).toBeNull();
      expect(await repo().findSession(hex('b'))).not.toBeNull();
      expect(await repo().findSession(hex('c'))).toBeNull();
    });
  });

  describe('API tokens', () => {
    it('stores only the hash, finds by it, records use, lists unrevoked and revokes once', async () => {
      const dave = await repo().insertUser({ name: 't-dave', role: 'analyst', passwordHash: null, createdAt: t0 });
      const erin = await repo().insertUser({ name: 't-erin', role: 'viewer', passwordHash: null, createdAt: t0 });
      const a = await repo().insertApiToken({
        userId: dave.id,
        name: 'ingest script',
        tokenHash: hex('1'),
        prefix: 'tcs_AAAAAAAA',
        createdAt: t0,
        expiresAt: t0 + 86_400_000,
      });
      expect(a).toEqual({
        id: a.id,
        userId: dave.id,
        userName: 't-dave',
        name: 'ingest script',
        prefix: 'tcs_AAAAAAAA',
        createdAt: t0,
        expiresAt: t0 + 86_400_000,
        lastUsedAt: null,
        revokedAt: null,
      });
      const b = await repo().insertApiToken({
        userId: erin.id,
        name: 'dashboard',
        tokenHash: hex('2'),
        prefix: 'tcs_BBBBBBBB',
        createdAt: t0,
        expiresAt: null,
      });

      expect(await repo().findApiTokenByHash(hex('1'))).toEqual({
        ...a,
        user: { id: dave.id, name: 't-dave', role: 'analyst', disabled: false },
      });
      expect(await repo().findApiTokenByHash(hex('3'))).toBeNull();
      await repo().recordTokenUse(a.id, t0 + 42);
      expect(await repo().findApiToken(a.id)).toMatchObject({ lastUsedAt: t0 + 42 });

      expect((await repo().listApiTokens({ userId: dave.id })).map((t) => t.id)).toEqual([a.id]);
      expect((await repo().listApiTokens({})).map((t) => t.id)).toEqual(expect.arrayContaining([a.id, b.id]));

      expect(await repo().revokeApiToken(a.id, t0 + 99)).toBe(true);
      expect(await repo().revokeApiToken(a.id, t0 + 100)).toBe(false);
      expect(await repo().findApiToken(a.id)).toMatchObject({ revokedAt: t0 + 99 });
      expect(await repo().listApiTokens({ userId: dave.id })).toEqual([]);
      expect(await repo().findApiToken(999_999)).toBeNull();
    });

    it('refuses a second token with the same hash', async () => {
      const user = await repo().insertUser({ name: 't-frank', role: 'viewer', passwordHash: null, createdAt: t0 });
      const token = { userId: user.id, name: 'x', tokenHash: hex('9'), prefix: 'tcs_x', createdAt: t0, expiresAt: null };
      await repo().insertApiToken(token);
      await expect(repo().insertApiToken(token)).rejects.toMatchObject({ code: '23505' });
    });
  });
});
