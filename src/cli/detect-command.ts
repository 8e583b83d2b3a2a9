import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { readConformanceFolder } from '../app/detection-conformance/read-cases.ts';
import { compareCase, computedCsv, formatComparison, meetsTolerance } from '../app/detection-conformance/compare-case.ts';
import { caseRunners } from '../app/detection-conformance/case-runners.ts';
import { DetectInputError, detectRule } from './detect-rule.ts';

/** Where the command writes; tests pass their own. */
export interface DetectIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs every case of a conformance folder; answers the number of cases that fell short or could not run. */
export function runConformance(dir: string, out: string | undefined, io: DetectIo): number {
  const { meta, cases } = readConformanceFolder(dir);
  io.stdout(`${cases.length} cases from ${dir} (reference: surveillance ${String(meta['surveillance'] ?? '?')}, ${String(meta['R'] ?? 'R ?')})\n`);
  if (out) fs.mkdirSync(out, { recursive: true });
  let failed = 0;
  for (const c of cases) {
    const runner = caseRunners.get(c.algorithm);
    if (!runner) {
      failed++;
      io.stdout(`FAIL ${c.id.padEnd(36)} no implementation of ${c.algorithm} yet\n`);
      continue;
    }
    try {
      const computed = runner(c);
      const result = compareCase(c, computed);
      if (!meetsTolerance(result)) failed++;
      io.stdout(`${formatComparison(result)}\n`);
      for (const d of result.disagreements.slice(0, 5)) {
        io.stdout(`       t=${d.t} ${d.column}: ours ${d.ours ?? 'NA'}, R ${d.reference ?? 'NA'}\n`);
      }
      if (out) fs.writeFileSync(path.join(out, c.file), computedCsv(c, computed));
    } catch (err) {
      failed++;
      io.stdout(`FAIL ${c.id.padEnd(36)} ${(err as Error).message}\n`);
    }
  }
  io.stdout(`${cases.length - failed} of ${cases.length} cases within tolerance (alarms ≥ 99.5% agreement, upper bounds ≤ 0.1% relative)\n`);
  return failed;
}

/** Adds `tocsin detect`: run detectors over files, and check them against R's reference outputs. */
export function registerDetectCommand(program: Command, io: DetectIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }): Command {
  return program
    .command('detect')
    .description('run one rule over one series from a CSV file, or check the detectors against a folder of R surveillance reference outputs')
    .option('--rule <file>', 'a rule file (YAML/JSON); with several rules in it, choose one with --name')
    .option('--name <rule>', 'with --rule: which rule of the file')
    .option('--data <file.csv>', 'the series: a header with a time column (t, time or date) and a value column (observed, v or value); NA = missing')
    .option('--tick <duration>', "with --rule: spacing of clock ticks for time-driven detectors (staleness, periods closing); default: the series' smallest gap, coarsened past 100,000 ticks")
    .option('--conformance <dir>', 'a folder laid out like shared/conformance/detection (cases.json + CSVs)')
    .option('--out <path>', 'with --rule: the CSV to write (default: stdout); with --conformance: a folder for each case\'s computed CSV')
    .addHelpText(
      'after',
      '\nWith --rule and --data, writes t,observed,upperbound,alarm,level,signal plus the detector\'s own\n' +
        'columns (expected, score, cusum…), one row per data row (and per clock tick that changed something).\n' +
        '\nWith --conformance, R argument names are accepted in cases.json (so R users bring their settings);\n' +
        'an unknown argument is an error by name (R silently ignores misspellings). One line per case;\n' +
        'exit 1 when any case falls short of the tolerance.\n',
    )
    .action((opts: { conformance?: string; out?: string; rule?: string; name?: string; data?: string; tick?: string }) => {
      if (opts.rule !== undefined || opts.data !== undefined) {
        if (opts.conformance !== undefined) throw new CommanderError(2, 'tocsin.detect.usage', 'tocsin detect: give either --rule and --data, or --conformance, not both');
        if (opts.rule === undefined || opts.data === undefined) throw new CommanderError(2, 'tocsin.detect.usage', `tocsin detect: --${opts.rule === undefined ? 'rule' : 'data'} is needed too`);
        try {
          const { csv, summary } = detectRule({ rule: opts.rule, data: opts.data, ...(opts.name ? { name: opts.name } : {}), ...(opts.tick ? { tick: opts.tick } : {}) });
          if (opts.out) fs.writeFileSync(opts.out, csv);
          else io.stdout(csv);
          io.stderr(`${summary}${opts.out ? ` → ${opts.out}` : ''}\n`);
        } catch (err) {
          if (err instanceof DetectInputError) throw new CommanderError(2, 'tocsin.detect.input', `tocsin detect: ${err.message}`);
          throw err;
        }
        return;
      }
      if (!opts.conformance) throw new CommanderError(2, 'tocsin.detect.usage', 'tocsin detect: give --rule FILE --data FILE.csv, or --conformance DIR');
      const failed = runConformance(opts.conformance, opts.out, io);
      if (failed > 0) throw new CommanderError(1, 'tocsin.detect.failed', `${failed} case(s) fell short`);
    });
}
