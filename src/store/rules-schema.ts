import type { ColumnType } from 'kysely';

/** rules: detection rules defined through the API (migrations/0003_rules.sql); file rules are not stored. */
export interface RulesTable {
  name: string;
  /** The rule in its YAML/JSON shape; written as JSON text, read back parsed. */
  definition: ColumnType<unknown, string, string>;
  source: ColumnType<string, string | undefined, never>;
  version: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date, never>;
  created_by: ColumnType<string, string, never>;
  updated_at: ColumnType<Date, Date, Date>;
  updated_by: string;
}
