import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRulesDirectory, watchRulesDirectory, type RulesDirectoryState, type RulesDirectoryWatcher } from './rules-directory.ts';
import { fakeRegistry } from '../domain/detect/rules/testing/fake-registry.ts';

const registry = fakeRegistry();

const yamlRule = (name: string, above = 1) => `name: ${name}\nselect: { area: D01 }\ndetector: { type: threshold, above: ${above} }\n`;

let dir: string;
const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
const names = (state: RulesDirectoryState) => state.rules.map((r) => r.rule.name);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-rules-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('loadRulesDirectory', () => {
  it('reads every .yaml, .yml and .json file in name order, skipping others and hidden files', async () => {
    write('b.yml', yamlRule('from-yml'));
    write('a.yaml', `- ${yamlRule('from-yaml-1').trimEnd().replace(/\n/g, '\n  ')}\n- ${yamlRule('from-yaml-2').trimEnd().replace(/\n/g, '\n  ')}\n`);
    write('c.JSON', JSON.stringify({ rules: [{ name: 'from-json', select: { key: 'ST*' }, detector: { type: 'threshold', above: 2 } }] }));
    write('notes.txt', 'not a rule');
    write('.d.yaml.swp', 'garbage');
    write('.hidden.yaml', yamlRule('hidden'));
    fs.mkdirSync(path.join(dir, 'sub.yaml'));
    const state = await loadRulesDirectory(dir, registry);
    expect(state.problems).toEqual([]);
    expect(state.files).toEqual(['a.yaml', 'b.yml', 'c.JSON'].map((f) => path.join(dir, f)));
    expect(state.rules.map((r) => [r.rule.name, path.basename(r.file)])).toEqual([
      ['from-yaml-1', 'a.yaml'],
      ['from-yaml-2', 'a.yaml'],
      ['from-yml', 'b.yml'],
      ['from-json', 'c.JSON'],
    ]);
  });

  it('keeps the good rules beside a bad rule and a bad file, naming file, rule, field and line', async () => {
    write('a.yaml', `rules:\n  - ${yamlRule('good').trimEnd().replace(/\n/g, '\n    ')}\n  - name: bad\n    select: { area: D01 }\n    detector: { type: threshold, above: x }\n`);
    write('b.yaml', 'name: [unclosed\n');
    write('c.yaml', yamlRule('other'));
    const state = await loadRulesDirectory(dir, registry);
    expect(names(state)).toEqual(['good', 'other']);
    expect(state.problems).toEqual([
      { file: path.join(dir, 'a.yaml'), index: 1, line: 7, rule: 'bad', field: 'detector.above', message: 'expected a number' },
      expect.objectContaining({ file: path.join(dir, 'b.yaml'), index: null, field: '', message: expect.stringMatching(/^not valid YAML: /) }),
    ]);
  });

  it('reports a name defined in two files and keeps the first', async () => {
    write('a.yaml', yamlRule('same', 1));
    write('b.yaml', yamlRule('same', 2));
    const state = await loadRulesDirectory(dir, registry);
    expect(state.rules.map((r) => [r.rule.name, path.basename(r.file), r.rule.detector.params])).toEqual([['same', 'a.yaml', { above: 1 }]]);
    expect(state.problems).toEqual([
      {
        file: path.join(dir, 'b.yaml'),
        index: null,
        rule: 'same',
        field: 'name',
        message: `"same" is already defined in ${path.join(dir, 'a.yaml')}; names must be unique across the rules folder`,
      },
    ]);
  });

  it('refuses a folder it cannot read at start, naming it', async () => {
    await expect(loadRulesDirectory(path.join(dir, 'missing'), registry)).rejects.toMatchObject({
      code: 'TOCSIN_CONFIG_INVALID',
      message: expect.stringContaining(`--rules: cannot read the rules folder ${path.join(dir, 'missing')}`),
    });
  });
});

describe('watchRulesDirectory', () => {
  let watcher: RulesDirectoryWatcher | undefined;
  afterEach(() => watcher?.close());

  /** A watcher whose reload trigger and change notifications the test holds. */
  async function start(watch = false) {
    const seen: RulesDirectoryState[] = [];
    let trigger: (() => void) | undefined;
    let unsubscribed = false;
    watcher = await watchRulesDirectory(dir, registry, (state) => seen.push(state), {
      watch,
      debounceMs: 10,
      subscribeToReload: (reload) => {
        trigger = reload;
        return () => {
          unsubscribed = true;
        };
      },
    });
    return { seen, trigger: () => trigger!(), unsubscribed: () => unsubscribed };
  }

  it('tells the first reading, then each reload', async () => {
    write('a.yaml', yamlRule('one'));
    const { seen } = await start();
    expect(seen.map(names)).toEqual([['one']]);
    write('b.yaml', yamlRule('two'));
    const state = await watcher!.reload();
    expect(names(state)).toEqual(['one', 'two']);
    expect(seen.map(names)).toEqual([['one'], ['one', 'two']]);
    expect(watcher!.current()).toBe(state);
  });

  it('keeps other files, and the last good rules of a file that stops parsing, until it is fixed', async () => {
    write('a.yaml', yamlRule('river'));
    write('b.yaml', yamlRule('air'));
    await start();
    write('a.yaml', 'name: river\nselect: { area: D01\n'); // an editor caught mid-save
    const broken = await watcher!.reload();
    expect(names(broken)).toEqual(['river', 'air']);
    expect(broken.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^not valid YAML: /),
      'keeping the 1 rules read from it before, until it can be read again',
    ]);
    write('a.yaml', yamlRule('river', 9));
    const fixed = await watcher!.reload();
    expect(fixed.problems).toEqual([]);
    expect(fixed.rules[0]!.rule.detector.params).toEqual({ above: 9 });
  });

  it('drops a rule that becomes invalid (reported) and the rules of a deleted file', async () => {
    write('a.yaml', yamlRule('river'));
    write('b.yaml', yamlRule('air'));
    await start();
    write('a.yaml', yamlRule('river').replace('above: 1', 'above: high'));
    fs.rmSync(path.join(dir, 'b.yaml'));
    const state = await watcher!.reload();
    expect(names(state)).toEqual([]);
    expect(state.problems).toMatchObject([{ rule: 'river', field: 'detector.above' }]);
  });

  it('keeps every rule when the folder itself becomes unreadable', async () => {
    write('a.yaml', yamlRule('river'));
    await start();
    fs.rmSync(dir, { recursive: true });
    const state = await watcher!.reload();
    expect(names(state)).toEqual(['river']);
    expect(state.problems[0]!.message).toMatch(/^cannot read the rules folder .*; keeping the 1 rules read before$/);
    fs.mkdirSync(dir);
  });

  it('reloads when the reload trigger (SIGHUP in production) fires, and stops on close', async () => {
    write('a.yaml', yamlRule('one'));
    const { seen, trigger, unsubscribed } = await start();
    write('a.yaml', yamlRule('uno'));
    trigger();
    // The trigger queued a reload; asking again joins that same reload rather than adding one.
    await watcher!.reload();
    expect(seen.map(names)).toEqual([['one'], ['uno']]);
    watcher!.close();
    expect(unsubscribed()).toBe(true);
  });

  it('folds reloads asked for while one runs into one more', async () => {
    write('a.yaml', yamlRule('one'));
    const { seen } = await start();
    const first = watcher!.reload();
    const second = watcher!.reload(); // queued behind nothing yet: the same reload
    expect(second).toBe(first);
    await first;
    const [third, fourth] = [watcher!.reload(), watcher!.reload()];
    expect(fourth).toBe(third);
    await third;
    expect(seen).toHaveLength(3);
  });

  it('re-reads by itself when a file in the folder changes', async () => {
    write('a.yaml', yamlRule('one'));
    const { seen } = await start(true);
    write('b.yaml', yamlRule('two'));
    // fs.watch is asynchronous by nature: wait for the effect, with a bounded deadline.
    const deadline = Date.now() + 10_000;
    while (!names(watcher!.current()).includes('two') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(names(watcher!.current())).toEqual(['one', 'two']);
    expect(seen.at(-1)).toBe(watcher!.current());
  });
});
