import type { LineRejection, Observation } from './observation.ts';
import { validateObservation } from './validate-observation.ts';
import { parseCsvLine } from './csv-line.ts';
import { emptySegment, encodeLines, flatLineEnd, readFlatLine } from './flat-line.ts';

/** The wire formats `POST /api/v1/observations` and `tocsin ingest` read. */
export type BatchFormat = 'json' | 'ndjson' | 'csv';

/** A decoded batch: the good observations (with the line each came from) and the refused lines. */
export interface ParsedBatch {
  observations: Observation[];
  /** 1-based line (or array element) of each observation, parallel to `observations`. */
  lines: number[];
  rejected: LineRejection[];
  /** Lines that held data (blank lines and the CSV header excluded). */
  total: number;
}

/** The whole body could not be read at all (as opposed to single bad lines). */
export class BatchFormatError extends Error {}

/**
 * Decodes and validates a batch. Bad lines are refused one by one with a reason; good lines in the
 * same batch are kept. Only a body that cannot be read at all (a JSON array that does not parse, a
 * CSV without its header) is refused whole, with a `BatchFormatError`.
 */
export function parseBatch(body: string, format: BatchFormat, now: number): ParsedBatch {
  const parser = createBatchParser(body, format, now);
  while (!parser.step(Infinity));
  return parser.batch;
}

/**
 * The same parse, a slice at a time: `step(n)` reads up to n more lines and answers true when the
 * body is done. A server parses a large body in slices and lets other requests (a health check)
 * run in between, so one big batch never stalls the event loop for its whole length.
 */
export interface BatchParser {
  step(maxLines: number): boolean;
  readonly batch: ParsedBatch;
}

/** Starts an incremental parse; throws BatchFormatError at once when the body cannot be read at all. */
export function createBatchParser(body: string, format: BatchFormat, now: number): BatchParser {
  switch (format) {
    case 'ndjson':
      return ndjsonParser(body, now);
    case 'json':
      return jsonArrayParser(body, now);
    case 'csv':
      return csvParser(body, now);
  }
}

function emptyBatch(): ParsedBatch {
  return { observations: [], lines: [], rejected: [], total: 0 };
}

function accept(batch: ParsedBatch, raw: unknown, line: number, now: number): void {
  batch.total++;
  const result = validateObservation(raw, now);
  if (typeof result === 'string') batch.rejected.push({ line, error: result });
  else {
    batch.observations.push(result);
    batch.lines.push(line);
  }
}

function ndjsonParser(body: string, now: number): BatchParser {
  const batch = emptyBatch();
  let start = 0;
  let line = 0;
  // Most lines are flat {"series","t","v"} objects, read from the body's bytes a segment at a time
  // (flat-line.ts); every other line, and every line it would refuse, goes through JSON.parse and
  // validateObservation (readGeneralLine). `bytePos` is where the line at `start` begins in
  // segment.bytes.
  const segment = emptySegment();
  let bytePos = 0;
  // A body of a line or two is cheaper to read by the general path than to encode first.
  const fastPath = body.length >= 192;
  return {
    batch,
    step(maxLines) {
      // The hot loop works on locals, written back at the end: closure variables cost a memory
      // access each time.
      const length = body.length;
      const { observations, lines } = batch;
      let at = start;
      let lineNo = line;
      let b = bytePos;
      let flatCount = 0;
      for (let n = 0; n < maxLines && at < length; n++) {
        if (fastPath && at >= segment.to) {
          encodeLines(body, at, segment);
          b = 0;
        }
        lineNo++;
        if (segment.ascii) b = at - segment.from;
        if (segment.encoded && segment.bytes[b] === 123) {
          const flat = readFlatLine(segment.bytes, b, body, at, now);
          if (flat !== null) {
            // An accepted line is ASCII: as many characters as bytes.
            const lineEnd = flatLineEnd();
            at += lineEnd - b + 1;
            b = lineEnd + 1;
            flatCount++;
            observations.push(flat);
            lines.push(lineNo);
            continue;
          }
        }
        // indexOf + slice is the fastest way to cut lines here (STACK.md §2a).
        let end = body.indexOf('\n', at);
        if (end === -1) end = length;
        if (segment.encoded && !segment.ascii) b = segment.bytes.indexOf(10, b) + 1;
        readGeneralLine(batch, body.slice(at, end), lineNo, now);
        at = end + 1;
      }
      batch.total += flatCount;
      start = at;
      line = lineNo;
      bytePos = b;
      return start >= length;
    },
  };
}

/** One NDJSON line the fast path did not take: JSON.parse, then validateObservation. */
function readGeneralLine(batch: ParsedBatch, text: string, line: number, now: number): void {
  // Cheap checks first: trim() allocates, and almost every line starts with "{".
  if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
  if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    batch.total++;
    batch.rejected.push({ line, error: `not valid JSON: ${(err as Error).message}` });
    return;
  }
  accept(batch, raw, line, now);
}

function jsonArrayParser(body: string, now: number): BatchParser {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new BatchFormatError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) {
    throw new BatchFormatError('body must be a JSON array of observations (or send application/x-ndjson)');
  }
  const items: unknown[] = raw;
  const batch = emptyBatch();
  let i = 0;
  return {
    batch,
    step(maxLines) {
      for (let n = 0; n < maxLines && i < items.length; n++, i++) accept(batch, items[i], i + 1, now);
      return i >= items.length;
    },
  };
}

const csvColumns = new Set(['series', 't', 'v', 'indicator', 'domain', 'unit', 'area', 'lon', 'lat']);
const numericColumns = new Set(['v', 'lon', 'lat']);

function csvParser(body: string, now: number): BatchParser {
  const rows = body.split('\n');
  const headerIndex = rows.findIndex((r) => r.trim() !== '');
  const batch = emptyBatch();
  if (headerIndex === -1) return { batch, step: () => true };
  const header = parseCsvLine(rows[headerIndex]!.replace(/\r$/, '').replace(/^\uFEFF/, ''));
  if (typeof header === 'string') throw new BatchFormatError(`line ${headerIndex + 1}: ${header}`);
  const columns = header.map((h) => h.trim());
  for (const required of ['series', 't', 'v']) {
    if (!columns.includes(required)) {
      throw new BatchFormatError(`line ${headerIndex + 1}: the CSV header must name the columns series,t,v (missing "${required}")`);
    }
  }
  for (const column of columns) {
    if (!csvColumns.has(column)) {
      throw new BatchFormatError(`line ${headerIndex + 1}: unknown CSV column "${column}" (known: ${[...csvColumns].join(', ')})`);
    }
  }
  let i = headerIndex + 1;
  return {
    batch,
    step(maxLines) {
      for (let n = 0; n < maxLines && i < rows.length; n++, i++) readCsvRow(batch, columns, rows[i]!, i + 1, now);
      return i >= rows.length;
    },
  };
}

function readCsvRow(batch: ParsedBatch, columns: string[], row: string, line: number, now: number): void {
  const text = row.replace(/\r$/, '');
  if (text.trim() === '') return;
  const cells = parseCsvLine(text);
  if (typeof cells === 'string' || cells.length !== columns.length) {
    batch.total++;
    const reason = typeof cells === 'string' ? cells : `expected ${columns.length} fields, found ${cells.length}`;
    batch.rejected.push({ line, error: reason });
    return;
  }
  const raw: Record<string, unknown> = {};
  for (let c = 0; c < columns.length; c++) {
    const name = columns[c]!;
    const cell = cells[c]!;
    if (cell === '' && name !== 'series' && name !== 't' && name !== 'v') continue;
    raw[name] = numericColumns.has(name) ? csvNumber(cell) : name === 't' && /^-?\d+$/.test(cell) ? Number(cell) : cell;
  }
  accept(batch, raw, line, now);
}

/** A CSV cell as a number; text that is not one stays text so the error can quote it. */
function csvNumber(cell: string): number | string | undefined {
  if (cell === '') return undefined;
  const n = Number(cell);
  return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
}
