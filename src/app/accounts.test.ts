import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/sql-client.ts';
import { openStore } from '../store/open-store.ts';
import { accountsRepo } from '../store/repos/accounts-repo.ts';
import { manualClock } from '../domain/kernel/clock.ts';
import type { TocsinError } from '../domain/kernel/errors.ts';
import type { Principal } from '../domain/accounts/principal.ts';
import {
  addUser,
  argon2Hasher,
  authenticatePassword,
  authenticateToken,
  createApiToken,
  createSession,
  ensureInitialAdmin,
  listApiTokens,
  listUsers,
  purgeEndedSessions,
  resolveSession,
  revokeApiToken,
  revokeSession,
  signIn,
  type AccountsPort,
  type PasswordHasher,
} from './accounts.ts';

const t0 = Date.UTC(2026, 10, 21, 8, 0, 0);
const minute = 60_000;
const hour = 60 * minute;

async function failure(promise: Promise<unknown>): Promise<TocsinError> {
  return (await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  )) as TocsinError;
}

let store: Store;
let repo: AccountsPort;
beforeAll(async () => {
  store = await openStore({ dataDir: null });
  repo = accountsRepo(store);
}, 60_000);
afterAll(() => store.close());

function depsAt(ms: number) {
  const clock = manualClock(ms);
  return { users: repo, sessions: repo, tokens: repo, hasher: argon2Hasher, clock };
}

describe('addUser and authenticatePassword', () => {
  it('hashes the password with argon2id and checks it', async () => {
    const deps = depsAt(t0);
    const { user, generatedPassword } = await addUser(deps, { name: 'ana', role: 'analyst', password: 'a long passphrase' });
    expect(generatedPassword).toBeNull();
    expect(user).toMatchObject({ name: 'ana', role: 'analyst', machine: false, disabled: false, createdAt: t0 });
    const stored = await repo.findUserByName('ana');
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await authenticatePassword(deps, { name: 'ana', password: 'a long passphrase' })).toMatchObject({ name: 'ana' });
  });

  it('generates a password when none is given, and makes a machine account for null', async () => {
    const deps = depsAt(t0);
    const { generatedPassword } = await addUser(deps, { name: 'gen', role: 'viewer' });
    expect(generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await authenticatePassword(deps, { name: 'gen', password: generatedPassword! });

    const machine = await addUser(deps, { name: 'ingest-bot', role: 'analyst', password: null });
    expect(machine).toMatchObject({ user: { machine: true }, generatedPassword: null });
  });

  it.each([
    { input: { name: 'Bad', role: 'viewer', password: 'long enough pw' }, code: 'TOCSIN_VALIDATION', message: /^name: "Bad" is not a valid user name/ },
    {
      input: { name: 'rooty', role: 'root', password: 'long enough pw' },
      code: 'TOCSIN_VALIDATION',
      message: /^role: "root" is not a role; use one of admin, analyst, duty_officer, warning_approver, responder, area_worker, viewer$/,
    },
    { input: { name: 'shorty', role: 'viewer', password: 'short' }, code: 'TOCSIN_VALIDATION', message: /^password: .*at least 12$/ },
    { input: { name: 'ana', role: 'viewer', password: 'long enough pw' }, code: 'TOCSIN_CONFLICT', message: /already exists/ },
  ])('refuses $input.name/$input.role: $code', async ({ input, code, message }) => {
    const err = await failure(addUser(depsAt(t0), input));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('answers the same for an unknown name, a wrong password, a machine account and a disabled one', async () => {
    await addUser(depsAt(t0), { name: 'gone', role: 'viewer', password: 'a long passphrase' });
    await store.query(`update users set disabled = true where name = 'gone'`);
    for (const credentials of [
      { name: 'nobody', password: 'a long passphrase' },
      { name: 'ana', password: 'a wrong passphrase' },
      { name: 'ingest-bot', password: 'a long passphrase' },
      { name: 'gone', password: 'a long passphrase' },
    ]) {
      const err = await failure(authenticatePassword(depsAt(t0), credentials));
      expect({ code: err.code, message: err.message }).toEqual({
        code: 'TOCSIN_UNAUTHENTICATED',
        message: 'wrong user name or password',
      });
    }
  });

  it('runs the hash check for an unknown name too, so timing does not tell names apart', async () => {
    const calls: string[] = [];
    const counting: PasswordHasher = {
      hash: (p) => argon2Hasher.hash(p),
      verify: async (h, p) => {
        calls.push(h.slice(0, 9));
        return argon2Hasher.verify(h, p);
      },
    };
    await failure(authenticatePassword({ users: repo, hasher: counting }, { name: 'nobody', password: 'whatever it is' }));
    expect(calls).toEqual(['$argon2id']);
  });

  it('lists users without their hashes', async () => {
    const users = await listUsers({ users: repo });
    expect(users.map((u) => u.name)).toEqual(expect.arrayContaining(['ana', 'gen', 'ingest-bot']));
    for (const user of users) expect(user).not.toHaveProperty('passwordHash');
  });
});

describe('sessions', () => {
  it('signs in, resolves, slides once a minute, and ends after 12 h idle', async () => {
    const deps = depsAt(t0);
    await addUser(deps, { name: 'otto', role: 'duty_officer', password: 'night shift 2026' });
    const session = await signIn(deps, { name: 'otto', password: 'night shift 2026' });
    expect(session.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toBe(t0 + 12 * hour);
    expect(session.user).toMatchObject({ name: 'otto', role: 'duty_officer' });

    const expected: Principal = { userId: session.user.id, name: 'otto', role: 'duty_officer', via: 'session', expiresAt: t0 + 12 * hour };
    expect(await resolveSession(deps, session.secret)).toEqual(expected);

    deps.clock.advance(30_000); // within a minute: no write, same expiry
    expect(await resolveSession(deps, session.secret)).toEqual(expected);

    deps.clock.advance(10 * hour); // used again: slides to 12 h from now
    expect(await resolveSession(deps, session.secret)).toMatchObject({ expiresAt: deps.clock.now() + 12 * hour });

    deps.clock.advance(12 * hour); // idle for 12 h: over
    expect(await resolveSession(deps, session.secret)).toBeNull();
  });

  it('ends 7 days after sign-in however busy', async () => {
    const deps = depsAt(t0);
    const user = await repo.findUserByName('otto');
    const { secret } = await createSession(deps, user!.id);
    for (let i = 0; i < 16; i++) {
      deps.clock.advance(11 * hour);
      const principal = await resolveSession(deps, secret);
      if (deps.clock.now() < t0 + 7 * 24 * hour) expect(principal).not.toBeNull();
      else expect(principal).toBeNull();
    }
    expect(deps.clock.now()).toBeGreaterThan(t0 + 7 * 24 * hour);
  });

  it('revokes, and ignores unknown or malformed secrets', async () => {
    const deps = depsAt(t0);
    const { secret } = await signIn(deps, { name: 'otto', password: 'night shift 2026' });
    expect(await revokeSession(deps, secret)).toBe(true);
    expect(await revokeSession(deps, secret)).toBe(false);
    expect(await resolveSession(deps, secret)).toBeNull();
    expect(await resolveSession(deps, 'A'.repeat(43))).toBeNull();
    expect(await resolveSession(deps, 'not a secret')).toBeNull();
    expect(await revokeSession(deps, 'not a secret')).toBe(false);
  });

  it("stops working when the account is disabled", async () => {
    const deps = depsAt(t0);
    await addUser(deps, { name: 'leaver', role: 'viewer', password: 'a long passphrase' });
    const { secret } = await signIn(deps, { name: 'leaver', password: 'a long passphrase' });
    await store.query(`update users set disabled = true where name = 'leaver'`);
    expect(await resolveSession(deps, secret)).toBeNull();
  });

  it('purges sessions a month after they ended', async () => {
    const deps = depsAt(t0);
    const { secret } = await signIn(deps, { name: 'otto', password: 'night shift 2026' });
    await revokeSession(deps, secret);
    const count = async () => (await store.query<{ n: number }>('select count(*)::int as n from sessions where revoked_at is not null')).rows[0]!.n;
    const before = await count();
    deps.clock.advance(29 * 24 * hour);
    await purgeEndedSessions(deps);
    expect(await count()).toBe(before);
    deps.clock.advance(2 * 24 * hour);
    expect(await purgeEndedSessions(deps)).toBeGreaterThanOrEqual(before);
    expect(await count()).toBe(0);
  });

  it('stores only the hash of the secret', async () => {
    const { secret } = await signIn(depsAt(t0), { name: 'otto', password: 'night shift 2026' });
    const rows = await store.query<{ id: string }>('select id from sessions');
    expect(rows.rows.some((r) => r.id.includes(secret))).toBe(false);
  });
});

describe('API tokens', () => {
  let owner: Principal;
  let admin: Principal;
  beforeAll(async () => {
    const deps = depsAt(t0);
    const a = await addUser(deps, { name: 'tok-owner', role: 'analyst', password: null });
    const b = await addUser(deps, { name: 'tok-admin', role: 'admin', password: null });
    owner = { userId: a.user.id, name: 'tok-owner', role: 'analyst', via: 'token', expiresAt: null };
    admin = { userId: b.user.id, name: 'tok-admin', role: 'admin', via: 'token', expiresAt: null };
  });

  it('answers the token once, stores its hash, and authenticates with it', async () => {
    const deps = depsAt(t0);
    const { token, record } = await createApiToken(deps, owner, { name: 'ingest', expiresInDays: 30 });
    expect(token).toMatch(/^tcs_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ name: 'ingest', userName: 'tok-owner', prefix: token.slice(0, 12), expiresAt: t0 + 30 * 86_400_000 });
    const rows = await store.query<{ token_hash: string; prefix: string }>('select token_hash, prefix from api_tokens where id = $1', [record.id]);
    expect(rows.rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows.rows)).not.toContain(token);

    expect(await authenticateToken(deps, token)).toEqual({
      userId: owner.userId,
      name: 'tok-owner',
      role: 'analyst',
      via: 'token',
      expiresAt: t0 + 30 * 86_400_000,
    });
  });

  it('writes last use at most once a minute', async () => {
    const deps = depsAt(t0);
    const { token, record } = await createApiToken(deps, owner, { name: 'busy' });
    const lastUsed = async () => (await repo.findApiToken(record.id))?.lastUsedAt;
    await authenticateToken(deps, token);
    expect(await lastUsed()).toBe(t0);
    deps.clock.advance(59_000);
    await authenticateToken(deps, token);
    expect(await lastUsed()).toBe(t0);
    deps.clock.advance(1_000);
    await authenticateToken(deps, token);
    expect(await lastUsed()).toBe(t0 + minute);
  });

  it('refuses expired, revoked, unknown and malformed tokens', async () => {
    const deps = depsAt(t0);
    const expiring = await createApiToken(deps, owner, { name: 'short', expiresInDays: 1 });
    const revoked = await createApiToken(deps, owner, { name: 'revoked' });
    await revokeApiToken(deps, owner, revoked.record.id);
    deps.clock.advance(86_400_000);
    expect(await authenticateToken(deps, expiring.token)).toBeNull();
    expect(await authenticateToken(deps, revoked.token)).toBeNull();
    expect(await authenticateToken(deps, `tcs_${'A'.repeat(43)}`)).toBeNull();
    expect(await authenticateToken(deps, 'Bearer nonsense')).toBeNull();
  });

  it('lets only an admin create tokens for someone else; the command line (null actor) may', async () => {
    const deps = depsAt(t0);
    const forbidden = await failure(createApiToken(deps, owner, { userName: 'tok-admin', name: 'x' }));
    expect(forbidden.code).toBe('TOCSIN_FORBIDDEN');
    expect((await createApiToken(deps, admin, { userName: 'tok-owner', name: 'by admin' })).record.userName).toBe('tok-owner');
    expect((await createApiToken(deps, null, { userName: 'tok-owner', name: 'by cli' })).record.userName).toBe('tok-owner');
    expect((await failure(createApiToken(deps, null, { name: 'nobody' }))).message).toBe('user: name the user the token belongs to');
    const missing = await failure(createApiToken(deps, admin, { userName: 'ghost', name: 'x' }));
    expect([missing.code, missing.message]).toEqual(['TOCSIN_NOT_FOUND', 'user: no user named "ghost"']);
    expect((await failure(createApiToken(deps, owner, { name: 'x', expiresInDays: 0 }))).code).toBe('TOCSIN_VALIDATION');
  });

  it('lists own tokens, or all for an admin; hides and refuses to revoke tokens of others', async () => {
    const deps = depsAt(t0);
    const mine = await createApiToken(deps, owner, { name: 'mine' });
    const theirs = await createApiToken(deps, admin, { name: 'theirs' });
    const ownList = await listApiTokens(deps, owner);
    expect(ownList.every((t) => t.userId === owner.userId)).toBe(true);
    expect(ownList.map((t) => t.id)).toContain(mine.record.id);
    expect((await listApiTokens(deps, admin)).map((t) => t.id)).toEqual(expect.arrayContaining([mine.record.id, theirs.record.id]));

    const err = await failure(revokeApiToken(deps, owner, theirs.record.id));
    expect([err.code, err.message]).toEqual(['TOCSIN_NOT_FOUND', `id: no active token ${theirs.record.id}`]);
    await revokeApiToken(deps, admin, mine.record.id);
    expect((await failure(revokeApiToken(deps, owner, mine.record.id))).code).toBe('TOCSIN_NOT_FOUND');
  });
});

describe('ensureInitialAdmin', () => {
  let empty: Store;
  beforeAll(async () => {
    empty = await openStore({ dataDir: null });
  }, 60_000);
  afterAll(() => empty.close());

  it('creates admin with a generated password once, then does nothing', async () => {
    const users = accountsRepo(empty);
    const deps = { users, hasher: argon2Hasher, clock: manualClock(t0) };
    const first = await ensureInitialAdmin(deps);
    expect(first).toMatchObject({ created: true, name: 'admin', generated: true });
    if (!first.created) throw new Error('unreachable');
    expect((await authenticatePassword(deps, { name: 'admin', password: first.password })).role).toBe('admin');
    expect(await ensureInitialAdmin(deps, { password: 'something else entirely' })).toEqual({ created: false });
  });

  it('uses TOCSIN_ADMIN_PASSWORD when given and checks it against the policy', async () => {
    const other = await openStore({ dataDir: null });
    try {
      const deps = { users: accountsRepo(other), hasher: argon2Hasher, clock: manualClock(t0) };
      const err = await failure(ensureInitialAdmin(deps, { password: 'short' }));
      expect(err.message).toMatch(/^TOCSIN_ADMIN_PASSWORD: the password is 5 characters long/);
      expect(await ensureInitialAdmin(deps, { password: 'a scripted passphrase' })).toEqual({
        created: true,
        name: 'admin',
        password: 'a scripted passphrase',
        generated: false,
      });
    } finally {
      await other.close();
    }
  }, 60_000);
});
