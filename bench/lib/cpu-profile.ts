import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Summarises the `.cpuprofile` files `node --cpu-prof` wrote (one per thread: the server's main
 * thread and the PGlite worker) as the functions with the most self time, so BENCHMARKS.md can
 * show what bounds the ingest rate.
 */
export function summariseCpuProfiles(dir: string, repoRoot: string, top = 12): string[] {
  const out: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  } catch {
    return [`(no profile in ${dir})`];
  }
  if (files.length === 0) return [`(no .cpuprofile in ${dir}: did the server exit normally on SIGTERM?)`];
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const dt = profile.timeDeltas[i] ?? 0;
      total += dt;
      const frame = byId.get(id)?.callFrame;
      const where = frame?.url ? ` ${shorten(frame.url, repoRoot)}:${frame.lineNumber + 1}` : '';
      const name = `${frame?.functionName || '(anonymous)'}${where}`;
      self.set(name, (self.get(name) ?? 0) + dt);
    });
    // Shares are of busy time: idle only says the thread waited (for the other thread, or for input).
    const idle = self.get('(idle)') ?? 0;
    self.delete('(idle)');
    const busy = total - idle;
    // Node names files CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread.
    const thread = file.split('.')[4] === '0' ? 'main thread' : `worker thread ${file.split('.')[4]}`;
    out.push(`${thread} (${file}): ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy; share of busy time:`);
    const ranked = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [name, us] of ranked) out.push(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`);
  }
  return out;
}

function shorten(url: string, repoRoot: string): string {
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.startsWith(repoRoot) ? relative(repoRoot, path) : path;
}
