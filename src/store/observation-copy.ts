import type { ObservationRows } from './sql-client.ts';

/** The observations table's columns in COPY order. */
export const observationColumns = ['series_id', 't', 'v'] as const;

// PostgreSQL's binary COPY format (docs: "COPY … Binary Format"): an 11-byte signature, a flags
// word and a header-extension length; then per row a field count and each field as length + bytes;
// then -1. Binary skips text parsing of timestamps and floats on the database side (≈45% faster on
// PGlite, measured) and is faster to build here than ISO strings.
const signature = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const headerBytes = signature.length + 8;
const rowBytes = 2 + (4 + 4) + (4 + 8) + (4 + 8);
const trailerBytes = 2;
/** 2000-01-01T00:00:00Z in Unix ms: PostgreSQL counts timestamps in µs from there. */
const postgresEpochMs = 946_684_800_000;
const twoTo32 = 4_294_967_296;

/**
 * Encodes rows [from, to) in PostgreSQL's binary COPY format, with the header when `from` is 0
 * and the trailer when `to` is the end, so slices concatenate into one valid stream.
 */
export function encodeObservationCopyBinary(rows: ObservationRows, from = 0, to = rows.length): Uint8Array {
  const withHeader = from === 0;
  const withTrailer = to === rows.length;
  const size = (withHeader ? headerBytes : 0) + (to - from) * rowBytes + (withTrailer ? trailerBytes : 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let o = 0;
  if (withHeader) {
    bytes.set(signature, 0);
    o = headerBytes; // flags and extension length are zero
  }
  const { seriesIds, times, values } = rows;
  for (let i = from; i < to; i++) {
    view.setInt16(o, 3);
    view.setInt32(o + 2, 4);
    view.setInt32(o + 6, seriesIds[i]!);
    view.setInt32(o + 10, 8);
    const micros = (times[i]! - postgresEpochMs) * 1000;
    if (Number.isSafeInteger(micros)) {
      const high = Math.floor(micros / twoTo32);
      view.setInt32(o + 14, high);
      view.setUint32(o + 18, micros - high * twoTo32);
    } else {
      view.setBigInt64(o + 14, BigInt(times[i]! - postgresEpochMs) * 1000n);
    }
    view.setInt32(o + 22, 8);
    view.setFloat64(o + 26, values[i]!);
    o += rowBytes;
  }
  if (withTrailer) view.setInt16(o, -1);
  return bytes;
}

/** Rows encoded per slice when COPY data is built on the server's own thread (well under 1 ms each). */
export const copyRowsPerSlice = 5000;

/**
 * The binary COPY stream in slices, pausing between them so the event loop can answer other
 * requests while a large batch is encoded.
 */
export async function* encodeObservationCopySlices(rows: ObservationRows): AsyncGenerator<Buffer> {
  const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (rows.length === 0) {
    yield asBuffer(encodeObservationCopyBinary(rows));
    return;
  }
  for (let from = 0; from < rows.length; from += copyRowsPerSlice) {
    yield asBuffer(encodeObservationCopyBinary(rows, from, Math.min(rows.length, from + copyRowsPerSlice)));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** COPY options for the binary stream. */
export const copyBinaryOption = 'with (format binary)';

/** SQL that moves staged rows into observations once each, skipping (series, t) pairs already stored. */
export const insertStagedObservationsSql =
  'insert into observations (series_id, t, v) select series_id, t, v from observation_stage on conflict (series_id, t) do nothing';

/** A session-local staging table for the slow path (batches that repeat stored rows). */
export const createStageSql =
  'create temp table if not exists observation_stage (series_id int4, t timestamptz, v float8) on commit delete rows';

/** PostgreSQL's SQLSTATE for a unique violation: a batch repeats a (series, t) already stored. */
export const uniqueViolation = '23505';
