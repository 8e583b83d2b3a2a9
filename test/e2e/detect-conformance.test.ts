import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTocsin } from '../support/tocsin-process.ts';
import { sharedDetectionFolder } from '../../src/app/detection-conformance/read-cases.ts';

const folder = sharedDetectionFolder();

describe('tocsin detect --conformance', () => {
  it.runIf(folder)('runs every case of the shared R surveillance folder within tolerance, and writes comparable CSVs', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-conf-'));
    try {
      const res = await runTocsin(['detect', '--conformance', folder!, '--out', out]);
      const caseLines = res.stdout.split('\n').filter((l) => /^(ok|FAIL) /.test(l));
      const cases = JSON.parse(fs.readFileSync(path.join(folder!, 'cases.json'), 'utf8')) as { cases: { id: string; file: string }[] };
      expect(caseLines).toHaveLength(cases.cases.length);
      expect(caseLines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
      expect(res.code).toBe(0);
      for (const c of cases.cases) {
        const ours = fs.readFileSync(path.join(out, c.file), 'utf8').split('\n')[0];
        const theirs = fs.readFileSync(path.join(folder!, c.file), 'utf8').split('\n')[0];
        expect(ours, c.id).toBe(theirs);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it.skipIf(folder)('is skipped, and says so, where ../shared/conformance/detection is absent', () => {
    console.warn('tocsin detect --conformance: ../shared/conformance/detection is not beside this repository; skipped');
    expect(folder).toBeNull();
  });

  it('names an unknown R argument and exits non-zero', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-conf-bad-'));
    try {
      const rows = ['t,date,year,period,observed,in_range,upperbound,alarm', ...Array.from({ length: 12 }, (_, i) => `${i + 1},NA,2020,${i + 1},${i % 3},${i >= 7 ? 1 : 0},NA,NA`)];
      fs.writeFileSync(path.join(dir, 'toy.csv'), `${rows.join('\n')}\n`);
      fs.writeFileSync(
        path.join(dir, 'cases.json'),
        JSON.stringify({ cases: [{ id: 'toy', file: 'toy.csv', freq: 52, n: 12, range: [8, 12], algorithm: 'earsC', control: { method: 'C1', baseline: 7, alpah: 0.01 } }] }),
      );
      const res = await runTocsin(['detect', '--conformance', dir]);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/FAIL toy .*alpah: not an argument of surveillance::earsC/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tocsin detect --rule --data', () => {
  it('writes the rule\'s verdict per row to --out, and exits 2 naming the line of bad data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-detect-'));
    try {
      const rule = path.join(dir, 'pm25.yaml');
      fs.writeFileSync(rule, 'name: pm25\nselect: { indicator: pm25 }\ndetector: { type: ewma, lambda: 0.3, L: 3, warmup: 5 }\n');
      const rows = Array.from({ length: 30 }, (_, i) => `${new Date(Date.UTC(2026, 10, 1, i)).toISOString()},${i === 25 ? 90 : 30 + (i % 3)}`);
      fs.writeFileSync(path.join(dir, 'pm25.csv'), `t,v\n${rows.join('\n')}\n`);
      const out = path.join(dir, 'out.csv');
      const ok = await runTocsin(['detect', '--rule', rule, '--data', path.join(dir, 'pm25.csv'), '--out', out]);
      expect(ok.code).toBe(0);
      expect(ok.stderr).toContain('pm25: 30 points,');
      const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
      expect(lines[0]).toMatch(/^t,observed,upperbound,alarm,level,signal/);
      expect(lines).toHaveLength(31);
      expect(lines[26]!.split(',').slice(3, 6)).toEqual(['1', 'yellow', 'firing']);

      fs.writeFileSync(path.join(dir, 'bad.csv'), 't,v\n2026-11-01T00:00:00Z,1\n2026-11-01T01:00:00Z,lots\n');
      const bad = await runTocsin(['detect', '--rule', rule, '--data', path.join(dir, 'bad.csv')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('bad.csv:3: column v: expected a number or NA, got "lots"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
