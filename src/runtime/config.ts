import { TocsinError } from '../domain/kernel/errors.ts';
import { parseDuration } from '../domain/kernel/duration.ts';

/**
 * Tocsin's settings, from command-line flags and TOCSIN_* environment variables (flags win).
 * One table defines every key: its flag, its variable, its default with unit, and how it is read.
 * docs/CONFIGURATION.md is this table in prose; a test keeps the two in step.
 */
export interface TocsinConfig {
  /** TCP port the server listens on. */
  port: number;
  /** Interface to bind; 127.0.0.1 keeps a fresh install off the network until someone decides otherwise. */
  host: string;
  /** PGlite data folder, used when no DATABASE_URL is given. */
  dataDir: string;
  /** PostgreSQL server URL; when set, the embedded store is not used. Secret (may hold a password). */
  databaseUrl: string | undefined;
  /** Schema on the PostgreSQL server for Tocsin's tables. */
  dbSchema: string | undefined;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Observations older than this many ms are purged; 0 keeps them forever. */
  retentionMs: number;
  /** How often the retention purge runs, in ms. */
  retentionIntervalMs: number;
  /** Resolved alerts, their history and finished notifications older than this many ms are purged; 0 keeps them forever. */
  alertRetentionMs: number;
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Password for the first `admin` account, instead of a generated one. Secret. */
  adminPassword: string | undefined;
  /** Folder of rule files (YAML/JSON), reloaded on change and on SIGHUP. */
  rulesDir: string | undefined;
  /** Alertmanager-format alerting configuration file (routes, receivers, inhibition, time intervals). */
  alertingConfigFile: string | undefined;
  /** Base URL people reach this Tocsin at, for links in notifications. */
  externalUrl: string | undefined;
}

type Key = keyof TocsinConfig;

interface Setting {
  key: Key;
  flag?: string;
  env: string;
  default: string | undefined;
  unit: string;
  description: string;
  secret?: boolean;
  read(text: string): unknown;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Every setting, in the order the documentation lists them. */
export const settings: readonly Setting[] = [
  { key: 'port', flag: '--port', env: 'TOCSIN_PORT', default: '8080', unit: 'TCP port', description: 'Port for the API, console and feeds.', read: readPort },
  { key: 'host', flag: '--host', env: 'TOCSIN_HOST', default: '127.0.0.1', unit: 'address', description: 'Interface to listen on; 0.0.0.0 for every interface.', read: readNonEmpty },
  { key: 'dataDir', flag: '--data', env: 'TOCSIN_DATA', default: './data', unit: 'folder', description: 'Embedded PostgreSQL (PGlite) data folder; ignored when DATABASE_URL is set.', read: readNonEmpty },
  { key: 'databaseUrl', env: 'DATABASE_URL', default: undefined, unit: 'postgres:// URL', description: 'A PostgreSQL server to use instead of the embedded store.', secret: true, read: readPostgresUrl },
  { key: 'dbSchema', env: 'TOCSIN_DB_SCHEMA', default: undefined, unit: 'SQL name', description: 'Schema for Tocsin\'s tables on the server (created if missing); default: the search path.', read: readSchema },
  { key: 'bodyLimitBytes', flag: '--body-limit', env: 'TOCSIN_BODY_LIMIT', default: '16mb', unit: 'bytes (kb, mb suffixes)', description: 'Largest request body; larger ones get 413.', read: readBytes },
  { key: 'retentionMs', flag: '--retention', env: 'TOCSIN_RETENTION', default: '400d', unit: 'duration (s, m, h, d)', description: 'Observations older than this are deleted; 0 keeps everything.', read: readDuration },
  { key: 'alertRetentionMs', flag: '--alert-retention', env: 'TOCSIN_ALERT_RETENTION', default: '400d', unit: 'duration (s, m, h, d)', description: 'Resolved alerts, their history and finished notifications older than this are deleted; 0 keeps everything.', read: readDuration },
  { key: 'retentionIntervalMs', env: 'TOCSIN_RETENTION_INTERVAL', default: '1h', unit: 'duration', description: 'How often the retention purge runs.', read: readPositiveDuration },
  { key: 'logLevel', flag: '--log-level', env: 'TOCSIN_LOG_LEVEL', default: 'info', unit: logLevels.join('|'), description: 'Log verbosity (JSON lines on stdout).', read: readLogLevel },
  { key: 'rulesDir', flag: '--rules', env: 'TOCSIN_RULES', default: undefined, unit: 'folder', description: 'Detection rule files (*.yaml, *.yml, *.json), reloaded on change and on SIGHUP.', read: readNonEmpty },
  { key: 'alertingConfigFile', flag: '--config', env: 'TOCSIN_CONFIG', default: undefined, unit: 'file', description: 'Alerting configuration in Prometheus Alertmanager\'s format (alertmanager.yml); checked at start, a bad one stops the start with Alertmanager\'s message.', read: readNonEmpty },
  { key: 'externalUrl', flag: '--external-url', env: 'TOCSIN_EXTERNAL_URL', default: undefined, unit: 'http(s) URL', description: 'Where people reach this Tocsin, for links in notifications (default: the listening address).', read: readNonEmpty },
  { key: 'adminPassword', env: 'TOCSIN_ADMIN_PASSWORD', default: undefined, unit: 'text', description: 'Password for the first admin account, instead of a generated one (for scripts).', secret: true, read: readNonEmpty },
];

/** Variables that are not settings but that Tocsin knows, so they are not reported as unknown. */
const otherKnownEnv = new Set(['TOCSIN_URL', 'TOCSIN_TOKEN', 'TOCSIN_TEST_DATABASE_URL', 'TOCSIN_DEMO_SPEED']);

/**
 * Builds the configuration from flags (already parsed, keyed by setting key) and the environment.
 * Unknown TOCSIN_* variables and bad values are all reported together in one error.
 */
export function loadConfig(flags: Partial<Record<Key, string>>, env: NodeJS.ProcessEnv): Readonly<TocsinConfig> {
  const problems: string[] = [];
  const known = new Set([...settings.map((s) => s.env), ...otherKnownEnv]);
  for (const name of Object.keys(env)) {
    if (name.startsWith('TOCSIN_') && !known.has(name)) problems.push(`${name}: unknown setting`);
  }
  const config: Record<string, unknown> = {};
  for (const setting of settings) {
    const fromFlag = flags[setting.key];
    const fromEnv = env[setting.env];
    const text = fromFlag ?? (fromEnv === '' ? undefined : fromEnv) ?? setting.default;
    const where = fromFlag !== undefined ? setting.flag : fromEnv ? setting.env : `default of ${setting.env}`;
    if (text === undefined) {
      config[setting.key] = undefined;
      continue;
    }
    try {
      config[setting.key] = setting.read(text);
    } catch (err) {
      const shown = setting.secret ? '<redacted>' : JSON.stringify(text);
      problems.push(`${where}: ${shown} ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new TocsinError('TOCSIN_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { problems });
  }
  return Object.freeze(config as unknown as TocsinConfig);
}

/** The configuration with secrets replaced, for logs and `--help` output. */
export function redactedConfig(config: TocsinConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const setting of settings) {
    const value = config[setting.key];
    out[setting.key] = setting.secret && value !== undefined ? '<redacted>' : value;
  }
  return out;
}

function readNonEmpty(text: string): string {
  if (text.trim() === '') throw new Error('must not be empty');
  return text;
}

function readPort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 0 || n > 65535) throw new Error('is not a port number (0–65535)');
  return n;
}

function readPostgresUrl(text: string): string {
  if (!/^postgres(ql)?:\/\//.test(text)) throw new Error('must start with postgres:// or postgresql://');
  try {
    new URL(text);
  } catch {
    throw new Error('is not a valid URL');
  }
  return text;
}

function readSchema(text: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(text)) throw new Error('must be a plain lower-case SQL name');
  return text;
}

const byteUnits: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Reads a size such as 16mb, 512kb or 1048576. */
export function readBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) throw new Error('is not a size (e.g. 16mb, 512kb, 1048576)');
  const bytes = Math.floor(Number(m[1]) * byteUnits[(m[2] ?? '').toLowerCase()]!);
  if (bytes < 1024) throw new Error('is below the 1kb minimum');
  return bytes;
}

/** Reads a duration such as 400d, 12h, 90s or 0. */
export function readDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new Error('is not a duration (e.g. 400d, 12h, 30m, 0)');
  return ms;
}

function readPositiveDuration(text: string): number {
  const ms = readDuration(text);
  if (ms <= 0) throw new Error('must be longer than 0');
  return ms;
}

function readLogLevel(text: string): TocsinConfig['logLevel'] {
  if (!logLevels.includes(text)) throw new Error(`is not one of ${logLevels.join(', ')}`);
  return text as TocsinConfig['logLevel'];
}
