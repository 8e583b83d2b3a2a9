-- Series: one row per monitored indicator stream; created on first sight of its key.
create table series (
  id          serial primary key,
  key         text not null unique,
  domain      text check (domain in ('natural', 'health', 'food_drug', 'workplace', 'infrastructure',
                                     'cyber_data', 'economic', 'environment', 'maritime', 'space', 'community')),
  indicator   text,
  unit        text,
  area        text,
  lon         float8 check (lon between -180 and 180),
  lat         float8 check (lat between -90 and 90),
  labels      jsonb not null default '{}'::jsonb,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index series_domain_idx on series (domain);
create index series_indicator_idx on series (indicator);
create index series_area_idx on series (area);
create index series_labels_idx on series using gin (labels jsonb_path_ops);

-- Observations: the volume table. The primary key is the per-series time-range index and the
-- idempotency key (a re-sent (series, t) is a duplicate). No foreign key to series: it would cost
-- a lookup per row on the bulk path, and series are never deleted while they have observations.
create table observations (
  series_id  int4 not null,
  t          timestamptz not null,
  v          float8 not null,
  primary key (series_id, t)
);
