import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPgliteStore } from './pglite-store.ts';
import type { Store } from '../sql-client.ts';

describe('PGlite in a worker thread', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openPgliteStore({ dataDir: null });
  });
  afterAll(async () => {
    await store.close();
  });

  it('keeps the main thread running while a long query runs', async () => {
    // Count timer ticks during a query that keeps PGlite busy for a long while. In the main
    // thread PGlite would block every tick until the query ended; in its worker, ticks go on.
    let ticks = 0;
    let finished = false;
    const ticking = (async () => {
      while (!finished) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        ticks++;
      }
    })();
    const result = await store.query<{ n: number }>('select count(*)::int4 as n from generate_series(1, 3000000) g where g % 7 = 0');
    finished = true;
    await ticking;
    expect(result.rows[0]?.n).toBe(428571);
    expect(ticks).toBeGreaterThan(10);
  });
});

describe('the data folder lock', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-lock-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a second opener of one folder, names the holder, and frees it on close', async () => {
    const first = await openPgliteStore({ dataDir: dir, holder: 'tocsin serve' });
    // The lock names this very process, which is alive: a second opener must be refused.
    fs.writeFileSync(path.join(dir, 'tocsin.lock'), JSON.stringify({ pid: process.ppid, holder: 'tocsin serve' }));
    await expect(openPgliteStore({ dataDir: dir })).rejects.toThrow(/is in use by process \d+ \(tocsin serve\)/);
    fs.writeFileSync(path.join(dir, 'tocsin.lock'), JSON.stringify({ pid: process.pid, holder: 'tocsin serve' }));
    await first.close();
    expect(fs.existsSync(path.join(dir, 'tocsin.lock'))).toBe(false);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    fs.writeFileSync(path.join(dir, 'tocsin.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, holder: 'killed' }));
    const store = await openPgliteStore({ dataDir: dir });
    await store.close();
  });
});
