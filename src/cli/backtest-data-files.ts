import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { BatchFormatError, parseBatch, type ParsedBatch } from '../domain/observations/parse-batch.ts';
import type { BacktestDataBuilder } from '../app/backtest/backtest-data.ts';
import { IngestFailure } from './ingest/ingest-failure.ts';
import { inspectInputs, type InputFile } from './ingest/input-files.ts';
import { readChunks } from './ingest/read-chunks.ts';

/**
 * The history of `tocsin backtest --data`: a file, or a folder of files, in the formats ingest
 * reads (NDJSON, CSV) plus JSON arrays, each optionally gzip-compressed (`.gz`). Text files are
 * cut into batches exactly as `tocsin ingest` cuts them and parsed by the same parseBatch, so a
 * line is refused for the same reason in both; bad lines are counted, the first few listed.
 */

/** A problem with the data that ends the run (exit 2), in one line naming the file. */
export class DataInputError extends Error {}

/** One observation file. */
export interface DataFile {
  path: string;
  format: 'ndjson' | 'csv' | 'json';
  gzip: boolean;
  /** Bytes on disk. */
  size: number;
}

/** What reading the files found besides the observations. */
export interface DataReadTally {
  files: number;
  lines: number;
  rejected: number;
  /** `file:line: reason` (`file: element n: reason` in a JSON array) for the first rejected lines. */
  listed: string[];
}

const dataFilePattern = /^[^.].*\.(ndjson|jsonl|csv|json)(\.gz)?$/i;
const formatOf: Readonly<Record<string, DataFile['format']>> = { ndjson: 'ndjson', jsonl: 'ndjson', csv: 'csv', json: 'json' };
const linesPerBatch = 10_000;
/** Bad lines listed by file and line; the rest are only counted. */
export const listedRejections = 10;

/**
 * The files `--data` names: the file itself, or the observation files directly in the folder
 * (hidden ones skipped), in name order. `forced` reads every file as that format.
 */
export async function listDataFiles(arg: string, forced?: DataFile['format']): Promise<DataFile[]> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(arg);
  } catch (err) {
    throw new DataInputError(`--data ${arg}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!stat.isDirectory()) return [await describeFile(arg, forced)];
  const names = (await fs.promises.readdir(arg, { withFileTypes: true }))
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && (forced ? !e.name.startsWith('.') : dataFilePattern.test(e.name)))
    .map((e) => e.name)
    .sort();
  if (names.length === 0) {
    throw new DataInputError(`--data ${arg}: the folder holds no observation files (*.ndjson, *.jsonl, *.csv, *.json, optionally .gz)`);
  }
  return Promise.all(names.map((name) => describeFile(path.join(arg, name), forced)));
}

async function describeFile(file: string, forced: DataFile['format'] | undefined): Promise<DataFile> {
  const m = /\.(ndjson|jsonl|csv|json)(\.gz)?$/i.exec(file);
  const gzip = /\.gz$/i.test(file);
  const format = forced ?? (m ? formatOf[m[1]!.toLowerCase()] : undefined);
  if (format === undefined) {
    throw new DataInputError(`--data ${file}: cannot tell the format from its name; use .ndjson, .jsonl, .csv or .json (optionally .gz), or --format`);
  }
  if (!gzip && format !== 'json') {
    // The same checks, and the same messages, as tocsin ingest's.
    try {
      const [input] = await inspectInputs([file], format);
      return { path: file, format, gzip, size: input!.size ?? 0 };
    } catch (err) {
      if (err instanceof IngestFailure) throw new DataInputError(`--data ${err.message}`);
      throw err;
    }
  }
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    return { path: file, format, gzip, size: (await fs.promises.stat(file)).size };
  } catch (err) {
    throw new DataInputError(`--data ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * Reads every file into `builder`; `now` is the receiving clock for the future-time check (as
 * ingest's); `progress` hears the bytes read from disk so far, over all files.
 */
export async function readDataFiles(files: readonly DataFile[], builder: BacktestDataBuilder, now: number, progress: (bytes: number) => void = () => {}): Promise<DataReadTally> {
  const tally: DataReadTally = { files: 0, lines: 0, rejected: 0, listed: [] };
  let before = 0;
  for (const file of files) {
    await readDataFile(file, builder, now, tally, (bytes) => progress(before + bytes));
    before += file.size;
    tally.files++;
  }
  return tally;
}

async function readDataFile(file: DataFile, builder: BacktestDataBuilder, now: number, tally: DataReadTally, progress: (bytes: number) => void): Promise<void> {
  const raw = fs.createReadStream(file.path, { highWaterMark: 1 << 20 });
  let source: AsyncIterable<Buffer | string> = raw;
  if (file.gzip) {
    const gunzip = zlib.createGunzip();
    // Progress counts compressed bytes, as the file's size does.
    let bytes = 0;
    raw.on('data', (chunk) => progress((bytes += chunk.length)));
    // Errors of either stream end the iteration over `gunzip` below.
    pipeline(raw, gunzip, () => {});
    source = gunzip;
  }
  if (file.format === 'json') {
    // Whole (a JSON array cannot be cut into lines), decoded once so no character is split.
    const pieces: Buffer[] = [];
    let text: string;
    try {
      for await (const piece of source) pieces.push(typeof piece === 'string' ? Buffer.from(piece) : piece);
      text = Buffer.concat(pieces).toString('utf8').replace(/^\uFEFF/, '');
    } catch (err) {
      throw new DataInputError(`--data ${file.path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    let parsed: ParsedBatch;
    try {
      parsed = parseBatch(text, 'json', now);
    } catch (err) {
      if (err instanceof BatchFormatError) throw new DataInputError(`--data ${file.path}: ${err.message.replace(/^body /, 'the file ')}`);
      throw err;
    }
    addBatch(builder, tally, parsed, (n) => `${file.path}: element ${n}`);
    progress(file.size);
    return;
  }
  const input: InputFile = { arg: file.path, label: file.path, format: file.format, size: file.size };
  try {
    for await (const chunk of readChunks(source, input, linesPerBatch)) {
      if (!file.gzip) progress(chunk.bytesRead);
      if (chunk.dataLines === 0) continue;
      addBatch(builder, tally, parseBatch(chunk.text, file.format, now), (n) => `${file.path}:${n + chunk.offset}`);
    }
  } catch (err) {
    if (err instanceof IngestFailure) throw new DataInputError(`--data ${err.message}`);
    throw err;
  } finally {
    raw.destroy();
  }
}

// `where` names a rejected line (or array element) for the listing.
function addBatch(builder: BacktestDataBuilder, tally: DataReadTally, batch: ParsedBatch, where: (line: number) => string): void {
  builder.add(batch.observations);
  tally.lines += batch.total;
  tally.rejected += batch.rejected.length;
  for (const r of batch.rejected) {
    if (tally.listed.length >= listedRejections) break;
    tally.listed.push(`${where(r.line)}: ${r.error}`);
  }
}
