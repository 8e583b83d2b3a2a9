/**
 * The ingest workload: every request body the benchmark sends, built before any timing so the
 * client spends its CPU on sending rather than formatting (client and server share 2 cores).
 *
 * Each body exists twice with the same rows: as NDJSON for `POST /api/v1/observations` and as
 * PostgreSQL binary COPY data for the raw COPY limits — the fastest COPY format, and the one the
 * server itself writes (built by the server's own encoder, so the bytes are the same). Rows are numbered
 * globally across the whole run, so every (series, t) pair is new for every request, and a
 * backend that replays the steps in order ends with exactly the rows the server would hold.
 */

import { encodeObservationCopyBinary } from '../../src/store/observation-copy.ts';

export type Backend = 'pglite' | 'postgres';

/** One request's worth of rows in both encodings. */
export interface Body {
  ndjson: Buffer;
  copy: Buffer;
  lines: number;
}

/** One measured configuration (or the untimed warm-up) and the bodies it sends, in order. */
export interface Step {
  label: string;
  batch: number;
  clients: number;
  /** The warm-up runs through every path too (so tables match) but is not reported. */
  timed: boolean;
  /** The step stops sending new bodies after this long (bodies in flight finish). */
  timeLimitMs: number;
  /** Bodies per backend: PGlite is slower, so it gets a prefix of the PostgreSQL bodies. */
  bodies: Record<Backend, Body[]>;
}

export interface Workload {
  seriesKeys: string[];
  steps: Step[];
}

/** How much to send; see `volumes` in ingest.ts. */
export interface WorkloadShape {
  seriesCount: number;
  warmupBodies: number;
  batches: readonly number[];
  clients: readonly number[];
  /** Bodies per step for each batch size and backend. */
  bodiesPerStep: Readonly<Record<number, Record<Backend, number>>>;
  stepTimeLimitMs: number;
}

const indicators = ['level', 'flow', 'rain'] as const;
/** 2026-01-01T00:00:00Z: each series gets one observation per minute from here on. */
const t0 = Date.UTC(2026, 0, 1);

/** Series keys like `ST0001.level`: stations with three indicators each. */
export function seriesKeys(count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const station = String(Math.floor(i / indicators.length) + 1).padStart(4, '0');
    keys.push(`ST${station}.${indicators[i % indicators.length]}`);
  }
  return keys;
}

/** Builds every body of the run, deterministically (same bytes on every run). */
export function buildWorkload(shape: WorkloadShape): Workload {
  const keys = seriesKeys(shape.seriesCount);
  // Quote keys once; the series' numeric id in the raw COPY is its index + 1, as a server would assign.
  const keyJson = keys.map((k) => JSON.stringify(k));
  const rows = new RowSource(keyJson);
  const steps: Step[] = [];

  const warm = makeBodies(rows, 1_000, shape.warmupBodies);
  const timeLimitMs = shape.stepTimeLimitMs;
  steps.push({ label: 'warm-up', batch: 1_000, clients: 1, timed: false, timeLimitMs, bodies: { postgres: warm, pglite: warm } });

  for (const batch of shape.batches) {
    const counts = shape.bodiesPerStep[batch];
    if (!counts) throw new Error(`bench: no body count for batch ${batch}`);
    for (const clients of shape.clients) {
      const all = makeBodies(rows, batch, Math.max(counts.postgres, counts.pglite));
      steps.push({
        label: `${batch} lines × ${clients} client${clients > 1 ? 's' : ''}`,
        batch,
        clients,
        timed: true,
        timeLimitMs,
        bodies: { postgres: all.slice(0, counts.postgres), pglite: all.slice(0, counts.pglite) },
      });
    }
  }
  return { seriesKeys: keys, steps };
}

/** Every body of every step for one backend, in send order. */
export function allBodies(workload: Workload, backend: Backend): Body[] {
  return workload.steps.flatMap((s) => s.bodies[backend]);
}

function makeBodies(rows: RowSource, batch: number, count: number): Body[] {
  const out: Body[] = [];
  for (let i = 0; i < count; i++) out.push(rows.body(batch));
  return out;
}

/** Hands out rows in global order: row k is series k mod S at minute floor(k / S). */
class RowSource {
  private next = 0;
  private minute = -1;
  private isoJson = '';
  // A fixed LCG so values (and so bodies) are the same on every run.
  private seed = 0x2545f491;

  constructor(private readonly keyJson: readonly string[]) {}

  body(lines: number): Body {
    const json: string[] = new Array(lines);
    const rows = { seriesIds: new Int32Array(lines), times: new Float64Array(lines), values: new Float64Array(lines), length: lines };
    const s = this.keyJson.length;
    for (let i = 0; i < lines; i++, this.next++) {
      const series = this.next % s;
      const minute = Math.floor(this.next / s);
      if (minute !== this.minute) {
        this.minute = minute;
        const iso = new Date(t0 + minute * 60_000).toISOString();
        this.isoJson = JSON.stringify(iso.replace('.000Z', 'Z'));
      }
      const v = this.value();
      json[i] = `{"series":${this.keyJson[series]},"t":${this.isoJson},"v":${v}}\n`;
      rows.seriesIds[i] = series + 1;
      rows.times[i] = t0 + minute * 60_000;
      rows.values[i] = v;
    }
    return { ndjson: Buffer.from(json.join('')), copy: Buffer.from(encodeObservationCopyBinary(rows)), lines };
  }

  /** A value with two decimals between 0 and 10, like a gauge reading. */
  private value(): number {
    this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0;
    return Math.round((this.seed / 0x1_0000_0000) * 1000) / 100;
  }
}
