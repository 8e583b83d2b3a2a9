import type { ColumnType, Generated } from 'kysely';

/** A timestamptz column that is read as a Date and written as a Date. */
type Timestamp = ColumnType<Date, Date, Date>;

/** users: one row per person or machine account (migrations/0002_accounts.sql). */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  role: string;
  /** argon2id PHC string; null for machine accounts (tokens only). */
  password_hash: string | null;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
}

/** sessions: console logins; `id` is the sha256 hex of the cookie secret. */
export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** api_tokens: Bearer tokens for machines and scripts; only the sha256 hex of the token is kept. */
export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** Kysely's view of the accounts tables (users, sessions, API tokens); see migrations/0002_accounts.sql. */
export interface AccountsTables {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
}
