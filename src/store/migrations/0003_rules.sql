-- Rules defined through the API (/api/v1/rules). Rules from files (--rules DIR) are not stored:
-- they live in their files. The rule is kept as written (its YAML/JSON shape) and re-checked
-- against the detectors on every load, so a detector that changes its parameters never leaves a
-- stored rule silently half-understood.
create table rules (
  name        text primary key check (name ~ '^[a-z0-9][a-z0-9_.-]{0,99}$'),
  definition  jsonb not null check (jsonb_typeof(definition) = 'object'),
  source      text not null default 'api' check (source = 'api'),
  -- Optimistic concurrency: an update names the version it read and succeeds only if it is current.
  version     integer not null default 1 check (version >= 1),
  created_at  timestamptz not null,
  -- Account names rather than ids, so the record of who changed a rule outlives the account.
  created_by  text not null,
  updated_at  timestamptz not null,
  updated_by  text not null
);
