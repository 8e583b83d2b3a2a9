import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** What the figures were measured on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  pglite: string;
}

/** Reads the machine's description from /proc and the installed packages. */
export function describeMachine(repoRoot: string): MachineInfo {
  const cpuinfo = readOr('/proc/cpuinfo');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const osRelease = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readOr('/etc/os-release'))?.[1] ?? process.platform;
  // PGlite's exports map hides package.json from require(), so read the installed file.
  const pgliteManifest = readOr(join(repoRoot, 'node_modules', '@electric-sql', 'pglite', 'package.json'));
  const pglite = pgliteManifest ? (JSON.parse(pgliteManifest) as { version: string }).version : 'unknown';
  return {
    cpuModel: model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: osRelease,
    node: process.version,
    pglite,
  };
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
