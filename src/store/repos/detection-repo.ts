import type { SqlClient } from '../sql-client.ts';
import type { Level } from '../../domain/detect/levels.ts';
import type { SignalKind } from '../../domain/detect/hold.ts';

/** A checkpointed detector state of one rule on one series. */
export interface StoredDetectorState {
  rule: string;
  seriesId: number;
  fingerprint: string;
  /** Opaque JSON: the engine's per-(rule, series) state. */
  state: unknown;
  /** Epoch ms of the newest observation this state has seen. */
  lastT: number;
}

/** A composite rule's checkpointed state for one group of series (e.g. `area=D01`). */
export interface StoredCompositeState {
  rule: string;
  subject: string;
  fingerprint: string;
  state: unknown;
}

/** A signal as stored and shown. */
export interface SignalRecord {
  id: number;
  rule: string;
  /** The series the signal is about; null for a composite rule's signal about a group. */
  seriesId: number | null;
  /** The series' key, or the group a composite signal is about (e.g. `area=D01`). */
  seriesKey: string;
  t: number;
  kind: SignalKind;
  level: Level | null;
  previousLevel: Level | null;
  value: number;
  upperbound: number | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  extras: Record<string, number | null> | null;
  createdAt: number;
}

/** A signal about to be stored (no id yet). */
export type NewSignal = Omit<SignalRecord, 'id' | 'createdAt'>;

/** Filters for listing signals, newest first; all optional. */
export interface SignalFilter {
  rule?: string;
  seriesKey?: string;
  level?: Level;
  kind?: SignalKind;
  from?: number;
  to?: number;
  /** Keyset paging: signals with a smaller id than this. */
  beforeId?: number;
  limit: number;
}

interface SignalRow {
  id: number;
  rule_name: string;
  series_id: number | null;
  series_key: string;
  t: Date;
  kind: SignalKind;
  level: Level | null;
  previous_level: Level | null;
  value: number;
  upperbound: number | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  extras: Record<string, number | null> | null;
  created_at: Date;
}

function toRecord(r: SignalRow): SignalRecord {
  return {
    id: Number(r.id),
    rule: r.rule_name,
    seriesId: r.series_id,
    seriesKey: r.series_key,
    t: r.t.getTime(),
    kind: r.kind,
    level: r.level,
    previousLevel: r.previous_level,
    value: r.value,
    upperbound: r.upperbound,
    labels: r.labels,
    annotations: r.annotations,
    extras: r.extras,
    createdAt: r.created_at.getTime(),
  };
}

/** The only code that reads and writes detector states and signals. */
export class DetectionRepo {
  constructor(private readonly client: SqlClient) {}

  /** Every checkpointed state (for recovery at start). */
  async allStates(): Promise<StoredDetectorState[]> {
    const res = await this.client.query<{ rule_name: string; series_id: number; rule_fingerprint: string; state: unknown; last_t: Date }>(
      'select rule_name, series_id, rule_fingerprint, state, last_t from detector_states',
    );
    return res.rows.map((r) => ({ rule: r.rule_name, seriesId: r.series_id, fingerprint: r.rule_fingerprint, state: r.state, lastT: r.last_t.getTime() }));
  }

  /** Writes states in one statement (insert or replace). */
  async saveStates(states: readonly StoredDetectorState[]): Promise<void> {
    if (states.length === 0) return;
    const payload = JSON.stringify(
      states.map((s) => ({ rule_name: s.rule, series_id: s.seriesId, rule_fingerprint: s.fingerprint, state: s.state, last_t: new Date(s.lastT).toISOString() })),
    );
    await this.client.query(
      `insert into detector_states (rule_name, series_id, rule_fingerprint, state, last_t, updated_at)
       select rule_name, series_id, rule_fingerprint, state, last_t, now()
         from jsonb_to_recordset($1::jsonb) as x(rule_name text, series_id int4, rule_fingerprint text, state jsonb, last_t timestamptz)
       on conflict (rule_name, series_id) do update
         set rule_fingerprint = excluded.rule_fingerprint, state = excluded.state, last_t = excluded.last_t, updated_at = now()`,
      [payload],
    );
  }

  /** Every checkpointed composite state (for recovery at start). */
  async allCompositeStates(): Promise<StoredCompositeState[]> {
    const res = await this.client.query<{ rule_name: string; subject: string; rule_fingerprint: string; state: unknown }>(
      'select rule_name, subject, rule_fingerprint, state from composite_states',
    );
    return res.rows.map((r) => ({ rule: r.rule_name, subject: r.subject, fingerprint: r.rule_fingerprint, state: r.state }));
  }

  /** Writes composite states in one statement (insert or replace). */
  async saveCompositeStates(states: readonly StoredCompositeState[]): Promise<void> {
    if (states.length === 0) return;
    const payload = JSON.stringify(states.map((s) => ({ rule_name: s.rule, subject: s.subject, rule_fingerprint: s.fingerprint, state: s.state })));
    await this.client.query(
      `insert into composite_states (rule_name, subject, rule_fingerprint, state, updated_at)
       select rule_name, subject, rule_fingerprint, state, now()
         from jsonb_to_recordset($1::jsonb) as x(rule_name text, subject text, rule_fingerprint text, state jsonb)
       on conflict (rule_name, subject) do update
         set rule_fingerprint = excluded.rule_fingerprint, state = excluded.state, updated_at = now()`,
      [payload],
    );
  }

  /** Stores signals once each (a replayed one is skipped); answers those newly stored, with ids. */
  async insertSignals(signals: readonly NewSignal[]): Promise<SignalRecord[]> {
    if (signals.length === 0) return [];
    const payload = JSON.stringify(
      signals.map((s) => ({
        rule_name: s.rule,
        series_id: s.seriesId,
        series_key: s.seriesKey,
        t: new Date(s.t).toISOString(),
        kind: s.kind,
        level: s.level,
        previous_level: s.previousLevel,
        value: s.value,
        upperbound: s.upperbound,
        labels: s.labels,
        annotations: s.annotations,
        extras: s.extras,
      })),
    );
    const res = await this.client.query<SignalRow>(
      `insert into signals (rule_name, series_id, series_key, t, kind, level, previous_level, value, upperbound, labels, annotations, extras)
       select rule_name, series_id, series_key, t, kind, level, previous_level, value, upperbound, labels, annotations, extras
         from jsonb_to_recordset($1::jsonb) as x(rule_name text, series_id int4, series_key text, t timestamptz, kind text, level text,
              previous_level text, value float8, upperbound float8, labels jsonb, annotations jsonb, extras jsonb)
       on conflict (rule_name, series_key, t, kind) do nothing
       returning *`,
      [payload],
    );
    return res.rows.map(toRecord).sort((a, b) => a.id - b.id);
  }

  /** Signals newest first, filtered. */
  async listSignals(filter: SignalFilter): Promise<SignalRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.rule !== undefined) add('rule_name = ?', filter.rule);
    if (filter.seriesKey !== undefined) add('series_key = ?', filter.seriesKey);
    if (filter.level !== undefined) add('level = ?', filter.level);
    if (filter.kind !== undefined) add('kind = ?', filter.kind);
    if (filter.from !== undefined) add('t >= ?', new Date(filter.from));
    if (filter.to !== undefined) add('t < ?', new Date(filter.to));
    if (filter.beforeId !== undefined) add('id < ?', filter.beforeId);
    params.push(filter.limit);
    const res = await this.client.query<SignalRow>(
      `select * from signals ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
      params,
    );
    return res.rows.map(toRecord);
  }
}
