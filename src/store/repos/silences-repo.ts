import type { SqlClient } from '../sql-client.ts';
import type { Silence } from '../../domain/alerting/silences.ts';
import { formatMatcher, parseMatchers } from '../../domain/alerting/matchers.ts';

interface SilenceRow {
  id: string;
  matchers: string[];
  created_by: string;
  comment: string;
  starts_at: Date;
  ends_at: Date;
  updated_at: Date;
}

const ts = (ms: number) => new Date(ms).toISOString();

/** Silences in PostgreSQL; matchers are stored as the text Alertmanager prints (`area="D07"`). */
export class SilencesRepo {
  constructor(private readonly client: SqlClient) {}

  async all(): Promise<Silence[]> {
    const res = await this.client.query<SilenceRow>('select * from silences order by starts_at, id');
    return res.rows.map((r) => ({
      id: r.id,
      matchers: r.matchers.flatMap((m) => parseMatchers(m)),
      createdBy: r.created_by,
      comment: r.comment,
      startsAt: r.starts_at.getTime(),
      endsAt: r.ends_at.getTime(),
      updatedAt: r.updated_at.getTime(),
    }));
  }

  /** Inserts or replaces a silence. */
  async save(s: Silence): Promise<void> {
    await this.client.query(
      `insert into silences (id, matchers, created_by, comment, starts_at, ends_at, updated_at) values ($1, $2::jsonb, $3, $4, $5, $6, $7)
       on conflict (id) do update set matchers = excluded.matchers, comment = excluded.comment, starts_at = excluded.starts_at,
         ends_at = excluded.ends_at, updated_at = excluded.updated_at`,
      [s.id, JSON.stringify(s.matchers.map(formatMatcher)), s.createdBy, s.comment, ts(s.startsAt), ts(s.endsAt), ts(s.updatedAt)],
    );
  }

  /** Deletes silences that ended before `cutoff`; answers how many. */
  async purgeEndedBefore(cutoff: number): Promise<number> {
    const res = await this.client.query('delete from silences where ends_at < $1', [ts(cutoff)]);
    return res.rowCount;
  }
}
