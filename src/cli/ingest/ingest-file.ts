import fs from 'node:fs';
import type { Target } from './chunk-target.ts';
import type { IngestCommandDeps } from './ingest-deps.ts';
import { addToTally, type Tally } from './ingest-tally.ts';
import type { InputFile } from './input-files.ts';
import { readChunks } from './read-chunks.ts';

/** Read size from disk: large enough that a GB file is a few thousand reads. */
const readBytes = 1 << 20;

/** Streams one file through the target, one batch in flight while the next is read. */
export async function ingestFile(
  input: InputFile,
  batch: number,
  target: Target,
  deps: Pick<IngestCommandDeps, 'stdin'>,
  tally: Tally,
  progress: (bytesRead: number, rows: number) => void,
): Promise<void> {
  // Leaving the loop early (a failure) ends the generator, which closes the file stream.
  const source = input.arg === '-' ? (deps.stdin ?? process.stdin) : fs.createReadStream(input.arg, { highWaterMark: readBytes });
  // Storing batch k overlaps reading and cutting batch k+1; awaiting before the next send keeps
  // at most two batches in memory, however large the file.
  let inFlight: Promise<void> | undefined;
  try {
    for await (const chunk of readChunks(source, input, batch)) {
      if (inFlight) await inFlight;
      progress(chunk.bytesRead, tally.lines);
      if (chunk.dataLines === 0) continue;
      inFlight = target.send(chunk, input.format).then((outcome) => addToTally(tally, input, chunk, outcome));
      inFlight.catch(() => {}); // Awaited on the next turn; this only keeps it from being "unhandled" meanwhile.
    }
    if (inFlight) await inFlight;
  } catch (err) {
    // The batch being stored must finish before the store is closed.
    await inFlight?.catch(() => {});
    throw err;
  }
}
