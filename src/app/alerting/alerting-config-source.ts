import fs from 'node:fs';
import type { SqlClient } from '../../store/sql-client.ts';
import { parseAlertingConfig, type AlertingConfig } from '../../domain/alerting/config/alerting-config.ts';
import { ConfigError } from '../../domain/alerting/config/yaml-decoder.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';

/**
 * Where the alerting configuration comes from, and how it changes. With `--config FILE` the file
 * is the one source of truth: it is re-read on SIGHUP, and the API refuses to edit it (an edit
 * that the next reload silently undid would be worse). Without a file, the API edits a copy kept
 * in the store; before any edit, alerts are kept and listed and nothing is sent.
 */
export type ConfigOrigin = { kind: 'file'; file: string } | { kind: 'store'; updatedBy: string; updatedAt: number } | { kind: 'default' };

/** The configuration used before anyone configured alerting: one receiver without integrations. */
export const quietConfigText = 'route:\n  receiver: console\nreceivers:\n  - name: console\n';

export class AlertingConfigSource {
  private text = quietConfigText;
  private config: AlertingConfig = parseAlertingConfig(quietConfigText);
  private origin: ConfigOrigin = { kind: 'default' };
  private readonly listeners = new Set<(config: AlertingConfig) => void>();

  private constructor(
    private readonly db: SqlClient,
    private readonly file: string | undefined,
  ) {}

  /** Reads the file (refusing a bad one with its name and Alertmanager's message) or the stored copy. */
  static async open(db: SqlClient, file: string | undefined): Promise<AlertingConfigSource> {
    const source = new AlertingConfigSource(db, file);
    if (file) source.apply(readFile(file), { kind: 'file', file });
    else {
      const res = await db.query<{ text: string; updated_by: string; updated_at: Date }>('select text, updated_by, updated_at from alerting_config where id = 1');
      const row = res.rows[0];
      if (row) source.apply({ config: parse(row.text, 'the stored alerting configuration'), text: row.text }, { kind: 'store', updatedBy: row.updated_by, updatedAt: row.updated_at.getTime() });
    }
    return source;
  }

  current(): AlertingConfig {
    return this.config;
  }

  describe(): { origin: ConfigOrigin; text: string } {
    return { origin: this.origin, text: this.text };
  }

  /** Called with each new configuration. */
  subscribe(listener: (config: AlertingConfig) => void): void {
    this.listeners.add(listener);
  }

  /** Re-reads the file (SIGHUP); a bad file keeps the running configuration and throws its problem. */
  reload(): void {
    if (!this.file) return;
    this.apply(readFile(this.file), { kind: 'file', file: this.file });
  }

  /** Replaces the stored configuration through the API; throws TOCSIN_CONFLICT when a file rules. */
  async replace(text: string, by: string, now: number): Promise<AlertingConfig> {
    if (this.file) throw new TocsinError('TOCSIN_CONFLICT', `alerting is configured from ${this.file}: edit the file and send SIGHUP to reload it`);
    const config = parse(text, 'body');
    await this.db.query(
      `insert into alerting_config (id, text, updated_by, updated_at) values (1, $1, $2, $3)
       on conflict (id) do update set text = excluded.text, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [text, by, new Date(now).toISOString()],
    );
    this.apply({ config, text }, { kind: 'store', updatedBy: by, updatedAt: now });
    return config;
  }

  private apply({ config, text }: { config: AlertingConfig; text: string }, origin: ConfigOrigin): void {
    this.config = config;
    this.text = text;
    this.origin = origin;
    for (const l of this.listeners) l(config);
  }
}

function parse(text: string, where: string): AlertingConfig {
  try {
    return parseAlertingConfig(text);
  } catch (err) {
    if (err instanceof ConfigError) throw new TocsinError('TOCSIN_VALIDATION', `${where}: ${err.message}`);
    throw err;
  }
}

function readFile(file: string): { config: AlertingConfig; text: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TocsinError('TOCSIN_CONFIG_INVALID', `${file}: cannot read the alerting configuration (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return { config: parseAlertingConfig(text), text };
  } catch (err) {
    if (err instanceof ConfigError) throw new TocsinError('TOCSIN_CONFIG_INVALID', `${file}: ${err.message}`);
    throw err;
  }
}
