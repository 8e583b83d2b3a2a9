import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import type { Clock } from '../domain/kernel/clock.ts';
import { TocsinError } from '../domain/kernel/errors.ts';
import { isRole, roles, type Role } from '../domain/accounts/roles.ts';
import type { Principal } from '../domain/accounts/principal.ts';
import { assertUserName } from '../domain/accounts/user-name.ts';
import { assertPassword, passwordFromBytes } from '../domain/accounts/password-policy.ts';
import { secretHash } from '../domain/accounts/secret-hash.ts';
import {
  apiTokenExpiry,
  apiTokenFormat,
  apiTokenPrefix,
  apiTokenState,
  assertTokenLabel,
  formatApiToken,
  looksLikeApiToken,
  shouldRecordTokenUse,
} from '../domain/accounts/api-token.ts';
import {
  formatSessionSecret,
  looksLikeSessionSecret,
  sessionExpiry,
  sessionIsLive,
  sessionPolicy,
  shouldTouchSession,
} from '../domain/accounts/session.ts';

// ---- records and ports (times are epoch milliseconds) ----

/** A stored account. */
export interface UserRecord {
  id: number;
  name: string;
  role: Role;
  /** argon2id PHC string; null for a machine account, which signs in with API tokens only. */
  passwordHash: string | null;
  disabled: boolean;
  createdAt: number;
}

/** An account to store. */
export interface NewUser {
  name: string;
  role: Role;
  passwordHash: string | null;
  createdAt: number;
}

/** The owner of a session or token, as the authentication path needs it. */
export interface CredentialOwner {
  id: number;
  name: string;
  role: Role;
  disabled: boolean;
}

/** A stored session; `id` is the sha256 hex of the cookie secret. */
export interface SessionRecord {
  id: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  revokedAt: number | null;
}

/** A session together with its owner. */
export interface SessionWithUser extends SessionRecord {
  user: CredentialOwner;
}

/** A session to store. */
export interface NewSession {
  id: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
}

/** A stored API token (never the token itself). */
export interface ApiTokenRecord {
  id: number;
  userId: number;
  userName: string;
  name: string;
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A token together with its owner. */
export interface TokenWithUser extends ApiTokenRecord {
  user: CredentialOwner;
}

/** A token to store. */
export interface NewApiToken {
  userId: number;
  name: string;
  tokenHash: string;
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
}

/** Accounts: counts, creates (TOCSIN_CONFLICT on a taken name) and finds users. */
export interface UserDirectory {
  countUsers(): Promise<number>;
  insertUser(user: NewUser): Promise<UserRecord>;
  findUserByName(name: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
}

/** Sessions by hashed id: store, find with owner, slide, revoke (true when it was live), purge. */
export interface SessionStore {
  insertSession(session: NewSession): Promise<void>;
  findSession(id: string): Promise<SessionWithUser | null>;
  touchSession(id: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  revokeSession(id: string, at: number): Promise<boolean>;
  deleteSessionsEndedBefore(before: number): Promise<number>;
}

/** API tokens: store, find by hash with owner, record use, list unrevoked (all or one user's), revoke. */
export interface TokenStore {
  insertApiToken(token: NewApiToken): Promise<ApiTokenRecord>;
  findApiTokenByHash(tokenHash: string): Promise<TokenWithUser | null>;
  recordTokenUse(id: number, at: number): Promise<void>;
  listApiTokens(filter: { userId?: number }): Promise<ApiTokenRecord[]>;
  findApiToken(id: number): Promise<ApiTokenRecord | null>;
  revokeApiToken(id: number, at: number): Promise<boolean>;
}

/** Everything the accounts repository offers (store/repos/accounts-repo.ts implements it). */
export type AccountsPort = UserDirectory & SessionStore & TokenStore;

/** Hashes and checks passwords; `verify` answers false (never throws) for a malformed hash. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

// Algorithm.Argon2id: a const enum, whose value isolatedModules code cannot read from the .d.ts.
const argon2id = 2 as Algorithm.Argon2id;

/**
 * argon2id with the library's defaults (19 MiB, 2 passes, 1 lane): OWASP's recommended minimum,
 * about 8 ms a hash on this project's machines.
 */
export const argon2Hasher: PasswordHasher = {
  hash: (password) => argon2Hash(password, { algorithm: argon2id }),
  verify: async (passwordHash, password) => {
    try {
      return await argon2Verify(passwordHash, password);
    } catch {
      return false;
    }
  },
};

// ---- what callers see ----

/** An account as shown to callers: no password hash. */
export interface UserView {
  id: number;
  name: string;
  role: Role;
  disabled: boolean;
  /** True for a machine account (no password; API tokens only). */
  machine: boolean;
  createdAt: number;
}

/** The caller-facing view of a stored account. */
export function userView(user: UserRecord): UserView {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    machine: user.passwordHash === null,
    createdAt: user.createdAt,
  };
}

// ---- users ----

/** Input of addUser. `password`: a string sets it, undefined generates one, null makes a machine account. */
export interface AddUserInput {
  name: string;
  role: string;
  password?: string | null | undefined;
}

/** Creates an account after checking name, role and password; answers a generated password once. */
export async function addUser(
  deps: { users: UserDirectory; hasher: PasswordHasher; clock: Clock },
  input: AddUserInput,
): Promise<{ user: UserView; generatedPassword: string | null }> {
  assertUserName(input.name);
  const role = checkRole(input.role);
  let password: string | null;
  let generatedPassword: string | null = null;
  if (input.password === undefined) {
    password = generatedPassword = generatePassword();
  } else if (input.password === null) {
    password = null;
  } else {
    assertPassword(input.password, input.name);
    password = input.password;
  }
  const passwordHash = password === null ? null : await deps.hasher.hash(password);
  const user = await deps.users.insertUser({ name: input.name, role, passwordHash, createdAt: deps.clock.now() });
  return { user: userView(user), generatedPassword };
}

/** Every account, by name. */
export async function listUsers(deps: { users: UserDirectory }): Promise<UserView[]> {
  return (await deps.users.listUsers()).map(userView);
}

/**
 * On a store without accounts, creates `admin` with `password` (TOCSIN_ADMIN_PASSWORD) or a
 * generated one, and answers it so `serve` can print it once. Answers created: false when any
 * account exists, including when another process sharing the database won the race.
 */
export async function ensureInitialAdmin(
  deps: { users: UserDirectory; hasher: PasswordHasher; clock: Clock },
  options: { password?: string | undefined } = {},
): Promise<{ created: false } | { created: true; name: string; password: string; generated: boolean }> {
  if ((await deps.users.countUsers()) > 0) return { created: false };
  if (options.password !== undefined) assertPassword(options.password, 'admin', 'TOCSIN_ADMIN_PASSWORD');
  try {
    const added = await addUser(deps, { name: 'admin', role: 'admin', password: options.password });
    const password = added.generatedPassword ?? options.password ?? '';
    return { created: true, name: added.user.name, password, generated: added.generatedPassword !== null };
  } catch (err) {
    if (err instanceof TocsinError && err.code === 'TOCSIN_CONFLICT') return { created: false };
    throw err;
  }
}

/** A fresh random password that meets the policy. */
export function generatePassword(): string {
  return passwordFromBytes(randomBytes(18));
}

function checkRole(role: string, field = 'role'): Role {
  if (isRole(role)) return role;
  throw new TocsinError('TOCSIN_VALIDATION', `${field}: "${role}" is not a role; use one of ${roles.join(', ')}`, {
    fields: [field],
    value: role,
    allowed: roles,
  });
}

// ---- passwords and sessions ----

const wrongCredentials = 'wrong user name or password';

// One dummy hash per hasher, made with its own parameters, so that checking a password for an
// unknown account costs what checking a real one does and timing does not tell names apart.
const dummyHashes = new WeakMap<PasswordHasher, Promise<string>>();

function dummyHashFor(hasher: PasswordHasher): Promise<string> {
  let dummy = dummyHashes.get(hasher);
  if (!dummy) {
    dummy = hasher.hash(randomBytes(16).toString('base64url'));
    dummyHashes.set(hasher, dummy);
  }
  return dummy;
}

/**
 * Checks a name and password; answers the account or throws TOCSIN_UNAUTHENTICATED with the same
 * message for an unknown name, a wrong password, a disabled account and a machine account.
 */
export async function authenticatePassword(
  deps: { users: UserDirectory; hasher: PasswordHasher },
  credentials: { name: string; password: string },
): Promise<UserRecord> {
  const user = await deps.users.findUserByName(credentials.name);
  const usable = user !== null && user.passwordHash !== null && !user.disabled;
  const passwordHash = usable ? user.passwordHash! : await dummyHashFor(deps.hasher);
  const matches = await deps.hasher.verify(passwordHash, credentials.password);
  if (!usable || !matches) throw new TocsinError('TOCSIN_UNAUTHENTICATED', wrongCredentials);
  return user;
}

/** Starts a session for the account; answers the cookie secret (shown once, stored only hashed). */
export async function createSession(
  deps: { sessions: SessionStore; clock: Clock },
  userId: number,
): Promise<{ secret: string; expiresAt: number; maxAgeMs: number }> {
  const now = deps.clock.now();
  const secret = formatSessionSecret(randomBytes(sessionPolicy.secretBytes));
  const expiresAt = sessionExpiry(now, now);
  await deps.sessions.insertSession({ id: secretHash(secret), userId, createdAt: now, expiresAt });
  return { secret, expiresAt, maxAgeMs: sessionPolicy.absoluteMs };
}

/** Checks the password and starts a session: the console's sign-in. */
export async function signIn(
  deps: { users: UserDirectory; sessions: SessionStore; hasher: PasswordHasher; clock: Clock },
  credentials: { name: string; password: string },
): Promise<{ user: UserView; secret: string; expiresAt: number; maxAgeMs: number }> {
  const user = await authenticatePassword(deps, credentials);
  const session = await createSession(deps, user.id);
  return { user: userView(user), ...session };
}

/** The caller behind a session cookie, or null when it is unknown, expired, revoked or its account disabled. Slides the session. */
export async function resolveSession(
  deps: { sessions: SessionStore; clock: Clock },
  secret: string,
): Promise<Principal | null> {
  if (!looksLikeSessionSecret(secret)) return null;
  const session = await deps.sessions.findSession(secretHash(secret));
  const now = deps.clock.now();
  if (!session || !sessionIsLive(session, now) || session.user.disabled) return null;
  let expiresAt = session.expiresAt;
  if (shouldTouchSession(session.lastSeenAt, now)) {
    expiresAt = sessionExpiry(session.createdAt, now);
    await deps.sessions.touchSession(session.id, now, expiresAt);
  }
  return { userId: session.user.id, name: session.user.name, role: session.user.role, via: 'session', expiresAt };
}

/** Ends the session behind a cookie secret; answers whether one was live. */
export async function revokeSession(deps: { sessions: SessionStore; clock: Clock }, secret: string): Promise<boolean> {
  if (!looksLikeSessionSecret(secret)) return false;
  return deps.sessions.revokeSession(secretHash(secret), deps.clock.now());
}

/** How long ended sessions stay in the store before purgeEndedSessions deletes them (ms): a month, for investigations. */
export const endedSessionRetentionMs = 30 * 86_400_000;

/** Deletes sessions that expired or were revoked more than a month ago; answers how many. For a periodic job. */
export async function purgeEndedSessions(deps: { sessions: SessionStore; clock: Clock }): Promise<number> {
  return deps.sessions.deleteSessionsEndedBefore(deps.clock.now() - endedSessionRetentionMs);
}

// ---- API tokens ----

/** Input of createApiToken: whose token (default: the caller), its label and optional lifetime. */
export interface CreateApiTokenInput {
  userName?: string | undefined;
  name: string;
  expiresInDays?: number | undefined;
}

/**
 * Creates an API token and answers its text, which is never stored and cannot be shown again.
 * `actor` null is the operator at the command line (who holds the store itself); a signed-in
 * caller may create tokens for themselves, and only an admin for someone else.
 */
export async function createApiToken(
  deps: { users: UserDirectory; tokens: TokenStore; clock: Clock },
  actor: Principal | null,
  input: CreateApiTokenInput,
): Promise<{ token: string; record: ApiTokenRecord }> {
  const ownerName = input.userName ?? actor?.name;
  if (ownerName === undefined) {
    throw new TocsinError('TOCSIN_VALIDATION', 'user: name the user the token belongs to', { fields: ['user'] });
  }
  if (actor && actor.role !== 'admin' && ownerName !== actor.name) {
    throw new TocsinError('TOCSIN_FORBIDDEN', 'only the admin role may create tokens for another user', {
      required: ['admin'],
    });
  }
  assertTokenLabel(input.name);
  const owner = await deps.users.findUserByName(ownerName);
  if (!owner) throw new TocsinError('TOCSIN_NOT_FOUND', `user: no user named "${ownerName}"`, { fields: ['user'] });
  if (owner.disabled) {
    throw new TocsinError('TOCSIN_VALIDATION', `user: "${ownerName}" is disabled`, { fields: ['user'] });
  }
  const now = deps.clock.now();
  const token = formatApiToken(randomBytes(apiTokenFormat.randomBytes));
  const record = await deps.tokens.insertApiToken({
    userId: owner.id,
    name: input.name.trim(),
    tokenHash: secretHash(token),
    prefix: apiTokenPrefix(token),
    createdAt: now,
    expiresAt: apiTokenExpiry(now, input.expiresInDays),
  });
  return { token, record };
}

/** The caller behind a Bearer token, or null when it is unknown, expired, revoked or its account disabled. */
export async function authenticateToken(
  deps: { tokens: TokenStore; clock: Clock },
  token: string,
): Promise<Principal | null> {
  if (!looksLikeApiToken(token)) return null;
  const found = await deps.tokens.findApiTokenByHash(secretHash(token));
  const now = deps.clock.now();
  if (!found || apiTokenState(found, now) !== 'active' || found.user.disabled) return null;
  if (shouldRecordTokenUse(found.lastUsedAt, now)) await deps.tokens.recordTokenUse(found.id, now);
  return { userId: found.user.id, name: found.user.name, role: found.user.role, via: 'token', expiresAt: found.expiresAt };
}

/** Unrevoked tokens: the caller's own, or everyone's for an admin or the command line (`actor` null). */
export async function listApiTokens(deps: { tokens: TokenStore }, actor: Principal | null): Promise<ApiTokenRecord[]> {
  const everyone = actor === null || actor.role === 'admin';
  return deps.tokens.listApiTokens(everyone ? {} : { userId: actor.userId });
}

/** Revokes a token; TOCSIN_NOT_FOUND when it does not exist, is revoked already or is someone else's (for non-admins). */
export async function revokeApiToken(
  deps: { tokens: TokenStore; clock: Clock },
  actor: Principal | null,
  id: number,
): Promise<void> {
  const token = await deps.tokens.findApiToken(id);
  const visible = token !== null && (actor === null || actor.role === 'admin' || token.userId === actor.userId);
  // Someone else's token answers like a missing one, so ids do not reveal other people's tokens.
  if (!visible || token.revokedAt !== null || !(await deps.tokens.revokeApiToken(id, deps.clock.now()))) {
    throw new TocsinError('TOCSIN_NOT_FOUND', `id: no active token ${id}`, { fields: ['id'], value: id });
  }
}
