import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Command, CommanderError, Option } from 'commander';
import type { DetectorRegistry } from '../domain/detect/detector.ts';
import { detectorRegistry } from '../domain/detect/registry.ts';
import type { Rule } from '../domain/detect/rules/rule.ts';
import { formatRuleProblem, parseRuleFile, type RuleFileProblem } from '../domain/detect/rules/rule-file.ts';
import { parseDuration } from '../domain/kernel/duration.ts';
import { isTocsinError } from '../domain/kernel/errors.ts';
import { systemClock, type Clock } from '../domain/kernel/clock.ts';
import { loadRulesDirectory } from '../detect/rules-directory.ts';
import { BacktestDataBuilder, type BacktestData } from '../app/backtest/backtest-data.ts';
import { chartModels } from '../app/backtest/report-charts.ts';
import { renderReportHtml } from '../app/backtest/report-html.ts';
import { duration, resultsTable } from '../app/backtest/results-table.ts';
import { runBacktest, type BacktestResult } from '../app/backtest/run-backtest.ts';
import { formatTruthProblem, parseTruthCsv, type TruthPeriod } from '../app/backtest/truth.ts';
import { DataInputError, listDataFiles, readDataFiles, type DataFile } from './backtest-data-files.ts';
import type { TextOutput } from './ingest/ingest-deps.ts';
import { barOptions, megabytes } from './ingest/progress-bar.ts';
import { signalEventData } from '../app/detection/detection-ports.ts';

/**
 * `tocsin backtest --rules R --data D [--truth T] [--report DIR] [--json FILE]`: replays history
 * through rules with the live detection engine and says how well they would have done. A thin
 * edge over app/backtest: read and check the inputs, run, print, write the report.
 */

/** Where the command writes and what time it is; tests pass their own. */
export interface BacktestIo {
  /** The summary table. */
  stdout: TextOutput;
  /** Warnings, the progress bar and the one-line failure reason. */
  stderr: TextOutput;
  /** For parsing's future-time check (as ingest's) and the elapsed time; never for detection. */
  clock: Clock;
  registry?: DetectorRegistry;
}

/** The options as commander hands them over. */
export interface BacktestOptions {
  rules?: string;
  data?: string;
  truth?: string;
  report?: string;
  json?: string;
  tick?: string;
  format?: DataFile['format'];
  allSeries?: boolean;
  progress?: boolean;
  quiet?: boolean;
}

/** A problem with the command line or the inputs: exit 2 with this one line. */
class UsageError extends Error {}

const help = `
--rules is a rule file (YAML or JSON: one rule, a list, or rules: [...]) or a folder of them, as
tocsin serve --rules reads. A bad rule is reported (file, line, rule, field) and left out; with no
usable rule at all the command stops. Rules with enabled: false are backtested too.

--data is a file or a folder of observation files: NDJSON (.ndjson, .jsonl), CSV (.csv, header
series,t,v[,indicator,domain,unit,area,lon,lat]) or a JSON array (.json), each optionally gzipped
(.gz). Bad lines are listed (file:line: reason) and skipped, as tocsin ingest does.

--truth is a CSV of known events: columns start, end (ISO-8601 with offset, or epoch ms), series
(a key or a glob such as ST0*.level) and/or area, and optionally rule (a rule name or glob the row
is truth for; empty: every rule), known (when it became known otherwise: lead time is measured to
it) and label. Every bad line is named by line and column, and the command stops.

Observations are replayed in time order across all series through the live detection engine;
time-driven detectors (staleness, periods closing) are ticked every --tick of data time: by
default 1m, or the next round step (2m, 5m, 10m, …) that keeps a long history to 100000 ticks.

Columns: alarms = firing signals; an event is detected when an alarm on one of its series falls
within [start, end]; sensitivity = detected / events; false alarms = alarms outside every truth
period of their series; FA/year over the data's time span; PPV = alarms within truth periods /
alarms; median delay = first alarm - start; median lead = known - first alarm.

Exit status: 0 done, 2 bad usage or input (the message names what is wrong).

Examples:
  $ tocsin backtest --rules rules/ --data history/ --truth floods.csv
  $ tocsin backtest --rules river.yaml --data gauges-2025.ndjson.gz --truth floods.csv --report out/ --json out/results.json
`;

/** Runs one backtest and answers its exit code; it has already said why on stdout/stderr. */
export async function runBacktestCommand(opts: BacktestOptions, io: BacktestIo): Promise<0 | 2> {
  const registry = io.registry ?? detectorRegistry();
  let bar: Progress | undefined;
  const warn = (text: string) => io.stderr.write(`tocsin backtest: ${text}\n`);
  try {
    if (!opts.rules) throw new UsageError('--rules is required: a rule file or a folder of rule files');
    if (!opts.data) throw new UsageError('--data is required: an observation file or a folder of them');
    const tickMs = readTick(opts.tick);
    const showBar = !opts.quiet && (opts.progress === true || io.stderr.isTTY === true);

    const rules = await loadRules(opts.rules, registry, warn);
    const truth = opts.truth ? readTruth(opts.truth) : null;
    const files = await listDataFiles(opts.data, opts.format);

    const started = io.clock.now();
    const builder = new BacktestDataBuilder();
    const totalBytes = files.reduce((n, f) => n + f.size, 0);
    if (showBar) bar = startBar(io.stderr, 'reading', Math.max(totalBytes, 1), megabytes);
    const tally = await readDataFiles(files, builder, io.clock.now(), (bytes) => bar?.update(bytes));
    bar?.stop();
    bar = undefined;
    if (tally.rejected > 0) {
      const more = tally.rejected - tally.listed.length;
      warn(
        `skipped ${tally.rejected} bad line${tally.rejected === 1 ? '' : 's'} of ${tally.lines} in the data:\n` +
          tally.listed.map((l) => `  ${l}`).join('\n') +
          (more > 0 ? `\n  … and ${more} more` : ''),
      );
    }
    if (builder.size === 0) throw new UsageError(`--data ${opts.data}: no usable observation in ${tally.files} file${tally.files === 1 ? '' : 's'}`);
    const data = builder.build();

    if (showBar) bar = startBar(io.stderr, 'replaying', data.length, (n) => `${n} obs`);
    const result = await runBacktest({
      rules,
      registry,
      data,
      truth,
      ...(tickMs === undefined ? {} : { tickMs }),
      onProgress: (done) => bar?.update(done),
      ...(showBar ? { yieldToOthers: () => new Promise<void>((resolve) => setImmediate(resolve)) } : {}),
    });
    bar?.stop();
    bar = undefined;

    io.stdout.write(`${headline(result, opts, truth, io.clock.now() - started)}\n\n${resultsTable(result, opts.allSeries === true)}`);
    if (opts.report) {
      const file = writeReport(opts.report, result, data, rules, registry, truth, opts);
      io.stdout.write(`Report: ${file}\n`);
    }
    if (opts.json) {
      writeFile(opts.json, `${JSON.stringify(resultJson(result), null, 2)}\n`, '--json');
      io.stdout.write(`Results: ${opts.json}\n`);
    }
    return 0;
  } catch (err) {
    bar?.stop();
    if (err instanceof UsageError || err instanceof DataInputError || isTocsinError(err)) {
      warn(err.message);
      return 2;
    }
    throw err;
  }
}

/** Adds `tocsin backtest` to the program. */
export function registerBacktestCommand(program: Command, io: BacktestIo = { stdout: process.stdout, stderr: process.stderr, clock: systemClock }): Command {
  const command = program
    .command('backtest')
    .description('replay history through detection rules; alarms, sensitivity, false alarms, PPV, delay and lead time')
    .option('--rules <path>', 'a rule file (YAML/JSON) or a folder of rule files')
    .option('--data <path>', 'an observation file (NDJSON, CSV, JSON array; optionally .gz) or a folder of them')
    .option('--truth <file>', 'CSV of known events: series or area, start, end[, rule, known, label]')
    .option('--report <dir>', 'write a self-contained HTML report (index.html) into this folder')
    .option('--json <file>', 'write the full results as JSON')
    .option('--tick <duration>', 'data time between the engine clock ticks that drive staleness and other time-driven detectors (default 1m; coarser for histories over ~69 days)')
    .addOption(new Option('--format <format>', 'read every data file as this format, whatever its name').choices(['ndjson', 'csv', 'json']))
    .option('--all-series', 'list every series a rule watched, not only those with signals or events')
    .option('--progress', 'show the progress bar even when stderr is not a terminal')
    .option('-q, --quiet', 'no progress bar')
    .addHelpText('after', help)
    // Commander ends a bad command line with status 1; ours is 2, as for every other bad input.
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
    })
    .action(async (opts: BacktestOptions) => {
      const code = await runBacktestCommand(opts, io);
      if (code !== 0) throw new CommanderError(code, 'tocsin.backtest.failed', `exit ${code}`);
    });
  return command;
}

function readTick(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new UsageError(`--tick ${text}: expected a duration above zero such as 30s, 1m or 1h`);
  return ms;
}

/** The rules of a file or a folder; problems are warned about, no usable rule at all is an error. */
async function loadRules(target: string, registry: DetectorRegistry, warn: (text: string) => void): Promise<Rule[]> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(target);
  } catch (err) {
    throw new UsageError(`--rules ${target}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let rules: Rule[];
  let problems: RuleFileProblem[];
  let files: number;
  if (stat.isDirectory()) {
    const state = await loadRulesDirectory(target, registry);
    rules = state.rules.map((r) => r.rule);
    problems = state.problems;
    files = state.files.length;
  } else {
    let text: string;
    try {
      text = await fs.promises.readFile(target, 'utf8');
    } catch (err) {
      throw new UsageError(`--rules ${target}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    ({ rules, problems } = parseRuleFile(text, target, registry));
    files = 1;
  }
  for (const p of problems) warn(`${rules.length > 0 ? 'left out: ' : ''}${formatRuleProblem(p)}`);
  if (rules.length === 0) {
    throw new UsageError(
      files === 0
        ? `--rules ${target}: the folder holds no rule files (*.yaml, *.yml, *.json)`
        : `--rules ${target}: no usable rule${problems.length > 0 ? ' (the problems are listed above)' : ''}`,
    );
  }
  for (const r of rules) if (!r.enabled) warn(`rule "${r.name}" is disabled (enabled: false); backtested anyway`);
  return rules;
}

function readTruth(file: string): TruthPeriod[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--truth ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const { periods, problems } = parseTruthCsv(text);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => `  ${formatTruthProblem(file, p)}`);
    if (problems.length > 20) shown.push(`  … and ${problems.length - 20} more`);
    throw new UsageError(`--truth ${file}: ${problems.length} bad line${problems.length === 1 ? '' : 's'}; every event must be read, or the scores would be wrong:\n${shown.join('\n')}`);
  }
  return periods;
}

function headline(result: BacktestResult, opts: BacktestOptions, truth: readonly TruthPeriod[] | null, elapsedMs: number): string {
  const span = result.span!;
  const lines = [
    `Backtest of ${result.rules.length} rule${result.rules.length === 1 ? '' : 's'} over ${result.series} series, ` +
      `${isoMinute(span.from)} to ${isoMinute(span.to)} UTC (${duration(span.to - span.from)}), ${result.observations} observations ` +
      `in ${(elapsedMs / 1000).toFixed(2)} s.`,
    result.ticks > 0 ? `Engine ticks every ${duration(result.tickMs)} of data time (${result.ticks} ticks).` : 'No time-driven detector: no engine ticks.',
    truth
      ? `Truth: ${opts.truth}, ${truth.length} event period${truth.length === 1 ? '' : 's'}.`
      : 'No --truth: alarms are counted, not scored.',
  ];
  if (result.late > 0) lines.push(`${result.late} evaluations skipped: observations not newer than the last one of their series (repeated times).`);
  return lines.join('\n');
}

function writeReport(
  dir: string,
  result: BacktestResult,
  data: BacktestData,
  rules: readonly Rule[],
  registry: DetectorRegistry,
  truth: readonly TruthPeriod[] | null,
  opts: BacktestOptions,
): string {
  const { charts, omitted } = chartModels(result, data, rules, registry, truth);
  const html = renderReportHtml(result, {
    rulesSource: opts.rules!,
    dataSource: opts.data!,
    truthSource: opts.truth ?? null,
    charts,
    omittedCharts: omitted,
  });
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`--report ${dir}: cannot create the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const file = path.join(dir, 'index.html');
  writeFile(file, html, '--report');
  return file;
}

function writeFile(file: string, text: string, option: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    throw new UsageError(`${option} ${file}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The results for tools: times as ISO-8601 (UTC), durations in ms, ratios from 0 to 1. */
export function resultJson(result: BacktestResult): unknown {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    span: result.span ? { from: iso(result.span.from), to: iso(result.span.to) } : null,
    tickMs: result.tickMs,
    ticks: result.ticks,
    observations: result.observations,
    series: result.series,
    evaluated: result.evaluated,
    late: result.late,
    withTruth: result.withTruth,
    rules: result.rules.map((r) => ({
      ...r,
      events: r.events.map((e) => ({
        ...e,
        line: e.id,
        start: iso(e.start),
        end: iso(e.end),
        known: iso(e.known),
        firstAlarm: e.firstAlarm ? { t: iso(e.firstAlarm.t), series: e.firstAlarm.series } : null,
      })),
    })),
    signals: result.signals.map(signalEventData),
  };
}

/** A progress bar for one phase of the run. */
interface Progress {
  update(done: number): void;
  stop(): void;
}

function startBar(stderr: TextOutput, phase: string, total: number, show: (n: number) => string): Progress {
  const bar = new cliProgress.SingleBar(barOptions(stderr, `{bar} {percentage}% | ${phase} {shown} | ETA {eta_formatted}`), cliProgress.Presets.shades_classic);
  const shown = (done: number) => ({ shown: `${show(done)} of ${show(total)}` });
  bar.start(total, 0, shown(0));
  return { update: (done) => bar.update(done, shown(done)), stop: () => bar.stop() };
}

function isoMinute(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}
