import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { requireSchemas } from './require-schemas.ts';
import { openTestStore } from '../store/testing/stores-under-test.ts';
import { createTestApp } from './testing/test-app.ts';

describe('every API route has a schema', () => {
  it('refuses an /api/v1 route without one at startup', async () => {
    const app = Fastify();
    requireSchemas(app);
    expect(() => app.get('/api/v1/naked', async () => ({}))).toThrow(/GET \/api\/v1\/naked has no schema/);
    expect(() => app.get('/api/v1/described', { schema: { summary: 'fine' } }, async () => ({}))).not.toThrow();
    expect(() => app.get('/elsewhere', async () => ({}))).not.toThrow();
    await app.close();
  });

  it('documents every route of the real app in the OpenAPI description', async () => {
    const { store, dispose } = await openTestStore('pglite');
    try {
      const t = await createTestApp(store);
      const doc = (await t.app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { summary?: string }>> };
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => ({ path, m, op })));
      expect(operations.length).toBeGreaterThanOrEqual(14);
      for (const { path, m, op } of operations) expect(op.summary, `${m} ${path}`).toBeTruthy();
    } finally {
      await dispose();
    }
  });
});
