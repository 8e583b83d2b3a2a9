import fs from 'node:fs';
import path from 'node:path';

/**
 * Reads a detection conformance folder laid out like ../shared/conformance/detection/: a
 * `cases.json` manifest (R's algorithm names and control lists) and one CSV per case with R's
 * reference outputs. Pure data in, pure data out; the comparison lives with each detector's tests.
 */

/** One case of the manifest, as R ran it. */
export interface ConformanceCase {
  id: string;
  file: string;
  dataset: string;
  /** Periods per year: 52 weekly, 12 monthly, 365 daily. */
  freq: number;
  /** True when the series has dates (R's epochAsDate). */
  epochAsDate: boolean;
  n: number;
  /** 1-based first and last evaluated time point, inclusive (R's control$range). */
  range: [number, number];
  /** R's function: earsC, farringtonFlexible, cusum, glrnb, bayes. */
  algorithm: string;
  /** R's control list as passed (R argument names). */
  control: Record<string, unknown>;
  alarms: number;
  note: string;
  /** Everything else the manifest says about the case (e.g. alpha_used). */
  extra: Record<string, unknown>;
}

/** One row of a case CSV: the fixed columns, plus algorithm-specific ones in `columns`. */
export interface ReferenceRow {
  /** 1-based index (R's t). */
  t: number;
  /** ISO date for dated series, else null. */
  date: string | null;
  year: number;
  period: number;
  observed: number | null;
  inRange: boolean;
  upperbound: number | null;
  /** 0/1, or null where R wrote NA. */
  alarm: number | null;
  /** Every numeric column by its header name (NA as null), fixed ones included. */
  columns: Record<string, number | null>;
}

/** A case with its reference rows. */
export interface LoadedCase extends ConformanceCase {
  header: string[];
  rows: ReferenceRow[];
}

/** The folder's manifest and cases; throws with the file and line when something cannot be read. */
export function readConformanceFolder(dir: string): { meta: Record<string, unknown>; cases: LoadedCase[] } {
  const manifestPath = path.join(dir, 'cases.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { cases?: unknown };
  if (!Array.isArray(manifest.cases)) throw new Error(`${manifestPath}: no "cases" array`);
  const { cases: _cases, ...meta } = manifest as { cases: unknown[] } & Record<string, unknown>;
  const cases = manifest.cases.map((raw, i) => {
    const c = readCase(raw, `${manifestPath}: cases[${i}]`);
    return { ...c, ...readReferenceCsv(path.join(dir, c.file)) };
  });
  return { meta, cases };
}

function readCase(raw: unknown, where: string): ConformanceCase {
  const o = raw as Record<string, unknown>;
  const need = <T>(key: string, check: (v: unknown) => boolean): T => {
    if (!check(o[key])) throw new Error(`${where}.${key}: missing or malformed`);
    return o[key] as T;
  };
  const range = need<[number, number]>('range', (v) => Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x)));
  const known = new Set(['id', 'file', 'dataset', 'freq', 'epochAsDate', 'n', 'range', 'algorithm', 'control', 'alarms', 'note']);
  return {
    id: need('id', (v) => typeof v === 'string'),
    file: need('file', (v) => typeof v === 'string'),
    dataset: typeof o['dataset'] === 'string' ? o['dataset'] : '',
    freq: need('freq', (v) => typeof v === 'number'),
    epochAsDate: o['epochAsDate'] === true,
    n: need('n', (v) => typeof v === 'number'),
    range,
    algorithm: need('algorithm', (v) => typeof v === 'string'),
    control: need('control', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
    alarms: typeof o['alarms'] === 'number' ? o['alarms'] : NaN,
    note: typeof o['note'] === 'string' ? o['note'] : '',
    extra: Object.fromEntries(Object.entries(o).filter(([k]) => !known.has(k))),
  };
}

/** Parses one reference CSV (header line, comma separated, NA for missing). */
export function readReferenceCsv(file: string): { header: string[]; rows: ReferenceRow[] } {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.trim().split(',');
  const index = (name: string) => header.indexOf(name);
  for (const required of ['t', 'observed', 'in_range', 'upperbound', 'alarm']) {
    if (index(required) === -1) throw new Error(`${file}:1: no column "${required}"`);
  }
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.trim().split(',');
    if (cells.length !== header.length) throw new Error(`${file}:${i + 2}: expected ${header.length} fields, found ${cells.length}`);
    const columns: Record<string, number | null> = {};
    header.forEach((name, c) => {
      if (name === 'date') return;
      const cell = cells[c]!;
      const value = cell === 'NA' ? null : Number(cell);
      if (value !== null && !Number.isFinite(value) && cell !== 'Inf' && cell !== '-Inf') {
        throw new Error(`${file}:${i + 2}: column ${name}: "${cell}" is not a number`);
      }
      columns[name] = cell === 'Inf' ? Infinity : cell === '-Inf' ? -Infinity : value;
    });
    const date = index('date') === -1 ? 'NA' : cells[index('date')]!;
    return {
      t: columns['t']!,
      date: date === 'NA' ? null : date,
      year: columns['year'] ?? NaN,
      period: columns['period'] ?? NaN,
      observed: columns['observed'] ?? null,
      inRange: columns['in_range'] === 1,
      upperbound: columns['upperbound'] ?? null,
      alarm: columns['alarm'] ?? null,
      columns,
    };
  });
  return { header, rows };
}

/** Where the shared conformance folder sits relative to this repository, when it is there at all. */
export function sharedDetectionFolder(): string | null {
  const dir = path.resolve(new URL('../../../../shared/conformance/detection/', import.meta.url).pathname);
  return fs.existsSync(path.join(dir, 'cases.json')) ? dir : null;
}
