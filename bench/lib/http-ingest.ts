import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchToken } from './auth.ts';
import { startCpuMeter } from './cpu.ts';
import { summariseCpuProfiles } from './cpu-profile.ts';
import { epochNow, startHealthzProbe, summariseSamples } from './healthz-probe.ts';
import { request, snippet } from './http-request.ts';
import { execOnce, freshSchemaName } from './postgres.ts';
import type { HttpStepResult } from './results.ts';
import { startServer, type RunningServer } from './server-process.ts';
import { runBodies, stepResult } from './step-runner.ts';
import type { LatencySummary } from './stats.ts';
import type { StepSink } from './step-sink.ts';
import type { Backend, Body } from './workload.ts';

export interface HttpIngestOptions {
  repoRoot: string;
  backend: Backend;
  /** Where the server log (and profiles) go. */
  outDir: string;
  /** Required for the postgres backend. */
  postgresUrl?: string;
  maxClients: number;
  probeIntervalMs: number;
  startTimeoutMs: number;
  profile: boolean;
}

/** The HTTP sink, plus what the report says about the server. */
export interface HttpIngestSink extends StepSink<HttpStepResult> {
  /** How the server was started, without secrets. */
  command: string;
  startupMs: number;
  /** /healthz over every timed step so far. */
  healthz(): LatencySummary;
  /** Top self-time functions, once closed, when profiling. */
  profile?: string[];
}

/** What the server answers to a batch (202). */
interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: unknown[];
}

/**
 * HTTP ingest into a freshly started `tocsin serve` (a fresh PGlite folder or a fresh PostgreSQL
 * schema, both removed on close): each step's NDJSON bodies go to `POST /api/v1/observations`
 * from `clients` concurrent senders over keep-alive sockets, while a worker thread times
 * GET /healthz.
 */
export async function openHttpIngest(o: HttpIngestOptions): Promise<HttpIngestSink> {
  const dataDir = o.backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'tocsin-bench-serve-')) : undefined;
  const schema = o.backend === 'postgres' ? freshSchemaName('bench_http') : undefined;
  const profileDir = join(o.outDir, `profile-${o.backend}`);
  if (o.profile) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const adminPassword = randomBytes(12).toString('base64url');
  let server: RunningServer | undefined;
  const release = async (): Promise<void> => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (schema && o.postgresUrl) await execOnce(o.postgresUrl, `drop schema if exists ${schema} cascade`);
  };

  let token: string;
  try {
    if (o.backend === 'postgres' && !o.postgresUrl) throw new Error('no PostgreSQL server to run against');
    server = await startServer({
      repoRoot: o.repoRoot,
      ...(dataDir ? { dataDir } : {}),
      ...(o.backend === 'postgres' ? { databaseUrl: o.postgresUrl, schema } : {}),
      adminPassword,
      logFile: join(o.outDir, `server-${o.backend}.log`),
      ...(o.profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
      startTimeoutMs: o.startTimeoutMs,
    });
    token = await createBenchToken(server.port, adminPassword);
  } catch (err) {
    await release().catch(() => undefined);
    throw err;
  }
  const srv = server;
  // One kept-alive socket per client, as a fleet of loggers posting steadily would hold.
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxClients });
  const headers = { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` };
  // One probe for the server's life; each step reads the probes that started within its window.
  const probe = startHealthzProbe(srv.port, o.probeIntervalMs, 30 * 60_000);
  const timedWindows: Array<[number, number]> = [];
  try {
    await probe.ready;
  } catch (err) {
    await probe.stop();
    await release().catch(() => undefined);
    throw err;
  }

  const sink: HttpIngestSink = {
    backend: o.backend,
    command: srv.command,
    startupMs: srv.startupMs,
    healthz: () => summariseSamples(timedWindows.flatMap(([from, to]) => probe.between(from, to))),
    async runStep(step, rowsBefore) {
      const tally = { accepted: 0, duplicates: 0, rejected: 0, requests: 0, mismatches: [] as string[] };
      const post = async (body: Body): Promise<void> => {
        const a = await request(srv.port, 'POST', '/api/v1/observations', { body: body.ndjson, headers, agent, timeoutMs: 120_000 });
        tally.requests++;
        if (a.status !== 202) throw new Error(`${step.label}: POST /api/v1/observations answered ${a.status} ${snippet(a.body)}`);
        const answer = JSON.parse(a.body) as IngestAnswer;
        tally.accepted += answer.accepted;
        tally.duplicates += answer.duplicates;
        tally.rejected += answer.rejected.length;
        if (answer.accepted !== body.lines && tally.mismatches.length < 5) {
          tally.mismatches.push(`sent ${body.lines} lines, accepted ${answer.accepted}: ${snippet(a.body)}`);
        }
      };
      const cpu = startCpuMeter(srv.pid);
      const from = epochNow();
      const r = await runBodies(step.bodies[o.backend], step.clients, step.timeLimitMs, post);
      const to = epochNow();
      const cpuShare = cpu();
      if (step.timed) timedWindows.push([from, to]);
      await probe.settle(to);
      // The rate counts rows the server said it accepted, not rows sent.
      const base = stepResult(step, rowsBefore, { ...r, rows: tally.accepted });
      return {
        ...base,
        requests: tally.requests,
        accepted: tally.accepted,
        duplicates: tally.duplicates,
        rejected: tally.rejected,
        mismatches: tally.mismatches,
        healthz: summariseSamples(probe.between(from, to)),
        cpu: cpuShare,
      };
    },
    async close() {
      await probe.stop();
      agent.destroy();
      try {
        await release();
      } finally {
        if (o.profile) sink.profile = summariseCpuProfiles(profileDir, o.repoRoot);
      }
    },
  };
  return sink;
}
