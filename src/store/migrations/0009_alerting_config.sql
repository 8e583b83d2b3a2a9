-- The alerting configuration edited through the API (when no --config file is given): the
-- alertmanager.yml text, who changed it and when. One row; each change replaces it.
create table alerting_config (
  id          int4 primary key check (id = 1),
  text        text not null,
  updated_by  text not null,
  updated_at  timestamptz not null
);
