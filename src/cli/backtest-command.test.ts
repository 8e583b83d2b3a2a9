import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/kernel/clock.ts';
import { floodObservations, floodRulesYaml, floodTruthCsv } from '../app/backtest/testing/flood-history.ts';
import { registerBacktestCommand, runBacktestCommand, type BacktestIo, type BacktestOptions } from './backtest-command.ts';

let dir: string;
const now = Date.UTC(2026, 11, 1);

function io(): BacktestIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t), isTTY: false },
    clock: manualClock(now),
    out: () => out,
    err: () => err,
  };
}

async function run(opts: BacktestOptions) {
  const streams = io();
  const code = await runBacktestCommand({ quiet: true, ...opts }, streams);
  return { code, stdout: streams.out(), stderr: streams.err() };
}

const p = (...parts: string[]) => path.join(dir, ...parts);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-backtest-'));
  fs.mkdirSync(p('rules'));
  fs.writeFileSync(p('rules', 'flood.yaml'), floodRulesYaml);
  fs.writeFileSync(p('rules', 'broken.yaml'), 'name: broken-rule\nselect: { indicator: river_level }\ndetector: { type: bands, levels: { yellow: oops } }\n');
  fs.mkdirSync(p('data'));
  const observations = floodObservations();
  const st001 = observations.filter((o) => o.series === 'ST001.level');
  const st002 = observations.filter((o) => o.series === 'ST002.level');
  // ST001 as gzipped NDJSON with one bad line; ST002 as CSV; a third series as a JSON array with one bad element.
  const ndjson = st001.map((o) => JSON.stringify({ series: o.series, t: new Date(o.t).toISOString(), v: o.v, ...(o.meta ?? {}) }));
  ndjson.splice(5, 0, '{"series":"ST001.level","t":"yesterday","v":1}');
  fs.writeFileSync(p('data', 'st001.ndjson.gz'), zlib.gzipSync(ndjson.join('\n')));
  const csv = ['series,t,v,indicator,domain,area', ...st002.map((o, i) => `${o.series},${o.t},${o.v}${i === 0 ? ',river_level,natural,D02' : ',,,'}`)];
  fs.writeFileSync(p('data', 'st002.csv'), csv.join('\n'));
  fs.writeFileSync(p('data', 'rain.json'), JSON.stringify([{ series: 'RG01.rain', t: observations[0]!.t, v: 0.2 }, { series: 'RG01.rain', t: 'soon', v: 1 }]));
  fs.writeFileSync(p('data', 'notes.txt'), 'not data');
  fs.writeFileSync(p('truth.csv'), floodTruthCsv);
  fs.mkdirSync(p('empty'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('tocsin backtest', () => {
  it('replays a folder of mixed files through a folder of rules and prints the scores', async () => {
    const r = await run({ rules: p('rules'), data: p('data'), truth: p('truth.csv'), tick: '1m', json: p('out', 'results.json'), report: p('out') });
    expect(r.code, r.stderr).toBe(0);
    // The bad rule is left out, named by file, line, rule and field; the others run.
    expect(r.stderr).toContain(`left out: ${p('rules', 'broken.yaml')}:3: rule "broken-rule": detector.levels.yellow:`);
    // Bad lines are counted and named by file and line (or array element), and skipped.
    expect(r.stderr).toContain('skipped 2 bad lines of 376 in the data:');
    expect(r.stderr).toContain(`${p('data', 'rain.json')}: element 2: t: "soon" is not ISO-8601`);
    expect(r.stderr).toContain(`${p('data', 'st001.ndjson.gz')}:6: t: "yesterday"`);
    expect(r.stdout).toMatch(/^Backtest of 2 rules over 3 series, 2026-11-20 00:00 to 2026-11-21 23:45 UTC \(1d23h\), 374 observations in \d+\.\d\d s\.$/m);
    expect(r.stdout).toContain('Engine ticks every 1m of data time (2865 ticks).');
    const table = r.stdout.split('\n').filter((l) => /^(rule|river|gauge)/.test(l));
    expect(table).toEqual([
      'rule               series       alarms  events  detected  sensitivity  false alarms  FA/year   PPV  median delay  median lead',
      'river-level-bands  ST001.level       2       2         1          50%             1    183.6   50%         1h30m        2h30m',
      'river-level-bands  (all 2)           2       2         1          50%             1    183.6   50%         1h30m        2h30m',
      'gauge-silent       ST002.level       1       1         1         100%             0      0.0  100%          1h1m            –',
      'gauge-silent       (all 2)           1       1         1         100%             0      0.0  100%          1h1m            –',
    ]);
    expect(r.stdout).toContain('(2 more series had no signal and no event; --all-series lists them)');

    const json = JSON.parse(fs.readFileSync(p('out', 'results.json'), 'utf8')) as {
      span: { from: string; to: string };
      rules: { rule: string; total: { sensitivity: number }; events: { line: number; start: string; detected: boolean }[] }[];
      signals: { rule: string; series: string; t: string; kind: string }[];
    };
    expect(json.span).toEqual({ from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T23:45:00.000Z' });
    expect(json.rules[0]!.events.map((e) => [e.line, e.start, e.detected])).toEqual([
      [2, '2026-11-20T10:00:00.000Z', true],
      [3, '2026-11-21T18:00:00.000Z', false],
    ]);
    expect(json.signals[0]).toMatchObject({ rule: 'river-level-bands', series: 'ST001.level', t: '2026-11-20T11:30:00.000Z', kind: 'firing' });
    const html = fs.readFileSync(p('out', 'index.html'), 'utf8');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(r.stdout).toContain(`Report: ${p('out', 'index.html')}`);
  });

  it('counts alarms alone without truth, and lists every series when asked', async () => {
    const r = await run({ rules: p('rules', 'flood.yaml'), data: p('data'), allSeries: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('No --truth: alarms are counted, not scored.');
    expect(r.stdout.split('\n').filter((l) => /^(rule|river|gauge)/.test(l))).toEqual([
      'rule               series       signals  alarms',
      'river-level-bands  ST001.level        5       2',
      'river-level-bands  ST002.level        0       0',
      'river-level-bands  (all 2)            5       2',
      'gauge-silent       ST001.level        0       0',
      'gauge-silent       ST002.level        2       1',
      'gauge-silent       (all 2)            2       1',
    ]);
  });

  it.each([
    [{ data: 'x' }, /--rules is required/],
    [{ rules: 'RULES' }, /--data is required/],
    [{ rules: 'RULES', data: 'DATA', tick: '0' }, /--tick 0: expected a duration above zero/],
    [{ rules: 'nowhere', data: 'DATA' }, /--rules nowhere: cannot read it \(ENOENT\)/],
    [{ rules: 'RULES/broken.yaml', data: 'DATA' }, /--rules .*broken\.yaml: no usable rule \(the problems are listed above\)/],
    [{ rules: 'EMPTY', data: 'DATA' }, /--rules .*empty: the folder holds no rule files/],
    [{ rules: 'RULES', data: 'EMPTY' }, /--data .*empty: the folder holds no observation files/],
    [{ rules: 'RULES', data: 'DATA/notes.txt' }, /notes\.txt: cannot tell the format from its name/],
    [{ rules: 'RULES', data: 'DATA', truth: 'missing.csv' }, /--truth missing\.csv: cannot read it \(ENOENT\)/],
  ] as [BacktestOptions, RegExp][])('exits 2 with a message naming what is wrong: %j', async (opts, message) => {
    const fill = (v: string | undefined) => v?.replace('RULES', p('rules')).replace('DATA', p('data')).replace('EMPTY', p('empty'));
    const r = await run({ ...opts, rules: fill(opts.rules), data: fill(opts.data) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('refuses a truth file with bad lines, naming each line and column', async () => {
    fs.writeFileSync(p('bad-truth.csv'), 'series,start,end\nST001.level,2026-11-20T10:00:00Z,2026-11-20T09:00:00Z\nST001.level,noon,2026-11-20T12:00:00Z\n');
    const r = await run({ rules: p('rules'), data: p('data'), truth: p('bad-truth.csv') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--truth ${p('bad-truth.csv')}: 2 bad lines`);
    expect(r.stderr).toContain(`${p('bad-truth.csv')}:2: end: 2026-11-20T09:00:00.000Z is before start 2026-11-20T10:00:00.000Z`);
    expect(r.stderr).toContain(`${p('bad-truth.csv')}:3: start: "noon" is not ISO-8601`);
  });

  it('refuses a CSV data file without a usable header, naming the file and line', async () => {
    fs.mkdirSync(p('bad-data'));
    fs.writeFileSync(p('bad-data', 'x.csv'), '\nseries,time,v\nST001.level,2026-11-20T10:00:00Z,1\n');
    const r = await run({ rules: p('rules'), data: p('bad-data') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p('bad-data', 'x.csv')}:2:`);
  });

  it('ends a bad command line with status 2, as any other bad input', async () => {
    const program = new Command('tocsin').exitOverride();
    const streams = io();
    registerBacktestCommand(program, streams);
    program.commands[0]!.configureOutput({ writeErr: () => {} });
    const outcome = await program.parseAsync(['node', 'tocsin', 'backtest', '--rules', p('rules'), '--bogus'], { from: 'node' }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(CommanderError);
    expect((outcome as CommanderError).exitCode).toBe(2);
    const missing = await program.parseAsync(['node', 'tocsin', 'backtest', '--data', p('data')], { from: 'node' }).catch((e: unknown) => e);
    expect((missing as CommanderError).exitCode).toBe(2);
    expect(streams.err()).toContain('--rules is required');
  });
});
