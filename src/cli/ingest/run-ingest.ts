import type cliProgress from 'cli-progress';
import type { BatchFormat } from '../../domain/observations/parse-batch.ts';
import type { Target } from './chunk-target.ts';
import { httpTarget } from './http-target.ts';
import type { IngestCommandDeps } from './ingest-deps.ts';
import { IngestFailure } from './ingest-failure.ts';
import { ingestFile } from './ingest-file.ts';
import type { Tally } from './ingest-tally.ts';
import { inspectInputs } from './input-files.ts';
import { megabytes, startBar } from './progress-bar.ts';
import { storeTarget } from './store-target.ts';
import { writeSummary } from './write-summary.ts';

/** The options of `tocsin ingest` as commander hands them over. */
export interface IngestOptions {
  format?: string;
  batch: string;
  url?: string;
  token?: string;
  data?: string;
  quiet?: boolean;
}

/** Runs one ingest and answers its exit code; it has already said why on stdout/stderr. */
export async function runIngest(args: string[], opts: IngestOptions, deps: IngestCommandDeps): Promise<0 | 1 | 2> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const tally: Tally = { files: 0, lines: 0, accepted: 0, duplicates: 0, rejected: 0, listed: [] };
  let target: Target | undefined;
  let bar: cliProgress.SingleBar | undefined;
  let started = deps.clock.now();
  try {
    const batch = positiveInteger(opts.batch);
    const inputs = await inspectInputs(args, opts.format as BatchFormat | undefined);
    target = opts.url ? httpTarget(opts.url, opts.token, deps) : await storeTarget(opts, deps);
    if (!opts.quiet) bar = startBar(stderr, inputs);
    started = deps.clock.now();
    let doneBefore = 0;
    for (const input of inputs) {
      await ingestFile(input, batch, target, deps, tally, (read, rows) =>
        bar?.update(doneBefore + read, { file: input.label, rows, done: megabytes(doneBefore + read) }),
      );
      doneBefore += input.size ?? 0;
      tally.files++;
    }
    bar?.stop();
    bar = undefined;
    writeSummary(stdout, tally, target.describe, deps.clock.now() - started);
    return tally.rejected > 0 ? 1 : 0;
  } catch (err) {
    bar?.stop();
    if (tally.lines > 0) writeSummary(stdout, tally, target?.describe ?? '', deps.clock.now() - started);
    stderr.write(`tocsin ingest: ${oneLine(err)}\n`);
    return 2;
  } finally {
    await target?.close();
  }
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new IngestFailure(`--batch ${value}: expected a whole number of lines from 1 to 1000000`);
  return n;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim();
}
