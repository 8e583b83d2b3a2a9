import type { LoadedCase } from './read-cases.ts';
import type { ComputedColumns } from './compare-case.ts';
import { earsParamsFromR, earsSeries } from '../../domain/detect/ears.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';
import { parseFarringtonControl } from '../../domain/detect/farrington/control.ts';
import { farringtonFlexibleSeries } from '../../domain/detect/farrington/farrington-flexible.ts';
import { countCusumSeries, parseCountCusumControl } from '../../domain/detect/count-cusum.ts';
import { bayesSeries, parseBayesControl } from '../../domain/detect/bayes.ts';
import { glrnbSeries, parseGlrnbControl } from '../../domain/detect/glrnb.ts';

/** Runs one conformance case with our implementation; answers columns named like the reference CSV. */
export type CaseRunner = (c: LoadedCase) => ComputedColumns;

/** Spreads range results over the whole series (NA outside the range), like R's output; NaN is NA. */
function spread(c: LoadedCase, from: number, values: ArrayLike<number | boolean | null>): (number | null)[] {
  const out: (number | null)[] = new Array(c.rows.length).fill(null);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    out[from - 1 + k] = v === null || Number.isNaN(v) ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
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

/** R's range as the list of 1-based time points the batch functions take. */
function rangeOf(c: LoadedCase): number[] {
  const [from, to] = c.range;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const observedOf = (c: LoadedCase) => c.rows.map((r) => r.observed);

const runFarrington: CaseRunner = (c) => ({
  ...farringtonFlexibleSeries(
    { observed: observedOf(c), dates: c.rows.map((row) => row.date), freq: c.freq, epochAsDate: c.epochAsDate },
    parseFarringtonControl({ ...c.control, range: rangeOf(c) }),
  ),
});

const runCusum: CaseRunner = (c) => {
  const first = c.rows[0]!;
  const r = countCusumSeries({ observed: observedOf(c), freq: c.freq, start: [first.year, first.period] }, parseCountCusumControl({ ...c.control, range: rangeOf(c) }));
  return { upperbound: r.upperbound, alarm: r.alarm, reference_mean: r.referenceMean, cusum: r.cusum };
};

const runBayes: CaseRunner = (c) => bayesSeries({ observed: observedOf(c), freq: c.freq }, parseBayesControl({ ...c.control, range: rangeOf(c) }));

// R fits glrnb's in-control mean with MASS::glm.nb, which is not ported: the case file carries R's
// mu0 and the manifest its dispersion, so what is checked is the GLR recursion itself.
const runGlrnb: CaseRunner = (c) =>
  glrnbSeries(
    { observed: observedOf(c) },
    parseGlrnbControl({ ...c.control, range: rangeOf(c), mu0: c.rows.filter((r) => r.inRange).map((r) => r.columns['mu0']!), alpha: c.extra['alpha_used'] }),
  );

/** Our runner for each of R's algorithm names; an algorithm without one is reported, not skipped silently. */
export const caseRunners: ReadonlyMap<string, CaseRunner> = new Map([
  ['earsC', runEarsC],
  ['farringtonFlexible', runFarrington],
  ['cusum', runCusum],
  ['bayes', runBayes],
  ['glrnb', runGlrnb],
]);
