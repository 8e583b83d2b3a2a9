import type { Chunk, ChunkOutcome } from './chunk-target.ts';
import type { InputFile } from './input-files.ts';

/** Rejections listed in the summary; the rest are counted. */
const listedRejections = 20;

/** Running totals of one ingest, and the first rejections as the summary lists them. */
export interface Tally {
  files: number;
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  listed: string[];
}

/** Adds one chunk's outcome to the tally, numbering its rejections by file line. */
export function addToTally(tally: Tally, input: InputFile, chunk: Chunk, outcome: ChunkOutcome): void {
  tally.lines += chunk.dataLines;
  tally.accepted += outcome.accepted;
  tally.duplicates += outcome.duplicates;
  tally.rejected += outcome.rejectedCount;
  for (const r of outcome.rejected) {
    if (tally.listed.length >= listedRejections) break;
    tally.listed.push(`${input.label}:${r.line + chunk.offset}: ${r.error}`);
  }
}
