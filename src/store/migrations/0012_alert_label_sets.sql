-- At 10,000 alert changes/s every change rewrote the alert's row with new entries in every index
-- of `alerts`, the GIN index on labels included, whose pending list then merged in one write of
-- hundreds of milliseconds every few seconds, in the middle of the notification path
-- (bench/alerting). A label set never changes for its fingerprint, so it is indexed once, in a
-- table written only when an alert is first seen; `alerts` keeps no index on a column a change
-- touches except starts_at (a re-fire), and room on its pages, so that a resolve or an
-- acknowledgement updates the row in place (HOT) without touching any index.
create table alert_label_sets (
  fingerprint  text primary key,
  labels       jsonb not null
);
insert into alert_label_sets (fingerprint, labels) select fingerprint, labels from alerts;
create index alert_label_sets_labels_idx on alert_label_sets using gin (labels jsonb_path_ops) with (fastupdate = off);
drop index alerts_labels_idx;
drop index alerts_firing_idx;
create index alerts_starts_at_idx on alerts (starts_at);
alter table alerts set (fillfactor = 70);
