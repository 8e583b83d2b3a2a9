/**
 * Seeded randomness of the Riverside demo: every number comes from a hash of (seed, series, step)
 * or (seed, salt, index), or from a short stream restarted from one, so any split of a time range
 * replays the same numbers.
 */

function mix32(h: number): number {
  // The "lowbias32" finaliser: every input bit flips about half of the output bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes up to four integers into an unsigned 32-bit value; order matters, equal inputs agree. */
export function hash32(a: number, b: number, c = 0, d = 0): number {
  let h = mix32(Math.imul(a | 0, 0x9e3779b1) ^ 0x85ebca6b);
  h = mix32((h + 0x27d4eb2f) ^ Math.imul(b | 0, 0xcc9e2d51));
  h = mix32((h + 0x165667b1) ^ Math.imul(c | 0, 0x1b873593));
  return mix32((h + 0x7f4a7c15) ^ Math.imul(d | 0, 0x94d049bb));
}

/** Hashes a string (FNV-1a) so each series key seeds its own random streams. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A uniform number in [0, 1) for (seed, a, b, c). */
export function hashUnit(seed: number, a: number, b: number, c = 0): number {
  return hash32(seed, a, b, c) / 4294967296;
}

/** A short random stream (mulberry32) restarted from a hash for each series and step. */
export class StepRandom {
  private state = 0;

  /** Restarts the stream; the same seed replays the same numbers. */
  reset(seed: number): this {
    this.state = seed | 0;
    return this;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Poisson count by inversion: one uniform per draw keeps the stream short and exact. */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > 500) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const u = this.uniform();
    let p = Math.exp(-lambda);
    let f = p;
    let x = 0;
    const cap = 50 + 10 * lambda; // rounding can leave f just short of u
    while (u > f && x < cap) {
      x++;
      p *= lambda / x;
      f += p;
    }
    return x;
  }
}

/** A smooth random wiggle in [-1, 1] with knots every periodMs, shared by everyone using the salt. */
export function smoothNoise(seed: number, salt: number, t: number, periodMs: number): number {
  const pos = t / periodMs;
  const j = Math.floor(pos);
  const f = pos - j;
  const a = hashUnit(seed, salt, j) * 2 - 1;
  const b = hashUnit(seed, salt, j + 1) * 2 - 1;
  return a + (b - a) * f * f * (3 - 2 * f);
}

/** Salts keep the random streams of different phenomena apart. */
export const SALT = {
  storm: 11, cycle: 12, dip: 13, air: 21, airFast: 22, ozone: 23, disease: 31,
  gridSlow: 41, gridFast: 42, water: 61,
} as const;
