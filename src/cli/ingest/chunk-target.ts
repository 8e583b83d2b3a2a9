import type { LineRejection } from '../../domain/observations/observation.ts';

/** A run of lines cut from one file, ready to parse or post. */
export interface Chunk {
  /** The file, as the summary names it. */
  label: string;
  text: string;
  /** Added to a line number within `text` to give the line number in the file. */
  offset: number;
  /** Lines holding data (blank lines and the CSV header excluded). */
  dataLines: number;
  /** Bytes of the file read so far. */
  bytesRead: number;
}

/** What one chunk did; `rejected` numbered within the chunk, `rejectedCount` counts those not listed too. */
export interface ChunkOutcome {
  accepted: number;
  duplicates: number;
  rejected: readonly LineRejection[];
  rejectedCount: number;
}

/** Where chunks go: the store directly, or a running server. */
export interface Target {
  readonly describe: string;
  send(chunk: Chunk, format: 'ndjson' | 'csv'): Promise<ChunkOutcome>;
  close(): Promise<void>;
}
