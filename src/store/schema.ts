import type { ColumnType, Generated } from 'kysely';
import type { AccountsTables } from './accounts-schema.ts';

/** Kysely's view of the tables in store/migrations (kept in step by hand; the storage tests use both). */
export interface SeriesTable {
  id: Generated<number>;
  key: string;
  domain: string | null;
  indicator: string | null;
  unit: string | null;
  area: string | null;
  lon: number | null;
  lat: number | null;
  labels: ColumnType<Record<string, string>, string | undefined, string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}

export interface ObservationsTable {
  series_id: number;
  t: Date;
  v: number;
}

export interface Database extends AccountsTables {
  series: SeriesTable;
  observations: ObservationsTable;
  rules: import('./rules-schema.ts').RulesTable;
}
