import Fastify, { type FastifyInstance } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { Store } from '../../store/sql-client.ts';
import { openStore } from '../../store/open-store.ts';
import { accountsRepo } from '../../store/repos/accounts-repo.ts';
import { manualClock } from '../../domain/kernel/clock.ts';
import { addUser, argon2Hasher, createApiToken, type AccountsPort } from '../../app/accounts.ts';
import { installErrorHandling } from '../error-handler.ts';
import { registerAuth } from '../auth.ts';
import { sessionRoutes } from '../routes/session-routes.ts';

/** The instant the fixture's manual clock starts at. */
export const fixtureStart = Date.UTC(2026, 10, 21, 8, 0, 0);

/** Three people with passwords and tokens: an analyst, a viewer and an admin. */
export const fixturePasswords = { anna: 'correct horse staple', vic: 'viewing the river gauges', root: 'keys to the kingdom' } as const;
const fixtureRoles = { anna: 'analyst', vic: 'viewer', root: 'admin' } as const;

/** An in-memory store with the fixture's people, and an app with the real error handler, auth and account routes. */
export interface AccountsFixture {
  app: FastifyInstance;
  store: Store;
  accounts: AccountsPort;
  clock: ReturnType<typeof manualClock>;
  tokens: Record<keyof typeof fixturePasswords, string>;
  close(): Promise<void>;
}

/**
 * Builds the fixture. `extraRoutes` adds the routes a test needs (e.g. an analyst-only route)
 * before the app is sealed. Validation is the production one (TypeBox, no body coercion).
 */
export async function createAccountsFixture(extraRoutes: (app: FastifyInstance) => void = () => {}): Promise<AccountsFixture> {
  const clock = manualClock(fixtureStart);
  const store = await openStore({ dataDir: null });
  const accounts = accountsRepo(store);
  const deps = { users: accounts, tokens: accounts, hasher: argon2Hasher, clock };
  const tokens = {} as Record<keyof typeof fixturePasswords, string>;
  for (const name of Object.keys(fixturePasswords) as (keyof typeof fixturePasswords)[]) {
    await addUser(deps, { name, role: fixtureRoles[name], password: fixturePasswords[name] });
    tokens[name] = (await createApiToken(deps, null, { userName: name, name: 'test' })).token;
  }
  const app = Fastify();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  installErrorHandling(app, () => ['application/json']);
  await registerAuth(app, { accounts, clock });
  await app.register(sessionRoutes, { accounts, clock });
  extraRoutes(app);
  await app.ready();
  return {
    app,
    store,
    accounts,
    clock,
    tokens,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
