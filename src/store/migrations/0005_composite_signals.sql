-- Composite rules (several signals in one area within a window) raise signals about a group of
-- series — an area — rather than about one series: such a signal has no series id, and its
-- series_key names the group (e.g. `area=D01`). Signals are therefore unique on the key, which
-- is as unique as the id for a series' own signals.
alter table signals alter column series_id drop not null;
alter table signals drop constraint signals_rule_name_series_id_t_kind_key;
alter table signals add constraint signals_rule_series_key_t_kind_key unique (rule_name, series_key, t, kind);

-- A composite rule's state per group, checkpointed with the detector states so that a restart
-- resumes counting where it stood.
create table composite_states (
  rule_name         text not null,
  subject           text not null,
  rule_fingerprint  text not null,
  state             jsonb not null,
  updated_at        timestamptz not null default now(),
  primary key (rule_name, subject)
);
