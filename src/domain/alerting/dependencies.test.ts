import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fingerprint, type Labels } from './fingerprint.ts';
import { formatMatcher } from './matchers.ts';
import { parseDependencies, suppressedByDependency, type Dependency, type DependencyProblem } from './dependencies.ts';
import type { LabelledAlert } from './inhibition.ts';

const alert = (labels: Labels): LabelledAlert => ({ fingerprint: fingerprint(labels), labels });

function depsOf(raw: unknown): Dependency[] {
  const result = parseDependencies(raw);
  if ('problems' in result) throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result.value;
}

function problemsOf(raw: unknown): DependencyProblem[] {
  const result = parseDependencies(raw);
  if ('value' in result) throw new Error('the dependencies were accepted');
  return result.problems;
}

// As the loader hands over the `dependencies:` key of alertmanager.yml.
const stationDeps = depsOf(
  (
    parse(`
dependencies:
  - name: station-offline
    parent: ['alertname="StationOffline"']
    children: ['alertname!="StationOffline"', 'station=~".+"']
    equal: [station]
`) as { dependencies: unknown }
  ).dependencies,
);

const offlineS1 = alert({ alertname: 'StationOffline', station: 'S1' });
const offlineS2 = alert({ alertname: 'StationOffline', station: 'S2' });
const flatS1 = alert({ alertname: 'FlatLine', station: 'S1', level: 'yellow' });
const noDataS1 = alert({ alertname: 'NoData', station: 'S1' });
const flatS2 = alert({ alertname: 'FlatLine', station: 'S2', level: 'yellow' });
const rainArea = alert({ alertname: 'Rain', area: 'D07' });

describe('parseDependencies: what it reads', () => {
  it('reads name, parent, children and equal', () => {
    expect(stationDeps).toHaveLength(1);
    const [d] = stationDeps;
    expect(d?.name).toBe('station-offline');
    expect(d?.parent.map(formatMatcher)).toEqual(['alertname="StationOffline"']);
    expect(d?.children.map(formatMatcher)).toEqual(['alertname!="StationOffline"', 'station=~".+"']);
    expect(d?.equal).toEqual(['station']);
  });

  it.each([undefined, null, []])('reads %j as no dependencies', (raw) => {
    expect(depsOf(raw)).toEqual([]);
  });

  it('reads a string holding several matchers, and no equal as []', () => {
    const [d] = depsOf([{ name: 'x', parent: ['{a="1", b=~"2|3"}'], children: ['c="4"'] }]);
    expect(d?.parent.map(formatMatcher)).toEqual(['a="1"', 'b=~"2|3"']);
    expect(d?.equal).toEqual([]);
  });
});

describe('parseDependencies: what it refuses, with the field path', () => {
  const ok = { name: 'a', parent: ['x="1"'], children: ['y="1"'] };
  it.each([
    ['a mapping instead of a list', { name: 'a' }, [{ field: 'dependencies', message: 'expected a list of dependencies, got a mapping' }]],
    ['an entry that is text', [ok, 'b'], [{ field: 'dependencies[1]', message: 'expected a dependency (a mapping with name, parent, children and equal), got the text "b"' }]],
    ['an unknown key', [{ ...ok, parents: [] }], [{ field: 'dependencies[0].parents', message: 'unknown field; did you mean "parent"?' }]],
    ['a missing name', [{ ...ok, name: undefined }], [{ field: 'dependencies[0].name', message: 'required: a name for the dependency' }]],
    ['a name that is not text', [{ ...ok, name: 5 }], [{ field: 'dependencies[0].name', message: 'expected text, got the number 5' }]],
    ['a name used twice', [ok, { ...ok, name: 'b' }, ok], [{ field: 'dependencies[2].name', message: '"a" is already the name of dependencies[0]; names must be unique' }]],
    ['a missing parent', [{ ...ok, parent: undefined }], [{ field: 'dependencies[0].parent', message: 'required: a list of matchers selecting the alerts that are the cause' }]],
    ['an empty children list', [{ ...ok, children: [] }], [{ field: 'dependencies[0].children', message: 'at least one matcher required: an empty list would match every alert' }]],
    ['a parent that is text, not a list', [{ ...ok, parent: 'x="1"' }], [{ field: 'dependencies[0].parent', message: 'expected a list of matchers such as [\'alertname="StationOffline"\'], got the text "x=\\"1\\""' }]],
    ['a matcher that does not parse', [ok, { ...ok, name: 'b', parent: ['x="1"', 'x'] }], [{ field: 'dependencies[1].parent[1]', message: 'x: expected one of =, !=, =~, !~ after "x"' }]],
    ['a matcher that is a number', [{ ...ok, children: [3] }], [{ field: 'dependencies[0].children[0]', message: 'expected a matcher as text, such as area="D07", got the number 3' }]],
    ['equal that is text', [{ ...ok, equal: 'station' }], [{ field: 'dependencies[0].equal', message: 'expected a list of label names, got the text "station"' }]],
    ['an empty label name in equal', [{ ...ok, equal: ['station', ''] }], [{ field: 'dependencies[0].equal[1]', message: 'expected a label name, got the text ""' }]],
    ['a label name twice in equal', [{ ...ok, equal: ['station', 'station'] }], [{ field: 'dependencies[0].equal[1]', message: '"station" is listed twice' }]],
  ])('%s', (_what, raw, want) => {
    expect(problemsOf(raw)).toEqual(want);
  });

  it('refuses a bad regular expression by its index', () => {
    const [problem] = problemsOf([{ ...ok, children: ['y="1"', 'z=~"("'] }]);
    expect(problem?.field).toBe('dependencies[0].children[1]');
    expect(problem?.message).toMatch(/error parsing regexp/);
  });

  it('reports the problems of every entry at once', () => {
    expect(problemsOf([{ ...ok, name: '' }, { ...ok, name: 'b', parent: [] }]).map((p) => p.field)).toEqual(['dependencies[0].name', 'dependencies[1].parent']);
  });
});

describe('suppressedByDependency: a station offline mutes the alerts of its station', () => {
  const firing = [offlineS1, flatS1, noDataS1, flatS2, rainArea];
  it.each([
    ['flat line at S1 by S1 offline', flatS1, firing, [{ dependency: 'station-offline', parent: offlineS1.fingerprint }]],
    ['no data at S1 by S1 offline', noDataS1, firing, [{ dependency: 'station-offline', parent: offlineS1.fingerprint }]],
    ['flat line at S2: S2 is not offline', flatS2, firing, []],
    ['flat line at S2 once S2 goes offline', flatS2, [...firing, offlineS2], [{ dependency: 'station-offline', parent: offlineS2.fingerprint }]],
    ['rain without a station: no child', rainArea, firing, []],
    ['the parent itself: not its own child', offlineS1, firing, []],
    ['flat line at S1 once S1 is back (the parent no longer fires, so is not passed)', flatS1, [flatS1, noDataS1], []],
  ])('%s', (_what, target, alerts, want) => {
    expect(suppressedByDependency(stationDeps, target, alerts)).toEqual(want);
  });

  it('treats a label missing on both sides as equal, as inhibition does', () => {
    const deps = depsOf([{ name: 'hub', parent: ['alertname="HubDown"'], children: ['alertname="Late"'], equal: ['site'] }]);
    const hub = alert({ alertname: 'HubDown' });
    expect(suppressedByDependency(deps, alert({ alertname: 'Late' }), [hub])).toEqual([{ dependency: 'hub', parent: hub.fingerprint }]);
    expect(suppressedByDependency(deps, alert({ alertname: 'Late', site: 'N' }), [hub])).toEqual([]);
  });

  it('lists every dependency and parent, in the order of the dependencies then by fingerprint', () => {
    const deps = depsOf([
      { name: 'power', parent: ['alertname="PowerCut"'], children: ['station=~".+"'] },
      { name: 'offline', parent: ['alertname=~"StationOffline|LinkDown"'], children: ['alertname="FlatLine"'], equal: ['station'] },
    ]);
    const power = alert({ alertname: 'PowerCut' });
    const link = alert({ alertname: 'LinkDown', station: 'S1' });
    const [first, second] = [offlineS1.fingerprint, link.fingerprint].sort();
    expect(suppressedByDependency(deps, flatS1, [offlineS1, link, power, flatS1])).toEqual([
      { dependency: 'power', parent: power.fingerprint },
      { dependency: 'offline', parent: first },
      { dependency: 'offline', parent: second },
    ]);
  });

  it('an alert with the fingerprint of the target is never its parent', () => {
    expect(suppressedByDependency(stationDeps, flatS1, [{ fingerprint: flatS1.fingerprint, labels: offlineS1.labels }])).toEqual([]);
  });
});

describe('suppressedByDependency: loops of mutual suppression mute no one', () => {
  // The gauge and the logger of a station each report the other as the cause.
  const mutual = depsOf([
    { name: 'gauge-needs-logger', parent: ['alertname="LoggerDown"'], children: ['alertname="GaugeDown"'], equal: ['station'] },
    { name: 'logger-needs-gauge', parent: ['alertname="GaugeDown"'], children: ['alertname="LoggerDown"'], equal: ['station'] },
  ]);
  const gauge = alert({ alertname: 'GaugeDown', station: 'S1' });
  const logger = alert({ alertname: 'LoggerDown', station: 'S1' });

  it.each([
    ['the gauge, both firing', gauge, [gauge, logger], []],
    ['the logger, both firing', logger, [gauge, logger], []],
    ['the gauge, only the logger firing (the gauge is not in the firing list)', gauge, [logger], [{ dependency: 'gauge-needs-logger', parent: logger.fingerprint }]],
  ])('%s', (_what, target, firing, want) => {
    expect(suppressedByDependency(mutual, target, firing)).toEqual(want);
  });

  it('one rule whose parent and children sides both take two alerts: they do not mute each other', () => {
    const deps = depsOf([{ name: 'station', parent: ['station=~".+"'], children: ['station=~".+"'], equal: ['station'] }]);
    expect(suppressedByDependency(deps, flatS1, [flatS1, noDataS1])).toEqual([]);
    expect(suppressedByDependency(deps, noDataS1, [flatS1, noDataS1])).toEqual([]);
  });

  it('a longer loop (A → B → C → A) mutes none of its members', () => {
    const loop = depsOf([
      { name: 'a-b', parent: ['n="A"'], children: ['n="B"'] },
      { name: 'b-c', parent: ['n="B"'], children: ['n="C"'] },
      { name: 'c-a', parent: ['n="C"'], children: ['n="A"'] },
    ]);
    const [a, b, c] = ['A', 'B', 'C'].map((n) => alert({ n }));
    for (const x of [a!, b!, c!]) expect(suppressedByDependency(loop, x, [a!, b!, c!])).toEqual([]);
    // Break the loop (C resolved): A mutes B again, and nothing mutes A.
    expect(suppressedByDependency(loop, b!, [a!, b!])).toEqual([{ dependency: 'a-b', parent: a!.fingerprint }]);
    expect(suppressedByDependency(loop, a!, [a!, b!])).toEqual([]);
  });

  it('a parent outside the loop still mutes a member; a parent that is itself muted still mutes its children', () => {
    const deps = depsOf([
      { name: 'power', parent: ['alertname="PowerCut"'], children: ['station=~".+"'] },
      { name: 'gauge-needs-logger', parent: ['alertname="LoggerDown"'], children: ['alertname="GaugeDown"'], equal: ['station'] },
      { name: 'logger-needs-gauge', parent: ['alertname="GaugeDown"'], children: ['alertname="LoggerDown"'], equal: ['station'] },
    ]);
    const power = alert({ alertname: 'PowerCut' });
    expect(suppressedByDependency(deps, gauge, [power, gauge, logger])).toEqual([{ dependency: 'power', parent: power.fingerprint }]);
    // Not transitive: the gauge (muted by the power cut) mutes a child of its own with no loop.
    const childDeps = [...deps, ...depsOf([{ name: 'level-needs-gauge', parent: ['alertname="GaugeDown"'], children: ['alertname="LevelStale"'] }])];
    const stale = alert({ alertname: 'LevelStale' });
    expect(suppressedByDependency(childDeps, stale, [power, gauge, stale])).toEqual([{ dependency: 'level-needs-gauge', parent: gauge.fingerprint }]);
  });
});
