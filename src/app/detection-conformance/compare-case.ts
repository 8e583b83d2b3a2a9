import type { LoadedCase } from './read-cases.ts';

/** What a detector computed for a case: one array per output column, indexed like the rows (null = NA). */
export type ComputedColumns = Record<string, readonly (number | null)[]>;

/** One time point where we and R differ. */
export interface Disagreement {
  t: number;
  column: string;
  ours: number | null;
  reference: number | null;
}

/** How closely a computed case matches R's reference. */
export interface CaseComparison {
  id: string;
  /** In-range points compared. */
  points: number;
  /** Share of in-range points whose alarm equals R's (NA equals NA). */
  alarmAgreement: number;
  /** Largest relative difference of the upper bound where both are defined. */
  maxRelativeError: number;
  /** Largest relative difference per other numeric column the reference has. */
  columnErrors: Record<string, number>;
  disagreements: Disagreement[];
}

/** The bar: alarms agree at 99.5% of points, upper bounds within 0.1% relative. */
export const conformanceTolerance = { alarmAgreement: 0.995, relativeError: 1e-3 } as const;

function relative(a: number, b: number): number {
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

/**
 * Compares computed columns with the reference for the in-range rows: the alarm exactly, and every
 * real column the reference has (upperbound first) by relative error where both are defined. A
 * value defined on one side only counts as a disagreement.
 */
export function compareCase(c: LoadedCase, computed: ComputedColumns, ignore: readonly string[] = []): CaseComparison {
  const skip = new Set(['t', 'year', 'period', 'observed', 'in_range', 'alarm', ...ignore]);
  const realColumns = c.header.filter((h) => h !== 'date' && !skip.has(h) && computed[h] !== undefined);
  const disagreements: Disagreement[] = [];
  const columnErrors: Record<string, number> = Object.fromEntries(realColumns.map((col) => [col, 0]));
  let points = 0;
  let agreeing = 0;
  c.rows.forEach((row, i) => {
    if (!row.inRange) return;
    points++;
    const ours = computed['alarm']?.[i] ?? null;
    if (ours === row.alarm) agreeing++;
    else disagreements.push({ t: row.t, column: 'alarm', ours, reference: row.alarm });
    for (const col of realColumns) {
      const a = computed[col]![i] ?? null;
      const b = row.columns[col] ?? null;
      if (a === null && b === null) continue;
      if (a === null || b === null) {
        disagreements.push({ t: row.t, column: col, ours: a, reference: b });
        columnErrors[col] = Infinity;
        continue;
      }
      const err = relative(a, b);
      if (err > columnErrors[col]!) columnErrors[col] = err;
      if (err > conformanceTolerance.relativeError) disagreements.push({ t: row.t, column: col, ours: a, reference: b });
    }
  });
  return {
    id: c.id,
    points,
    alarmAgreement: points === 0 ? 1 : agreeing / points,
    maxRelativeError: columnErrors['upperbound'] ?? 0,
    columnErrors,
    disagreements,
  };
}

/** True when a comparison meets the bar for alarms and upper bounds. */
export function meetsTolerance(result: CaseComparison): boolean {
  return result.alarmAgreement >= conformanceTolerance.alarmAgreement && result.maxRelativeError <= conformanceTolerance.relativeError;
}

/** One line per case for a terminal: agreement, largest relative error, verdict. */
export function formatComparison(result: CaseComparison): string {
  const verdict = meetsTolerance(result) ? 'ok  ' : 'FAIL';
  const agreement = `${(result.alarmAgreement * 100).toFixed(2)}%`;
  const err = Number.isFinite(result.maxRelativeError) ? result.maxRelativeError.toExponential(2) : 'undefined on one side';
  return `${verdict} ${result.id.padEnd(36)} alarms ${agreement.padStart(8)} of ${String(result.points).padStart(5)}  upperbound rel. error ${err}`;
}

/** Writes computed columns as CSV with the reference's header, so anyone can compare independently. */
export function computedCsv(c: LoadedCase, computed: ComputedColumns): string {
  const lines = [c.header.join(',')];
  c.rows.forEach((row, i) => {
    const cells = c.header.map((h) => {
      if (h === 'date') return row.date ?? 'NA';
      if (['t', 'year', 'period', 'observed', 'in_range'].includes(h)) return formatNumber(row.columns[h] ?? null);
      return formatNumber(computed[h]?.[i] ?? null);
    });
    lines.push(cells.join(','));
  });
  return `${lines.join('\n')}\n`;
}

function formatNumber(v: number | null): string {
  if (v === null || Number.isNaN(v)) return 'NA';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isInteger(v) ? String(v) : v.toPrecision(17).replace(/\.?0+$/, '');
}
