import { readdirSync, readFileSync } from 'node:fs';
import type { CpuShare } from './results.ts';

/** Linux reports process CPU in clock ticks; USER_HZ is 100 on every mainstream x86-64 kernel. */
const ticksPerSecond = 100;

interface CpuSnapshot {
  at: number;
  client: NodeJS.CpuUsage;
  serverTicks: number;
  postgresTicks: Map<number, number>;
  machineBusyTicks: number;
}

/** Ticks a process has used (user + system), or NaN when it is gone. */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}

/** Ticks used so far by each process named `postgres` (backends, checkpointer, WAL writer), by pid. */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended between listing and reading: its ticks are lost, which is fine here.
    }
  }
  return ticks;
}

/**
 * PostgreSQL ticks between two readings. Backends come and go, so only processes alive at the end
 * count (from zero if they started meanwhile); one that exited takes its ticks with it.
 */
function postgresDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return sum;
}

/** Busy ticks of the whole machine: everything but idle and iowait (PostgreSQL's work shows here). */
function machineBusyTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const n = line.trim().split(/\s+/).slice(1).map(Number);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return total - (n[3] ?? 0) - (n[4] ?? 0);
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts measuring; the returned function gives CPU use since then, in % of one core: this
 * process, the server under test (pid 0 for none), PostgreSQL, and everything else on the machine
 * (other people's work skews the figures, so the report shows it).
 */
export function startCpuMeter(serverPid: number): () => CpuShare {
  const before: CpuSnapshot = {
    at: performance.now(),
    client: process.cpuUsage(),
    serverTicks: serverPid ? processTicks(serverPid) : 0,
    postgresTicks: postgresTicks(),
    machineBusyTicks: machineBusyTicks(),
  };
  return () => {
    const seconds = (performance.now() - before.at) / 1000;
    const c = process.cpuUsage(before.client);
    const pct = (cpuSeconds: number) => (seconds > 0 ? (100 * cpuSeconds) / seconds : Number.NaN);
    const client = pct((c.user + c.system) / 1e6);
    const server = serverPid ? pct((processTicks(serverPid) - before.serverTicks) / ticksPerSecond) : 0;
    const postgres = pct(postgresDelta(before.postgresTicks, postgresTicks()) / ticksPerSecond);
    const machine = pct((machineBusyTicks() - before.machineBusyTicks) / ticksPerSecond);
    return { client, server, postgres, other: Math.max(0, machine - client - server - postgres) };
  };
}

/** CPU used by everything but this process over `ms`, in % of one core: the load others put on the machine. */
export async function backgroundLoad(ms: number): Promise<number> {
  const meter = startCpuMeter(0);
  await new Promise((r) => setTimeout(r, ms));
  const share = meter();
  return share.postgres + share.other;
}
