/**
 * bench/detect: detection speed on one core, in one process.
 * (a) Streaming: bands + EWMA over 10,000 series — detector steps alone (series already interned to
 *     integer ids), and parse + route + detect from NDJSON bytes, beside JSON.parse of the same bytes.
 * (b) Farrington flexible, original and Noufaily settings: 100 weekly series with 5-year baselines,
 *     the latest 52 weeks of each (5,200 evaluations per setting).
 * (c) EARS C1, C2, C3 over 500 daily series × 300 days.
 * (a) also shows parseBatch alone, to tell parsing from routing and detection.
 * The R side of (b) and (c) (surveillance::farringtonFlexible, earsC) runs in the same run on the
 * same data when Rscript and surveillance are installed; otherwise the report says so.
 */
import { agreement, runR, rVersion } from './lib/r-surveillance.ts';
import { production } from './lib/production.ts';

// The code under test as production runs it (dist/, compiled by tsc; see lib/production.ts).
const { bandsDetector } = await production<typeof import('../src/domain/detect/bands.ts')>('src/domain/detect/bands.ts');
const { parseBatch } = await production<typeof import('../src/domain/observations/parse-batch.ts')>('src/domain/observations/parse-batch.ts');
const { ewmaDetector } = await production<typeof import('../src/domain/detect/ewma.ts')>('src/domain/detect/ewma.ts');
const { earsSeries, parseEarsParams } = await production<typeof import('../src/domain/detect/ears.ts')>('src/domain/detect/ears.ts');
const { farringtonFlexibleSeries } = await production<typeof import('../src/domain/detect/farrington/farrington-flexible.ts')>(
  'src/domain/detect/farrington/farrington-flexible.ts',
);
const { farrington1996, noufaily2013, parseFarringtonControl } = await production<typeof import('../src/domain/detect/farrington/control.ts')>(
  'src/domain/detect/farrington/control.ts',
);

type Mode = 'quick' | 'full';

/** A small seeded generator so every run sees the same data. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

function poisson(rand: () => number, mean: number): number {
  let l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * (rand() + rand() + rand() - 1.5) * 2));
  do {
    k++;
    p *= rand();
  } while (p > l);
  l = 0;
  return k - 1;
}

function paramsOf<T>(parsed: { params: T } | { problems: unknown[] }): T {
  if (!('params' in parsed)) throw new Error(`bad params: ${JSON.stringify(parsed.problems)}`);
  return parsed.params;
}

/**
 * The best timing of `work`, in ms, after one untimed run: the figure is for code the JIT has
 * compiled, as in a server that has been running (R, interpreted, has no warm-up to give). Timed
 * at least five times and for at least eight seconds of trials (at most thirty): this VM has slow
 * spells of several seconds (one measured every figure of ours 40% slower), and five trials of a
 * half-second task fit inside one spell; the minimum over a longer window is the code's own cost.
 */
function timeIt(work: () => void): number {
  work();
  let best = Infinity;
  const started = performance.now();
  for (let trial = 0; trial < MAX_TRIALS && (trial < MIN_TRIALS || performance.now() - started < MIN_TRIAL_WINDOW_MS); trial++) {
    const t0 = performance.now();
    work();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const MIN_TRIALS = 5;
const MAX_TRIALS = 30;
const MIN_TRIAL_WINDOW_MS = 8_000;
const TIMING_METHOD = `best of ${MIN_TRIALS}–${MAX_TRIALS} timings spread over at least ${MIN_TRIAL_WINDOW_MS / 1000} s, after one untimed warm-up run`;

function streaming(n: number): string[] {
  const seriesCount = 10_000;
  const rand = random(7);
  const ids = new Int32Array(n);
  const values = new Float64Array(n);
  const times = new Float64Array(n);
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) {
    ids[i] = i % seriesCount;
    times[i] = t0 + Math.floor(i / seriesCount) * 60_000;
    values[i] = 3 + rand() * 2;
  }
  const bands = paramsOf(bandsDetector.parseParams({ levels: { yellow: 4.5, orange: 4.8, red: 4.95 }, hysteresis: 0.05 }));
  const ewma = paramsOf(ewmaDetector.parseParams({ lambda: 0.2, L: 3, warmup: 20 }));
  // The engine's form: each detector's in-place step over its states' numbers, one slot per
  // series id (src/app/detection/detection-engine.ts keeps one slot per rule and series).
  const bandsInPlace = bandsDetector.inPlace!;
  const ewmaInPlace = ewmaDetector.inPlace!;
  const freshCells = (count: number) => {
    const b = new Float64Array(count * bandsInPlace.size);
    const e = new Float64Array(count * ewmaInPlace.size);
    for (let s = 0; s < count; s++) {
      bandsInPlace.pack(bands, bandsDetector.init(bands), b, s * bandsInPlace.size);
      ewmaInPlace.pack(ewma, ewmaDetector.init(ewma), e, s * ewmaInPlace.size);
    }
    return { b, e };
  };
  let raised = 0;
  const stepsOnly = timeIt(() => {
    const { b, e } = freshCells(seriesCount);
    raised = 0;
    for (let i = 0; i < n; i++) {
      const s = ids[i]!;
      const t = times[i]!;
      const v = values[i]!;
      if (bandsInPlace.step(bands, b, s, t, v) !== null) raised++;
      if (ewmaInPlace.step(ewma, e, s * 6, t, v) !== null) raised++;
    }
  });
  // The JSON-state form (`step`), as `tocsin detect` and backtests run detectors.
  const jsonSteps = timeIt(() => {
    const bs: unknown[] = Array.from({ length: seriesCount }, () => bandsDetector.init(bands));
    const es: unknown[] = Array.from({ length: seriesCount }, () => ewmaDetector.init(ewma));
    const input = { t: 0, v: 0 };
    for (let i = 0; i < n; i++) {
      const s = ids[i]!;
      input.t = times[i]!;
      input.v = values[i]!;
      bs[s] = bandsDetector.step(bands, bs[s] as never, input).state;
      es[s] = ewmaDetector.step(ewma, es[s] as never, input).state;
    }
  });
  const lines: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    lines[i] = `{"series":"ST${String(ids[i]).padStart(5, '0')}.level","t":"${new Date(times[i]!).toISOString().replace('.000Z', 'Z')}","v":${values[i]!.toFixed(3)}}`;
  }
  const body = lines.join('\n') + '\n';
  const parseOnly = timeIt(() => {
    let start = 0;
    while (start < body.length) {
      const end = body.indexOf('\n', start);
      JSON.parse(body.slice(start, end));
      start = end + 1;
    }
  });
  // The production path: the server's own batch parser (validation included) on 10,000-line
  // bodies, keys interned to ids as the series resolver does, then both detectors. Flat lines take
  // the parser's fast path (src/domain/observations/flat-line.ts), which hands out one string per
  // series key from its cache of recent keys: after the first pass, as in steady ingest, every
  // key has been seen before.
  const chunks: string[] = [];
  for (let i = 0; i < n; i += 10_000) chunks.push(lines.slice(i, i + 10_000).join('\n'));
  const now = Date.UTC(2027, 0, 1);
  const parseBatchOnly = timeIt(() => {
    for (const chunk of chunks) parseBatch(chunk, 'ndjson', now);
  });
  const endToEnd = timeIt(() => {
    const intern = new Map<string, number>();
    // Room for every series of the run, as the engine's slots grow with the series it has seen.
    const { b, e } = freshCells(seriesCount);
    for (const chunk of chunks) {
      const batch = parseBatch(chunk, 'ndjson', now);
      for (const o of batch.observations) {
        let id = intern.get(o.series);
        if (id === undefined) {
          id = intern.size;
          intern.set(o.series, id);
        }
        bandsInPlace.step(bands, b, id, o.t, o.v);
        ewmaInPlace.step(ewma, e, id * 6, o.t, o.v);
      }
    }
  });
  const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en');
  return [
    `| detector steps alone (bands + EWMA in place, as the engine steps them; ${seriesCount.toLocaleString('en')} series interned to ids, ${n.toLocaleString('en')} observations, ${raised.toLocaleString('en')} steps at a level) | ${rate(n, stepsOnly)} obs/s through both (${rate(2 * n, stepsOnly)} steps/s) | target ≥ 20,000,000 obs/s |`,
    `| the same through \`step\` (a new JSON state per step, as \`tocsin detect\` and backtests run detectors) | ${rate(n, jsonSteps)} obs/s through both (${rate(2 * n, jsonSteps)} steps/s) | for comparison |`,
    `| parse + validate + route + detect from NDJSON (${(body.length / 1e6).toFixed(0)} MB in 10,000-line bodies, the server's parser) | ${rate(n, endToEnd)} obs/s | target ≥ 2,000,000 obs/s |`,
    `| parse + validate alone (parseBatch, same bodies, no detection) | ${rate(n, parseBatchOnly)} lines/s | ${(parseOnly / parseBatchOnly).toFixed(1)}× JSON.parse |`,
    `| JSON.parse alone of the same bytes (one line at a time, no validation) | ${rate(n, parseOnly)} lines/s | the raw comparison |`,
  ];
}

/** A figure of ours beside R's: the speed-up and the agreement, or why there is no R figure. */
function besideR(oursMs: number, rSeconds: number | undefined, agree: { alarms: number; points: number; maxRelError: number } | null): string {
  if (rSeconds === undefined || agree === null) return 'R with surveillance not installed here: no side-by-side figure';
  const speedup = rSeconds / (oursMs / 1000);
  return `R ${rSeconds.toFixed(2)} s → **${speedup.toFixed(0)}× faster**; alarms agree at ${(agree.alarms * 100).toFixed(2)}% of ${agree.points.toLocaleString('en')} points, upper bounds within ${agree.maxRelError.toExponential(1)} relative (target ≥ 100×, same alarms)`;
}

function farrington(series: number, r: boolean): string[] {
  const weeks = 5 * 52 + 60;
  const rand = random(11);
  const data = Array.from({ length: series }, (_, s) =>
    Array.from({ length: weeks }, (_, w) => poisson(rand, 20 + 10 * Math.sin((2 * Math.PI * w) / 52 + s) + (w > weeks - 8 && s % 10 === 0 ? 25 : 0))),
  );
  const range = Array.from({ length: 52 }, (_, i) => weeks - 51 + i);
  const rRun = r ? runR({ farrington: data }, 1) : null;
  const out: string[] = [];
  try {
    for (const [name, preset] of [
      ['farrington1996', farrington1996],
      ['noufaily2013', noufaily2013],
    ] as const) {
      const control = parseFarringtonControl({ ...preset, range });
      let results: { alarm: (number | null)[]; upperbound: (number | null)[] }[] = [];
      const ms = timeIt(() => {
        results = data.map((observed) => farringtonFlexibleSeries({ observed, freq: 52, epochAsDate: false }, control));
      });
      const alarms = results.reduce((sum, r) => sum + r.alarm.filter((a) => a === 1).length, 0);
      const agree = rRun
        ? agreement(
            results.map((r) => r.alarm.slice(weeks - 52)),
            rRun.matrix(`farrington-r-alarm-${name}`),
            [results.map((r) => r.upperbound.slice(weeks - 52)), rRun.matrix(`farrington-r-upperbound-${name}`)],
          )
        : null;
      out.push(
        `| Farrington flexible, ${name}: ${series} weekly series × 52 evaluations (5-year baselines) | ${(ms / 1000).toFixed(3)} s (${Math.round((series * 52) / (ms / 1000)).toLocaleString('en')} fits/s; ${alarms} alarms) | ${besideR(ms, rRun?.seconds.get(`farrington ${name}`), agree)} |`,
      );
    }
  } finally {
    rRun?.dispose();
  }
  return out;
}

function ears(series: number, days: number, r: boolean): string[] {
  const rand = random(13);
  const data = Array.from({ length: series }, () => Array.from({ length: days }, () => poisson(rand, 4)));
  const rRun = r ? runR({ ears: data }, 3) : null;
  const out: string[] = [];
  try {
    for (const method of ['C1', 'C2', 'C3'] as const) {
      const params = paramsOf(parseEarsParams({ method }));
      const from = method === 'C1' ? 8 : method === 'C2' ? 10 : 12;
      let results: ReturnType<typeof earsSeries>[] = [];
      const ms = timeIt(() => {
        results = data.map((observed) => earsSeries(observed, [from, days], params));
      });
      const agree = rRun
        ? agreement(
            results.map((r) => r.alarm.map((a) => (a === null ? null : a ? 1 : 0))),
            rRun.matrix(`ears-r-alarm-${method}`),
            [results.map((r) => Array.from(r.upperbound, (u) => (Number.isNaN(u) ? null : u))), rRun.matrix(`ears-r-upperbound-${method}`)],
          )
        : null;
      out.push(
        `| EARS ${method}: ${series} daily series × ${days} days | ${ms.toFixed(1)} ms (${Math.round((series * (days - from + 1)) / (ms / 1000)).toLocaleString('en')} evaluations/s) | ${besideR(ms, rRun?.seconds.get(`ears ${method}`), agree)} |`,
      );
    }
  } finally {
    rRun?.dispose();
  }
  return out;
}

/** Runs the detection benchmark and answers its report section (markdown). */
export function runDetectBenchmark(mode: Mode, log: (m: string) => void): string {
  log('detect: streaming');
  const a = streaming(mode === 'quick' ? 200_000 : 2_000_000);
  const r = rVersion();
  log(`detect: farrington${r ? ` (and ${r})` : ' (R not installed: ours only)'}`);
  const b = farrington(mode === 'quick' ? 10 : 100, r !== null);
  log('detect: ears');
  const c = ears(mode === 'quick' ? 50 : 500, 300, r !== null);
  return [
    '## Detection (bench/detect.ts)',
    '',
    `Generated by \`npm run bench\` on ${new Date().toISOString()}, Node ${process.version}, one core, the compiled code production runs (dist/); ${TIMING_METHOD}.`,
    '',
    '| what | measured | compared with |',
    '|---|---:|---|',
    ...a,
    ...b,
    ...c,
    '',
    r
      ? `R side by side: ${r}, run by bench/r/surveillance-bench.R on the same data in the same run; only the computation is timed (system.time around farringtonFlexible / earsC on one multi-series sts object: best of 1 for Farrington, of 3 for EARS), not R's start-up or file reading. Ours: ${TIMING_METHOD}.`
      : 'The side-by-side R timings need R with `surveillance` (Debian `r-base-core`, `r-cran-surveillance`), which this run did not have; the statistical agreement with R is shown by the conformance tests instead.',
  ].join('\n');
}
