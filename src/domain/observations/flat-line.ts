import type { Observation } from './observation.ts';
import { invalidOffset, isoFieldsToMs, observationLimits, offsetToMinutes, parseTime } from './validate-observation.ts';

/**
 * The NDJSON fast path. Reads the common line shape `{"series":"…","t":…,"v":…}` (the three fields
 * in any order, JSON whitespace between tokens) from the body's bytes: no cut-out line, no
 * JSON.parse, no regex. It only ever accepts. A line it is not sure of — an escape, a character
 * beyond ASCII, a field other than the three (metadata), a duplicate field, a value of another
 * type, a number or a time written in a way it does not read, a value the general path would
 * refuse — answers null and goes down the general path (JSON.parse + validateObservation), which
 * also words every refusal. So an accepted line gives the very observation the general path gives;
 * flat-line.test.ts checks that on many generated lines, valid and not.
 *
 * Why bytes: reading a Uint8Array costs about half of String#charCodeAt, which must look at the
 * string's representation on every call, and TextEncoder#encodeInto turns text into bytes at a few
 * ns a line (see encodeLines).
 */

const quote = 34;
const comma = 44;
const colon = 58;
const closeBrace = 125;
const newline = 10;

// Characters of a series key, as validate-observation's keyPattern: [A-Za-z0-9_.:/-]. Neither a
// quote nor a backslash nor a byte beyond ASCII is one, so a key read with these has no escape in it.
const keyChar = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/-') keyChar[c.charCodeAt(0)] = 1;

// 1e0 … 1e22 are exact doubles, so an integer of at most 15 digits times or divided by one of them
// rounds once, correctly, as JSON.parse's conversion does (Clinger's exact fast path).
const exactPowers = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const maxExactDigits = 15;

/**
 * The series keys read lately, so that a key seen before costs no allocation and every
 * observation of a series shares one string (which a Map keyed by series then finds by identity).
 * Also the reason keys are not simply sliced out of the body: V8 makes a slice of 13 or more
 * characters a view of its whole parent, so one key kept (in a cache, a detector's state) would
 * keep a whole request body alive. A key read anew is copied. 16,384 slots of at most 200
 * characters: a few MB at most, replaced as new keys come.
 */
const keySlots = 1 << 14;
const keyCache: string[] = new Array<string>(keySlots).fill('');
const keyProbes = 4;

/** Where the last readNumber stopped; the byte ending the last accepted line. Module variables
 * rather than returned pairs, which would allocate. */
let at = 0;
let lineEnd = 0;

/** Skips JSON whitespace within the line: never "\n", which ends it, so no scan leaves its line. */
function skipSpace(bytes: Uint8Array, i: number): number {
  for (;;) {
    const c = bytes[i];
    if (c === 32 || c === 9 || c === 13) i++;
    else return i;
  }
}

/**
 * Reads the JSON number -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at bytes[i] and sets `at`
 * after it; answers NaN (which no JSON number is) when the text there is not one. `shift` turns a
 * byte position into the body's character position (the line up to here is ASCII).
 */
function readNumber(bytes: Uint8Array, i: number, body: string, shift: number): number {
  const first = i;
  let negative = false;
  if (bytes[i] === 45) {
    negative = true;
    i++;
  }
  let c = bytes[i]!;
  let mantissa = 0;
  let digitCount = 0;
  if (c === 48) {
    c = bytes[++i]!;
  } else if (c >= 49 && c <= 57) {
    do {
      mantissa = mantissa * 10 + (c - 48);
      digitCount++;
      c = bytes[++i]!;
    } while (c >= 48 && c <= 57);
  } else return NaN;
  let scale = 0;
  if (c === 46) {
    c = bytes[++i]!;
    if (!(c >= 48 && c <= 57)) return NaN;
    do {
      mantissa = mantissa * 10 + (c - 48);
      digitCount++;
      scale--;
      c = bytes[++i]!;
    } while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) {
    c = bytes[++i]!;
    let exponentNegative = false;
    if (c === 43 || c === 45) {
      exponentNegative = c === 45;
      c = bytes[++i]!;
    }
    if (!(c >= 48 && c <= 57)) return NaN;
    let exponent = 0;
    do {
      if (exponent < 100_000) exponent = exponent * 10 + (c - 48);
      c = bytes[++i]!;
    } while (c >= 48 && c <= 57);
    scale += exponentNegative ? -exponent : exponent;
  }
  at = i;
  if (digitCount <= maxExactDigits && scale >= -22 && scale <= 22) {
    const magnitude = scale < 0 ? mantissa / exactPowers[-scale]! : mantissa * exactPowers[scale]!;
    return negative ? -magnitude : magnitude;
  }
  // Rare: many digits or a large exponent. The grammar is checked above, and Number() rounds a
  // JSON number exactly as JSON.parse does.
  return Number(body.slice(first + shift, i + shift));
}

/** The two decimal digits at bytes[i], or -1 when they are not both digits. */
function twoDigits(bytes: Uint8Array, i: number): number {
  const a = bytes[i]! - 48;
  const b = bytes[i + 1]! - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * validate-observation's parseCanonicalIso on bytes[from, to), step for step (same shapes, same
 * checks, same isoFieldsToMs): epoch ms, or null to leave the line to the general path. Every byte
 * of an accepted time is checked to be a digit or the punctuation of the shape.
 */
function readIso(bytes: Uint8Array, from: number, to: number): number | null {
  const n = to - from;
  if (n < 20 || n > 29 || bytes[from + 4] !== 45 || bytes[from + 7] !== 45 || bytes[from + 10] !== 84) return null;
  if (bytes[from + 13] !== 58 || bytes[from + 16] !== 58) return null;
  let i = from + 19;
  let ms = 0;
  if (bytes[i] === 46) {
    if (n < 24 || bytes[from + 23] === 46) return null;
    const tenths = bytes[from + 20]! - 48;
    const rest = twoDigits(bytes, from + 21);
    if (tenths < 0 || tenths > 9 || rest < 0) return null;
    ms = tenths * 100 + rest;
    i = from + 23;
  }
  const sign = bytes[i]!;
  let offsetMinutes = 0;
  if (sign === 90 && i + 1 === to) offsetMinutes = 0;
  else if ((sign === 43 || sign === 45) && i + 6 === to && bytes[i + 3] === 58) {
    offsetMinutes = offsetToMinutes(sign, twoDigits(bytes, i + 1), twoDigits(bytes, i + 4));
    if (offsetMinutes === invalidOffset) return null;
  } else return null;
  return isoFieldsToMs(
    twoDigits(bytes, from),
    twoDigits(bytes, from + 2),
    twoDigits(bytes, from + 5),
    twoDigits(bytes, from + 8),
    twoDigits(bytes, from + 11),
    twoDigits(bytes, from + 14),
    twoDigits(bytes, from + 17),
    ms,
    offsetMinutes,
  );
}

/** The series key at bytes[from, to), known to be key characters with this hash: from the cache, or copied. */
function seriesKey(bytes: Uint8Array, from: number, to: number, hash: number, body: string, shift: number): string {
  const length = to - from;
  let slot = hash & (keySlots - 1);
  for (let probe = 0; probe < keyProbes; probe++) {
    const cached = keyCache[slot]!;
    if (cached.length === length) {
      let k = 0;
      while (k < length && cached.charCodeAt(k) === bytes[from + k]) k++;
      if (k === length) return cached;
    } else if (cached.length === 0) break;
    slot = (slot + 1) & (keySlots - 1);
  }
  // A new key (or a full neighbourhood: the last slot probed is replaced). JSON.parse of the quoted
  // key makes a string of its own, holding nothing of the body.
  const key = JSON.parse(body.slice(from - 1 + shift, to + 1 + shift)) as string;
  keyCache[slot] = key;
  return key;
}

/**
 * Reads the line at bytes[start] (its "{"; the line ends at a "\n" byte, which encodeLines puts
 * after the last line too) when it has the flat shape and is valid, and leaves its "\n" for
 * flatLineEnd; answers null to send it down the general path. The line begins at character
 * `charStart` of `body` (the text the bytes encode), for the few things cut from the text itself.
 */
export function readFlatLine(bytes: Uint8Array, start: number, body: string, charStart: number, now: number): Observation | null {
  const shift = charStart - start;
  let series: string | null = null;
  let t = 0;
  let hasT = false;
  let v = 0;
  let hasV = false;
  let i = skipSpace(bytes, start + 1);
  for (;;) {
    if (bytes[i] !== quote) return null;
    const name = bytes[i + 1];
    if (name === 115 /* s */) {
      if (
        series !== null ||
        bytes[i + 2] !== 101 ||
        bytes[i + 3] !== 114 ||
        bytes[i + 4] !== 105 ||
        bytes[i + 5] !== 101 ||
        bytes[i + 6] !== 115 ||
        bytes[i + 7] !== quote
      ) {
        return null;
      }
      i = skipSpace(bytes, i + 8);
      if (bytes[i] !== colon) return null;
      i = skipSpace(bytes, i + 1);
      if (bytes[i] !== quote) return null;
      const from = i + 1;
      let j = from;
      let hash = 0;
      let c = bytes[j]!;
      while (keyChar[c] === 1) {
        hash = Math.imul(hash ^ c, 0x01000193);
        c = bytes[++j]!;
      }
      if (c !== quote || j === from || j - from > observationLimits.keyLength) return null;
      series = seriesKey(bytes, from, j, hash ^ (hash >>> 16), body, shift);
      i = j + 1;
    } else if (name === 116 /* t */) {
      if (hasT || bytes[i + 2] !== quote) return null;
      i = skipSpace(bytes, i + 3);
      if (bytes[i] !== colon) return null;
      i = skipSpace(bytes, i + 1);
      if (bytes[i] === quote) {
        // An accepted time is 20 to 29 bytes, each a digit or punctuation: the first quote from
        // there on closes the string, with no escape before it.
        const from = i + 1;
        let to = from + 20;
        let c = bytes[to];
        while (c !== quote && c !== newline && to < from + 30) c = bytes[++to];
        if (c !== quote) return null;
        const ms = readIso(bytes, from, to);
        if (ms === null) return null;
        t = ms;
        i = to + 1;
      } else {
        const checked = parseTime(readNumber(bytes, i, body, shift));
        if (typeof checked === 'string') return null;
        t = checked;
        i = at;
      }
      if (t > now + observationLimits.maxFutureMs) return null;
      hasT = true;
    } else if (name === 118 /* v */) {
      if (hasV || bytes[i + 2] !== quote) return null;
      i = skipSpace(bytes, i + 3);
      if (bytes[i] !== colon) return null;
      v = readNumber(bytes, skipSpace(bytes, i + 1), body, shift);
      if (!Number.isFinite(v)) return null;
      hasV = true;
      i = at;
    } else return null;
    i = skipSpace(bytes, i);
    const next = bytes[i];
    if (next === comma) {
      i = skipSpace(bytes, i + 1);
      continue;
    }
    if (next !== closeBrace || series === null || !hasT || !hasV) return null;
    i = skipSpace(bytes, i + 1);
    if (bytes[i] !== newline) return null;
    lineEnd = i;
    return { series, t, v };
  }
}

/** The byte position of the "\n" that ended the line readFlatLine last accepted. */
export function flatLineEnd(): number {
  return lineEnd;
}

const encoder = new TextEncoder();
/** Characters encoded at a time, about 1,000 usual lines: a large body is never copied whole. */
const segmentChars = 1 << 16;
/** A single line longer than this is left to the general path rather than encoded. */
const longestEncodedLine = 1 << 20;

/**
 * Whole lines of a body as UTF-8 bytes, for readFlatLine. `from`/`to` are the characters encoded;
 * the bytes hold them and then a "\n", so every line, the last too, ends in one. When `ascii`, byte
 * i is character from + i; otherwise the k-th "\n" byte is still the k-th "\n" character, since
 * UTF-8 never uses that byte inside a multi-byte character.
 */
export interface LineSegment {
  bytes: Uint8Array;
  from: number;
  to: number;
  ascii: boolean;
  /** False when the segment is one line too long to encode: it takes the general path. */
  encoded: boolean;
}

/** A segment with nothing in it yet, to pass to encodeLines. */
export function emptySegment(): LineSegment {
  return { bytes: new Uint8Array(0), from: 0, to: 0, ascii: true, encoded: false };
}

/** Encodes the whole lines from character `from` (a line start) on, about segmentChars of them, into `segment`. */
export function encodeLines(body: string, from: number, segment: LineSegment): void {
  let to = Math.min(body.length, from + segmentChars);
  if (to < body.length) {
    const lastNewline = body.lastIndexOf('\n', to - 1);
    if (lastNewline >= from) to = lastNewline + 1;
    else {
      const next = body.indexOf('\n', to);
      to = next === -1 ? body.length : next + 1;
    }
  }
  segment.from = from;
  segment.to = to;
  segment.encoded = to - from <= longestEncodedLine;
  if (!segment.encoded) return;
  // UTF-8 takes at most 3 bytes per UTF-16 code unit. The buffer is sized once for the segments
  // the rest of the body can fill, so a one-line body gets a small one.
  const room = 3 * (to - from) + 1;
  if (segment.bytes.length < room) {
    segment.bytes = new Uint8Array(Math.max(room, Math.min(3 * segmentChars, 3 * (body.length - from)) + 1));
  }
  const { written } = encoder.encodeInto(body.slice(from, to), segment.bytes);
  segment.bytes[written] = newline;
  segment.ascii = written === to - from;
}
