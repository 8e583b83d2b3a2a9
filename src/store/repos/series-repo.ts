import { sql } from 'kysely';
import type { SqlClient } from '../sql-client.ts';
import { kyselyOver } from '../kysely.ts';
import type { Database } from '../schema.ts';
import type { SeriesMetadata } from '../../domain/observations/observation.ts';

/** A series as stored and shown by the API. */
export interface SeriesRecord {
  id: number;
  key: string;
  domain: string | null;
  indicator: string | null;
  unit: string | null;
  area: string | null;
  lon: number | null;
  lat: number | null;
  labels: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

/** Filters for listing series; every one is optional and they combine with AND. */
export interface SeriesFilter {
  domain?: string;
  indicator?: string;
  area?: string;
  /** Every pair must be among the series' labels. */
  labels?: Record<string, string>;
  /** Keyset paging: answer keys strictly after this one. */
  after?: string;
  limit: number;
}

type SeriesRow = Database['series'] extends infer T ? { [K in keyof T]: unknown } : never;

function toRecord(row: SeriesRow): SeriesRecord {
  return {
    id: row.id as number,
    key: row.key as string,
    domain: row.domain as string | null,
    indicator: row.indicator as string | null,
    unit: row.unit as string | null,
    area: row.area as string | null,
    lon: row.lon as number | null,
    lat: row.lat as number | null,
    labels: (typeof row.labels === 'string' ? JSON.parse(row.labels) : row.labels) as Record<string, string>,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

/** A series key plus whatever metadata its observations carried. */
export interface SeriesUpsert {
  key: string;
  meta?: SeriesMetadata;
}

/** The only code that reads and writes the series table. */
export class SeriesRepo {
  private readonly db;

  constructor(private readonly client: SqlClient) {
    this.db = kyselyOver<Database>(client);
  }

  /**
   * Creates the series not yet stored and applies the metadata given (fields left out keep their
   * value); answers key → id for every key asked. Safe against concurrent writers: creation is
   * `on conflict do nothing` and ids are read back afterwards.
   */
  async ensure(items: readonly SeriesUpsert[]): Promise<Map<string, number>> {
    if (items.length === 0) return new Map();
    const rows = items.map(({ key, meta }) => ({
      key,
      // A key like "ST001.level" names its indicator after the last dot until told otherwise.
      default_indicator: key.includes('.') ? key.slice(key.lastIndexOf('.') + 1) : null,
      domain: meta?.domain ?? null,
      indicator: meta?.indicator ?? null,
      unit: meta?.unit ?? null,
      area: meta?.area ?? null,
      lon: meta?.lon ?? null,
      lat: meta?.lat ?? null,
      labels: meta?.labels ?? null,
      has_meta: meta !== undefined,
    }));
    const payload = JSON.stringify(rows);
    const recordset = `jsonb_to_recordset($1::jsonb) as x(key text, default_indicator text, domain text, indicator text,
        unit text, area text, lon float8, lat float8, labels jsonb, has_meta boolean)`;
    await this.client.transaction(async (tx) => {
      await tx.query(
        `insert into series (key, domain, indicator, unit, area, lon, lat, labels)
         select key, domain, coalesce(indicator, default_indicator), unit, area, lon, lat, coalesce(labels, '{}'::jsonb)
           from ${recordset}
         order by key
         on conflict (key) do nothing`,
        [payload],
      );
      if (rows.some((r) => r.has_meta)) {
        await tx.query(
          `update series s set
             domain = coalesce(x.domain, s.domain),
             indicator = coalesce(x.indicator, s.indicator),
             unit = coalesce(x.unit, s.unit),
             area = coalesce(x.area, s.area),
             lon = coalesce(x.lon, s.lon),
             lat = coalesce(x.lat, s.lat),
             labels = coalesce(x.labels, s.labels),
             updated_at = now()
           from ${recordset}
           where s.key = x.key and x.has_meta
             and (s.domain, s.indicator, s.unit, s.area, s.lon, s.lat, s.labels) is distinct from
                 (coalesce(x.domain, s.domain), coalesce(x.indicator, s.indicator), coalesce(x.unit, s.unit),
                  coalesce(x.area, s.area), coalesce(x.lon, s.lon), coalesce(x.lat, s.lat), coalesce(x.labels, s.labels))`,
          [payload],
        );
      }
    });
    const keys = items.map((i) => i.key);
    const found = await this.client.query<{ id: number; key: string }>(
      'select id, key from series where key = any($1::text[])',
      [keys],
    );
    return new Map(found.rows.map((r) => [r.key, r.id]));
  }

  /** The series with these ids (unknown ids are left out). */
  async byIds(ids: readonly number[]): Promise<SeriesRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('series').selectAll().where('id', 'in', [...ids]).execute();
    return rows.map((r) => toRecord(r as SeriesRow));
  }

  /** One series by key, or null. */
  async byKey(key: string): Promise<SeriesRecord | null> {
    const row = await this.db.selectFrom('series').selectAll().where('key', '=', key).executeTakeFirst();
    return row ? toRecord(row as SeriesRow) : null;
  }

  /** A page of series in key order, and how many match the filter in all. */
  async list(filter: SeriesFilter): Promise<{ items: SeriesRecord[]; total: number }> {
    let q = this.db.selectFrom('series');
    if (filter.domain !== undefined) q = q.where('domain', '=', filter.domain);
    if (filter.indicator !== undefined) q = q.where('indicator', '=', filter.indicator);
    if (filter.area !== undefined) q = q.where('area', '=', filter.area);
    if (filter.labels && Object.keys(filter.labels).length > 0) {
      q = q.where(sql<boolean>`labels @> ${JSON.stringify(filter.labels)}::jsonb`);
    }
    const totalRow = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    let page = q.selectAll();
    if (filter.after !== undefined) page = page.where('key', '>', filter.after);
    const rows = await page.orderBy('key').limit(filter.limit).execute();
    return { items: rows.map((r) => toRecord(r as SeriesRow)), total: Number(totalRow?.n ?? 0) };
  }
}
