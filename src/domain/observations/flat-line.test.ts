import { describe, expect, it, vi } from 'vitest';
import { emptySegment, encodeLines, readFlatLine } from './flat-line.ts';
import type { Observation } from './observation.ts';
import { createBatchParser, parseBatch, type ParsedBatch } from './parse-batch.ts';
import { parseCanonicalIso, validateObservation } from './validate-observation.ts';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);

// Counts the lines the fast path accepts inside parseBatch: nothing else tells them apart from the
// general path's, by design.
const fastPath = vi.hoisted(() => ({ accepted: 0 }));
vi.mock('./flat-line.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('./flat-line.ts')>();
  return {
    ...real,
    readFlatLine: (...args: Parameters<typeof real.readFlatLine>) => {
      const observation = real.readFlatLine(...args);
      if (observation !== null) fastPath.accepted++;
      return observation;
    },
  };
});

const segment = emptySegment();

/** readFlatLine on one line of text, as parse-batch calls it. */
function readLine(text: string): Observation | null {
  encodeLines(text, 0, segment);
  return segment.encoded && segment.bytes[0] === 123 ? readFlatLine(segment.bytes, 0, text, 0, now) : null;
}

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

/**
 * NDJSON as parse-batch read it before the fast path, line for line: the general path alone
 * (JSON.parse + validateObservation), with the same line numbering, CR and blank-line rules.
 */
function generalPath(body: string, at: number): ParsedBatch {
  const batch: ParsedBatch = { observations: [], lines: [], rejected: [], total: 0 };
  let start = 0;
  let line = 0;
  while (start < body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    line++;
    let text = body.slice(start, end);
    start = end + 1;
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) continue;
    batch.total++;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      batch.rejected.push({ line, error: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const result = validateObservation(raw, at);
    if (typeof result === 'string') batch.rejected.push({ line, error: result });
    else {
      batch.observations.push(result);
      batch.lines.push(line);
    }
  }
  return batch;
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

function seriesValue(rand: () => number, clean = false): string {
  const r = clean ? rand() * 0.7 : rand();
  if (r < 0.55) return JSON.stringify(`ST${pad(Math.floor(rand() * 100_000), 5)}.${pick(rand, ['level', 'rain', 'q'])}`);
  if (r < 0.65) return JSON.stringify(pick(rand, ['A', 'a', '_', 'x/y:z-1.2', 'river_3/gauge:north-7.level', 'ab.cdefghijklm', 'ABCDEFGHIJKL']));
  if (r < 0.7) return JSON.stringify('k'.repeat(pick(rand, [12, 13, 199, 200, 201, 300])));
  return pick(rand, [
    '""',
    '"ST 1"',
    '"ST*1"',
    '"ST?"',
    '"ST\\u0031"',
    '"ST\\/1"',
    '"ST\\"1"',
    '"\\u0041"',
    '"caf\u00e9"',
    '"\u6c34\u4f4d"',
    '"\ud83c\udf0a"',
    '"ST\t1"',
    '"ST1',
    "'ST1'",
    '12',
    'null',
    'true',
    '["ST1"]',
    '{"k":"ST1"}',
  ]);
}

function isoTime(rand: () => number): string {
  const year = rand() < 0.8 ? 2020 + Math.floor(rand() * 8) : Math.floor(rand() * 10_000);
  const month = rand() < 0.95 ? 1 + Math.floor(rand() * 12) : pick(rand, [0, 13, 99]);
  const day = rand() < 0.85 ? 1 + Math.floor(rand() * 28) : pick(rand, [0, 29, 30, 31, 32]);
  const hour = rand() < 0.95 ? Math.floor(rand() * 24) : pick(rand, [24, 25, 99]);
  const minute = rand() < 0.95 ? Math.floor(rand() * 60) : pick(rand, [60, 99]);
  const second = rand() < 0.95 ? Math.floor(rand() * 60) : pick(rand, [60, 61]);
  let text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}`;
  if (rand() < 0.9) text += `:${pad(second, 2)}`;
  const fraction = rand();
  if (fraction < 0.2) text += `.${pad(Math.floor(rand() * 1000), 3)}`;
  else if (fraction < 0.3) text += `.${String(Math.floor(rand() * 1e9)).slice(0, 1 + Math.floor(rand() * 9)) || '0'}`;
  else if (fraction < 0.34) text += pick(rand, ['.', '.1234', '.12.', '.-12', '.x12', '.1-2', '. 12']);
  const offset = rand();
  if (offset < 0.55) text += 'Z';
  else if (offset < 0.9) {
    const oh = rand() < 0.9 ? Math.floor(rand() * 15) : pick(rand, [23, 24, 25, 99]);
    const om = rand() < 0.8 ? pick(rand, [0, 30, 45]) : pick(rand, [59, 60, 99]);
    text += `${pick(rand, ['+', '-'])}${pad(oh, 2)}:${pad(om, 2)}`;
  } else text += pick(rand, ['', 'z', '+0800', '+08', '+08.00', '-08-00', '+0x:00', '+08:-1', ' Z', 'Z ', 'ZZ', 'UTC']);
  return text;
}

function timeValue(rand: () => number, clean = false): string {
  const r = clean ? pick(rand, [0.1, 0.52, 0.7]) : rand();
  if (r < 0.5) return JSON.stringify(isoTime(rand));
  if (r < 0.55) {
    return JSON.stringify(
      pick(rand, [
        '2024-02-29T00:00:00Z',
        '2025-02-29T00:00:00Z',
        '2026-02-30T00:00:00Z',
        '2000-02-29T12:00:00+14:00',
        '1900-02-29T00:00:00Z',
        '0000-02-29T00:00:00Z',
        '0000-01-01T00:00:00Z',
        '9999-12-31T23:59:59.999Z',
        '2026-11-23T11:59:59.999Z',
        '2026-11-23T12:00:00.000Z',
        '2026-11-23T12:00:00.001Z',
        '2026-11-23T20:00:00+08:00',
        '2026-11-23T20:00:01+08:00',
        '1970-01-01T00:00:00Z',
        '2026-11-21t10:00:00Z',
        '2026-11-21 10:00:00Z',
        '2026-11-21',
        '',
      ]),
    );
  }
  if (r < 0.6) return pick(rand, ['"2026-11-21T10:00:00\\u005a"', '"2026\\u002d11-21T10:00:00Z"', '"2026-11-21T10:00:00Z', '"2026-11-21T10:00:00Z\\"']);
  if (r < 0.85) {
    const ms = now - Math.floor(rand() * 1e10);
    return pick(rand, [String(ms), String(ms), `${ms}.0`, `${ms / 1000}e3`, `${ms}E0`, `${ms}e+0`, `${ms}.5`, `-${ms}`]);
  }
  return pick(rand, [
    '0',
    '-0',
    '1763719200',
    '99999999999',
    '100000000000',
    '-1',
    '8640000000000000',
    '-8640000000000000',
    '8640000000000001',
    '9007199254740993',
    '1e16',
    '1e400',
    '1.7e12',
    String(now + 24 * 3600_000),
    String(now + 24 * 3600_000 + 1),
    '01763719200000',
    '+1763719200000',
    '1763719200000.',
    'NaN',
    'Infinity',
    'null',
    'true',
    '[]',
    '{}',
  ]);
}

function numberValue(rand: () => number, clean = false): string {
  const r = clean ? rand() * 0.7 : rand();
  if (r < 0.45) return (rand() * 10 - 2).toFixed(Math.floor(rand() * 6));
  if (r < 0.6) return String((rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20));
  if (r < 0.7) return `${Math.floor(rand() * 1e6)}${pick(rand, ['e', 'E'])}${pick(rand, ['', '+', '-'])}${Math.floor(rand() * 30)}`;
  return pick(rand, [
    '0',
    '-0',
    '-0.0',
    '0.0',
    '0e0',
    '-0e-5',
    '1e22',
    '1e23',
    '123456789012345',
    '1234567890123456',
    '12345678901234567890',
    '3.14159265358979323846',
    '0.1',
    '0.30000000000000004',
    '9007199254740993',
    '1e308',
    '1.7976931348623157e308',
    '1e309',
    '-1e400',
    '5e-324',
    '2e-324',
    '2.2250738585072014e-308',
    '1e-400',
    '0.000000000000000000000001',
    '01',
    '-01',
    '.5',
    '1.',
    '+1',
    '1e',
    '1e+',
    '-',
    '--1',
    '1.2.3',
    '0x10',
    'NaN',
    'Infinity',
    '-Infinity',
    '"3.2"',
    'true',
    'null',
    '[1]',
  ]);
}

// Metadata fields: the first six are valid.
const metadata = [
  '"unit":"m"',
  '"indicator":"water level"',
  '"domain":"natural"',
  '"area":"Delta"',
  '"lon":113.2,"lat":23.1',
  '"labels":{"river":"Pearl","gauge":"7"}',
  '"domain":"volcano"',
  '"area":""',
  '"lon":181,"lat":0',
  '"lat":1',
  '"labels":{"river":"Pearl"}',
  '"labels":{"bad name":"x"}',
  '"labels":[]',
  '"colour":"red"',
  '"seriesX":"A"',
  '"\\u0074":1',
  '"T":1',
  '"V":1',
  '"s":1',
  '"":1',
];

/** One NDJSON line: mostly flat observations, with every kind of oddity mixed in. */
function generateLine(rand: () => number): string {
  const r = rand();
  if (r < 0.03) return pick(rand, ['', ' ', '\t', '  \t ', '\u00a0', '\ufeff', '\u2028']);
  if (r < 0.06) {
    return pick(rand, ['{}', '[]', 'null', '42', '"text"', '{bad}', '{', '}', '{"series":"A","t":1763719200000,"v":1}{}', '{"series":"A","t":1763719200000,"v":1}x', '{"series":"A","t":1763719200000,"v":1}]']);
  }
  // Half the lines draw from well-formed values only, so many reach the end of the fast path.
  const clean = rand() < 0.5;
  const fields: [string, string][] = [
    ['series', seriesValue(rand, clean)],
    ['t', timeValue(rand, clean)],
    ['v', numberValue(rand, clean)],
  ];
  // Key order: any of the six.
  for (let i = fields.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [fields[i], fields[j]] = [fields[j]!, fields[i]!];
  }
  let members = fields.map(([name, value]) => `"${name}":${value}`);
  const odd = rand();
  if (clean) {
    if (odd < 0.1) members.splice(Math.floor(rand() * 4), 0, pick(rand, metadata.slice(0, 6)));
  } else if (odd < 0.05) members.splice(Math.floor(rand() * 3), 1);
  else if (odd < 0.1) members.splice(Math.floor(rand() * 4), 0, pick(rand, metadata));
  else if (odd < 0.13) {
    const [name] = pick(rand, fields);
    members.push(`"${name}":${name === 'series' ? seriesValue(rand) : name === 't' ? timeValue(rand) : numberValue(rand)}`);
  } else if (odd < 0.15) members = members.map((m) => m.replace(/^"series"/, '"\\u0073eries"'));
  // JSON whitespace, and some that is not (vertical tab, form feed, no-break space).
  const space = (): string => (rand() < 0.95 ? '' : pick(rand, [' ', '  ', '\t', '\r', ' \t ', ' ', '\t', '\v', '\f', '\u00a0']));
  let text = '{' + space() + members.map((m) => m.replace(/^("[^"]*")(?=:)/, (k) => k + space()).replace(':', ':' + space())).join(space() + ',' + space()) + space() + '}';
  const tail = clean ? 0.07 + rand() * 0.93 : rand();
  if (tail < 0.02) text = text.replace(/}$/, ',}');
  else if (tail < 0.04) text = text.replace(',', '');
  else if (tail < 0.05) text = text.replace(':', '');
  else if (tail < 0.06) text = text.slice(0, Math.floor(rand() * text.length));
  else if (tail < 0.08) text = pick(rand, [' ', '\t', '\r']) + text;
  else if (tail < 0.1) text += pick(rand, [' ', '\t', '\r', '\r\r', ' x']);
  return text;
}

describe('readFlatLine (the NDJSON fast path)', () => {
  it('gives exactly what the general path gives, on many generated lines', () => {
    const rand = random(20261122);
    let fast = 0;
    let generalAccepted = 0;
    let rejected = 0;
    const mismatches: string[] = [];
    let asciiBodies = 0;
    let longBodies = 0;
    for (let b = 0; b < 40; b++) {
      // Some bodies all ASCII (bytes line up with characters), some not; some long enough to be
      // encoded in several segments.
      const ascii = b % 3 === 0;
      const lines = Array.from({ length: b % 5 === 0 ? 2500 : 300 }, () => {
        for (;;) {
          const line = generateLine(rand);
          if (!ascii || /^[\x00-\x7f]*$/.test(line)) return line;
        }
      });
      const body = lines.join(rand() < 0.5 ? '\n' : '\r\n') + pick(rand, ['', '\n', '\r\n', '\n\n']);
      if (ascii) asciiBodies++;
      if (body.length > 100_000) longBodies++;
      const expected = generalPath(body, now);
      // toEqual tells -0 from 0.
      expect(parseBatch(body, 'ndjson', now)).toEqual(expected);
      // Line by line: what the fast path accepts, the general path accepts the same.
      for (const line of body.split('\n')) {
        const flat = readLine(line);
        if (flat !== null) {
          fast++;
          const general = validateObservation(JSON.parse(line), now);
          if (typeof general === 'string' || general.series !== flat.series || !Object.is(general.t, flat.t) || !Object.is(general.v, flat.v) || 'meta' in general) {
            mismatches.push(line);
          }
        }
      }
      generalAccepted += expected.observations.length;
      rejected += expected.rejected.length;
    }
    expect(mismatches).toEqual([]);
    expect([asciiBodies, longBodies]).toEqual([14, 8]);
    generalAccepted -= fast;
    // The generator must exercise all three outcomes in earnest.
    expect(fast).toBeGreaterThan(4000);
    expect(generalAccepted).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(8000);
  });

  it.each([
    ['{"series":"ST1","t":"2026-11-21T10:00:00Z","v":3.5}', { series: 'ST1', t: Date.UTC(2026, 10, 21, 10), v: 3.5 }],
    ['{"v":-0,"t":1763719200000,"series":"a/b:c-d_e.f"}', { series: 'a/b:c-d_e.f', t: 1763719200000, v: -0 }],
    ['{ "t" : "2026-11-21T18:00:00.250+08:00" ,\t"series" : "X" , "v" : 1.5e-3 }\r', { series: 'X', t: Date.UTC(2026, 10, 21, 10, 0, 0, 250), v: 0.0015 }],
    ['{"series":"X","t":"2024-02-29T00:00:00-00:30","v":12345678901234567890}', { series: 'X', t: Date.UTC(2024, 1, 29, 0, 30), v: 12345678901234567000 }],
  ])('reads %j in place', (line, observation) => {
    expect(readLine(line)).toEqual(observation);
  });

  it.each([
    '{"series":"ST\\u0031","t":1763719200000,"v":1}',
    '{"series":"ST1","t":1763719200000,"v":1,"unit":"m"}',
    '{"series":"ST1","series":"ST2","t":1763719200000,"v":1}',
    '{"series":"ST1","t":1763719200000,"v":"1"}',
    '{"series":"ST1","t":1763719200000,"v":01}',
    '{"series":"ST1","t":1763719200000,"v":1e999}',
    '{"series":"ST1","t":1763719200,"v":1}',
    '{"series":"ST1","t":"2026-11-21T10:00:00.5Z","v":1}',
    '{"series":"ST1","t":"2026-02-30T10:00:00Z","v":1}',
    '{"series":"ST1","t":"2026-11-21T10:00:00+24:00","v":1}',
    '{"series":"ST1","t":"2027-01-01T00:00:00Z","v":1}',
    '{"series":"ST 1","t":1763719200000,"v":1}',
    `{"series":"${'k'.repeat(201)}","t":1763719200000,"v":1}`,
    '{"series":"ST1","t":1763719200000,"v":1,}',
    '{"series":"ST1","t":1763719200000,"v":1} x',
  ])('leaves %j to the general path', (line) => {
    expect(readLine(line)).toBeNull();
  });

  it('hands out one string per series key, batch after batch', () => {
    const a = parseBatch('{"series":"ST00001.level.long","t":1763719200000,"v":1}\n', 'ndjson', now);
    const b = parseBatch('{"series":"ST00001.level.long","t":1763719260000,"v":2}\n', 'ndjson', now);
    expect(a.observations[0]!.series).toBe('ST00001.level.long');
    expect(b.observations[0]!.series).toBe(a.observations[0]!.series);
  });

  it('reads lines longer than a segment, and one too long to encode, through the general path', () => {
    const plain = '{"series":"A","t":1763719200000,"v":1}';
    const body = [plain, `{"series":"B",${' '.repeat(70_000)}"t":1763719200000,"v":2}`, plain, `{"series":"C","t":1763719200000,"v":3,${' '.repeat(1_100_000)}"x":1}`, plain, `"${'\u00e9'.repeat(200_000)}"`, plain].join('\n');
    expect(parseBatch(body, 'ndjson', now)).toEqual(generalPath(body, now));
  });

  it('takes the fast path for flat lines in ASCII bodies and in bodies with other characters', () => {
    const flat = Array.from({ length: 300 }, (_, i) => `{"series":"ST${i}.level","t":"2026-11-21T10:00:00Z","v":${i}}`);
    for (const body of [flat.join('\n'), ['{"series":"ST1","t":1763719200000,"v":1,"area":"Zhūjiāng 珠江"}', ...flat, '"\ud800"', ...flat].join('\n')]) {
      const before = fastPath.accepted;
      const batch = parseBatch(body, 'ndjson', now);
      expect(batch).toEqual(generalPath(body, now));
      expect(fastPath.accepted - before).toBe(batch.observations.length - (body.startsWith('{"series":"ST1"') ? 1 : 0));
    }
  });

  it('reads the same in small slices as at once', () => {
    const rand = random(7);
    const body = Array.from({ length: 3000 }, () => generateLine(rand)).join('\n');
    const parser = createBatchParser(body, 'ndjson', now);
    while (!parser.step(7));
    expect(parser.batch).toEqual(parseBatch(body, 'ndjson', now));
  });
});

describe('parseCanonicalIso', () => {
  // The regex + Date.parse + calendar check that parseTime falls back to, written out again.
  const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
  function slowPath(t: string): number | null {
    if (!isoPattern.test(t)) return null;
    const ms = Date.parse(t);
    const [year, month, day, hour, minute] = [t.slice(0, 4), t.slice(5, 7), t.slice(8, 10), t.slice(11, 13), t.slice(14, 16)].map(Number) as [number, number, number, number, number];
    if (!Number.isFinite(ms) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return null;
    return day <= new Date(Date.UTC(year, month, 0)).getUTCDate() ? ms : null;
  }

  it('reads the common shapes in integer arithmetic exactly as Date.parse does', () => {
    const rand = random(99);
    let read = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = isoTime(rand);
      const ms = parseCanonicalIso(t, 0, t.length);
      // Years before 100 are left out: the slow path's calendar check (Date.UTC) reads them as 19xx.
      if (ms !== null && Number(t.slice(0, 4)) >= 100) {
        read++;
        expect([t, ms]).toEqual([t, slowPath(t)]);
      }
    }
    expect(read).toBeGreaterThan(5000);
  });
});
