import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, tokenFor, type ServerProcess } from '../support/tocsin-process.ts';

const password = 'e2e-secret-passphrase-1';
const t0 = Date.UTC(2026, 10, 20, 0, 0, 0);

function batch(index: number, size: number, base = t0): string {
  const lines: string[] = [];
  for (let i = 0; i < size; i++) {
    lines.push(JSON.stringify({ series: `KILL-${i % 20}.level`, t: base + (index * size + i) * 1000, v: index + i / 1000 }));
  }
  return lines.join('\n');
}

describe('acknowledged means committed', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-kill-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every observation answered 202 when the server is killed with SIGKILL right after', async () => {
    server = await startServe(['--data', dataDir], { TOCSIN_ADMIN_PASSWORD: password });
    const token = await tokenFor(server.url, 'admin', password);
    const post = (body: string) =>
      fetch(`${server!.url}/api/v1/observations`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
        body,
      });

    const size = 500;
    let acknowledged = 0;
    for (let b = 0; b < 10; b++) {
      const res = await post(batch(b, size));
      expect(res.status).toBe(202);
      acknowledged += ((await res.json()) as { accepted: number }).accepted;
    }
    // More batches in flight while the last acknowledged one comes back: kill at once on that 202.
    const inFlight = [11, 12, 13].map((b) => post(batch(b, size)).catch(() => null));
    const last = await post(batch(10, size));
    expect(last.status).toBe(202);
    server.child.kill('SIGKILL');
    acknowledged += ((await last.json()) as { accepted: number }).accepted;
    await Promise.all(inFlight);
    await new Promise((resolve) => server!.child.once('exit', resolve));
    expect(acknowledged).toBe(11 * size);

    // Restart on the same folder: the stale lock of the killed process is taken over.
    server = await startServe(['--data', dataDir], { TOCSIN_ADMIN_PASSWORD: password });
    const token2 = await tokenFor(server.url, 'admin', password);
    let found = 0;
    for (let s = 0; s < 20; s++) {
      const res = await fetch(`${server.url}/api/v1/series/KILL-${s}.level/observations?limit=100000&to=${t0 + 11 * size * 1000}`, {
        headers: { authorization: `Bearer ${token2}` },
      });
      expect(res.status).toBe(200);
      found += ((await res.json()) as { observations: unknown[] }).observations.length;
    }
    expect(found).toBe(acknowledged);
    expect(server.stderr()).not.toMatch(/one-time password/);
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});

describe('graceful shutdown', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-term-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the writes in flight on SIGTERM: each is answered 202 and kept, or refused before any work', async () => {
    server = await startServe(['--data', dataDir], { TOCSIN_ADMIN_PASSWORD: password });
    const token = await tokenFor(server.url, 'admin', password);
    const size = 10_000;
    const base = Date.UTC(2026, 9, 1);
    const posts = Array.from({ length: 6 }, (_, b) =>
      fetch(`${server!.url}/api/v1/observations`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
        body: batch(100 + b, size, base),
      }).then(
        async (res) => ({ batch: 100 + b, status: res.status, body: (await res.json()) as { accepted?: number } }),
        (err: unknown) => ({ batch: 100 + b, status: 0, body: { error: String(err) } as { accepted?: number; error?: string } }),
      ),
    );
    // Stop while the batches are being taken.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = server.stop('SIGTERM');
    const answers = await Promise.all(posts);
    expect(await exited).toBe(0);
    for (const answer of answers) expect([202, 503, 0]).toContain(answer.status);
    const acknowledged = answers.filter((a) => a.status === 202);
    expect(acknowledged.length).toBeGreaterThan(0);

    server = await startServe(['--data', dataDir], { TOCSIN_ADMIN_PASSWORD: password });
    const token2 = await tokenFor(server.url, 'admin', password);
    for (const answer of acknowledged) {
      expect(answer.body.accepted).toBe(size);
      const from = base + answer.batch * size * 1000;
      let stored = 0;
      for (let s = 0; s < 20; s++) {
        const res = await fetch(
          `${server.url}/api/v1/series/KILL-${s}.level/observations?limit=100000&from=${from}&to=${from + size * 1000}`,
          { headers: { authorization: `Bearer ${token2}` } },
        );
        stored += ((await res.json()) as { observations: unknown[] }).observations.length;
      }
      expect(stored).toBe(size);
    }
  });
});
