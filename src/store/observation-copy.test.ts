import { describe, expect, it } from 'vitest';
import { encodeObservationCopyBinary, encodeObservationCopySlices } from './observation-copy.ts';
import type { ObservationRows } from './sql-client.ts';

function rowsOf(times: number[]): ObservationRows {
  return {
    seriesIds: Int32Array.from(times.map((_, i) => i + 1)),
    times: Float64Array.from(times),
    values: Float64Array.from(times.map((_, i) => i + 0.5)),
    length: times.length,
  };
}

describe('binary COPY encoding', () => {
  it('writes the signature, one 34-byte tuple per row and the -1 trailer', () => {
    const bytes = encodeObservationCopyBinary(rowsOf([Date.UTC(2000, 0, 1, 0, 0, 1)]));
    expect(bytes.length).toBe(19 + 34 + 2);
    expect(Buffer.from(bytes.subarray(0, 11)).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    const view = new DataView(bytes.buffer);
    expect(view.getInt16(19)).toBe(3); // three fields
    expect(view.getInt32(21)).toBe(4);
    expect(view.getInt32(25)).toBe(1); // series id
    expect(view.getBigInt64(33)).toBe(1_000_000n); // one second after the PostgreSQL epoch, in µs
    expect(view.getFloat64(45)).toBe(0.5);
    expect(view.getInt16(53)).toBe(-1);
  });

  it('encodes times before 2000 and far ahead exactly', () => {
    const times = [Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(2026, 10, 21, 10, 0, 0, 123), 8.64e15];
    const bytes = encodeObservationCopyBinary(rowsOf(times));
    const view = new DataView(bytes.buffer);
    times.forEach((t, i) => {
      expect(view.getBigInt64(19 + i * 34 + 14)).toBe(BigInt(t - 946_684_800_000) * 1000n);
    });
  });

  it('slices into pieces that concatenate to the whole stream', async () => {
    const rows = rowsOf(Array.from({ length: 12_345 }, (_, i) => 1_700_000_000_000 + i * 1000));
    const chunks: Buffer[] = [];
    for await (const chunk of encodeObservationCopySlices(rows)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(Buffer.from(encodeObservationCopyBinary(rows)))).toBe(true);
  });
});
