/**
 * bench/ingest: observations/s through POST /api/v1/observations into PGlite and into the
 * PostgreSQL server, and, in the same run on the same bytes and rows, the raw limits it is judged
 * against: JSON.parse of the NDJSON alone and COPY straight into each database.
 */
import { backgroundLoad } from './lib/cpu.ts';
import { openHttpIngest, type HttpIngestSink } from './lib/http-ingest.ts';
import { measureJsonLimit, type JsonLimitResult } from './lib/json-limit.ts';
import { describeMachine, type MachineInfo } from './lib/machine.ts';
import { openPgliteCopy } from './lib/pglite-copy.ts';
import { openPostgresCopy, resolvePostgresUrl } from './lib/postgres.ts';
import type { CopyRun, HttpRun } from './lib/results.ts';
import type { StepSink } from './lib/step-sink.ts';
import { allBodies, buildWorkload, type Backend, type Workload, type WorkloadShape } from './lib/workload.ts';

export type Mode = 'full' | 'quick';

/** Volumes and limits per mode. Full takes about 2–4 minutes (within the 3–5 asked of `npm run bench`), quick ~25 s. */
export interface IngestSettings extends WorkloadShape {
  jsonPasses: number;
  /** GET /healthz every this many ms while ingesting. */
  probeIntervalMs: number;
  serverStartTimeoutMs: number;
}

const common = {
  // "A few thousand distinct series": 1,000 stations × 3 indicators.
  seriesCount: 3_000,
  batches: [1_000, 10_000],
  clients: [1, 4, 8],
  probeIntervalMs: 75,
  // PGlite's first start runs initdb (~4.4 s) and migrations.
  serverStartTimeoutMs: 120_000,
} as const;

export const settings: Record<Mode, IngestSettings> = {
  full: {
    ...common,
    // The warm-up also creates all 3,000 series, so timed steps see steady state.
    warmupBodies: 20,
    bodiesPerStep: {
      1_000: { postgres: 800, pglite: 400 },
      10_000: { postgres: 112, pglite: 56 },
    },
    stepTimeLimitMs: 45_000,
    jsonPasses: 3,
  },
  quick: {
    ...common,
    warmupBodies: 5,
    bodiesPerStep: {
      1_000: { postgres: 24, pglite: 16 },
      10_000: { postgres: 8, pglite: 8 },
    },
    stepTimeLimitMs: 8_000,
    jsonPasses: 1,
  },
};

export interface IngestReport {
  mode: Mode;
  startedAt: string;
  durationMs: number;
  machine: MachineInfo;
  postgresVersion: string;
  settings: IngestSettings;
  /** CPU others used (% of one core) in the second before and after the run: a busy machine skews every figure. */
  backgroundLoad: { before: number; after: number };
  workload: { series: number; bodies: Record<Backend, number>; lines: Record<Backend, number>; bytesPerLine: number };
  json: JsonLimitResult;
  copy: CopyRun[];
  http: HttpRun[];
}

/** Logs progress to stderr with seconds since the start. */
export type Log = (message: string) => void;

/** Runs every part of the ingest benchmark; failures of one part are recorded, not thrown. */
export async function runIngestBenchmark(mode: Mode, repoRoot: string, outDir: string, log: Log): Promise<IngestReport> {
  const started = Date.now();
  const s = settings[mode];
  const machine = describeMachine(repoRoot);
  const loadBefore = await backgroundLoad(1_000);
  log(`background load: ${Math.round(loadBefore)}% of one core`);

  log('building request bodies');
  const workload = buildWorkload(s);
  const pgBodies = allBodies(workload, 'postgres');
  const pgliteBodies = allBodies(workload, 'pglite');
  const sum = (bs: typeof pgBodies, f: (b: (typeof pgBodies)[number]) => number) => bs.reduce((a, b) => a + f(b), 0);
  const pgLines = sum(pgBodies, (b) => b.lines);
  const summary = {
    series: workload.seriesKeys.length,
    bodies: { postgres: pgBodies.length, pglite: pgliteBodies.length },
    lines: { postgres: pgLines, pglite: sum(pgliteBodies, (b) => b.lines) },
    bytesPerLine: sum(pgBodies, (b) => b.ndjson.length) / pgLines,
  };

  // The PGlite bodies are a prefix of each step's PostgreSQL bodies, so this covers every byte sent.
  log(`JSON.parse limit over ${pgLines} lines`);
  const json = measureJsonLimit(pgBodies, s.jsonPasses);

  log('finding the PostgreSQL server');
  let postgres: { url: string; version: string } | undefined;
  let postgresProblem = '';
  try {
    postgres = await resolvePostgresUrl();
  } catch (err) {
    postgresProblem = (err as Error).message;
    log(`PostgreSQL unavailable: ${postgresProblem}`);
  }

  const copy: CopyRun[] = [];
  const http: HttpRun[] = [];
  for (const backend of ['postgres', 'pglite'] as const) {
    const [c, h] = await runBackend(backend, workload, s, repoRoot, outDir, postgres?.url, postgresProblem, log);
    if (postgres && backend === 'postgres') c.serverVersion = postgres.version;
    copy.push(c);
    http.push(h);
  }

  const loadAfter = await backgroundLoad(1_000);
  return {
    mode,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    machine,
    postgresVersion: postgres?.version ?? `unavailable (${postgresProblem})`,
    settings: s,
    backgroundLoad: { before: loadBefore, after: loadAfter },
    workload: summary,
    json,
    copy,
    http,
  };
}

/**
 * Raw COPY and HTTP ingest into one backend, step by step: each step runs raw COPY and then the
 * same rows over HTTP, seconds apart, so a machine whose speed drifts (other work, ±40% noise)
 * still yields fair ratios. A sink that fails stops; the other carries on.
 */
async function runBackend(
  backend: Backend,
  workload: Workload,
  s: IngestSettings,
  repoRoot: string,
  outDir: string,
  postgresUrl: string | undefined,
  postgresProblem: string,
  log: Log,
): Promise<[CopyRun, HttpRun]> {
  const maxClients = Math.max(...workload.steps.map((st) => st.clients));
  const copyRun: CopyRun = {
    backend,
    serverVersion: '',
    via: backend === 'postgres' ? 'pg-copy-streams COPY FROM STDIN (FORMAT binary)' : "in-process COPY FROM '/dev/blob' (FORMAT binary)",
    steps: [],
  };
  const httpRun: HttpRun = { backend, command: '', startupMs: 0, steps: [] };
  const fail = (run: { error?: string }, what: string, err: unknown): void => {
    const message = (err as Error).message ?? String(err);
    run.error = run.error ? `${run.error}; ${message}` : message;
    log(`${what} into ${backend} failed: ${message}`);
  };

  log(`${backend}: preparing raw COPY table and starting the server`);
  let raw: StepSink | undefined;
  try {
    if (backend === 'postgres') {
      if (!postgresUrl) throw new Error(postgresProblem);
      raw = await openPostgresCopy(postgresUrl, maxClients);
    } else {
      const sink = await openPgliteCopy();
      copyRun.serverVersion = sink.version;
      raw = sink;
    }
  } catch (err) {
    fail(copyRun, 'raw COPY', err);
  }
  let web: HttpIngestSink | undefined;
  try {
    web = await openHttpIngest({
      repoRoot,
      backend,
      outDir,
      ...(postgresUrl ? { postgresUrl } : {}),
      maxClients,
      probeIntervalMs: s.probeIntervalMs,
      startTimeoutMs: s.serverStartTimeoutMs,
      profile: process.env.BENCH_PROFILE === '1',
    });
    httpRun.command = web.command;
    httpRun.startupMs = web.startupMs;
  } catch (err) {
    fail(httpRun, 'HTTP ingest', err);
  }

  let rawRows = 0;
  let webRows = 0;
  for (const step of workload.steps) {
    if (raw) {
      try {
        const r = await raw.runStep(step, rawRows);
        rawRows += r.rows;
        if (step.timed) copyRun.steps.push(r);
      } catch (err) {
        fail(copyRun, `raw COPY (${step.label})`, err);
        await raw.close(rawRows).catch(() => undefined);
        raw = undefined;
      }
    }
    if (web) {
      try {
        const r = await web.runStep(step, webRows);
        webRows += r.rows;
        if (step.timed) httpRun.steps.push(r);
      } catch (err) {
        fail(httpRun, `HTTP ingest (${step.label})`, err);
        await web.close(webRows).catch(() => undefined);
        httpRun.healthz = web.healthz();
        web = undefined;
      }
    }
    if (step.timed && (raw || web)) log(`  ${backend} ${step.label}: ${describeStep(copyRun, httpRun, step.label)}`);
  }

  if (raw) await raw.close(rawRows).catch((err: unknown) => fail(copyRun, 'raw COPY (closing)', err));
  if (web) {
    await web.close(webRows).catch((err: unknown) => fail(httpRun, 'HTTP ingest (closing)', err));
    httpRun.healthz = web.healthz();
    if (web.profile) httpRun.profile = web.profile;
  }
  return [copyRun, httpRun];
}

/** One progress line: raw COPY rate, HTTP rate, their ratio and the healthz maximum. */
function describeStep(copy: CopyRun, http: HttpRun, label: string): string {
  const c = copy.steps.find((st) => st.label === label);
  const h = http.steps.find((st) => st.label === label);
  const rate = (x: number) => Math.round(x).toLocaleString('en-US');
  const ratio = c && h ? ` (${Math.round((100 * h.rowsPerSecond) / c.rowsPerSecond)}% of raw)` : '';
  return [
    c ? `raw COPY ${rate(c.rowsPerSecond)} rows/s` : 'raw COPY –',
    h ? `HTTP ${rate(h.rowsPerSecond)} obs/s${ratio}` : 'HTTP –',
    h ? `healthz max ${h.healthz.max.toFixed(1)} ms` : '',
  ]
    .filter(Boolean)
    .join(', ');
}
