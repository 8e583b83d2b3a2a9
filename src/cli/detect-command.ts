import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { readConformanceFolder } from '../app/detection-conformance/read-cases.ts';
import { compareCase, computedCsv, formatComparison, meetsTolerance } from '../app/detection-conformance/compare-case.ts';
import { caseRunners } from '../app/detection-conformance/case-runners.ts';

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
    .description("run detectors over files; --conformance checks them against a folder of R surveillance reference outputs")
    .option('--conformance <dir>', 'a folder laid out like shared/conformance/detection (cases.json + CSVs)')
    .option('--out <dir>', 'with --conformance: write each case\'s computed CSV here, with the reference\'s columns')
    .addHelpText(
      'after',
      '\nWith --conformance, R argument names are accepted in cases.json (so R users bring their settings);\n' +
        'an unknown argument is an error by name (R silently ignores misspellings). One line per case;\n' +
        'exit 1 when any case falls short of the tolerance.\n',
    )
    .action((opts: { conformance?: string; out?: string }) => {
      if (!opts.conformance) throw new CommanderError(2, 'tocsin.detect', 'tocsin detect: give --conformance DIR (rule runs over CSV files come next)');
      const failed = runConformance(opts.conformance, opts.out, io);
      if (failed > 0) throw new CommanderError(1, 'tocsin.detect.failed', `${failed} case(s) fell short`);
    });
}
