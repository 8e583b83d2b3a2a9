import fs from 'node:fs';
import path from 'node:path';
import { TocsinError } from '../domain/kernel/errors.ts';

/**
 * PGlite's files must be opened by one process at a time: two processes on one folder corrupt it.
 * A pid file in the folder says who holds it; a lock left by a killed process is taken over.
 */
export function lockDataDir(dataDir: string, holder: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'tocsin.lock');
  const content = JSON.stringify({ pid: process.pid, holder, since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, content, { flag: 'wx' });
      return () => {
        try {
          const current = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as { pid?: number };
          if (current.pid === process.pid) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readLock(lockPath);
      if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
        throw new TocsinError(
          'TOCSIN_STORE_UNAVAILABLE',
          `data folder ${dataDir} is in use by process ${owner.pid} (${owner.holder ?? 'tocsin'}); stop it first, or talk to it over HTTP`,
          { dataDir, pid: owner.pid },
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new TocsinError('TOCSIN_STORE_UNAVAILABLE', `could not lock data folder ${dataDir}`, { dataDir });
}

function readLock(lockPath: string): { pid: number; holder?: string } | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as { pid?: unknown; holder?: unknown };
    return typeof parsed.pid === 'number'
      ? { pid: parsed.pid, ...(typeof parsed.holder === 'string' ? { holder: parsed.holder } : {}) }
      : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
