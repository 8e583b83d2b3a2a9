import cliProgress from 'cli-progress';
import type { TextOutput } from './ingest-deps.ts';
import type { InputFile } from './input-files.ts';

/** A progress bar over the total size of the inputs (or bytes read, when stdin makes it unknown). */
export function startBar(stderr: TextOutput, inputs: readonly InputFile[]): cliProgress.SingleBar {
  const knownSize = inputs.every((i) => i.size !== null);
  const total = inputs.reduce((sum, i) => sum + (i.size ?? 0), 0);
  const bar = new cliProgress.SingleBar(
    barOptions(stderr, knownSize ? `{bar} {percentage}% | {done}/${megabytes(total)} | {rows} rows | ETA {eta_formatted} | {file}` : '{done} read | {rows} rows | {file}'),
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { file: inputs[0]?.label ?? '', rows: 0, done: megabytes(0) });
  return bar;
}

/** The options every progress bar of the CLI shares, with its line format. */
export function barOptions(stderr: TextOutput, format: string): cliProgress.Options {
  return {
    stream: stderr as NodeJS.WritableStream,
    // Off a terminal (CI logs), print a plain line every few seconds instead of escape codes.
    noTTYOutput: true,
    notTTYSchedule: 2000,
    hideCursor: false,
    // cli-progress would otherwise swallow the first Ctrl-C.
    gracefulExit: false,
    barsize: 30,
    format,
  };
}

/** Bytes as `12.3 MB`. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
