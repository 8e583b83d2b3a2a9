import { StringDecoder } from 'node:string_decoder';
import { BatchFormatError, parseBatch } from '../../domain/observations/parse-batch.ts';
import type { Chunk } from './chunk-target.ts';
import { IngestFailure } from './ingest-failure.ts';
import type { InputFile } from './input-files.ts';

/**
 * Cuts a byte stream into batches of `batch` lines. Every line (blank ones too) is kept, so a line
 * number in a batch maps back to the file by a fixed offset. CSV batches each repeat the header,
 * because parseBatch reads a CSV body only with one.
 */
export async function* readChunks(source: AsyncIterable<Buffer | string>, input: InputFile, batch: number): AsyncGenerator<Chunk> {
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
