-- Operator alerting (issue 4). Alertmanager keeps all of this in memory; Tocsin keeps it here so
-- that a restart loses nothing and sends nothing twice.

-- Alerts, one row per label set (fingerprint): the current state.
create table alerts (
  fingerprint    text primary key,
  labels         jsonb not null,
  annotations    jsonb not null,
  starts_at      timestamptz not null,
  ends_at        timestamptz,
  updated_at     timestamptz not null,
  generator_url  text not null default '',
  acks           jsonb not null default '[]'
);
create index alerts_firing_idx on alerts (starts_at) where ends_at is null;

-- Every transition of every alert (fired, resolved, acknowledged, …), written in the same
-- transaction as the change and never updated: the alert's history.
create table alert_events (
  id           bigserial primary key,
  fingerprint  text not null,
  at           timestamptz not null,
  kind         text not null,
  actor        text,
  detail       jsonb not null default '{}'
);
create index alert_events_alert_idx on alert_events (fingerprint, id);

-- Aggregation groups, per group key and receiver: members and the next flush.
create table alert_groups (
  group_key      text not null,
  receiver       text not null,
  route_path     jsonb not null,
  group_labels   jsonb not null,
  created_at     timestamptz not null,
  next_flush_at  timestamptz not null,
  members        jsonb not null,
  primary key (group_key, receiver)
);

-- The notification log (Alertmanager's nflog): the last notification per group and receiver,
-- which the dedup decision compares with.
create table notification_log (
  group_key  text not null,
  receiver   text not null,
  at         timestamptz not null,
  firing     jsonb not null,
  resolved   jsonb not null,
  primary key (group_key, receiver)
);

-- Notifications to deliver and delivered: one row per integration of a receiver per flush, with
-- the exact bytes to send (so a retry after a restart sends what the flush decided). Every attempt
-- is in notification_attempts; a notification whose last try failed is its own dead letter.
create table notifications (
  id             bigserial primary key,
  group_key      text not null,
  receiver       text not null,
  integration    text not null,
  reason         text not null,
  payload        text not null,
  created_at     timestamptz not null,
  status         text not null check (status in ('pending', 'delivered', 'dead-letter')),
  attempts       int4 not null default 0,
  next_attempt_at timestamptz,
  last_error     text
);
create index notifications_due_idx on notifications (next_attempt_at) where status = 'pending';

create table notification_attempts (
  id               bigserial primary key,
  notification_id  int8 not null references notifications (id),
  attempt          int4 not null,
  at               timestamptz not null,
  ok               boolean not null,
  status           int4,
  error            text,
  duration_ms      float8 not null
);
create index notification_attempts_idx on notification_attempts (notification_id, attempt);
