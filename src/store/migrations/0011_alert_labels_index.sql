-- The alert list pushes its equality matchers (`filter=area="D07"`) to SQL as `labels @> …`:
-- this index keeps that a lookup however many alerts the table holds.
create index alerts_labels_idx on alerts using gin (labels jsonb_path_ops);
