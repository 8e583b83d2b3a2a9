import { TocsinError } from '../../kernel/errors.ts';
import type { ParamProblem } from '../detector.ts';

/**
 * The control list of R's `surveillance::farringtonFlexible`, under R's argument names and with
 * R's defaults (surveillance 1.20, `farringtonFlexible`'s formals). R merges a user's list with
 * `modifyList` and so silently ignores a misspelt name (`thersholdMethod` runs "delta"); here an
 * unknown name is an error that names it.
 */

/** How the upper bound is computed (R's `thresholdMethod`). */
export type ThresholdMethod = 'delta' | 'nbPlugin' | 'muan';
/** Power transformation of the "delta" method (R's `powertrans`). */
export type PowerTransform = '2/3' | '1/2' | 'none';

/** A complete, checked control list. */
export interface FarringtonControl {
  /** 1-based time points to evaluate (R's `range`); null: from freq·b + w + 1 to the end. */
  range: number[] | null;
  /** Years back in the baseline. */
  b: number;
  /** Half-width of the windows around the reference periods, in periods. */
  w: number;
  /** Down-weight past outbreaks by Anscombe residuals and refit. */
  reweight: boolean;
  /** Residual above which a baseline point is down-weighted. */
  weightsThreshold: number;
  /** Accepted for R compatibility; has no effect. */
  verbose: boolean;
  /** Accepted for R compatibility (R prints glm.fit warnings); has no effect. */
  glmWarnings: boolean;
  /** One-sided level: the bound is a (1 − alpha) prediction quantile. */
  alpha: number;
  /** Try a linear time trend. */
  trend: boolean;
  /** Keep the trend only when its p-value is below this. */
  pThresholdTrend: number;
  /** [cases, periods]: no alarm unless the last `periods` periods (current included) hold ≥ `cases`. */
  limit54: [number, number];
  powertrans: PowerTransform;
  /** The only fitting function R offers. */
  fitFun: 'algo.farrington.fitGLM.flexible';
  /** Add log(population) as an offset. */
  populationOffset: boolean;
  /** Number of seasonal factor levels (1: only the windows, as Farrington 1996). */
  noPeriods: number;
  /** Most recent periods left out of the fit (R's default: w). */
  pastWeeksNotIncluded: number;
  thresholdMethod: ThresholdMethod;
}

/** R's defaults (`formals(farringtonFlexible)$control`), with pastWeeksNotIncluded = NULL meaning w. */
export const farringtonDefaults = Object.freeze({
  range: null,
  b: 5, // years
  w: 3, // periods
  reweight: true,
  weightsThreshold: 2.58,
  verbose: false,
  glmWarnings: true,
  alpha: 0.05,
  trend: true,
  pThresholdTrend: 0.05,
  limit54: [5, 4] as [number, number], // cases, periods
  powertrans: '2/3' as PowerTransform,
  fitFun: 'algo.farrington.fitGLM.flexible' as const,
  populationOffset: false,
  noPeriods: 1,
  pastWeeksNotIncluded: null as number | null, // periods; null: w
  thresholdMethod: 'delta' as ThresholdMethod,
});

/** The control names R's farringtonFlexible knows. */
export const farringtonControlNames: readonly string[] = Object.keys(farringtonDefaults);

/**
 * Farrington et al. (1996) as expressed in farringtonFlexible (surveillance vignette
 * "monitoringCounts", `con.farrington`); merge with `{ b, w, … }` to change the baseline.
 */
export const farrington1996: Readonly<Record<string, unknown>> = Object.freeze({
  b: 5,
  w: 3,
  reweight: true,
  weightsThreshold: 1,
  alpha: 0.05,
  trend: true,
  pThresholdTrend: 0.05,
  limit54: [5, 4],
  powertrans: '2/3',
  fitFun: 'algo.farrington.fitGLM.flexible',
  populationOffset: false,
  noPeriods: 1,
  pastWeeksNotIncluded: null, // = w, as R
  thresholdMethod: 'delta',
});

/** Noufaily et al. (2013) "improved" settings (vignette `con.noufaily`). */
export const noufaily2013: Readonly<Record<string, unknown>> = Object.freeze({
  b: 5,
  w: 3,
  reweight: true,
  weightsThreshold: 2.58,
  alpha: 0.05,
  trend: true,
  pThresholdTrend: 1,
  limit54: [5, 4],
  powertrans: '2/3',
  fitFun: 'algo.farrington.fitGLM.flexible',
  populationOffset: false,
  noPeriods: 10,
  pastWeeksNotIncluded: 26,
  thresholdMethod: 'nbPlugin',
});

/** The named presets, by name. */
export const farringtonPresets: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.freeze({
  farrington1996,
  noufaily2013,
});

/** Checks a raw control list (R names); answers the complete control or every problem, each naming its field. */
export function checkFarringtonControl(
  raw: Record<string, unknown>,
  fieldPrefix = '',
): { control: FarringtonControl } | { problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const field = (name: string) => `${fieldPrefix}${name}`;
  for (const name of Object.keys(raw)) {
    if (!farringtonControlNames.includes(name)) {
      problems.push({ field: field(name), message: `unknown control "${name}" (farringtonFlexible knows ${farringtonControlNames.join(', ')})` });
    }
  }
  const get = (name: keyof typeof farringtonDefaults): unknown => {
    const v = raw[name];
    return v === undefined ? farringtonDefaults[name] : v;
  };
  const int = (name: keyof typeof farringtonDefaults, min: number): number => {
    const v = get(name);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      problems.push({ field: field(name), message: `must be an integer ≥ ${min}, got ${JSON.stringify(v)}` });
      return NaN;
    }
    return v;
  };
  const num = (name: keyof typeof farringtonDefaults, ok: (x: number) => boolean, what: string): number => {
    const v = get(name);
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      problems.push({ field: field(name), message: `must be ${what}, got ${JSON.stringify(v)}` });
      return NaN;
    }
    return v;
  };
  const bool = (name: keyof typeof farringtonDefaults): boolean => {
    const v = get(name);
    if (typeof v !== 'boolean') {
      problems.push({ field: field(name), message: `must be true or false, got ${JSON.stringify(v)}` });
      return false;
    }
    return v;
  };
  const oneOf = <T extends string>(name: keyof typeof farringtonDefaults, allowed: readonly T[]): T => {
    const v = get(name);
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      problems.push({ field: field(name), message: `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(v)}` });
      return allowed[0]!;
    }
    return v as T;
  };

  const b = int('b', 1);
  const w = int('w', 0);
  const noPeriods = int('noPeriods', 1);
  const pwniRaw = get('pastWeeksNotIncluded');
  let pastWeeksNotIncluded = w;
  if (pwniRaw !== null) pastWeeksNotIncluded = int('pastWeeksNotIncluded', 0);

  const limitRaw = get('limit54');
  let limit54: [number, number] = [5, 4];
  if (
    !Array.isArray(limitRaw) ||
    limitRaw.length !== 2 ||
    typeof limitRaw[0] !== 'number' ||
    typeof limitRaw[1] !== 'number' ||
    !(limitRaw[0] >= 0) ||
    !Number.isInteger(limitRaw[1]) ||
    !(limitRaw[1] > 0)
  ) {
    // R: "The limit54 arguments are out of bounds: cases >= 0 and period > 0."
    problems.push({ field: field('limit54'), message: `must be [cases ≥ 0, periods > 0 (integer)], got ${JSON.stringify(limitRaw)}` });
  } else {
    limit54 = [limitRaw[0], limitRaw[1]];
  }

  const rangeRaw = get('range');
  let range: number[] | null = null;
  if (rangeRaw !== null) {
    if (!Array.isArray(rangeRaw) || rangeRaw.length === 0 || !rangeRaw.every((k) => typeof k === 'number' && Number.isInteger(k) && k >= 1)) {
      problems.push({ field: field('range'), message: `must be a non-empty list of 1-based time points, got ${JSON.stringify(rangeRaw)}` });
    } else {
      range = rangeRaw as number[];
    }
  }

  const control: FarringtonControl = {
    range,
    b,
    w,
    reweight: bool('reweight'),
    weightsThreshold: num('weightsThreshold', () => true, 'a number'),
    verbose: bool('verbose'),
    glmWarnings: bool('glmWarnings'),
    alpha: num('alpha', (x) => x > 0 && x < 1, 'a probability in (0, 1)'),
    trend: bool('trend'),
    pThresholdTrend: num('pThresholdTrend', () => true, 'a number'),
    limit54,
    powertrans: oneOf('powertrans', ['2/3', '1/2', 'none'] as const),
    fitFun: oneOf('fitFun', ['algo.farrington.fitGLM.flexible'] as const),
    populationOffset: bool('populationOffset'),
    noPeriods,
    pastWeeksNotIncluded,
    thresholdMethod: oneOf('thresholdMethod', ['delta', 'nbPlugin', 'muan'] as const),
  };
  return problems.length > 0 ? { problems } : { control };
}

/**
 * Reads an R control list for farringtonFlexible (R's names and defaults); throws
 * TOCSIN_VALIDATION listing every problem — an unknown name included — at once.
 */
export function parseFarringtonControl(raw: Record<string, unknown>): FarringtonControl {
  const checked = checkFarringtonControl(raw);
  if ('problems' in checked) {
    const list = checked.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new TocsinError('TOCSIN_VALIDATION', `farringtonFlexible control: ${list}`, { problems: checked.problems });
  }
  return checked.control;
}
