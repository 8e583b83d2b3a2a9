import { MatcherError, matchesAll, parseMatchers, type Matcher } from './matchers.ts';
import { equalLabels, type LabelledAlert } from './inhibition.ts';
import { describeValue, isMapping, unknownFieldMessage } from '../detect/rules/field-checks.ts';

/**
 * Dependencies: Tocsin's addition to Alertmanager. A firing parent alert ("station offline")
 * suppresses its children (the station's "river level flat", "no data"…): they are symptoms of the
 * one cause. They are written in alertmanager.yml under a top-level `dependencies:` list, a key
 * Alertmanager does not know (it would refuse the file: the loader takes the key out first):
 *
 *   dependencies:
 *     - name: station-offline
 *       parent: ['alertname="StationOffline"']
 *       children: ['station=~".+"', 'alertname!="StationOffline"']
 *       equal: [station]
 *
 * Matching works as in an inhibit rule (inhibit/inhibit.go): the child matches `children`, a
 * firing parent matches `parent`, and they agree on every label in `equal` (absent on both sides
 * counts as equal). Unlike inhibition, mutual suppression is broken everywhere: see
 * suppressedByDependency.
 */

/** One checked dependency. */
export interface Dependency {
  name: string;
  parent: Matcher[];
  children: Matcher[];
  equal: string[];
}

/** One thing wrong with the `dependencies:` list: the field path (`dependencies[1].parent[0]`) and what is wrong. */
export interface DependencyProblem {
  field: string;
  message: string;
}

/** The outcome of reading the list: the dependencies, or every problem found. */
export type ParsedDependencies = { value: Dependency[] } | { problems: DependencyProblem[] };

/** A dependency that suppresses an alert: its name and the fingerprint of the firing parent. */
export interface DependencySuppression {
  dependency: string;
  parent: string;
}

const dependencyFields = ['name', 'parent', 'children', 'equal'] as const;

/**
 * Reads the value of the `dependencies:` key as YAML gives it (absent or empty: none). Unknown
 * keys are refused, names must be unique, `parent` and `children` are non-empty lists of matcher
 * strings as alertmanager.yml's `matchers:` take them (one string may hold several).
 */
export function parseDependencies(raw: unknown): ParsedDependencies {
  if (raw === undefined || raw === null) return { value: [] };
  if (!Array.isArray(raw)) return { problems: [{ field: 'dependencies', message: `expected a list of dependencies, got ${describeValue(raw)}` }] };
  const problems: DependencyProblem[] = [];
  const report = (field: string, message: string): null => {
    problems.push({ field, message });
    return null;
  };
  const value: Dependency[] = [];
  const names = new Map<string, number>();
  raw.forEach((entry: unknown, i) => {
    const at = `dependencies[${i}]`;
    if (!isMapping(entry)) {
      report(at, `expected a dependency (a mapping with name, parent, children and equal), got ${describeValue(entry)}`);
      return;
    }
    const before = problems.length;
    for (const key of Object.keys(entry)) {
      if (!(dependencyFields as readonly string[]).includes(key)) report(`${at}.${key}`, unknownFieldMessage(key, dependencyFields));
    }
    const name = entry['name'];
    if (name === undefined || name === null || name === '') report(`${at}.name`, 'required: a name for the dependency');
    else if (typeof name !== 'string') report(`${at}.name`, `expected text, got ${describeValue(name)}`);
    else if (names.has(name)) report(`${at}.name`, `"${name}" is already the name of dependencies[${names.get(name)}]; names must be unique`);
    else names.set(name, i);
    const parent = readMatcherList(entry['parent'], `${at}.parent`, 'the alerts that are the cause', report);
    const children = readMatcherList(entry['children'], `${at}.children`, 'the alerts it suppresses', report);
    const equal = readLabelNames(entry['equal'], `${at}.equal`, report);
    if (problems.length === before && typeof name === 'string' && parent && children && equal) value.push({ name, parent, children, equal });
  });
  return problems.length > 0 ? { problems } : { value };
}

type Report = (field: string, message: string) => null;

function readMatcherList(raw: unknown, field: string, what: string, report: Report): Matcher[] | null {
  // An empty list would match every alert: every firing alert a parent, or every alert a child.
  if (raw === undefined || raw === null) return report(field, `required: a list of matchers selecting ${what}`);
  if (!Array.isArray(raw)) return report(field, `expected a list of matchers such as ['alertname="StationOffline"'], got ${describeValue(raw)}`);
  if (raw.length === 0) return report(field, `at least one matcher required: an empty list would match every alert`);
  const out: Matcher[] = [];
  let ok = true;
  raw.forEach((item: unknown, i) => {
    if (typeof item !== 'string') {
      ok = false;
      report(`${field}[${i}]`, `expected a matcher as text, such as area="D07", got ${describeValue(item)}`);
      return;
    }
    try {
      out.push(...parseMatchers(item));
    } catch (err) {
      if (!(err instanceof MatcherError)) throw err;
      ok = false;
      report(`${field}[${i}]`, err.message);
    }
  });
  return ok ? out : null;
}

function readLabelNames(raw: unknown, field: string, report: Report): string[] | null {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return report(field, `expected a list of label names, got ${describeValue(raw)}`);
  const seen = new Set<string>();
  let ok = true;
  raw.forEach((item: unknown, i) => {
    if (typeof item !== 'string' || item === '') {
      ok = false;
      report(`${field}[${i}]`, `expected a label name, got ${describeValue(item)}`);
    } else if (seen.has(item)) {
      ok = false;
      report(`${field}[${i}]`, `"${item}" is listed twice`);
    } else seen.add(item);
  });
  return ok ? (raw as string[]) : null;
}

/** The dependencies through which `parent` suppresses `child` (never itself). */
function linking(deps: readonly Dependency[], parent: LabelledAlert, child: LabelledAlert): Dependency[] {
  if (parent.fingerprint === child.fingerprint) return [];
  return deps.filter((d) => matchesAll(d.parent, parent.labels) && matchesAll(d.children, child.labels) && equalLabels(d.equal, parent.labels, child.labels));
}

/** Fingerprints of the firing alerts `start` suppresses, directly or through other firing alerts. */
function suppressedFrom(deps: readonly Dependency[], start: LabelledAlert, firing: readonly LabelledAlert[]): Set<string> {
  const reached = new Set<string>();
  const queue: LabelledAlert[] = [start];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const alert of firing) {
      if (!reached.has(alert.fingerprint) && linking(deps, next, alert).length > 0) {
        reached.add(alert.fingerprint);
        queue.push(alert);
      }
    }
  }
  return reached;
}

/**
 * What suppresses `target`: each dependency whose children match it, with each firing parent that
 * matches the dependency's parent side and agrees on its `equal` labels — in the order of the
 * dependencies, then by parent fingerprint. `firing` must hold only firing alerts (a parent that
 * has resolved suppresses nothing); it may include the target, which never suppresses itself.
 *
 * Cycles: when the target fires and itself suppresses a parent — directly (A suppresses B and B
 * suppresses A) or round a longer loop of firing alerts (A → B → C → A) — that parent does not
 * suppress the target. Otherwise every alert of the loop would mute the next and no one would be
 * told. This widens Alertmanager's rule against two alerts inhibiting each other
 * (excludeTwoSidedMatch, one rule at a time) to loops across dependencies. Suppression is not
 * transitive otherwise: a firing parent suppresses its children even when it is itself suppressed.
 */
export function suppressedByDependency(deps: readonly Dependency[], target: LabelledAlert, firing: readonly LabelledAlert[]): DependencySuppression[] {
  const found: { order: number; parent: string; dependency: string }[] = [];
  const seen = new Set<string>();
  for (const parent of firing) {
    for (const d of linking(deps, parent, target)) {
      const key = `${d.name}\u0000${parent.fingerprint}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ order: deps.indexOf(d), parent: parent.fingerprint, dependency: d.name });
    }
  }
  if (found.length === 0) return [];
  // Only a firing target can close a loop: it must be among the firing alerts.
  const targetFires = firing.some((a) => a.fingerprint === target.fingerprint);
  const downstream = targetFires ? suppressedFrom(deps, target, firing) : new Set<string>();
  return found
    .filter((f) => !downstream.has(f.parent))
    .sort((a, b) => a.order - b.order || (a.parent < b.parent ? -1 : a.parent > b.parent ? 1 : 0))
    .map(({ dependency, parent }) => ({ dependency, parent }));
}
