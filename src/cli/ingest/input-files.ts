import fs from 'node:fs';
import path from 'node:path';
import type { BatchFormat } from '../../domain/observations/parse-batch.ts';
import { IngestFailure } from './ingest-failure.ts';

const formatByExtension: Readonly<Record<string, BatchFormat>> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.csv': 'csv' };

/** One file named on the command line, checked readable, with the format it will be read as. */
export interface InputFile {
  /** As given on the command line; `-` is stdin. */
  arg: string;
  /** How the summary names it. */
  label: string;
  format: 'ndjson' | 'csv';
  /** Bytes, or null for stdin. */
  size: number | null;
}

/** Checks every input before anything is written, so a typo in the last file costs nothing. */
export async function inspectInputs(args: string[], forced: BatchFormat | undefined): Promise<InputFile[]> {
  if (args.filter((a) => a === '-').length > 1) throw new IngestFailure('"-" (stdin) may be given only once');
  const inputs: InputFile[] = [];
  for (const arg of args) {
    if (arg === '-') {
      inputs.push({ arg, label: '<stdin>', format: forced === 'csv' ? 'csv' : 'ndjson', size: null });
      continue;
    }
    let size: number;
    try {
      const stat = await fs.promises.stat(arg);
      if (stat.isDirectory()) throw new IngestFailure(`${arg}: is a folder, not a file`);
      await fs.promises.access(arg, fs.constants.R_OK);
      size = stat.size;
    } catch (err) {
      if (err instanceof IngestFailure) throw err;
      throw new IngestFailure(`cannot read ${arg}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const format = forced ?? formatByExtension[path.extname(arg).toLowerCase()];
    if (format === undefined || format === 'json') {
      throw new IngestFailure(`${arg}: cannot tell the format from its name; use .ndjson, .jsonl or .csv, or --format ndjson|csv`);
    }
    inputs.push({ arg, label: arg, format, size });
  }
  return inputs;
}
