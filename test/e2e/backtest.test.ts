import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTocsin } from '../support/tocsin-process.ts';
import { floodNdjson, floodRulesYaml, floodTruthCsv } from '../../src/app/backtest/testing/flood-history.ts';

describe('tocsin backtest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-e2e-backtest-'));
  const p = (name: string) => path.join(dir, name);
  beforeAll(() => {
    fs.writeFileSync(p('rules.yaml'), floodRulesYaml);
    fs.writeFileSync(p('gauges.ndjson'), `${floodNdjson()}\n{"series":"ST001.level","v":1}\n`);
    fs.writeFileSync(p('truth.csv'), floodTruthCsv);
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replays a history through rules and prints, reports and writes the scores', async () => {
    const r = await runTocsin(['backtest', '--rules', p('rules.yaml'), '--data', p('gauges.ndjson'), '--truth', p('truth.csv'), '--report', p('report'), '--json', p('results.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Backtest of 2 rules over 2 series, 2026-11-20 00:00 to 2026-11-21 23:45 UTC (1d23h), 373 observations');
    expect(r.stdout).toMatch(/^river-level-bands\s+\(all 2\)\s+2\s+2\s+1\s+50%\s+1\s+183\.6\s+50%\s+1h30m\s+2h30m$/m);
    expect(r.stdout).toMatch(/^gauge-silent\s+ST002\.level\s+1\s+1\s+1\s+100%\s+0\s+0\.0\s+100%\s+1h1m\s+–$/m);
    // The bad line is named; stderr is no terminal, so there is no progress bar.
    expect(r.stderr).toBe(`tocsin backtest: skipped 1 bad line of 374 in the data:\n  ${p('gauges.ndjson')}:374: t: missing\n`);
    const html = fs.readFileSync(p('report/index.html'), 'utf8');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(html).not.toMatch(/https?:|<script/);
    const json = JSON.parse(fs.readFileSync(p('results.json'), 'utf8')) as { rules: { rule: string; total: { alarms: number } }[] };
    expect(json.rules.map((x) => [x.rule, x.total.alarms])).toEqual([
      ['river-level-bands', 2],
      ['gauge-silent', 1],
    ]);
  });

  it('shows progress on stderr when asked, off a terminal', async () => {
    const r = await runTocsin(['backtest', '--rules', p('rules.yaml'), '--data', p('gauges.ndjson'), '--progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/100% \| replaying 373 obs of 373 obs/);
  });

  it('exits 2 with one clear line when the command line or an input is wrong', async () => {
    const noRules = await runTocsin(['backtest', '--data', p('gauges.ndjson')]);
    expect(noRules.code).toBe(2);
    expect(noRules.stderr).toBe('tocsin backtest: --rules is required: a rule file or a folder of rule files\n');

    fs.writeFileSync(p('bad-truth.csv'), 'series,start,finish\n');
    const badTruth = await runTocsin(['backtest', '--rules', p('rules.yaml'), '--data', p('gauges.ndjson'), '--truth', p('bad-truth.csv')]);
    expect(badTruth.code).toBe(2);
    expect(badTruth.stderr).toContain(`${p('bad-truth.csv')}:1: finish: unknown column`);
    expect(badTruth.stderr).toContain(`${p('bad-truth.csv')}:1: end: missing from the header`);

    fs.writeFileSync(p('bad-rule.yaml'), 'name: Bad Name\nselect: {}\ndetector: { type: bands }\n');
    const badRule = await runTocsin(['backtest', '--rules', p('bad-rule.yaml'), '--data', p('gauges.ndjson')]);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toMatch(/bad-rule\.yaml:1: rule ".*": name: "Bad Name" is not a rule name/);
    expect(badRule.stderr).toMatch(/no usable rule/);

    const badOption = await runTocsin(['backtest', '--rules', p('rules.yaml'), '--data', p('gauges.ndjson'), '--format', 'xml']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/argument 'xml' is invalid/);
  });
});
