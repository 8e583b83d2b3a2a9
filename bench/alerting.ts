/**
 * bench/alerting: notification latency and memory with 100,000 active alerts under 10,000 alert
 * changes per second, for Tocsin's dispatcher (state persisted in PGlite) and, in the same run on
 * the same stream and configuration, for Prometheus Alertmanager itself (Debian's
 * `prometheus-alertmanager`, fed through its v2 API). See BENCHMARKS.md for the method.
 * `BENCH_ALERTING_SIDES=postgres` (a comma list of pglite, postgres, alertmanager) runs only those
 * sides, for working on one of them; the report then lacks the others.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { production } from './lib/production.ts';
import { execOnce, freshSchemaName, resolvePostgresUrl } from './lib/postgres.ts';

const { openStore } = await production<typeof import('../src/store/open-store.ts')>('src/store/open-store.ts');
const { startAlerting } = await production<typeof import('../src/runtime/alerting-runtime.ts')>('src/runtime/alerting-runtime.ts');
const { parseAlertingConfig } = await production<typeof import('../src/domain/alerting/config/alerting-config.ts')>('src/domain/alerting/config/alerting-config.ts');

type Mode = 'quick' | 'full';

interface Workload {
  alerts: number;
  areas: number;
  changesPerSecond: number;
  seconds: number;
  /** One change in this many is a probe: a new alert in a new area, whose notification is timed. */
  probeEvery: number;
}

const workloads: Record<Mode, Workload> = {
  full: { alerts: 100_000, areas: 10_000, changesPerSecond: 10_000, seconds: 10, probeEvery: 50 },
  quick: { alerts: 5_000, areas: 500, changesPerSecond: 2_000, seconds: 2, probeEvery: 50 },
};

/** A webhook sink: remembers when the first notification of each probe area arrived. */
async function startSink(): Promise<{ url: string; arrivals: Map<string, number>; count: () => number; close: () => Promise<void> }> {
  const arrivals = new Map<string, number>();
  let count = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const at = performance.now();
      count++;
      res.end();
      const area = /"groupLabels":\{"area":"([^"]+)"/.exec(body)?.[1];
      if (area && area.startsWith('probe-') && !arrivals.has(area)) arrivals.set(area, at);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    count: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const configText = (url: string) => `route:
  receiver: hook
  group_by: [area]
  group_wait: 0s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs:
      - url: '${url}'
`;

const labelsOf = (i: number, w: Workload) => ({ alertname: 'bench', series: `S${i}`, area: `A${i % w.areas}`, level: 'yellow' });

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface SideResult {
  name: string;
  loadSeconds: number;
  achievedChangesPerSecond: number;
  probes: number;
  notified: number;
  p50: number;
  p99: number;
  max: number;
  rssMb: number;
  error?: string;
}

/** Drives `submit` at the target rate for `seconds`, probing; answers the achieved rate and the probes' send times. */
async function drive(w: Workload, submit: (batch: { kind: 'fire' | 'resolve'; i: number; probe?: string }[]) => Promise<void>): Promise<{ rate: number; sent: Map<string, number> }> {
  const sent = new Map<string, number>();
  const total = w.changesPerSecond * w.seconds;
  const batchSize = w.changesPerSecond / 100; // one batch every 10 ms
  const started = performance.now();
  let done = 0;
  let probeNo = 0;
  const outstanding = new Set<Promise<void>>();
  while (done < total) {
    const due = started + (done / w.changesPerSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const batch: { kind: 'fire' | 'resolve'; i: number; probe?: string }[] = [];
    for (let k = 0; k < batchSize && done < total; k++, done++) {
      if (done % w.probeEvery === 0) {
        const probe = `probe-${probeNo++}`;
        batch.push({ kind: 'fire', i: w.alerts + probeNo, probe });
      } else {
        // Toggle an existing alert: resolve it on odd passes, fire it again on even ones.
        const i = done % w.alerts;
        batch.push({ kind: Math.floor(done / w.alerts) % 2 === 0 ? 'resolve' : 'fire', i });
      }
    }
    const at = performance.now();
    for (const b of batch) if (b.probe) sent.set(b.probe, at);
    // Submissions overlap, as signals reach alerting in the server (detection does not wait for
    // them); at most 50 are outstanding, so a dispatcher that falls behind slows the stream down.
    const p = submit(batch).finally(() => outstanding.delete(p));
    outstanding.add(p);
    if (outstanding.size >= 50) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
  const seconds = (performance.now() - started) / 1000;
  return { rate: total / seconds, sent };
}

async function settle(sink: { arrivals: Map<string, number> }, sent: Map<string, number>, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && [...sent.keys()].some((p) => !sink.arrivals.has(p))) await new Promise((r) => setTimeout(r, 50));
}

function summarize(name: string, loadSeconds: number, rate: number, sent: Map<string, number>, arrivals: Map<string, number>, rssMb: number): SideResult {
  const latencies = [...sent].filter(([p]) => arrivals.has(p)).map(([p, at]) => arrivals.get(p)! - at).sort((a, b) => a - b);
  return {
    name,
    loadSeconds,
    achievedChangesPerSecond: rate,
    probes: sent.size,
    notified: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    rssMb,
  };
}

async function benchTocsin(w: Workload, backend: 'pglite' | 'postgres', log: (m: string) => void): Promise<SideResult> {
  const sink = await startSink();
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-alerting-'));
  const pg = backend === 'postgres' ? { url: (await resolvePostgresUrl()).url, schema: freshSchemaName('bench_alerting') } : null;
  const store = pg ? await openStore({ databaseUrl: pg.url, schema: pg.schema, dataDir: null }) : await openStore({ dataDir: dir, holder: 'bench/alerting' });
  try {
    const clock = { now: () => Date.now() };
    const { service } = await startAlerting(store, parseAlertingConfig(configText(sink.url)), { clock, externalURL: 'http://bench' });
    const signal = (kind: 'firing' | 'resolved', labels: Record<string, string>) => ({ kind, t: Date.now(), level: kind === 'firing' ? 'yellow' : null, previousLevel: kind === 'firing' ? null : 'yellow', labels, annotations: {} });
    const loadStarted = performance.now();
    for (let i = 0; i < w.alerts; i += 2000) {
      const batch = [];
      for (let k = i; k < Math.min(w.alerts, i + 2000); k++) batch.push(signal('firing', labelsOf(k, w)));
      await service.onSignals(batch, Date.now());
    }
    // The first flush of every group goes out before the measured phase.
    await service.tick(Date.now());
    for (let n = 0; n < 100 && sink.count() < w.areas; n++) await service.tick(Date.now());
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`alerting: tocsin (${backend}) loaded ${w.alerts.toLocaleString('en')} alerts in ${loadSeconds.toFixed(1)} s`);
    // The dispatcher's own timer, as `tocsin serve` runs it (every 10 ms here rather than 1 s, so the tick does not dominate).
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await service.tick(Date.now());
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    // Diagnostics for the log: how long the event loop stalled, and how long a batch took to be stored.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const stored: number[] = [];
    const { rate, sent } = await drive(w, async (batch) => {
      const at = performance.now();
      await service.onSignals(
        batch.map((b) => signal(b.kind === 'fire' ? 'firing' : 'resolved', b.probe ? { alertname: 'bench', series: b.probe, area: b.probe, level: 'yellow' } : labelsOf(b.i, w))),
        Date.now(),
      );
      stored.push(performance.now() - at);
    });
    await settle(sink, sent);
    loopDelay.disable();
    stored.sort((a, b) => a - b);
    log(
      `alerting: tocsin (${backend}) event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms; ` +
        `batch stored after p50 ${percentile(stored, 50).toFixed(1)} ms, p99 ${percentile(stored, 99).toFixed(1)} ms`,
    );
    ticking = false;
    await ticker;
    const rssMb = process.memoryUsage().rss / 1e6;
    return summarize(backend === 'pglite' ? 'Tocsin on PGlite (state persisted, embedded)' : 'Tocsin on the PostgreSQL server (state persisted)', loadSeconds, rate, sent, sink.arrivals, rssMb);
  } finally {
    await store.close();
    if (pg) await execOnce(pg.url, `drop schema if exists ${pg.schema} cascade`);
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function alertmanagerBinary(): string | null {
  for (const bin of ['prometheus-alertmanager', 'alertmanager']) {
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return bin;
  }
  return null;
}

async function benchAlertmanager(bin: string, w: Workload, log: (m: string) => void): Promise<SideResult> {
  const sink = await startSink();
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), configText(sink.url));
  const port = 19_093 + Math.floor(Math.random() * 500);
  let child: ChildProcess | null = null;
  try {
    child = spawn(bin, [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const base = `http://127.0.0.1:${port}`;
    const deadline = performance.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // not up yet
      }
      if (performance.now() > deadline) throw new Error(`alertmanager did not start: ${stderr.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const post = async (alerts: object[]) => {
      const res = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!res.ok) throw new Error(`alertmanager answered ${res.status}: ${await res.text()}`);
    };
    const alert = (labels: Record<string, string>, firing: boolean) => {
      const now = Date.now();
      return { labels, annotations: {}, startsAt: new Date(now - 1000).toISOString(), endsAt: new Date(firing ? now + 3_600_000 : now).toISOString() };
    };
    const loadStarted = performance.now();
    for (let i = 0; i < w.alerts; i += 2000) {
      const batch = [];
      for (let k = i; k < Math.min(w.alerts, i + 2000); k++) batch.push(alert(labelsOf(k, w), true));
      await post(batch);
    }
    for (let n = 0; n < 300 && sink.count() < w.areas; n++) await new Promise((r) => setTimeout(r, 100));
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`alerting: alertmanager loaded ${w.alerts.toLocaleString('en')} alerts in ${loadSeconds.toFixed(1)} s`);
    const { rate, sent } = await drive(w, (batch) =>
      post(batch.map((b) => alert(b.probe ? { alertname: 'bench', series: b.probe, area: b.probe, level: 'yellow' } : labelsOf(b.i, w), b.kind === 'fire'))),
    );
    await settle(sink, sent);
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return summarize('Alertmanager 0.25 (Debian; in memory, snapshots to disk)', loadSeconds, rate, sent, sink.arrivals, rssKb / 1000);
  } finally {
    child?.kill('SIGKILL');
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each Tocsin side in a process of its own, as Alertmanager runs in its own: the second side
 * must not inherit the first one's heap (its RSS and garbage collections), and the memory figure
 * is then that side's alone (harness and sink included).
 */
async function benchTocsinInChild(mode: Mode, backend: 'pglite' | 'postgres', log: (m: string) => void): Promise<SideResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--side', backend, '--mode', mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => {
    for (const line of c.toString().split('\n')) if (line.trim()) log(line);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const last = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`the ${backend} side exited with ${code}: ${stdout.slice(-300)}`);
  return JSON.parse(last) as SideResult;
}

// Run as a child: `node --import tsx bench/alerting.ts --side pglite|postgres --mode quick|full`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
  const side = arg('--side') as 'pglite' | 'postgres';
  const result = await benchTocsin(workloads[arg('--mode') as Mode], side, (m) => process.stderr.write(`${m}\n`));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');

/** Runs the alerting benchmark and answers its report section (markdown). */
export async function runAlertingBenchmark(mode: Mode, log: (m: string) => void): Promise<string> {
  const w = workloads[mode];
  const sides = new Set((process.env.BENCH_ALERTING_SIDES ?? 'pglite,postgres,alertmanager').split(','));
  const rows: SideResult[] = [];
  if (sides.has('pglite')) rows.push(await benchTocsinInChild(mode, 'pglite', log));
  if (sides.has('postgres')) {
    try {
      rows.push(await benchTocsinInChild(mode, 'postgres', log));
    } catch (err) {
      rows.push({ name: 'Tocsin on the PostgreSQL server', loadSeconds: NaN, achievedChangesPerSecond: NaN, probes: 0, notified: 0, p50: NaN, p99: NaN, max: NaN, rssMb: NaN, error: (err as Error).message });
    }
  }
  const bin = sides.has('alertmanager') ? alertmanagerBinary() : null;
  if (bin) {
    try {
      rows.push(await benchAlertmanager(bin, w, log));
    } catch (err) {
      rows.push({ name: 'Alertmanager', loadSeconds: NaN, achievedChangesPerSecond: NaN, probes: 0, notified: 0, p50: NaN, p99: NaN, max: NaN, rssMb: NaN, error: (err as Error).message });
    }
  }
  const ours = rows.filter((r) => r.name.startsWith('Tocsin') && !r.error);
  const best = ours.reduce<SideResult | null>((b, r) => (b === null || r.p99 < b.p99 ? r : b), null);
  return [
    '## Alerting (bench/alerting.ts)',
    '',
    `Generated by \`npm run bench\` on ${new Date().toISOString()}, Node ${process.version}; ${w.alerts.toLocaleString('en')} active alerts in ${w.areas.toLocaleString('en')} groups, then ${w.changesPerSecond.toLocaleString('en')} changes/s for ${w.seconds} s; one change in ${w.probeEvery} is a new alert in a new group, timed from submission until its webhook arrives.`,
    '',
    '| dispatcher | load of the active alerts | changes/s achieved | probes notified | p50 | p99 | max | memory (RSS of the process) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      r.error
        ? `| ${r.name} | failed: ${r.error.replace(/\|/g, '/').slice(0, 200)} | | | | | | |`
        : `| ${r.name} | ${r.loadSeconds.toFixed(1)} s | ${Math.round(r.achievedChangesPerSecond).toLocaleString('en')} | ${r.notified} / ${r.probes} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.rssMb.toFixed(0)} MB |`,
    ),
    '',
    `Target: p99 under 50 ms with state persisted, 10,000 changes/s — ${best && best.p99 < 50 && best.notified === best.probes && best.achievedChangesPerSecond >= 0.95 * w.changesPerSecond ? '**met**' : '**missed**'} (best: ${best ? `${best.name}, ${ms(best.p99)} at ${Math.round(best.achievedChangesPerSecond).toLocaleString('en')} changes/s` : 'none ran'}). Each Tocsin side runs in a process of its own; its memory figure is that process (harness, sink and PGlite's worker included); Alertmanager's is its process alone.`,
    bin ? '' : 'Alertmanager is not installed here (Debian: `apt-get install -y prometheus-alertmanager`): no side-by-side figures in this run.',
  ].join('\n');
}
