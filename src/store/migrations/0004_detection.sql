-- Detector state per (rule, series), checkpointed so a restart resumes where detection stood.
-- The fingerprint is a hash of the rule's definition: a changed rule starts from a fresh state.
create table detector_states (
  rule_name         text not null,
  series_id         int4 not null,
  rule_fingerprint  text not null,
  state             jsonb not null,
  last_t            timestamptz not null,
  updated_at        timestamptz not null default now(),
  primary key (rule_name, series_id)
);

-- Signals: a rule began firing, changed level, or resolved, for one series at one time.
-- Unique on (rule, series, t, kind): replaying the same observations after a restart
-- re-derives the same signals, and they are stored once.
create table signals (
  id              bigserial primary key,
  rule_name       text not null,
  series_id       int4 not null,
  series_key      text not null,
  t               timestamptz not null,
  kind            text not null check (kind in ('firing', 'changed', 'resolved')),
  level           text check (level in ('blue', 'yellow', 'orange', 'red')),
  previous_level  text check (previous_level in ('blue', 'yellow', 'orange', 'red')),
  value           float8 not null,
  upperbound      float8,
  labels          jsonb not null,
  annotations     jsonb not null,
  extras          jsonb,
  created_at      timestamptz not null default now(),
  unique (rule_name, series_id, t, kind)
);
create index signals_t_idx on signals (t desc, id desc);
create index signals_series_idx on signals (series_id, t desc);
