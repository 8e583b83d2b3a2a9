import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/sql-client.ts';
import { openStore } from '../store/open-store.ts';
import { rulesRepo } from '../store/repos/rules-repo.ts';
import { manualClock } from '../domain/kernel/clock.ts';
import type { TocsinError } from '../domain/kernel/errors.ts';
import { parseRule, type Rule } from '../domain/detect/rules/rule.ts';
import { fakeRegistry } from '../domain/detect/rules/testing/fake-registry.ts';
import { EventHub, type TocsinEvent } from './event-hub.ts';
import { RulesCatalog, type FileRules, type RuleChange } from './rules-catalog.ts';

const t0 = Date.UTC(2026, 10, 21, 8, 0, 0);
const registry = fakeRegistry();

const raw = (name: string, above = 1, extra: Record<string, unknown> = {}) => ({
  name,
  select: { indicator: 'river_level' },
  detector: { type: 'threshold', above },
  ...extra,
});

function rule(name: string, above = 1, extra: Record<string, unknown> = {}): Rule {
  const parsed = parseRule(raw(name, above, extra), registry, 'test');
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.rule;
}

const fileRules = (...rules: [Rule, string][]): FileRules => ({ rules: rules.map(([r, file]) => ({ rule: r, file })), problems: [] });

async function failure(promise: Promise<unknown>): Promise<TocsinError> {
  return (await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  )) as TocsinError;
}

describe('RulesCatalog', () => {
  let store: Store;
  const clock = manualClock(t0);
  let events: TocsinEvent[];
  let changes: RuleChange[][];

  beforeAll(async () => {
    store = await openStore({ dataDir: null });
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(async () => {
    await store.query('delete from rules');
    events = [];
    changes = [];
  });

  async function open(files?: FileRules): Promise<RulesCatalog> {
    const hub = new EventHub();
    hub.subscribe((e) => events.push(e));
    const catalog = await RulesCatalog.open({ rules: rulesRepo(store), registry, clock, events: hub }, files);
    catalog.subscribe((batch) => changes.push([...batch]));
    return catalog;
  }

  const summary = (batch: readonly RuleChange[]) => batch.map((c) => `${c.kind} ${c.name}`);

  it('lists file rules and stored API rules together, by name, with their source', async () => {
    await rulesRepo(store).insertRule({ name: 'b-api', definition: raw('b-api'), at: t0, by: 'anna' });
    const catalog = await open(fileRules([rule('a-file'), 'rules/a.yaml'], [rule('c-file'), 'rules/c.yaml']));
    expect(catalog.list().map((e) => [e.rule.name, e.source, e.version])).toEqual([
      ['a-file', 'file:rules/a.yaml', null],
      ['b-api', 'api', 1],
      ['c-file', 'file:rules/c.yaml', null],
    ]);
    expect(catalog.get('b-api')).toMatchObject({ createdAt: t0, createdBy: 'anna', updatedBy: 'anna' });
    expect(catalog.get('nothing')).toBeUndefined();
    expect(catalog.problems()).toEqual([]);
  });

  it('filters by source, detector type and enabled', async () => {
    await rulesRepo(store).insertRule({ name: 'off', definition: raw('off', 1, { enabled: false }), at: t0, by: 'anna' });
    const catalog = await open(fileRules([rule('on'), 'r/a.yaml'], [rule('other'), 'r/b.yaml']));
    const names = (filter: Parameters<RulesCatalog['list']>[0]) => catalog.list(filter).map((e) => e.rule.name);
    expect(names({ source: 'api' })).toEqual(['off']);
    expect(names({ source: 'file' })).toEqual(['on', 'other']);
    expect(names({ source: 'file:r/b.yaml' })).toEqual(['other']);
    expect(names({ enabled: false })).toEqual(['off']);
    expect(names({ detector: 'threshold', enabled: true })).toEqual(['on', 'other']);
    expect(names({ detector: 'ewma' })).toEqual([]);
  });

  it('creates an API rule: stored, in force, heard by listeners and the event hub', async () => {
    const catalog = await open();
    const created = await catalog.create(raw('river-high', 5), 'anna');
    expect(created).toMatchObject({ source: 'api', version: 1, createdAt: t0, createdBy: 'anna', updatedAt: t0, updatedBy: 'anna' });
    expect(created.rule.detector.params).toEqual({ above: 5 });
    expect(catalog.get('river-high')).toBe(created);
    expect((await rulesRepo(store).findRule('river-high'))!.definition).toEqual({ ...raw('river-high', 5), for: 0, labels: {}, annotations: {}, enabled: true });
    expect(changes.map(summary)).toEqual([['added river-high']]);
    expect(events).toEqual([
      { type: 'rules.changed', at: t0, data: { by: 'anna', changes: [{ kind: 'added', name: 'river-high', source: 'api' }] } },
    ]);
  });

  it('refuses a rule with problems, listing every one, and saves nothing', async () => {
    const catalog = await open();
    const err = await failure(catalog.create({ name: 'bad', select: {}, detector: { type: 'threshold', above: 'x' }, colour: 1 }, 'anna'));
    expect(err.code).toBe('TOCSIN_VALIDATION');
    expect(err.message).toBe(
      'rule "bad" has 3 problems: colour: unknown field; expected one of name, select, aggregate, detector, for, labels, annotations, levels, enabled; ' +
        'select: must name at least one of key, domain, indicator, area, labels (a rule over every series is refused); ' +
        'detector.above: expected a number',
    );
    expect(err.details).toMatchObject({ fields: ['colour', 'select', 'detector.above'], problems: [{ rule: 'bad', field: 'colour' }, {}, {}] });
    expect(await rulesRepo(store).listRules()).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('refuses a name a file holds (naming the file) and a name already stored', async () => {
    const catalog = await open(fileRules([rule('from-file'), 'rules/river.yaml']));
    const fromFile = await failure(catalog.create(raw('from-file'), 'anna'));
    expect(fromFile.code).toBe('TOCSIN_CONFLICT');
    expect(fromFile.message).toBe('name: rule "from-file" is defined in rules/river.yaml; change it there (a file\'s rules cannot be changed through the API)');
    await catalog.create(raw('twice'), 'anna');
    const twice = await failure(catalog.create(raw('twice', 2), 'vic'));
    expect(twice.code).toBe('TOCSIN_CONFLICT');
    expect(twice.message).toBe('name: a rule named "twice" already exists');
  });

  it('updates at the current version only; the name may be left out but not changed', async () => {
    const catalog = await open();
    await catalog.create(raw('r'), 'anna');
    clock.advance(60_000);
    const { name: _name, ...withoutName } = raw('r', 7);
    const v2 = await catalog.update('r', withoutName, { version: 1, by: 'vic' });
    expect(v2).toMatchObject({ version: 2, createdBy: 'anna', updatedBy: 'vic', updatedAt: t0 + 60_000 });
    expect(catalog.get('r')!.rule.detector.params).toEqual({ above: 7 });
    expect(changes.map(summary)).toEqual([['added r'], ['changed r']]);
    const stale = await failure(catalog.update('r', raw('r', 8), { version: 1, by: 'anna' }));
    expect(stale.code).toBe('TOCSIN_CONFLICT');
    expect(stale.message).toMatch(/^version: rule "r" is at version 2 \(changed by vic/);
    const renamed = await failure(catalog.update('r', raw('s'), { version: 2, by: 'anna' }));
    expect(renamed.code).toBe('TOCSIN_VALIDATION');
    expect(renamed.message).toMatch(/^name: "s" does not match the rule being changed \("r"\)/);
    expect((await failure(catalog.update('nothing', raw('nothing'), { version: 1, by: 'anna' }))).code).toBe('TOCSIN_NOT_FOUND');
    expect(catalog.get('r')!.version).toBe(2);
    clock.set(t0);
  });

  it('deletes an API rule; refuses a file rule naming the file; 404 for neither', async () => {
    const catalog = await open(fileRules([rule('from-file'), 'rules/river.yaml']));
    await catalog.create(raw('gone'), 'anna');
    expect((await failure(catalog.delete('gone', { version: 5, by: 'anna' }))).code).toBe('TOCSIN_CONFLICT');
    await catalog.delete('gone', { version: 1, by: 'anna' });
    expect(catalog.get('gone')).toBeUndefined();
    expect(changes.map(summary)).toEqual([['added gone'], ['removed gone']]);
    const fileOwned = await failure(catalog.delete('from-file', { by: 'anna' }));
    expect(fileOwned.code).toBe('TOCSIN_CONFLICT');
    expect(fileOwned.message).toMatch(/rules\/river\.yaml/);
    const updateFileOwned = await failure(catalog.update('from-file', raw('from-file'), { version: 1, by: 'anna' }));
    expect(updateFileOwned.code).toBe('TOCSIN_CONFLICT');
    expect((await failure(catalog.delete('nothing', { by: 'anna' }))).code).toBe('TOCSIN_NOT_FOUND');
  });

  it('tells listeners only what a reload of the files changed, and keeps their problems', async () => {
    const catalog = await open(fileRules([rule('a'), 'r/a.yaml'], [rule('b'), 'r/b.yaml']));
    catalog.setFileRules(fileRules([rule('a'), 'r/a.yaml'], [rule('b'), 'r/b.yaml']));
    expect(changes).toEqual([]);
    catalog.setFileRules({
      rules: [
        { rule: rule('a', 2), file: 'r/a.yaml' },
        { rule: rule('c'), file: 'r/c.yaml' },
      ],
      problems: [{ file: 'r/b.yaml', index: 0, line: 3, rule: 'b', field: 'detector.above', message: 'expected a number' }],
    });
    expect(changes.map(summary)).toEqual([['changed a', 'added c', 'removed b']]);
    expect(changes[0]![0]!.previous!.rule.detector.params).toEqual({ above: 1 });
    expect(catalog.problems()).toEqual([
      { source: 'file:r/b.yaml', line: 3, rule: 'b', field: 'detector.above', message: 'expected a number' },
    ]);
    expect(events.map((e) => e.data['by'])).toEqual([null]);
  });

  it('puts a file rule in force over an API rule of the same name, reporting the clash', async () => {
    const catalog = await open();
    await catalog.create(raw('shared', 1), 'anna');
    catalog.setFileRules(fileRules([rule('shared', 2), 'r/s.yaml']));
    expect(catalog.get('shared')).toMatchObject({ source: 'file:r/s.yaml' });
    expect(changes.map(summary)).toEqual([['added shared'], ['changed shared']]);
    expect(catalog.problems()).toEqual([
      {
        source: 'api',
        version: 1,
        rule: 'shared',
        field: 'name',
        message: "defined both through the API and in r/s.yaml; the file's rule is in force (delete the API rule to clear this)",
      },
    ]);
    await catalog.delete('shared', { by: 'anna' }); // the API copy can still be removed
    expect(catalog.problems()).toEqual([]);
    expect(catalog.get('shared')).toMatchObject({ source: 'file:r/s.yaml' });
  });

  it('validates without saving, including a name that a file holds', async () => {
    const catalog = await open(fileRules([rule('from-file'), 'r/a.yaml']));
    expect(catalog.validate(raw('fine'))).toEqual([]);
    expect(catalog.validate({ ...raw('x'), for: 'soon' })).toEqual([
      { rule: 'x', field: 'for', message: 'expected a duration such as 10m, 90s, 1h or 0 (or milliseconds), got the text "soon"' },
    ]);
    expect(catalog.validate({ select: { area: 'D01' } })).toMatchObject([
      { rule: 'request body', field: 'name' },
      { rule: 'request body', field: 'detector' },
    ]);
    expect(catalog.validate(raw('from-file'))).toMatchObject([{ rule: 'from-file', field: 'name', message: expect.stringMatching(/r\/a\.yaml/) }]);
    expect(await rulesRepo(store).listRules()).toEqual([]);
  });

  it('reports a stored rule that no longer checks out, keeps it out of force, and lets it be replaced or deleted', async () => {
    await rulesRepo(store).insertRule({ name: 'old', definition: { ...raw('old'), detector: { type: 'retired' } }, at: t0, by: 'anna' });
    const catalog = await open();
    expect(catalog.list()).toEqual([]);
    expect(catalog.problems()).toEqual([
      { source: 'api', version: 1, rule: 'old', field: 'detector.type', message: 'unknown detector "retired"; one of broken, threshold' },
    ]);
    await catalog.update('old', raw('old'), { version: 1, by: 'anna' });
    expect(catalog.problems()).toEqual([]);
    expect(catalog.get('old')!.version).toBe(2);
    await catalog.delete('old', { by: 'anna' });
    expect(catalog.list()).toEqual([]);
  });

  it('reloads stored rules without announcing rules that did not change', async () => {
    const catalog = await open();
    await catalog.create(raw('kept', 1, { labels: { zeta: 'z', alpha: 'a' }, detector: { type: 'threshold', above: 3 } }), 'anna');
    await rulesRepo(store).insertRule({ name: 'elsewhere', definition: raw('elsewhere'), at: t0, by: 'vic' });
    await catalog.reloadStored();
    expect(changes.map(summary)).toEqual([['added kept'], ['added elsewhere']]);
  });

  it('keeps telling other listeners when one throws', async () => {
    const catalog = await open();
    catalog.subscribe(() => {
      throw new Error('broken listener');
    });
    const heard: string[] = [];
    const stop = catalog.subscribe((batch) => heard.push(...batch.map((c) => c.name)));
    await catalog.create(raw('one'), 'anna');
    stop();
    await catalog.create(raw('two'), 'anna');
    expect(heard).toEqual(['one']);
    expect(changes.map(summary)).toEqual([['added one'], ['added two']]);
  });
});
