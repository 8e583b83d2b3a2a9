import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as delay } from 'node:timers/promises';
import { type Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { Clock } from '../domain/kernel/clock.ts';
import type { LineRejection } from '../domain/observations/observation.ts';
import { BatchFormatError, parseBatch, type BatchFormat } from '../domain/observations/parse-batch.ts';
import { storeParsedBatch, type IngestDeps } from '../app/ingest-observations.ts';
import { SeriesResolver } from '../app/series-resolver.ts';
import { SeriesRepo } from '../store/repos/series-repo.ts';
import type { Store } from '../store/sql-client.ts';
import { withStoreOptions } from './store-options.ts';

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

/** Rejections listed in the summary; the rest are counted. */
const listedRejections = 20;
/** Read size from disk: large enough that a GB file is a few thousand reads. */
const readBytes = 1 << 20;
/** Waits before each retry of a 5xx or connection failure (ms): five attempts within ~8 s. */
const retryDelaysMs = [500, 1000, 2000, 4000];
/** Longest wait a 429/503 Retry-After may impose (ms). */
const maxRetryAfterMs = 60_000;
/** One POST may take this long (ms) before it counts as a failed attempt (re-posting is harmless). */
const requestTimeoutMs = 120_000;

const formatByExtension: Readonly<Record<string, BatchFormat>> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.csv': 'csv' };
const contentTypes: Readonly<Record<'ndjson' | 'csv', string>> = { ndjson: 'application/x-ndjson', csv: 'text/csv' };

/** A failure that ends the run (exit 2) with a one-line reason. */
class IngestFailure extends Error {}

interface InputFile {
  /** As given on the command line; `-` is stdin. */
  arg: string;
  /** How the summary names it. */
  label: string;
  format: 'ndjson' | 'csv';
  /** Bytes, or null for stdin. */
  size: number | null;
}

/** A run of lines cut from one file, ready to parse or post. */
interface Chunk {
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
interface ChunkOutcome {
  accepted: number;
  duplicates: number;
  rejected: readonly LineRejection[];
  rejectedCount: number;
}

/** Where chunks go: the store directly, or a running server. */
interface Target {
  readonly describe: string;
  send(chunk: Chunk, format: 'ndjson' | 'csv'): Promise<ChunkOutcome>;
  close(): Promise<void>;
}

interface Tally {
  files: number;
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  listed: string[];
}

interface IngestOptions {
  format?: string;
  batch: string;
  url?: string;
  token?: string;
  data?: string;
  quiet?: boolean;
}

const examples = `
Formats: NDJSON (.ndjson, .jsonl), one {"series","t","v"} object a line; CSV (.csv) with the
header series,t,v (optional columns indicator,domain,unit,area,lon,lat). "-" reads stdin as NDJSON
unless --format says otherwise. Files are read in batches, never whole, so they may be any size.

Without --url the observations go straight into the store (--data folder, or DATABASE_URL and
TOCSIN_DB_SCHEMA); a data folder that a running server holds must be ingested through --url.

Exit status: 0 every line stored (or already stored), 1 some lines were rejected (the good ones
are stored), 2 nothing more could be done (unreadable file, server unreachable or refusing).

Examples:
  $ tocsin ingest gauges.ndjson rain.csv
  $ tocsin ingest --data /var/lib/tocsin history-2025.jsonl
  $ zcat big.ndjson.gz | tocsin ingest --batch 50000 -
  $ TOCSIN_TOKEN=... tocsin ingest --url http://localhost:8080 readings.csv
`;

/** Adds `tocsin ingest FILE…`: loads NDJSON/CSV observations into a server or the store. */
export function registerIngestCommand(program: Command, deps: IngestCommandDeps): Command {
  const command = program
    .command('ingest')
    .description('load NDJSON or CSV observations into a running server (--url) or the store, with a progress bar')
    .argument('<files...>', 'files to read (.ndjson, .jsonl, .csv); - for stdin')
    .addOption(new Option('--format <format>', 'read every file as this format, whatever its extension').choices(['ndjson', 'csv']))
    .option('--batch <lines>', 'lines per batch stored or posted at once', '10000')
    .addOption(new Option('--url <url>', 'post to this Tocsin server instead of opening the store').env('TOCSIN_URL'))
    .addOption(new Option('--token <token>', 'API token for --url (tocsin token create)').env('TOCSIN_TOKEN'))
    .option('-q, --quiet', 'no progress bar');
  withStoreOptions(command);
  command.addHelpText('after', examples).action(async (files: string[], opts: IngestOptions) => {
    const code = await runIngest(files, opts, deps);
    // Commander's own way to end with a status: the bin turns it into the exit code.
    if (code !== 0) throw new CommanderError(code, code === 1 ? 'tocsin.ingest.rejected' : 'tocsin.ingest.failed', `exit ${code}`);
  });
  return command;
}

/** Runs one ingest and answers its exit code; it has already said why on stdout/stderr. */
async function runIngest(args: string[], opts: IngestOptions, deps: IngestCommandDeps): Promise<0 | 1 | 2> {
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

/** Checks every input before anything is written, so a typo in the last file costs nothing. */
async function inspectInputs(args: string[], forced: BatchFormat | undefined): Promise<InputFile[]> {
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

/** Streams one file through the target, one batch in flight while the next is read. */
async function ingestFile(
  input: InputFile,
  batch: number,
  target: Target,
  deps: IngestCommandDeps,
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
      inFlight = target.send(chunk, input.format).then((outcome) => count(tally, input, chunk, outcome));
      inFlight.catch(() => {}); // Awaited on the next turn; this only keeps it from being "unhandled" meanwhile.
    }
    if (inFlight) await inFlight;
  } catch (err) {
    // The batch being stored must finish before the store is closed.
    await inFlight?.catch(() => {});
    throw err;
  }
}

function count(tally: Tally, input: InputFile, chunk: Chunk, outcome: ChunkOutcome): void {
  tally.lines += chunk.dataLines;
  tally.accepted += outcome.accepted;
  tally.duplicates += outcome.duplicates;
  tally.rejected += outcome.rejectedCount;
  for (const r of outcome.rejected) {
    if (tally.listed.length >= listedRejections) break;
    tally.listed.push(`${input.label}:${r.line + chunk.offset}: ${r.error}`);
  }
}

/**
 * Cuts a byte stream into batches of `batch` lines. Every line (blank ones too) is kept, so a line
 * number in a batch maps back to the file by a fixed offset. CSV batches each repeat the header,
 * because parseBatch reads a CSV body only with one.
 */
async function* readChunks(source: AsyncIterable<Buffer | string>, input: InputFile, batch: number): AsyncGenerator<Chunk> {
  const decoder = new StringDecoder('utf8');
  const csv = input.format === 'csv';
  let header: string | undefined;
  let lines: string[] = [];
  let dataLines = 0;
  let firstLine = 1; // file line number of lines[0]
  let lineNo = 0; // file line number of the last line cut
  let bytesRead = 0;
  let carry = '';

  const cut = (line: string): void => {
    lineNo++;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    const blank = line.trim() === '';
    if (csv && header === undefined) {
      // Lines up to and including the header are not data; the first batch starts after them.
      if (!blank) header = checkHeader(line, lineNo, input.label);
      firstLine = lineNo + 1;
      return;
    }
    if (lines.length === 0) firstLine = lineNo;
    lines.push(line);
    if (!blank) dataLines++;
  };
  const flush = (): Chunk => {
    const body = lines.join('\n');
    const chunk = csv
      ? { label: input.label, text: `${header}\n${body}`, offset: firstLine - 2, dataLines, bytesRead }
      : { label: input.label, text: body, offset: firstLine - 1, dataLines, bytesRead };
    lines = [];
    dataLines = 0;
    return chunk;
  };

  try {
    for await (const piece of source) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
      bytesRead += bytes.length;
      const text = carry + decoder.write(bytes);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        cut(text.slice(start, end));
        start = end + 1;
        if (lines.length >= batch) yield flush();
      }
      carry = text.slice(start);
    }
  } catch (err) {
    // Only reading (and the header check) throws here: a consumer's failure ends us with return().
    if (err instanceof IngestFailure) throw err;
    throw new IngestFailure(`cannot read ${input.label}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const rest = carry + decoder.end();
  if (rest !== '') cut(rest);
  // The last, possibly empty, batch also reports that the whole file was read.
  yield lines.length > 0 ? flush() : { label: input.label, text: '', offset: 0, dataLines: 0, bytesRead };
}

/** Refuses a CSV whose header is unusable before any of its rows is sent. */
function checkHeader(line: string, lineNo: number, label: string): string {
  try {
    parseBatch(line, 'csv', 0);
  } catch (err) {
    if (err instanceof BatchFormatError) throw new IngestFailure(`${label}:${lineNo}: ${err.message.replace(/^line \d+: /, '')}`);
    throw err;
  }
  return line;
}

/** Parses and stores each batch in this process, as source `cli`. */
async function storeTarget(opts: IngestOptions, deps: IngestCommandDeps): Promise<Target> {
  const store = await deps.openStoreFromOptions(opts.data === undefined ? {} : { data: opts.data });
  // No listeners in this process: the server's event stream does not see CLI writes.
  const ingest: IngestDeps = { store, series: new SeriesResolver(new SeriesRepo(store)), clock: deps.clock, events: { publish() {} } };
  return {
    describe: store.location,
    async send(chunk, format) {
      const parsed = parseBatch(chunk.text, format, deps.clock.now());
      const outcome = await storeParsedBatch(ingest, parsed, 'cli');
      return { ...outcome, rejectedCount: outcome.rejected.length };
    },
    close: () => store.close(),
  };
}

/** Posts each batch to `POST {url}/api/v1/observations`, retrying what may pass on a second try. */
function httpTarget(url: string, token: string | undefined, deps: IngestCommandDeps): Target {
  let base: URL;
  try {
    base = new URL(url.endsWith('/') ? url : `${url}/`);
  } catch {
    throw new IngestFailure(`--url ${url} is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new IngestFailure(`--url ${url} must be http or https`);
  if (!token) throw new IngestFailure('--url needs an API token: --token or TOCSIN_TOKEN (tocsin token create NAME)');
  const endpoint = new URL('api/v1/observations', base);
  // Never echo credentials someone put in the URL.
  base.username = '';
  base.password = '';
  const server = base.href.replace(/\/$/, '');
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const post = async (chunk: Chunk, format: 'ndjson' | 'csv') => {
    const res = await doFetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': contentTypes[format], authorization: `Bearer ${token}` },
      body: chunk.text,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
  };
  return {
    describe: server,
    async send(chunk, format) {
      const where = `${chunk.label} from line ${chunk.offset + 1}`;
      for (let attempt = 0; ; attempt++) {
        const last = attempt >= retryDelaysMs.length;
        let answer: Awaited<ReturnType<typeof post>>;
        try {
          answer = await post(chunk, format);
        } catch (err) {
          if (last) throw new IngestFailure(`server unreachable at ${server}: ${fetchFailure(err)}`);
          await sleep(retryDelaysMs[attempt]!);
          continue;
        }
        const body = parseJson(answer.text) as { error?: { message?: unknown; details?: unknown } } | undefined;
        if (answer.status >= 200 && answer.status < 300) {
          const outcome = ingestAnswer(body);
          if (!outcome) throw new IngestFailure(`${server} answered ${answer.status} without {accepted, duplicates, rejected}; is it a Tocsin server?`);
          return outcome;
        }
        // The server answers 400 when no line of a batch was good: those are rejected lines, not a fault.
        const allRejected = answer.status === 400 ? rejectionsIn(body?.error?.details) : undefined;
        if (allRejected) return { accepted: 0, duplicates: 0, ...allRejected };
        const reason = `${answer.status}${errorMessage(body, answer.text)}`;
        // Re-posting is harmless (idempotent on series + t), so any transient answer is retried.
        if (answer.status >= 500 || answer.status === 429) {
          if (last) throw new IngestFailure(`server at ${server} kept failing on ${where}: ${reason}`);
          await sleep(retryWait(answer.retryAfter, retryDelaysMs[attempt]!));
          continue;
        }
        const hint = answer.status === 413 ? ' (use a smaller --batch)' : '';
        throw new IngestFailure(`server refused ${where}: ${reason}${hint}`);
      }
    },
    close: async () => {},
  };
}

/** `{accepted, duplicates, rejected, rejectedCount?}` from a 202 body, if it is one. */
function ingestAnswer(body: unknown): ChunkOutcome | undefined {
  const b = body as { accepted?: unknown; duplicates?: unknown } | undefined;
  const rejections = rejectionsIn(body);
  if (typeof b?.accepted !== 'number' || typeof b.duplicates !== 'number' || !rejections) return undefined;
  return { accepted: b.accepted, duplicates: b.duplicates, ...rejections };
}

/** `{rejected, rejectedCount}` of an answer (the server lists at most 1000; the count is complete). */
function rejectionsIn(value: unknown): { rejected: LineRejection[]; rejectedCount: number } | undefined {
  const v = value as { rejected?: unknown; rejectedCount?: unknown } | undefined;
  if (!Array.isArray(v?.rejected)) return undefined;
  const rejected = (v.rejected as unknown[]).filter(
    (r): r is LineRejection => typeof (r as LineRejection)?.line === 'number' && typeof (r as LineRejection)?.error === 'string',
  );
  return { rejected, rejectedCount: typeof v.rejectedCount === 'number' ? v.rejectedCount : rejected.length };
}

/** The server's message (` …` with a leading space), from our error shape or any JSON or text. */
function errorMessage(body: { error?: { message?: unknown } | unknown; message?: unknown } | undefined, text: string): string {
  const error = body?.error as { message?: unknown } | string | undefined;
  const message =
    typeof error === 'string'
      ? error
      : typeof error?.message === 'string'
        ? error.message
        : typeof body?.message === 'string'
          ? body.message
          : text.slice(0, 200);
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat === '' ? '' : ` ${flat}`;
}

function retryWait(retryAfter: string | null, fallbackMs: number): number {
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, maxRetryAfterMs) : fallbackMs;
}

function fetchFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${requestTimeoutMs / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function startBar(stderr: TextOutput, inputs: readonly InputFile[]): cliProgress.SingleBar {
  const knownSize = inputs.every((i) => i.size !== null);
  const total = inputs.reduce((sum, i) => sum + (i.size ?? 0), 0);
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as NodeJS.WritableStream,
      // Off a terminal (CI logs), print a plain line every few seconds instead of escape codes.
      noTTYOutput: true,
      notTTYSchedule: 2000,
      hideCursor: false,
      // cli-progress would otherwise swallow the first Ctrl-C.
      gracefulExit: false,
      barsize: 30,
      format: knownSize
        ? `{bar} {percentage}% | {done}/${megabytes(total)} | {rows} rows | ETA {eta_formatted} | {file}`
        : '{done} read | {rows} rows | {file}',
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { file: inputs[0]?.label ?? '', rows: 0, done: megabytes(0) });
  return bar;
}

function writeSummary(out: TextOutput, tally: Tally, into: string, elapsedMs: number): void {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${Math.round(tally.lines / seconds)} rows/s)` : '';
  const lines = [
    `${tally.files} file${tally.files === 1 ? '' : 's'}, ${tally.lines} lines in ${seconds.toFixed(2)} s${rate}, into ${into}`,
    `  accepted    ${tally.accepted}`,
    `  duplicates  ${tally.duplicates}`,
    `  rejected    ${tally.rejected}`,
    ...tally.listed,
  ];
  if (tally.rejected > tally.listed.length) lines.push(`… and ${tally.rejected - tally.listed.length} more`);
  out.write(`${lines.join('\n')}\n`);
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new IngestFailure(`--batch ${value}: expected a whole number of lines from 1 to 1000000`);
  return n;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim();
}
