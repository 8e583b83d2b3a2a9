-- Accounts: people and machines that call the API, their console sessions and API tokens.
-- Only hashes of secrets are stored: a session row's id and a token's token_hash are sha256 hex of
-- the secret the client holds, so a leaked table grants no access.

create table users (
  id             integer generated always as identity primary key,
  -- Name rules live in domain/accounts/user-name.ts; the table only keeps names unique.
  name           text not null unique,
  role           text not null check (role in ('admin', 'analyst', 'duty_officer', 'warning_approver',
                                               'responder', 'area_worker', 'viewer')),
  -- argon2id PHC string; null for machine accounts, which sign in with API tokens only.
  password_hash  text,
  disabled       boolean not null default false,
  created_at     timestamptz not null default now()
);

create table sessions (
  id            text primary key check (id ~ '^[0-9a-f]{64}$'),
  user_id       integer not null references users (id) on delete cascade,
  created_at    timestamptz not null,
  -- Sliding: moved forward on use, never past created_at + the absolute limit (domain/accounts/session-lifetime.ts).
  expires_at    timestamptz not null,
  last_seen_at  timestamptz not null,
  revoked_at    timestamptz
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expires_idx on sessions (expires_at);

create table api_tokens (
  id            integer generated always as identity primary key,
  user_id       integer not null references users (id) on delete cascade,
  name          text not null,
  token_hash    text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  -- The first characters of the token, so a person can tell their tokens apart; never enough to use.
  prefix        text not null,
  created_at    timestamptz not null,
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);
