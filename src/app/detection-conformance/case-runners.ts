import type { LoadedCase } from './read-cases.ts';
import type { ComputedColumns } from './compare-case.ts';
import { earsParamsFromR, earsSeries } from '../../domain/detect/ears.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';

/** Runs one conformance case with our implementation; answers columns named like the reference CSV. */
export type CaseRunner = (c: LoadedCase) => ComputedColumns;

/** Spreads range results over the whole series (NA outside the range), like R's output. */
function spread(c: LoadedCase, from: number, values: readonly (number | boolean | null)[]): (number | null)[] {
  const out: (number | null)[] = new Array(c.rows.length).fill(null);
  values.forEach((v, k) => {
    out[from - 1 + k] = v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v;
  });
  return out;
}

function controlProblem(c: LoadedCase, problems: { field: string; message: string }[]): never {
  throw new TocsinError('TOCSIN_VALIDATION', `${c.id}: control ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, {
    problems,
  });
}

const runEarsC: CaseRunner = (c) => {
  const parsed = earsParamsFromR({ ...c.control, range: c.range });
  if ('problems' in parsed) controlProblem(c, parsed.problems);
  const [from, to] = parsed.range ?? c.range;
  const r = earsSeries(
    c.rows.map((row) => row.observed),
    [from, to],
    parsed.params,
  );
  return {
    upperbound: spread(c, from, r.upperbound),
    alarm: spread(c, from, r.alarm),
    ref_mean: spread(c, from, r.refMean),
    ref_sd: spread(c, from, r.refSd),
  };
};

/** Our runner for each of R's algorithm names; an algorithm without one is reported, not skipped silently. */
export const caseRunners: ReadonlyMap<string, CaseRunner> = new Map([['earsC', runEarsC]]);
