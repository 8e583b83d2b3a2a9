/**
 * The R side of bench/detect: writes the bench's data for bench/r/surveillance-bench.R, runs it
 * with Rscript when R and `surveillance` are installed (Debian: r-base-core, r-cran-surveillance),
 * and compares R's alarms and upper bounds with ours point by point.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'r', 'surveillance-bench.R');

/** R's version and surveillance's, or null when either is missing. */
export function rVersion(): string | null {
  const probe = spawnSync('Rscript', ['-e', 'suppressMessages(library(surveillance)); cat(R.version.string, "/ surveillance", as.character(packageVersion("surveillance")))'], {
    encoding: 'utf8',
  });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

/** What one R run measured: seconds per task (e.g. `farrington noufaily2013`), and its output files. */
export interface RRun {
  seconds: Map<string, number>;
  /** Reads one of R's output matrices (rows = time points of the range, columns = series) as series × points. */
  matrix(name: string): (number | null)[][];
  dispose(): void;
}

/** Writes series (series × points) as R reads them (a column per series) and runs the R script, best of `repeats`. */
export function runR(inputs: Record<string, readonly (readonly number[])[]>, repeats: number): RRun {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-r-'));
  for (const [name, series] of Object.entries(inputs)) {
    const points = series[0]!.length;
    const lines = [series.map((_, j) => `s${j}`).join(',')];
    for (let i = 0; i < points; i++) lines.push(series.map((s) => s[i]).join(','));
    writeFileSync(join(dir, `${name}.csv`), `${lines.join('\n')}\n`);
  }
  const run = spawnSync('Rscript', [script, dir, String(repeats)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`Rscript failed (${run.status}): ${run.stderr.slice(-500)}`);
  const seconds = new Map<string, number>();
  for (const line of run.stdout.trim().split('\n')) {
    const [task, setting, s] = line.split(' ');
    seconds.set(`${task} ${setting}`, Number(s));
  }
  return {
    seconds,
    matrix(name) {
      const rows = readFileSync(join(dir, `${name}.csv`), 'utf8').trim().split('\n').slice(1);
      const cells = rows.map((r) => r.split(',').map((c) => (c === 'NA' ? null : Number(c))));
      return cells[0]!.map((_, j) => cells.map((row) => row[j]!));
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** How ours and R's agree: share of points with the same alarm, and the largest relative error of the bound where both are defined. */
export function agreement(ours: readonly (readonly (number | null)[])[], theirs: readonly (readonly (number | null)[])[], bounds: [ours: readonly (readonly (number | null)[])[], theirs: readonly (readonly (number | null)[])[]]): { alarms: number; points: number; maxRelError: number } {
  let same = 0;
  let points = 0;
  ours.forEach((series, j) =>
    series.forEach((a, i) => {
      points++;
      if ((a ?? 0) === (theirs[j]![i] ?? 0)) same++;
    }),
  );
  let maxRelError = 0;
  bounds[0].forEach((series, j) =>
    series.forEach((u, i) => {
      const r = bounds[1][j]![i];
      if (u === null || r === null || r === undefined || !Number.isFinite(u) || !Number.isFinite(r)) return;
      maxRelError = Math.max(maxRelError, Math.abs(u - r) / Math.max(Math.abs(r), 1e-12));
    }),
  );
  return { alarms: same / points, points, maxRelError };
}
