import type { Clock } from '../../domain/kernel/clock.ts';
import type { Store } from '../../store/sql-client.ts';

/** Somewhere to write text: a process stream, or a buffer in tests. */
export interface TextOutput {
  write(text: string): unknown;
  /** A terminal gets a redrawn bar; anything else gets a plain line every few seconds. */
  isTTY?: boolean;
  columns?: number;
}

/** What `tocsin ingest` needs from the runtime; everything but the store and clock has a default. */
export interface IngestCommandDeps {
  /** Opens (and migrates) the store named by `--data` or DATABASE_URL. */
  openStoreFromOptions(opts: { data?: string }): Promise<Store>;
  clock: Clock;
  /** The closing summary (default process.stdout). */
  stdout?: TextOutput;
  /** The progress bar and the one-line failure reason (default process.stderr). */
  stderr?: TextOutput;
  /** What `-` reads (default process.stdin). */
  stdin?: AsyncIterable<Buffer | string>;
  /** HTTP client for `--url` (default global fetch). */
  fetch?: typeof fetch;
  /** Waits between retries (default a real timer); tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}
