import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsFixture, fixturePasswords, fixtureStart, type AccountsFixture } from '../testing/accounts-fixture.ts';
import type { AccountsPort } from '../../app/accounts.ts';
import { registerAuth } from '../auth.ts';
import { sessionRoutes } from './session-routes.ts';

const t0 = fixtureStart;
const day = 86_400_000;

let fixture: AccountsFixture;
let app: FastifyInstance;
let accounts: AccountsPort;
let tokens: AccountsFixture['tokens'];
const passwords = fixturePasswords;
let clock: AccountsFixture['clock'];

beforeAll(async () => {
  fixture = await createAccountsFixture((app) => {
  app.get('/api/v1/analysis', { config: { roles: ['analyst'] } }, async (request) => ({ hello: request.principal?.name }));
  });
  ({ app, accounts, tokens, clock } = fixture);
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('session routes', () => {
  it('signs in with a cookie, knows the caller, signs out and then refuses the cookie', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'anna', password: passwords.anna } });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({ user: { name: 'anna', role: 'analyst' }, expiresAt: new Date(t0 + 12 * 3_600_000).toISOString() });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^tocsin_session=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
    const cookie = login.cookies.find((c) => c.name === 'tocsin_session')!;
    const cookies = { tocsin_session: cookie.value };

    const me = await app.inject({ url: '/api/v1/session', cookies });
    expect(me.json()).toEqual({ user: { name: 'anna', role: 'analyst' }, via: 'session', expiresAt: new Date(t0 + 12 * 3_600_000).toISOString() });
    expect((await app.inject({ url: '/api/v1/analysis', cookies })).statusCode).toBe(200);

    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', cookies });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^tocsin_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);

    const after = await app.inject({ url: '/api/v1/analysis', cookies });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toBe('the session has ended (expired or signed out); sign in again');
  });

  it('marks the cookie Secure over https', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { name: 'vic', password: passwords.vic },
      headers: { 'x-forwarded-proto': 'https' },
    });
    // Without trustProxy the header is ignored: Secure follows the connection the server sees.
    expect(String(login.headers['set-cookie'])).not.toMatch(/Secure/);
    const proxied = Fastify({ trustProxy: true });
    await registerAuth(proxied, { accounts, clock });
    await proxied.register(sessionRoutes, { accounts, clock });
    const res = await proxied.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { name: 'vic', password: passwords.vic },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure;|; Secure$/);
    await proxied.close();
  });

  it('ends a session after 12 idle hours', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'anna', password: passwords.anna } });
    const cookies = { tocsin_session: login.cookies[0]!.value };
    clock.advance(12 * 3_600_000);
    try {
      expect((await app.inject({ url: '/api/v1/session', cookies })).statusCode).toBe(401);
    } finally {
      clock.set(t0);
    }
  });

  it('answers 401 with one message for an unknown user and a wrong password', async () => {
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'nobody', password: 'whatever it is' } });
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'anna', password: 'not her password' } });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.json().error.message).toBe('wrong user name or password');
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    [{ password: passwords.anna }, 'body.name'],
    [{ name: 'anna', password: { text: 'x' } }, 'body.password'],
    [{ name: 'anna', password: passwords.anna, remember: true }, 'body.remember'],
  ])('answers 400 naming the field for %j', async (payload, field) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('TOCSIN_VALIDATION');
    expect(res.json().error.message).toContain(field);
  });
});

describe('token routes', () => {
  it('creates a token once for oneself and lists and revokes it', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(tokens['vic']!),
      payload: { name: 'dashboard', expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toEqual({
      token: expect.stringMatching(/^tcs_[A-Za-z0-9_-]{43}$/),
      id: expect.any(Number),
      name: 'dashboard',
      prefix: body.token.slice(0, 12),
      user: 'vic',
      expiresAt: new Date(t0 + 30 * day).toISOString(),
    });
    expect((await app.inject({ url: '/api/v1/session', headers: bearer(body.token) })).json()).toMatchObject({ via: 'token' });

    const list = (await app.inject({ url: '/api/v1/tokens', headers: bearer(tokens['vic']!) })).json();
    expect(list.tokens.every((t: { user: string }) => t.user === 'vic')).toBe(true);
    expect(list.tokens.find((t: { id: number }) => t.id === body.id)).toEqual({
      id: body.id,
      name: 'dashboard',
      prefix: body.prefix,
      user: 'vic',
      createdAt: new Date(t0).toISOString(),
      expiresAt: new Date(t0 + 30 * day).toISOString(),
      lastUsedAt: new Date(t0).toISOString(),
      state: 'active',
    });
    expect(JSON.stringify(list)).not.toContain(body.token);

    const other = await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${body.id}`, headers: bearer(tokens['anna']!) });
    expect(other.statusCode).toBe(404);
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${body.id}`, headers: bearer(tokens['vic']!) });
    expect(del.statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/session', headers: bearer(body.token) })).statusCode).toBe(401);
  });

  it('lets only admin create a token for another user, and admin lists all', async () => {
    const denied = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(tokens['anna']!), payload: { name: 'x', user: 'vic' } });
    expect(denied.statusCode).toBe(403);
    const allowed = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(tokens['root']!), payload: { name: 'for vic', user: 'vic' } });
    expect([allowed.statusCode, allowed.json().user]).toEqual([201, 'vic']);
    const all = (await app.inject({ url: '/api/v1/tokens', headers: bearer(tokens['root']!) })).json();
    expect(new Set(all.tokens.map((t: { user: string }) => t.user))).toEqual(new Set(['anna', 'vic', 'root']));
  });

  it.each([
    [{ name: 'x', expiresInDays: 0 }, 'body.expiresInDays'],
    [{ name: '' }, 'body.name'],
    [{}, 'body.name'],
  ])('answers 400 naming the field for %j', async (payload, field) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(tokens['anna']!), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain(field);
  });

  it('answers 400 for a token id that is not a number', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/api/v1/tokens/abc', headers: bearer(tokens['anna']!) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('params.id');
  });
});

describe('user routes', () => {
  it('are for admin only', async () => {
    const res = await app.inject({ url: '/api/v1/users', headers: bearer(tokens['anna']!) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain('needs the role admin');
  });

  it('create users with a given, a generated or no password, and list them', async () => {
    const admin = bearer(tokens['root']!);
    const given = await app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { name: 'dora', role: 'duty_officer', password: 'river watch all night' } });
    expect(given.statusCode).toBe(201);
    expect(given.json()).toEqual({
      user: { id: expect.any(Number), name: 'dora', role: 'duty_officer', disabled: false, machine: false, createdAt: new Date(t0).toISOString() },
    });
    const generated = await app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { name: 'gina', role: 'responder' } });
    const password = generated.json().password as string;
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'gina', password } });
    expect(login.statusCode).toBe(200);
    const machine = await app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { name: 'feed-bot', role: 'analyst', machine: true } });
    expect(machine.json()).toMatchObject({ user: { machine: true } });
    expect(machine.json()).not.toHaveProperty('password');

    const list = (await app.inject({ url: '/api/v1/users', headers: admin })).json();
    expect(list.users.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['dora', 'gina', 'feed-bot', 'root']));
    expect(JSON.stringify(list)).not.toContain('argon2');
  });

  it.each([
    [{ name: 'x1', role: 'root' }, 400, 'body.role'],
    [{ name: 'Bad Name', role: 'viewer' }, 400, 'name: "Bad Name" is not a valid user name'],
    [{ name: 'shorty', role: 'viewer', password: 'short' }, 400, 'password: the password is 5 characters long'],
    [{ name: 'both', role: 'viewer', password: 'a long passphrase', machine: true }, 400, 'body.password'],
    [{ name: 'anna', role: 'viewer' }, 409, 'a user named "anna" already exists'],
  ])('refuse %j', async (payload, status, message) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(tokens['root']!), payload });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.message).toContain(message);
  });
});
