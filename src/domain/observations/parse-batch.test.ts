import { describe, expect, it } from 'vitest';
import { BatchFormatError, parseBatch } from './parse-batch.ts';
import { parseCsvLine } from './csv-line.ts';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('parseBatch', () => {
  it('numbers NDJSON lines as the sender does, skipping blank lines and CRLF endings', () => {
    const body = '{"series":"A","t":1763719200000,"v":1}\r\n\r\n{"series":"A","t":1763719260000,"v":2}\r\n{bad}\r\n';
    const batch = parseBatch(body, 'ndjson', now);
    expect(batch.lines).toEqual([1, 3]);
    expect(batch.rejected).toEqual([{ line: 4, error: expect.stringMatching(/^not valid JSON/) }]);
    expect(batch.total).toBe(3);
  });

  it('reads a final line without a newline', () => {
    expect(parseBatch('{"series":"A","t":1763719200000,"v":1}', 'ndjson', now).observations).toHaveLength(1);
  });

  it('numbers JSON array elements from 1', () => {
    const batch = parseBatch('[{"series":"A","t":1763719200000,"v":1}, 7]', 'json', now);
    expect(batch.observations).toHaveLength(1);
    expect(batch.rejected).toEqual([{ line: 2, error: 'expected an object {"series","t","v"}, got number 7' }]);
  });

  it.each([
    ['json', '{"series":"A"}', /JSON array/],
    ['json', '[{"series":', /not valid JSON/],
    ['csv', 'series,time,v\nA,1,2\n', /line 1: .*missing "t"/],
    ['csv', 'series,t,v,colour\nA,1,2,red\n', /unknown CSV column "colour"/],
  ] as const)('refuses a whole %s body that cannot be read: %j', (format, body, reason) => {
    expect(() => parseBatch(body, format, now)).toThrowError(BatchFormatError);
    expect(() => parseBatch(body, format, now)).toThrowError(reason);
  });

  it('reads CSV with optional columns, quoted fields, a BOM and epoch-ms times', () => {
    const csv = '\uFEFFseries,t,v,unit,lon,lat\n"ST1",1763719200000,3.5,m,113.2,23.1\n"ST,1",1763719200000,3.5,m,113.2,23.1\nST2,2026-11-21T10:00:00Z,4,,,\nST3,2026-11-21T10:00:00Z,4,m,abc,1\nST4,2026-11-21T10:00:00Z\n';
    const batch = parseBatch(csv, 'csv', now);
    expect(batch.observations[0]).toEqual({ series: 'ST1', t: 1763719200000, v: 3.5, meta: { unit: 'm', lon: 113.2, lat: 23.1 } });
    expect(batch.observations[1]).toEqual({ series: 'ST2', t: Date.UTC(2026, 10, 21, 10), v: 4 });
    expect(batch.rejected).toEqual([
      { line: 3, error: expect.stringMatching(/^series: "ST,1" may hold only/) },
      { line: 5, error: 'lon: expected a number from -180 to 180' },
      { line: 6, error: 'expected 6 fields, found 2' },
    ]);
  });
});

describe('parseCsvLine', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c', ['a', '', 'c']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['x,"",y', ['x', '', 'y']],
  ])('splits %j', (line, fields) => expect(parseCsvLine(line)).toEqual(fields));

  it.each([
    ['"open', 'unterminated quoted field'],
    ['"a"b,c', 'unexpected character after a quoted field at column 4'],
  ])('refuses %j', (line, reason) => expect(parseCsvLine(line)).toBe(reason));
});
