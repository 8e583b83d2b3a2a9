import type { Clock } from '../domain/kernel/clock.ts';
import type { IngestResult } from '../domain/observations/observation.ts';
import { createBatchParser, type BatchFormat, type ParsedBatch } from '../domain/observations/parse-batch.ts';
import type { ObservationRows, Store } from '../store/sql-client.ts';
import type { SeriesResolver } from './series-resolver.ts';
import type { EventPublisher } from './event-hub.ts';

/** What ingesting needs: the bulk write, the key→id resolver, the clock and somewhere to announce it. */
export interface IngestDeps {
  store: Pick<Store, 'insertObservations'>;
  series: Pick<SeriesResolver, 'resolve'>;
  clock: Clock;
  events: EventPublisher;
  /**
   * Lets other work run between slices of a large body (the server passes setImmediate), so a
   * health check is answered within milliseconds while big batches are parsed. Absent: no pauses.
   */
  yieldToOthers?: () => Promise<void>;
  /** Told about every committed batch (detection); must not throw and must not be awaited by the caller. */
  /** Told of each committed batch; when it answers a promise, the ingest waits for it (backpressure). */
  afterStore?: (rows: ObservationRows) => void | Promise<unknown>;
}

/** Lines parsed between two pauses: about a millisecond of work. */
export const linesPerSlice = 1000;

/** What a batch did, for metrics: timings in ms next to the answer. */
export interface IngestOutcome extends IngestResult {
  parseMs: number;
  storeMs: number;
}

/**
 * Stores the good observations of an already parsed batch once each and answers what happened.
 * It resolves only after the rows are committed: a 202 built from this answer survives a crash.
 */
export async function storeParsedBatch(deps: IngestDeps, batch: ParsedBatch, source: string): Promise<IngestOutcome> {
  const started = performance.now();
  const n = batch.observations.length;
  let inserted = 0;
  if (n > 0) {
    const seriesIds = await deps.series.resolve(batch.observations);
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const o = batch.observations[i]!;
      times[i] = o.t;
      values[i] = o.v;
    }
    const rows = { seriesIds, times, values, length: n };
    ({ inserted } = await deps.store.insertObservations(rows));
    await deps.afterStore?.(rows);
  }
  const storeMs = performance.now() - started;
  const result: IngestOutcome = {
    accepted: inserted,
    duplicates: n - inserted,
    rejected: batch.rejected,
    parseMs: 0,
    storeMs,
  };
  if (n > 0 || batch.rejected.length > 0) {
    deps.events.publish({
      type: 'observations.accepted',
      at: deps.clock.now(),
      data: {
        source,
        accepted: result.accepted,
        duplicates: result.duplicates,
        rejected: result.rejected.length,
        series: countDistinct(batch),
        from: n > 0 ? minTime(batch) : null,
        to: n > 0 ? maxTime(batch) : null,
      },
    });
  }
  return result;
}

/** Parses a body in the given format, then stores it (see storeParsedBatch). */
export async function ingestObservations(
  deps: IngestDeps,
  body: string,
  format: BatchFormat,
  source: string,
): Promise<IngestOutcome> {
  const started = performance.now();
  const parser = createBatchParser(body, format, deps.clock.now());
  while (!parser.step(linesPerSlice)) {
    if (deps.yieldToOthers) await deps.yieldToOthers();
  }
  const batch = parser.batch;
  const parseMs = performance.now() - started;
  const outcome = await storeParsedBatch(deps, batch, source);
  return { ...outcome, parseMs };
}

function countDistinct(batch: ParsedBatch): number {
  const keys = new Set<string>();
  for (const o of batch.observations) keys.add(o.series);
  return keys.size;
}

function minTime(batch: ParsedBatch): string {
  let min = Infinity;
  for (const o of batch.observations) if (o.t < min) min = o.t;
  return new Date(min).toISOString();
}

function maxTime(batch: ParsedBatch): string {
  let max = -Infinity;
  for (const o of batch.observations) if (o.t > max) max = o.t;
  return new Date(max).toISOString();
}
