import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { request } from './http-request.ts';

/** How to start `tocsin serve` for a benchmark. */
export interface ServerOptions {
  repoRoot: string;
  /** PGlite data folder; mutually exclusive with databaseUrl. */
  dataDir?: string;
  databaseUrl?: string;
  /** TOCSIN_DB_SCHEMA: the server's tables go in this schema (PostgreSQL only). */
  schema?: string;
  adminPassword: string;
  /** The server's stdout and stderr (pino JSON lines) go here, not through a pipe we would have to drain. */
  logFile: string;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  startTimeoutMs: number;
}

export interface RunningServer {
  port: number;
  pid: number;
  /** The command line, without secrets, for the report. */
  command: string;
  startupMs: number;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  stop(): Promise<void>;
}

/** Children still running, so an interrupted benchmark never leaves a server behind. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `node bin/tocsin.js serve` and waits until GET /healthz answers 200. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // BENCH_SERVER_ENTRY is a debugging hook (e.g. bench/lib/fake-server.ts); the benchmark runs bin/tocsin.js.
  const entry = join(options.repoRoot, process.env.BENCH_SERVER_ENTRY ?? join('bin', 'tocsin.js'));
  if (!existsSync(entry)) throw new Error(`the server could not start: ${entry} does not exist yet`);
  installExitHook();
  const port = await freePort();
  const args = ['serve', '--port', String(port)];
  if (options.dataDir) args.push('--data', options.dataDir);

  // Start from our environment minus anything that would point the server elsewhere.
  const env: NodeJS.ProcessEnv = { ...process.env, TOCSIN_ADMIN_PASSWORD: options.adminPassword };
  delete env.DATABASE_URL;
  delete env.TOCSIN_DB_SCHEMA;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.schema) env.TOCSIN_DB_SCHEMA = options.schema;

  const command = [
    ...(options.databaseUrl ? ['DATABASE_URL=…'] : []),
    ...(options.schema ? [`TOCSIN_DB_SCHEMA=${options.schema}`] : []),
    'node',
    ...(options.nodeArgs ?? []),
    process.env.BENCH_SERVER_ENTRY ?? 'bin/tocsin.js',
    ...args.map((a) => (a === options.dataDir ? '<tmp dir>' : a)),
  ].join(' ');

  const logFd = openSync(options.logFile, 'w');
  const started = performance.now();
  // A TypeScript entry (the debugging hook) needs tsx; the real server is plain JS.
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, ...(options.nodeArgs ?? []), entry, ...args], {
    cwd: options.repoRoot,
    env,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  live.add(child);
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `code ${code}`;
      live.delete(child);
      resolve();
    });
  });
  child.once('error', (err) => {
    exited = `spawn error: ${err.message}`;
  });

  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const graceMs = 20_000;
    const timer = new Promise<'timeout'>((r) => setTimeout(r, graceMs, 'timeout').unref());
    if ((await Promise.race([exitedPromise, timer])) === 'timeout') {
      child.kill('SIGKILL');
      await exitedPromise;
    }
  };

  try {
    const deadline = started + options.startTimeoutMs;
    for (;;) {
      if (exited !== undefined) throw new Error(`the server exited during start-up (${exited})`);
      if (performance.now() > deadline) throw new Error(`/healthz did not answer 200 within ${options.startTimeoutMs} ms`);
      const ok = await request(port, 'GET', '/healthz', { timeoutMs: 2_000 }).then(
        (a) => a.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; ${command}\n${logTail(options.logFile)}`);
  }
  return { port, pid: child.pid ?? 0, command, startupMs: performance.now() - started, stop };
}

/** The last lines of the server's log, to explain a failure. */
export function logTail(file: string, lines = 15): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    const tail = all.slice(-lines).join('\n');
    return tail ? `last server log lines (${file}):\n${tail}` : `(the server wrote nothing to ${file})`;
  } catch {
    return `(no server log at ${file})`;
  }
}
