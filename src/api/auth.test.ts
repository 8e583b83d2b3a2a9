import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsFixture, fixtureStart, type AccountsFixture } from './testing/accounts-fixture.ts';
import { createApiToken, revokeApiToken, type AccountsPort } from '../app/accounts.ts';
import { registerAuth } from './auth.ts';

const t0 = fixtureStart;
const day = 86_400_000;

let fixture: AccountsFixture;
let app: FastifyInstance;
let accounts: AccountsPort;
let tokens: AccountsFixture['tokens'];
let clock: AccountsFixture['clock'];

beforeAll(async () => {
  fixture = await createAccountsFixture((app) => {
  app.get('/api/v1/analysis', { config: { roles: ['analyst'] } }, async (request) => ({ hello: request.principal?.name }));
  app.get('/public/thing', async () => ({ open: true }));
  app.get('/api/v1/open', { config: { roles: 'public' } }, async (request) => ({ principal: request.principal }));
  });
  ({ app, accounts, tokens, clock } = fixture);
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('authentication and roles', () => {
  it('answers 401 with WWW-Authenticate without credentials', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/analysis' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toEqual({
      error: { code: 'TOCSIN_UNAUTHENTICATED', message: 'sign in (POST /api/v1/session) or send "Authorization: Bearer <API token>"' },
    });
  });

  it.each([
    ['an unknown token', `Bearer tcs_${'x'.repeat(43)}`, 'the API token is unknown, expired or revoked'],
    ['a malformed token', 'Bearer hunter2', 'the API token is unknown, expired or revoked'],
    ['another scheme', 'Basic YW5uYTpwdw==', 'the Authorization header must be "Bearer <API token>"'],
  ])('answers 401 for %s', async (_, authorization, message) => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/analysis', headers: { authorization } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json().error).toMatchObject({ code: 'TOCSIN_UNAUTHENTICATED', message });
  });

  it('answers 401 for an expired token and for a revoked one', async () => {
    const deps = { users: accounts, tokens: accounts, clock };
    const expiring = await createApiToken(deps, null, { userName: 'anna', name: 'one day', expiresInDays: 1 });
    const revoked = await createApiToken(deps, null, { userName: 'anna', name: 'revoked' });
    expect((await app.inject({ url: '/api/v1/analysis', headers: bearer(expiring.token) })).statusCode).toBe(200);
    await revokeApiToken(deps, null, revoked.record.id);
    expect((await app.inject({ url: '/api/v1/analysis', headers: bearer(revoked.token) })).statusCode).toBe(401);
    clock.advance(day);
    try {
      const res = await app.inject({ url: '/api/v1/analysis', headers: bearer(expiring.token) });
      expect(res.statusCode).toBe(401);
    } finally {
      clock.set(t0);
    }
  });

  it('answers 403 naming the role needed for the wrong role', async () => {
    const res = await app.inject({ url: '/api/v1/analysis', headers: bearer(tokens['vic']!) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: {
        code: 'TOCSIN_FORBIDDEN',
        message: 'GET /api/v1/analysis needs the role analyst (or admin); "vic" has the role viewer',
        details: { required: ['analyst'], role: 'viewer' },
      },
    });
  });

  it('answers 200 for the right role, and for admin on any route', async () => {
    const anna = await app.inject({ url: '/api/v1/analysis', headers: bearer(tokens['anna']!) });
    expect([anna.statusCode, anna.json()]).toEqual([200, { hello: 'anna' }]);
    const root = await app.inject({ url: '/api/v1/analysis', headers: bearer(tokens['root']!) });
    expect([root.statusCode, root.json()]).toEqual([200, { hello: 'root' }]);
  });

  it('checks credentials before reading the body: 401, not 400, for a bad body without credentials', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { nope: 1 } });
    expect(res.statusCode).toBe(401);
  });

  it('leaves routes outside /api/v1 without roles public', async () => {
    expect((await app.inject({ url: '/public/thing' })).statusCode).toBe(200);
  });

  it("does not identify callers of public routes, even with a bad token (they never touch the store)", async () => {
    for (const headers of [bearer(tokens['anna']!), { authorization: 'Bearer nonsense' }, {}]) {
      const res = await app.inject({ url: '/api/v1/open', headers });
      expect([res.statusCode, res.json()]).toEqual([200, { principal: null }]);
    }
  });

  it('refuses at startup an /api/v1 route without config.roles, or with roles that are not roles', async () => {
    const bare = Fastify();
    await registerAuth(bare, { accounts, clock });
    expect(() => bare.get('/api/v1/forgotten', async () => 'x')).toThrow(
      'route GET /api/v1/forgotten declares no config.roles: every /api/v1 route must say who may call it',
    );
    expect(() => bare.get('/api/v1/typo', { config: { roles: ['analyts' as 'analyst'] } }, async () => 'x')).toThrow(
      /config.roles must be 'public' or a non-empty list of roles/,
    );
    expect(() => bare.get('/api/v1/empty', { config: { roles: [] } }, async () => 'x')).toThrow(/non-empty/);

    const inPlugin = Fastify();
    await registerAuth(inPlugin, { accounts, clock });
    void inPlugin.register(
      async (child) => {
        child.post('/forgotten', async () => 'x');
      },
      { prefix: '/api/v1' },
    );
    await expect(inPlugin.ready()).rejects.toThrow(/POST \/api\/v1\/forgotten declares no config.roles/);
    await bare.close();
  });
});
