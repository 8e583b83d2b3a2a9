import type { ObservationRows } from './sql-client.ts';

/** The observations table's columns in COPY order. */
export const observationColumns = ['series_id', 't', 'v'] as const;

/**
 * Encodes rows in PostgreSQL's COPY text format (tab-separated, one row per line). Values are
 * finite numbers and ids are integers, so nothing needs escaping; times go as ISO-8601 UTC.
 */
export function encodeObservationCopyText(rows: ObservationRows, from = 0, to = rows.length): string {
  const { seriesIds, times, values } = rows;
  const parts: string[] = new Array(to - from);
  for (let i = from; i < to; i++) {
    parts[i - from] = `${seriesIds[i]}\t${new Date(times[i]!).toISOString()}\t${values[i]}\n`;
  }
  return parts.join('');
}

/** Rows encoded per slice when COPY text is built on the server's own thread (~1 ms each). */
export const copyRowsPerSlice = 2000;

/**
 * The COPY text in slices, pausing between them so the event loop can answer other requests
 * while a large batch is encoded.
 */
export async function* encodeObservationCopySlices(rows: ObservationRows): AsyncGenerator<string> {
  for (let from = 0; from < rows.length; from += copyRowsPerSlice) {
    yield encodeObservationCopyText(rows, from, Math.min(rows.length, from + copyRowsPerSlice));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** SQL that moves staged rows into observations once each, skipping (series, t) pairs already stored. */
export const insertStagedObservationsSql =
  'insert into observations (series_id, t, v) select series_id, t, v from observation_stage on conflict (series_id, t) do nothing';

/** A session-local staging table for the slow path (batches that repeat stored rows). */
export const createStageSql =
  'create temp table if not exists observation_stage (series_id int4, t timestamptz, v float8) on commit delete rows';

/** PostgreSQL's SQLSTATE for a unique violation: a batch repeats a (series, t) already stored. */
export const uniqueViolation = '23505';
