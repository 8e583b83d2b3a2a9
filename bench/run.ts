/**
 * `npm run bench`: runs every benchmark in bench/ (for now, ingest) and rewrites the generated
 * sections of BENCHMARKS.md. `BENCH_QUICK=1` runs smoke volumes (~30 s) that still exercise every
 * path, and writes bench/out/BENCHMARKS.quick.md instead, so a smoke run never replaces real figures.
 * `BENCH_RENDER_ONLY=1` re-renders the report from the last run's bench/out/ingest-<mode>.json
 * (after editing the report's layout) without measuring again.
 * Exits 1 when a part failed to run; missed targets are reported, not treated as failures.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIngestBenchmark, type IngestReport, type Mode } from './ingest.ts';
import { judge, renderIngest } from './lib/ingest-report.ts';
import { readReport, replaceSection } from './lib/report-file.ts';
import { runDetectBenchmark } from './detect.ts';
import { runAlertingBenchmark } from './alerting.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(repoRoot, 'bench', 'out');
const mode: Mode = process.env.BENCH_QUICK === '1' ? 'quick' : 'full';
const started = performance.now();
const log = (message: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
};

mkdirSync(outDir, { recursive: true });
log(`mode ${mode}`);
// Detection runs first, on a quiet machine: right after ingest, PostgreSQL is still writing back
// millions of rows in the background and halves the one-core figures.
const detect = runDetectBenchmark(mode, log);
const alerting = process.env.BENCH_RENDER_ONLY === '1' ? null : await runAlertingBenchmark(mode, log);
const resultsFile = join(outDir, `ingest-${mode}.json`);
const ingest: IngestReport =
  process.env.BENCH_RENDER_ONLY === '1'
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as IngestReport)
    : await runIngestBenchmark(mode, repoRoot, outDir, log);
const verdicts = judge(ingest);
writeFileSync(resultsFile, JSON.stringify({ ...ingest, verdicts }, null, 2));

const mainReport = join(repoRoot, 'BENCHMARKS.md');
const target = mode === 'full' ? mainReport : join(outDir, 'BENCHMARKS.quick.md');
// A quick run reuses the hand-written parts of BENCHMARKS.md so its output reads the same.
let report = replaceSection(replaceSection(readReport(mainReport), 'ingest', renderIngest(ingest, verdicts)), 'detect', detect);
if (alerting) report = replaceSection(report, 'alerting', alerting);
writeFileSync(target, report);

for (const v of verdicts) log(`${v.met ? 'met    ' : 'MISSED '} ${v.target}: ${v.measured}`);
const failed = ingest.copy.some((c) => c.error) || ingest.http.some((h) => h.error || h.steps.some((s) => s.mismatches.length));
log(`wrote ${relative(repoRoot, target)}${failed ? ' — some parts FAILED, see "Problems in this run"' : ''}`);
process.exitCode = failed ? 1 : 0;
