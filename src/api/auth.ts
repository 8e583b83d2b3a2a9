import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import type { Clock } from '../domain/kernel/clock.ts';
import { TocsinError } from '../domain/kernel/errors.ts';
import { isRole, roleAllows, type Role } from '../domain/accounts/roles.ts';
import type { Principal } from '../domain/accounts/principal.ts';
import { sessionPolicy } from '../domain/accounts/session.ts';
import { authenticateToken, resolveSession, type SessionStore, type TokenStore } from '../app/accounts.ts';

/** Who may call a route: a list of roles (admin may always), or 'public' for everyone. */
export type RouteRoles = readonly Role[] | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every /api/v1 route (checked at startup); see api/auth.ts. */
    roles?: RouteRoles;
  }
  interface FastifyRequest {
    /** The authenticated caller on routes that declare roles; null on public routes, which are not identified. */
    principal: Principal | null;
  }
}

/** The path under which every route must declare `config.roles`. */
export const protectedPrefix = '/api/v1';

/** What authentication reads: sessions and tokens by hash (the accounts repository), and the time. */
export interface AuthDeps {
  accounts: SessionStore & TokenStore;
  clock: Clock;
}

/**
 * Installs authentication and per-route roles on `app` (call it on the root instance, before any
 * route is registered, and await it): registers @fastify/cookie if needed; refuses at startup any
 * /api/v1 route without `config.roles`; identifies the caller from `Authorization: Bearer <token>`
 * or the tocsin_session cookie; answers 401 without valid credentials and 403 for a role the route
 * does not allow. It runs in onRequest, before the body is read, so an unauthenticated caller can
 * neither make the server parse a large body nor learn the route's validation rules.
 */
export async function registerAuth(app: FastifyInstance, deps: AuthDeps): Promise<void> {
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', checkRouteRoles);
  app.addHook('onRequest', async (request, reply) => {
    const allowed = request.routeOptions.config.roles;
    // Public routes (and unknown paths) never touch the store, so /healthz stays fast under load.
    if (allowed === undefined || allowed === 'public') return;
    const identity = await identify(request, deps);
    request.principal = identity.principal;
    if (!identity.principal) {
      // RFC 6750 §3: a 401 names the scheme; error="invalid_token" when a credential was sent but is no good.
      reply.header('www-authenticate', identity.problem ? 'Bearer realm="tocsin", error="invalid_token"' : 'Bearer realm="tocsin"');
      throw new TocsinError('TOCSIN_UNAUTHENTICATED', identity.problem ?? noCredentials);
    }
    if (!roleAllows(identity.principal.role, allowed)) {
      throw new TocsinError(
        'TOCSIN_FORBIDDEN',
        `${request.method} ${request.routeOptions.url ?? request.url} needs the role ${describeRoles(allowed)}; ` +
          `"${identity.principal.name}" has the role ${identity.principal.role}`,
        { required: [...allowed], role: identity.principal.role },
      );
    }
  });
}

/** The caller of a route that declares roles (registerAuth guarantees one); throws 401 on a public route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new TocsinError('TOCSIN_UNAUTHENTICATED', noCredentials);
  return request.principal;
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Path=/, Secure when the request came over https. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string, maxAgeMs: number): void {
  reply.setCookie(sessionPolicy.cookieName, secret, {
    ...cookieAttributes(request),
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/** Clears the session cookie (same attributes, so the browser matches and drops it). */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(sessionPolicy.cookieName, cookieAttributes(request));
}

/** The session cookie's secret on this request, if any. */
export function sessionSecretOf(request: FastifyRequest): string | undefined {
  return request.cookies[sessionPolicy.cookieName];
}

// SameSite=Strict keeps the cookie off every cross-site request, which is our defence against CSRF;
// HttpOnly keeps it from scripts.
function cookieAttributes(request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https' };
}

const noCredentials = 'sign in (POST /api/v1/session) or send "Authorization: Bearer <API token>"';

async function identify(
  request: FastifyRequest,
  deps: AuthDeps,
): Promise<{ principal: Principal | null; problem?: string }> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match) return { principal: null, problem: 'the Authorization header must be "Bearer <API token>"' };
    const principal = await authenticateToken({ tokens: deps.accounts, clock: deps.clock }, match[1]!);
    return principal ? { principal } : { principal: null, problem: 'the API token is unknown, expired or revoked' };
  }
  const secret = sessionSecretOf(request);
  if (secret !== undefined && secret !== '') {
    const principal = await resolveSession({ sessions: deps.accounts, clock: deps.clock }, secret);
    return principal ? { principal } : { principal: null, problem: 'the session has ended (expired or signed out); sign in again' };
  }
  return { principal: null };
}

function checkRouteRoles(route: RouteOptions): void {
  const roles = route.config?.roles;
  const where = `${Array.isArray(route.method) ? route.method.join(',') : route.method} ${route.url}`;
  const url = route.url ?? '';
  if (roles === undefined) {
    if (url === protectedPrefix || url.startsWith(`${protectedPrefix}/`)) {
      throw new Error(`route ${where} declares no config.roles: every ${protectedPrefix} route must say who may call it`);
    }
    return;
  }
  if (roles === 'public') return;
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
    throw new Error(`route ${where}: config.roles must be 'public' or a non-empty list of roles, not ${JSON.stringify(roles)}`);
  }
}

function describeRoles(allowed: readonly Role[]): string {
  const others = allowed.filter((r) => r !== 'admin');
  return others.length === 0 ? 'admin' : `${others.join(' or ')} (or admin)`;
}
