/**
 * The identity of an alert: Prometheus' label-set fingerprint, the 64-bit FNV-1a hash of every
 * label in byte order of names, each written as `name 0xFF value 0xFF` (prometheus/common
 * model/signature.go, labelSetToFingerprint), printed as 16 lowercase hex digits — the
 * `fingerprint` of Alertmanager's webhook payload and API. An alert with the same labels in
 * Tocsin and in Alertmanager has the same fingerprint.
 */

export type Labels = Readonly<Record<string, string>>;

const separator = 0xff;

// FNV-1a 64 on two 32-bit halves: offset basis 0xcbf29ce484222325, prime 0x100000001b3
// (= 2^40 + 0x1b3), so x·prime = x·0x1b3 + (x << 40). BigInt would do, at ten times the cost.
const offsetHigh = 0xcbf29ce4;
const offsetLow = 0x84222325;

let high = offsetHigh;
let low = offsetLow;

function mix(byte: number): void {
  low = (low ^ byte) >>> 0;
  // (high·2^32 + low)·(2^40 + 0x1b3) mod 2^64
  const lowTimes = low * 0x1b3; // < 2^41: exact in a double
  const carry = Math.floor(lowTimes / 0x1_0000_0000);
  const newLow = lowTimes >>> 0;
  const newHigh = (Math.imul(high, 0x1b3) + carry + ((low << 8) >>> 0)) >>> 0;
  high = newHigh;
  low = newLow;
}

/** Mixes the UTF-8 bytes of `text`, encoded on the fly (an encoder's buffer per label cost more than the hash). */
function mixText(text: string): void {
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      mix(c);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    // A lone surrogate is written as U+FFFD, as TextEncoder and Go's conversion of invalid UTF-16 do.
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    if (c < 0x800) {
      mix(0xc0 | (c >> 6));
    } else if (c < 0x10000) {
      mix(0xe0 | (c >> 12));
      mix(0x80 | ((c >> 6) & 0x3f));
    } else {
      mix(0xf0 | (c >> 18));
      mix(0x80 | ((c >> 12) & 0x3f));
      mix(0x80 | ((c >> 6) & 0x3f));
    }
    mix(0x80 | (c & 0x3f));
  }
}

/**
 * Compares names as Go compares strings: by their UTF-8 bytes, i.e. by code point. UTF-16 order
 * is the same except between a surrogate (a code point above U+FFFF) and U+E000–U+FFFF: at the
 * first differing unit, surrogates are moved above that range.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

function codePointOrder(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/** Label names in Go's byte order. */
export function sortedNames(labels: Labels): string[] {
  return Object.keys(labels).sort(compareBytes);
}

/** The fingerprint of a label set, as 16 lowercase hex digits. */
export function fingerprint(labels: Labels): string {
  high = offsetHigh;
  low = offsetLow;
  for (const name of sortedNames(labels)) {
    mixText(name);
    mix(separator);
    mixText(labels[name]!);
    mix(separator);
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
