import type { ObservationRows } from './sql-client.ts';

/** The observations table's columns in COPY order. */
export const observationColumns = ['series_id', 't', 'v'] as const;

/**
 * Encodes rows in PostgreSQL's COPY text format (tab-separated, one row per line). Values are
 * finite numbers and ids are integers, so nothing needs escaping; times go as ISO-8601 UTC.
 */
export function encodeObservationCopyText(rows: ObservationRows): string {
  const { seriesIds, times, values, length } = rows;
  const parts: string[] = new Array(length);
  for (let i = 0; i < length; i++) {
    parts[i] = `${seriesIds[i]}\t${new Date(times[i]!).toISOString()}\t${values[i]}\n`;
  }
  return parts.join('');
}

/** SQL that moves staged rows into observations once each, skipping (series, t) pairs already stored. */
export const insertStagedObservationsSql =
  'insert into observations (series_id, t, v) select series_id, t, v from observation_stage on conflict (series_id, t) do nothing';

/** A session-local staging table for the slow path (batches that repeat stored rows). */
export const createStageSql =
  'create temp table if not exists observation_stage (series_id int4, t timestamptz, v float8) on commit delete rows';

/** PostgreSQL's SQLSTATE for a unique violation: a batch repeats a (series, t) already stored. */
export const uniqueViolation = '23505';
