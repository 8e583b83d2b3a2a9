import type { SqlClient } from '../sql-client.ts';

/** One stored observation, time as epoch milliseconds. */
export interface StoredObservation {
  t: number;
  v: number;
}

/** One aggregated bucket of a series for charts: the bucket's start and its statistics. */
export interface ObservationBucket {
  t: number;
  min: number;
  max: number;
  mean: number;
  count: number;
}

/** A time range [from, to) in epoch ms; either end may be open. */
export interface TimeRange {
  from?: number | undefined;
  to?: number | undefined;
}

function rangeClause(range: TimeRange, params: unknown[]): string {
  let clause = '';
  if (range.from !== undefined) {
    params.push(new Date(range.from));
    clause += ` and t >= $${params.length}`;
  }
  if (range.to !== undefined) {
    params.push(new Date(range.to));
    clause += ` and t < $${params.length}`;
  }
  return clause;
}

/** The read side and housekeeping of the observations table (writes go through Store.insertObservations). */
export class ObservationsRepo {
  constructor(private readonly client: SqlClient) {}

  /** Observations of one series in time order within the range, at most `limit` (from the start, or the end when `latestFirst`). */
  async range(seriesId: number, range: TimeRange, limit: number, latestFirst = false): Promise<StoredObservation[]> {
    const params: unknown[] = [seriesId];
    const where = rangeClause(range, params);
    params.push(limit);
    const res = await this.client.query<{ t: Date; v: number }>(
      `select t, v from observations where series_id = $1${where}
       order by t ${latestFirst ? 'desc' : 'asc'} limit $${params.length}`,
      params,
    );
    const rows = res.rows.map((r) => ({ t: r.t.getTime(), v: r.v }));
    return latestFirst ? rows.reverse() : rows;
  }

  /**
   * Buckets of `stepMs` aligned to the Unix epoch (so pages of a chart line up), each with min, max,
   * mean and count; empty buckets are left out.
   */
  async buckets(seriesId: number, range: TimeRange, stepMs: number, limit: number): Promise<ObservationBucket[]> {
    const params: unknown[] = [seriesId, `${stepMs} milliseconds`];
    const where = rangeClause(range, params);
    params.push(limit);
    const res = await this.client.query<{ b: Date; min: number; max: number; mean: number; count: number }>(
      `select date_bin($2::interval, t, timestamptz '1970-01-01 00:00:00+00') as b,
              min(v) as min, max(v) as max, avg(v) as mean, count(*)::int4 as count
         from observations where series_id = $1${where}
        group by b order by b limit $${params.length}`,
      params,
    );
    return res.rows.map((r) => ({ t: r.b.getTime(), min: r.min, max: r.max, mean: r.mean, count: r.count }));
  }

  /** The newest observation of a series, or null when it has none. */
  async latest(seriesId: number): Promise<StoredObservation | null> {
    const res = await this.client.query<{ t: Date; v: number }>(
      'select t, v from observations where series_id = $1 order by t desc limit 1',
      [seriesId],
    );
    const row = res.rows[0];
    return row ? { t: row.t.getTime(), v: row.v } : null;
  }

  /** How many observations are stored in all (for health and tests). */
  async count(): Promise<number> {
    const res = await this.client.query<{ n: number }>('select count(*) as n from observations');
    return Number(res.rows[0]?.n ?? 0);
  }

  /**
   * Deletes observations older than `cutoffMs`, one series at a time through the primary key (no
   * extra index on t slows ingest, and no purge holds the single PGlite connection for long).
   * Answers rows deleted.
   */
  async purgeBefore(cutoffMs: number): Promise<number> {
    const ids = await this.client.query<{ id: number }>('select id from series order by id');
    const cutoff = new Date(cutoffMs);
    let total = 0;
    for (const { id } of ids.rows) {
      const res = await this.client.query('delete from observations where series_id = $1 and t < $2', [id, cutoff]);
      total += res.rowCount;
    }
    return total;
  }
}
