/**
 * The identity of an alert: Prometheus' label-set fingerprint, the 64-bit FNV-1a hash of every
 * label in byte order of names, each written as `name 0xFF value 0xFF` (prometheus/common
 * model/signature.go, labelSetToFingerprint), printed as 16 lowercase hex digits — the
 * `fingerprint` of Alertmanager's webhook payload and API. An alert with the same labels in
 * Tocsin and in Alertmanager has the same fingerprint.
 */

export type Labels = Readonly<Record<string, string>>;

const separator = 0xff;
const encoder = new TextEncoder();

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

function mixText(text: string): void {
  const bytes = encoder.encode(text);
  for (let i = 0; i < bytes.length; i++) mix(bytes[i]!);
}

/** Compares names as Go compares strings: by their UTF-8 bytes (the UTF-16 order differs above U+FFFF). */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
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
