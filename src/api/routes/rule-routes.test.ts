import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { Store } from '../../store/sql-client.ts';
import { openStore } from '../../store/open-store.ts';
import { accountsRepo } from '../../store/repos/accounts-repo.ts';
import { rulesRepo } from '../../store/repos/rules-repo.ts';
import { manualClock } from '../../domain/kernel/clock.ts';
import type { Role } from '../../domain/accounts/roles.ts';
import { parseRule } from '../../domain/detect/rules/rule.ts';
import { fakeRegistry } from '../../domain/detect/rules/testing/fake-registry.ts';
import { addUser, createApiToken, type PasswordHasher } from '../../app/accounts.ts';
import { RulesCatalog } from '../../app/rules-catalog.ts';
import { installErrorHandling } from '../error-handler.ts';
import { requireSchemas } from '../require-schemas.ts';
import { registerAuth } from '../auth.ts';
import { ruleRoutes } from './rule-routes.ts';

const t0 = Date.UTC(2026, 10, 21, 8, 0, 0);
const registry = fakeRegistry();
// Machine accounts have no password; the hasher is never asked.
const noHasher: PasswordHasher = { hash: async () => 'x', verify: async () => false };

const rule = (name: string, above = 5, extra: Record<string, unknown> = {}) => ({
  name,
  select: { indicator: 'river_level', labels: { basin: 'pearl' } },
  detector: { type: 'threshold', above },
  for: '10m',
  labels: { hazard: 'flood' },
  annotations: { summary: 'River level at {{series}} is {{level}}' },
  ...extra,
});

describe('rule routes', () => {
  let store: Store;
  let app: FastifyInstance;
  const auth: Partial<Record<Role, string>> = {};
  const clock = manualClock(t0);

  beforeAll(async () => {
    store = await openStore({ dataDir: null });
    const accounts = accountsRepo(store);
    for (const role of ['viewer', 'analyst', 'admin', 'duty_officer'] as const) {
      const name = `${role.replace('_', '-')}-1`;
      await addUser({ users: accounts, hasher: noHasher, clock }, { name, role, password: null });
      auth[role] = `Bearer ${(await createApiToken({ users: accounts, tokens: accounts, clock }, null, { name: 'test', userName: name })).token}`;
    }
    const fromFile = parseRule(rule('river-file', 4.5), registry, 'rules/river.yaml');
    if (!('rule' in fromFile)) throw new Error('bad fixture');
    const catalog = await RulesCatalog.open(
      { rules: rulesRepo(store), registry, clock },
      {
        rules: [{ rule: fromFile.rule, file: 'rules/river.yaml' }],
        problems: [{ file: 'rules/air.yaml', index: 0, line: 4, rule: 'air', field: 'detector.above', message: 'expected a number' }],
      },
    );
    app = Fastify();
    app.setValidatorCompiler(TypeBoxValidatorCompiler);
    installErrorHandling(app, () => ['application/json']);
    requireSchemas(app);
    await registerAuth(app, { accounts, clock });
    await app.register(ruleRoutes, { catalog });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const call = (role: Role | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: role ? { authorization: auth[role]! } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('lets every role read, analysts (and admin) write, and nobody in without credentials', async () => {
    expect((await call(null, 'GET', '/api/v1/rules')).statusCode).toBe(401);
    expect((await call('viewer', 'GET', '/api/v1/rules')).statusCode).toBe(200);
    const forbidden = await call('duty_officer', 'POST', '/api/v1/rules', rule('r-roles'));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.message).toMatch(/needs the role analyst \(or admin\)/);
    expect((await call('viewer', 'DELETE', '/api/v1/rules/river-file')).statusCode).toBe(403);
    expect((await call('admin', 'POST', '/api/v1/rules', rule('r-by-admin'))).statusCode).toBe(201);
  });

  it('creates a rule (201, Location) and answers it in the YAML shape with its history', async () => {
    const res = await call('analyst', 'POST', '/api/v1/rules', rule('r-create', 6, { levels: { alarm: 'orange' } }));
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/api/v1/rules/r-create');
    const expected = {
      ...rule('r-create', 6),
      levels: { alarm: 'orange' },
      enabled: true,
      source: 'api',
      version: 1,
      createdAt: new Date(t0).toISOString(),
      createdBy: 'analyst-1',
      updatedAt: new Date(t0).toISOString(),
      updatedBy: 'analyst-1',
    };
    expect(res.json()).toEqual(expected);
    expect((await call('viewer', 'GET', '/api/v1/rules/r-create')).json()).toEqual(expected);
  });

  it('accepts an aggregate and answers it with its defaults, on create, read and replace', async () => {
    const res = await call('analyst', 'POST', '/api/v1/rules', rule('r-weekly', 30, { aggregate: { period: 'isoweek', timezone: 'Asia/Shanghai' } }));
    expect(res.statusCode).toBe(201);
    const aggregate = { period: 'isoweek', of: 'sum', timezone: 'Asia/Shanghai', evaluate: 'closed' };
    expect(res.json().aggregate).toEqual(aggregate);
    const read = (await call('viewer', 'GET', '/api/v1/rules/r-weekly')).json();
    expect(read.aggregate).toEqual(aggregate);
    const edited = { ...read, aggregate: { ...read.aggregate, evaluate: 'running' } };
    const put = await call('analyst', 'PUT', '/api/v1/rules/r-weekly', edited);
    expect(put.statusCode).toBe(200);
    expect(put.json().aggregate).toEqual({ ...aggregate, evaluate: 'running' });
    const bad = await call('viewer', 'POST', '/api/v1/rules/validate', rule('r-try', 1, { aggregate: { period: 'fortnight', timezone: 'Asia/Shanghia' } }));
    expect(bad.json().problems.map((p: { field: string }) => p.field)).toEqual(['aggregate.period', 'aggregate.timezone']);
  });

  it('answers 400 listing every problem with its field, and saves nothing', async () => {
    const res = await call('analyst', 'POST', '/api/v1/rules', {
      name: 'r-bad',
      select: {},
      detector: { type: 'threshold', above: 'high' },
      for: 'soon',
      colour: 'red',
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('TOCSIN_VALIDATION');
    expect(error.message).toMatch(/^rule "r-bad" has 4 problems: colour: unknown field/);
    expect(error.details.fields).toEqual(['colour', 'select', 'detector.above', 'for']);
    expect(error.details.problems[2]).toEqual({ rule: 'r-bad', field: 'detector.above', message: 'expected a number' });
    expect((await call('viewer', 'GET', '/api/v1/rules/r-bad')).statusCode).toBe(404);
    const notObject = await call('analyst', 'POST', '/api/v1/rules', [rule('r-list')]);
    expect(notObject.statusCode).toBe(400);
  });

  it('answers 409 for a name taken through the API or held by a rules file (naming the file)', async () => {
    await call('analyst', 'POST', '/api/v1/rules', rule('r-dup'));
    const dup = await call('analyst', 'POST', '/api/v1/rules', rule('r-dup'));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toBe('name: a rule named "r-dup" already exists');
    const file = await call('analyst', 'POST', '/api/v1/rules', rule('river-file'));
    expect(file.statusCode).toBe(409);
    expect(file.json().error.message).toMatch(/rule "river-file" is defined in rules\/river\.yaml; change it there/);
    const put = await call('analyst', 'PUT', '/api/v1/rules/river-file', { ...rule('river-file'), version: 1 });
    expect(put.statusCode).toBe(409);
    expect(put.json().error.message).toMatch(/rules\/river\.yaml/);
  });

  it('replaces a rule read, edited and sent back, at its version; 409 when stale', async () => {
    await call('analyst', 'POST', '/api/v1/rules', rule('r-put', 1));
    const read = (await call('analyst', 'GET', '/api/v1/rules/r-put')).json();
    clock.advance(1000);
    const edited = { ...read, detector: { type: 'threshold', above: 2 } };
    const res = await call('admin', 'PUT', '/api/v1/rules/r-put', edited);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 2, detector: { type: 'threshold', above: 2 }, updatedBy: 'admin-1', createdBy: 'analyst-1' });
    const stale = await call('analyst', 'PUT', '/api/v1/rules/r-put', edited);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toMatch(/^version: rule "r-put" is at version 2 \(changed by admin-1/);
    const noVersion = await call('analyst', 'PUT', '/api/v1/rules/r-put', { ...rule('r-put'), for: 'later' });
    expect(noVersion.statusCode).toBe(400);
    expect(noVersion.json().error.details.fields).toEqual(['version', 'for']);
    const renamed = await call('analyst', 'PUT', '/api/v1/rules/r-put', { ...rule('r-other'), version: 2 });
    expect(renamed.statusCode).toBe(400);
    expect((await call('analyst', 'PUT', '/api/v1/rules/r-none', { ...rule('r-none'), version: 1 })).statusCode).toBe(404);
    clock.set(t0);
  });

  it('deletes an API rule (204), checking ?version=; 409 for a file rule; 404 for none', async () => {
    await call('analyst', 'POST', '/api/v1/rules', rule('r-del'));
    expect((await call('analyst', 'DELETE', '/api/v1/rules/r-del?version=9')).statusCode).toBe(409);
    const res = await call('analyst', 'DELETE', '/api/v1/rules/r-del?version=1');
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await call('analyst', 'GET', '/api/v1/rules/r-del')).statusCode).toBe(404);
    expect((await call('analyst', 'DELETE', '/api/v1/rules/r-del')).statusCode).toBe(404);
    const file = await call('analyst', 'DELETE', '/api/v1/rules/river-file');
    expect(file.statusCode).toBe(409);
    expect(file.json().error.message).toMatch(/rules\/river\.yaml/);
  });

  it('validates without saving, for any role', async () => {
    const bad = await call('viewer', 'POST', '/api/v1/rules/validate', { ...rule('r-try'), detector: { type: 'nope' } });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toEqual({
      valid: false,
      problems: [{ rule: 'r-try', field: 'detector.type', message: 'unknown detector "nope"; one of broken, threshold' }],
    });
    const good = await call('analyst', 'POST', '/api/v1/rules/validate', { ...rule('r-try'), version: 3, source: 'api' });
    expect(good.json()).toEqual({ valid: true, problems: [] });
    expect((await call('viewer', 'GET', '/api/v1/rules/r-try')).statusCode).toBe(404);
  });

  it('lists file and API rules together with filters, and the problems of rules that did not load', async () => {
    await call('analyst', 'POST', '/api/v1/rules', rule('r-list-off', 1, { enabled: false }));
    const all = (await call('viewer', 'GET', '/api/v1/rules')).json();
    const names = all.items.map((r: { name: string }) => r.name);
    expect(names).toEqual([...names].sort());
    expect(all.total).toBe(names.length);
    expect(all.items.find((r: { name: string }) => r.name === 'river-file')).toMatchObject({
      source: 'file:rules/river.yaml',
      version: null,
      createdAt: null,
      detector: { type: 'threshold', above: 4.5 },
    });
    expect(all.problems).toEqual([
      { source: 'file:rules/air.yaml', line: 4, rule: 'air', field: 'detector.above', message: 'expected a number' },
    ]);
    const fileOnly = (await call('viewer', 'GET', '/api/v1/rules?source=file')).json();
    expect(fileOnly.items.map((r: { name: string }) => r.name)).toEqual(['river-file']);
    const disabled = (await call('viewer', 'GET', '/api/v1/rules?enabled=false&detector=threshold&source=api')).json();
    expect(disabled.items.map((r: { name: string }) => r.name)).toEqual(['r-list-off']);
    const bad = await call('viewer', 'GET', '/api/v1/rules?source=ftp');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/querystring\.source/);
  });
});
