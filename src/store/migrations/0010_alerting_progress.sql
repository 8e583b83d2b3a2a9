-- How far alerting has taken in the stored signals (issue 4): written in the same transaction as
-- the alert changes, so that a crash between detection storing a signal and alerting storing its
-- alert is mended at the next start by applying the signals after this id.
create table alerting_progress (
  id              int4 primary key check (id = 1),
  last_signal_id  int8 not null
);
