-- Escalations of alert groups (issue 4): the policy's serialisable state per group and receiver,
-- written with the pages it emits in one transaction, so a restart neither repeats nor loses a page.
create table escalations (
  group_key  text not null,
  receiver   text not null,
  policy     text not null,
  state      jsonb not null,
  updated_at timestamptz not null,
  primary key (group_key, receiver)
);
