-- Silences (issue 4): matchers, author, comment and time span. Expired ones are kept for a while
-- (Alertmanager: 120 h) so that operators can see and re-use them, then purged.
create table silences (
  id          text primary key,
  matchers    jsonb not null,
  created_by  text not null,
  comment     text not null,
  starts_at   timestamptz not null,
  ends_at     timestamptz not null,
  updated_at  timestamptz not null
);
create index silences_ends_idx on silences (ends_at);
