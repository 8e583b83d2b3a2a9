import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Clock } from '../../domain/kernel/clock.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';
import { roleDescriptions, roles, type Role } from '../../domain/accounts/roles.ts';
import { apiTokenFormat, apiTokenState } from '../../domain/accounts/api-token.ts';
import { passwordPolicy } from '../../domain/accounts/password-policy.ts';
import {
  addUser,
  argon2Hasher,
  createApiToken,
  listApiTokens,
  listUsers,
  revokeApiToken,
  revokeSession,
  signIn,
  type AccountsPort,
  type ApiTokenRecord,
  type PasswordHasher,
  type UserView,
} from '../../app/accounts.ts';
import { clearSessionCookie, principalOf, sessionSecretOf, setSessionCookie, type RouteRoles } from '../auth.ts';

/** What the account routes need: the accounts repository, the time, and (tests may swap it) the password hasher. */
export interface SessionRouteDeps {
  accounts: AccountsPort;
  clock: Clock;
  hasher?: PasswordHasher;
}

const signedIn: RouteRoles = roles;
const adminOnly: RouteRoles = ['admin'];
const tags = ['accounts'];

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

const roleSchema = Type.Enum([...roles], {
  description: roles.map((r) => `${r}: ${roleDescriptions[r]}`).join(' '),
});
const dateTime = Type.String({ format: 'date-time' });
const dateTimeOrNull = Type.Union([dateTime, Type.Null()]);
const userRef = Type.Object({ name: Type.String(), role: roleSchema });
const noContent = Type.Null({ description: 'No content' });

const signInBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: passwordPolicy.maxLength }),
  },
  { additionalProperties: false },
);

const whoAmI = Type.Object({
  user: userRef,
  via: Type.Enum(['session', 'token']),
  expiresAt: Type.Union([dateTime, Type.Null()], { description: 'When this credential stops working; null for a token without expiry' }),
});

const createTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'A label saying what the token is for' }),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Whose token; default the caller. Only admin may name someone else.' })),
    expiresInDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: apiTokenFormat.maxExpiresInDays, description: 'Lifetime; without it the token lasts until revoked' }),
    ),
  },
  { additionalProperties: false },
);

const tokenBody = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the token, to tell tokens apart' }),
  user: Type.String(),
  createdAt: dateTime,
  expiresAt: dateTimeOrNull,
  lastUsedAt: dateTimeOrNull,
  state: Type.Enum(['active', 'expired']),
});

const tokenIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const userBody = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: roleSchema,
  disabled: Type.Boolean(),
  machine: Type.Boolean({ description: 'No password: signs in with API tokens only' }),
  createdAt: dateTime,
});

const createUserBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, description: '2–64 characters: a-z, 0-9, "_", "." or "-", starting with a letter' }),
    role: roleSchema,
    password: Type.Optional(
      Type.String({ minLength: 1, maxLength: passwordPolicy.maxLength, description: `At least ${passwordPolicy.minLength} characters; omit to have one generated` }),
    ),
    machine: Type.Optional(Type.Boolean({ description: 'A machine account: no password, API tokens only' })),
  },
  { additionalProperties: false },
);

function tokenView(token: ApiTokenRecord, now: number) {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    user: token.userName,
    createdAt: iso(token.createdAt),
    expiresAt: isoOrNull(token.expiresAt),
    lastUsedAt: isoOrNull(token.lastUsedAt),
    state: apiTokenState(token, now) === 'expired' ? ('expired' as const) : ('active' as const),
  };
}

function userJson(user: UserView) {
  return { id: user.id, name: user.name, role: user.role, disabled: user.disabled, machine: user.machine, createdAt: iso(user.createdAt) };
}

/** Sign-in and sign-out, API tokens, and (for admin) user accounts, under /api/v1. */
export async function sessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): Promise<void> {
  const hasher = deps.hasher ?? argon2Hasher;
  const accounts = { users: deps.accounts, sessions: deps.accounts, tokens: deps.accounts, hasher, clock: deps.clock };

  app.post(
    '/api/v1/session',
    {
      config: { roles: 'public' },
      schema: {
        summary: 'Sign in',
        description: 'Checks the name and password and sets the tocsin_session cookie (HttpOnly, SameSite=Strict).',
        tags,
        security: [],
        body: signInBody,
        response: { 200: Type.Object({ user: userRef, expiresAt: dateTime }) },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof signInBody>;
      const session = await signIn(accounts, body);
      // A sign-in over an older session replaces it rather than leaving it live in the store.
      const previous = sessionSecretOf(request);
      if (previous) await revokeSession(accounts, previous);
      setSessionCookie(request, reply, session.secret, session.maxAgeMs);
      return { user: { name: session.user.name, role: session.user.role }, expiresAt: iso(session.expiresAt) };
    },
  );

  app.get(
    '/api/v1/session',
    {
      config: { roles: signedIn },
      schema: { summary: 'Who am I', description: 'The caller behind the cookie or token.', tags, response: { 200: whoAmI } },
    },
    async (request) => {
      const principal = principalOf(request);
      return {
        user: { name: principal.name, role: principal.role },
        via: principal.via,
        expiresAt: isoOrNull(principal.expiresAt),
      };
    },
  );

  app.delete(
    '/api/v1/session',
    {
      // Public so that a browser whose session already ended can still clear its cookie.
      config: { roles: 'public' },
      schema: { summary: 'Sign out', description: 'Ends the session and clears the cookie.', tags, security: [], response: { 204: noContent } },
    },
    async (request, reply) => {
      const secret = sessionSecretOf(request);
      if (secret) await revokeSession(accounts, secret);
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { roles: signedIn },
      schema: {
        summary: 'Create an API token',
        description: 'Answers the token once; only its hash is stored. Use it as "Authorization: Bearer <token>".',
        tags,
        body: createTokenBody,
        response: {
          201: Type.Object({
            token: Type.String({ description: 'Shown once' }),
            id: Type.Integer(),
            name: Type.String(),
            prefix: Type.String(),
            user: Type.String(),
            expiresAt: dateTimeOrNull,
          }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof createTokenBody>;
      const { token, record } = await createApiToken(accounts, principalOf(request), {
        userName: body.user,
        name: body.name,
        expiresInDays: body.expiresInDays,
      });
      return reply.code(201).send({
        token,
        id: record.id,
        name: record.name,
        prefix: record.prefix,
        user: record.userName,
        expiresAt: isoOrNull(record.expiresAt),
      });
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { roles: signedIn },
      schema: {
        summary: 'List API tokens',
        description: "The caller's unrevoked tokens; an admin sees everyone's.",
        tags,
        response: { 200: Type.Object({ tokens: Type.Array(tokenBody) }) },
      },
    },
    async (request) => {
      const tokens = await listApiTokens(accounts, principalOf(request));
      const now = deps.clock.now();
      return { tokens: tokens.map((t) => tokenView(t, now)) };
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      config: { roles: signedIn },
      schema: { summary: 'Revoke an API token', description: 'Own tokens; an admin may revoke any.', tags, params: tokenIdParams, response: { 204: noContent } },
    },
    async (request, reply) => {
      const { id } = request.params as Static<typeof tokenIdParams>;
      await revokeApiToken(accounts, principalOf(request), id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/users',
    {
      config: { roles: adminOnly },
      schema: { summary: 'List users', tags, response: { 200: Type.Object({ users: Type.Array(userBody) }) } },
    },
    async () => ({ users: (await listUsers(accounts)).map(userJson) }),
  );

  app.post(
    '/api/v1/users',
    {
      config: { roles: adminOnly },
      schema: {
        summary: 'Create a user',
        description: 'Without a password one is generated and answered once; with machine: true the account has none and uses API tokens.',
        tags,
        body: createUserBody,
        response: {
          201: Type.Object({
            user: userBody,
            password: Type.Optional(Type.String({ description: 'The generated password, shown once' })),
          }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof createUserBody>;
      if (body.machine && body.password !== undefined) {
        throw new TocsinError('TOCSIN_VALIDATION', 'body.password: a machine account has no password', { fields: ['body.password'] });
      }
      const password = body.machine ? null : body.password;
      const { user, generatedPassword } = await addUser(accounts, { name: body.name, role: body.role as Role, password });
      return reply.code(201).send({ user: userJson(user), ...(generatedPassword ? { password: generatedPassword } : {}) });
    },
  );
}
