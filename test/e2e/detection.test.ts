import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, tokenFor, type ServerProcess } from '../support/tocsin-process.ts';
import { eventually } from '../support/eventually.ts';

const password = 'e2e-secret-passphrase-1';
const t0 = Date.UTC(2026, 10, 21, 0, 0, 0);

const riverRule = `
name: river-level-bands
select: { indicator: river_level }
detector: { type: bands, levels: { yellow: 4.5, orange: 5.0, red: 5.5 }, hysteresis: 0.1 }
for: 10m
labels: { hazard: flood }
annotations: { summary: "River level at {{series}} is {{level}} ({{value}} m)" }
`;


describe('detection in tocsin serve', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-detect-'));
  const rulesDir = path.join(dir, 'rules');
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns observations into signals with rules from files, reloads them on SIGHUP, and keeps good rules beside a bad file', async () => {
    fs.mkdirSync(rulesDir);
    fs.writeFileSync(path.join(rulesDir, 'river.yaml'), riverRule);
    fs.writeFileSync(path.join(rulesDir, 'broken.yaml'), 'name: broken\nselect: {}\ndetector: { type: nonsense }\n');
    server = await startServe(['--data', path.join(dir, 'data'), '--rules', rulesDir], { TOCSIN_ADMIN_PASSWORD: password });
    const token = await tokenFor(server.url, 'admin', password);
    const auth = { authorization: `Bearer ${token}` };

    const rules = (await (await fetch(`${server.url}/api/v1/rules`, { headers: auth })).json()) as {
      items: { name: string; source: string }[];
      problems: { rule: string; field: string; message: string }[];
    };
    expect(rules.items.map((r) => r.name)).toEqual(['river-level-bands']);
    expect(rules.items[0]!.source).toMatch(/^file:/);
    expect(rules.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['select', 'detector.type']));

    // The river rises past yellow (held 10 min from 00:10) and red (held from 00:25, the first step above yellow), then falls back.
    const levels = [4.0, 4.2, 4.6, 4.7, 4.8, 5.2, 5.6, 5.7, 5.8, 5.9, 5.6, 4.0, 3.9];
    const body = levels
      .map((v, i) => JSON.stringify({ series: 'RG-01.level', t: t0 + i * 5 * 60_000, v, ...(i === 0 ? { indicator: 'river_level', domain: 'natural', area: 'D01' } : {}) }))
      .join('\n');
    const posted = await fetch(`${server.url}/api/v1/observations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body });
    expect(posted.status).toBe(202);

    const signals = await eventually(async () => {
      const res = (await (await fetch(`${server!.url}/api/v1/signals?series=RG-01.level`, { headers: auth })).json()) as {
        items: { kind: string; level: string | null; t: string; labels: Record<string, string>; annotations: Record<string, string> }[];
      };
      return res.items.some((s) => s.kind === 'resolved') ? res.items : undefined;
    });
    expect(signals.map((s) => `${s.kind}:${s.level ?? '-'}@${s.t.slice(11, 16)}`).reverse()).toEqual([
      'firing:yellow@00:20',
      'changed:red@00:35',
      'resolved:-@00:55',
    ]);
    expect(signals[2]!.labels).toMatchObject({ alertname: 'river-level-bands', series: 'RG-01.level', area: 'D01', hazard: 'flood', level: 'yellow' });
    expect(signals[2]!.annotations['summary']).toBe('River level at RG-01.level is yellow (4.8 m)');

    // Change the rule file and reload with SIGHUP: the rule's new definition is in force.
    fs.writeFileSync(path.join(rulesDir, 'river.yaml'), riverRule.replace('for: 10m', 'for: 30m'));
    server.child.kill('SIGHUP');
    await eventually(async () => {
      const rule = (await (await fetch(`${server!.url}/api/v1/rules/river-level-bands`, { headers: auth })).json()) as { for?: unknown };
      return rule.for === '30m' ? true : undefined;
    });
  });
});
