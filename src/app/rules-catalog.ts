import type { Clock } from '../domain/kernel/clock.ts';
import { TocsinError } from '../domain/kernel/errors.ts';
import type { DetectorRegistry } from '../domain/detect/detector.ts';
import { parseRule, type Rule, type RuleProblem } from '../domain/detect/rules/rule.ts';
import type { RuleFileProblem } from '../domain/detect/rules/rule-file.ts';
import { isMapping } from '../domain/detect/rules/field-checks.ts';
import type { EventPublisher } from './event-hub.ts';

/** Where a rule comes from: its file (`file:<path>`) or the API. */
export type RuleSource = 'api' | `file:${string}`;

/** A rule in the catalog, with where it came from and, for API rules, its version and history. */
export interface CatalogRule {
  rule: Rule;
  source: RuleSource;
  /** API rules: the version an update must name (optimistic concurrency); null for file rules. */
  version: number | null;
  createdAt: number | null;
  createdBy: string | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

/** A problem the catalog knows of: in a rule file, or in a stored API rule that no longer checks out. */
export interface CatalogProblem extends RuleProblem {
  source: RuleSource;
  /** For file problems: the 1-based line, where known. */
  line?: number;
  /** For a stored API rule: its version, so it can still be updated or deleted. */
  version?: number;
}

/** One change to the rules in force, as the detection engine sees it. */
export interface RuleChange {
  kind: 'added' | 'changed' | 'removed';
  name: string;
  /** The rule now in force; null when removed. */
  current: CatalogRule | null;
  previous: CatalogRule | null;
}

/** Called with every batch of changes (one API write, or one reload of the rule files). */
export type RuleChangeListener = (changes: readonly RuleChange[]) => void;

/** A rule as stored through the API. */
export interface StoredRule {
  name: string;
  /** The rule in its YAML/JSON shape as last saved; checked again whenever it is loaded. */
  definition: unknown;
  version: number;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

/** A new API rule to store. */
export interface NewStoredRule {
  name: string;
  definition: unknown;
  at: number;
  by: string;
}

/** A replacement of an API rule, valid only if the stored version is still `expectedVersion`. */
export interface RuleUpdate extends NewStoredRule {
  expectedVersion: number;
}

/**
 * Storage of API rules (the rules repository). insertRule throws TOCSIN_CONFLICT for a taken name;
 * updateRule and deleteRule throw TOCSIN_NOT_FOUND for an unknown name and TOCSIN_CONFLICT when
 * the stored version is not the expected one (deleteRule checks it only when given).
 */
export interface RulesPort {
  listRules(): Promise<StoredRule[]>;
  findRule(name: string): Promise<StoredRule | null>;
  insertRule(rule: NewStoredRule): Promise<StoredRule>;
  updateRule(change: RuleUpdate): Promise<StoredRule>;
  deleteRule(name: string, expectedVersion?: number): Promise<void>;
}

/** The rules read from a rules folder, as rules-directory answers them. */
export interface FileRules {
  rules: readonly { rule: Rule; file: string }[];
  problems: readonly RuleFileProblem[];
}

/** What the catalog needs: API rule storage, the detectors rules may name, the time, and (optionally) where events go. */
export interface RulesCatalogDeps {
  rules: RulesPort;
  registry: DetectorRegistry;
  /** Stamps API changes; the wall clock, as for sessions (not the demo's fast time). */
  clock: Clock;
  events?: EventPublisher;
}

/** Filters for listing; they combine with AND. */
export interface RuleFilter {
  /** `api`, `file` (any file), or one file's `file:<path>`. */
  source?: string;
  detector?: string;
  enabled?: boolean;
}

/**
 * Every rule in force: those from rule files and those defined through the API, listed together.
 * A name defined in a file belongs to the file: the API can neither create nor change it (409
 * naming the file); should a file later define a name the API already holds, the file's rule is
 * the one in force and the clash is reported as a problem. Listeners hear every change in force.
 */
export class RulesCatalog {
  private files = new Map<string, CatalogRule>();
  private fileProblems: CatalogProblem[] = [];
  private readonly api = new Map<string, CatalogRule>();
  /** Stored API rules that no longer check out, by name, with their problems. */
  private readonly broken = new Map<string, CatalogProblem[]>();
  private readonly listeners = new Set<RuleChangeListener>();

  private constructor(private readonly deps: RulesCatalogDeps) {}

  /** Opens the catalog with the stored API rules (and, when given, the rules already read from files). */
  static async open(deps: RulesCatalogDeps, files?: FileRules): Promise<RulesCatalog> {
    const catalog = new RulesCatalog(deps);
    // What is there at start is not news: nobody is listening yet, and the event hub need not hear it.
    if (files) catalog.replaceFiles(files);
    catalog.replaceStored(await deps.rules.listRules());
    return catalog;
  }

  /** Every rule in force, by name, optionally filtered. */
  list(filter: RuleFilter = {}): CatalogRule[] {
    return [...this.inForce().values()]
      .filter((entry) => matchesFilter(entry, filter))
      .sort((a, b) => (a.rule.name < b.rule.name ? -1 : a.rule.name > b.rule.name ? 1 : 0));
  }

  /** The rule in force under a name. */
  get(name: string): CatalogRule | undefined {
    return this.files.get(name) ?? this.api.get(name);
  }

  /** Problems with rule files and stored rules, and names defined both in a file and through the API. */
  problems(): CatalogProblem[] {
    const shadowed: CatalogProblem[] = [];
    for (const [name, entry] of this.api) {
      const file = this.files.get(name);
      if (!file) continue;
      shadowed.push({
        rule: name,
        field: 'name',
        message: `defined both through the API and in ${file.source.slice(5)}; the file's rule is in force (delete the API rule to clear this)`,
        source: 'api',
        ...(entry.version !== null ? { version: entry.version } : {}),
      });
    }
    return [...this.fileProblems, ...[...this.broken.values()].flat(), ...shadowed];
  }

  /** Checks a rule without saving it ("validate as you type"): every problem, including a name a file holds. */
  validate(raw: unknown): RuleProblem[] {
    const parsed = parseRule(raw, this.deps.registry, 'request body');
    if ('problems' in parsed) return parsed.problems;
    const file = this.files.get(parsed.rule.name);
    return file ? [{ rule: parsed.rule.name, field: 'name', message: fileOwnedMessage(parsed.rule.name, file.source) }] : [];
  }

  /** Stores a new API rule; TOCSIN_VALIDATION with every problem, TOCSIN_CONFLICT for a name in use. */
  async create(raw: unknown, by: string): Promise<CatalogRule> {
    const rule = this.check(raw);
    this.refuseFileRule(rule.name);
    const stored = await this.deps.rules.insertRule({ name: rule.name, definition: rule.document, at: this.deps.clock.now(), by });
    return this.putApi(rule, stored, by);
  }

  /** Replaces an API rule, if `version` is still the stored one; `raw.name` may be left out. */
  async update(name: string, raw: unknown, options: { version: number; by: string }): Promise<CatalogRule> {
    if (isMapping(raw) && raw['name'] !== undefined && raw['name'] !== name) {
      throw new TocsinError(
        'TOCSIN_VALIDATION',
        `name: ${JSON.stringify(raw['name'])} does not match the rule being changed ("${name}"); rules are not renamed — create the new one and delete the old`,
        { fields: ['name'], problems: [{ rule: name, field: 'name', message: 'does not match the rule being changed' }] },
      );
    }
    const rule = this.check(isMapping(raw) ? { ...raw, name } : raw);
    this.refuseFileRule(name);
    const stored = await this.deps.rules.updateRule({
      name,
      definition: rule.document,
      expectedVersion: options.version,
      at: this.deps.clock.now(),
      by: options.by,
    });
    return this.putApi(rule, stored, options.by);
  }

  /** Deletes an API rule (checking `version` when given); a file's rule cannot be deleted here. */
  async delete(name: string, options: { version?: number; by: string }): Promise<void> {
    if (!this.api.has(name) && !this.broken.has(name)) {
      const file = this.files.get(name);
      if (file) throw new TocsinError('TOCSIN_CONFLICT', fileOwnedMessage(name, file.source), { fields: ['name'], source: file.source });
    }
    await this.deps.rules.deleteRule(name, options.version);
    this.applyChanges(() => {
      this.api.delete(name);
      this.broken.delete(name);
    }, options.by);
  }

  /** Replaces the file rules with a fresh reading of the rules folder, telling listeners what changed. */
  setFileRules(files: FileRules): void {
    this.applyChanges(() => this.replaceFiles(files), null);
  }

  /** Reads the API rules from storage again (e.g. after another process changed them), telling listeners what changed. */
  async reloadStored(): Promise<void> {
    const stored = await this.deps.rules.listRules();
    this.applyChanges(() => this.replaceStored(stored), null);
  }

  /** Adds a listener for changes in force; answers the function that removes it. */
  subscribe(listener: RuleChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private replaceFiles(files: FileRules): void {
    const next = new Map<string, CatalogRule>();
    for (const { rule, file } of files.rules) if (!next.has(rule.name)) next.set(rule.name, fileEntry(rule, file));
    this.files = next;
    this.fileProblems = files.problems.map((p) => {
      const { file, index: _index, ...rest } = p;
      return { ...rest, source: `file:${file}` as const };
    });
  }

  private replaceStored(stored: readonly StoredRule[]): void {
    this.api.clear();
    this.broken.clear();
    for (const row of stored) {
      const parsed = parseRule(row.definition, this.deps.registry, row.name);
      if ('problems' in parsed) {
        this.broken.set(row.name, parsed.problems.map((p) => ({ ...p, rule: row.name, source: 'api' as const, version: row.version })));
      } else this.api.set(row.name, apiEntry(parsed.rule, row));
    }
  }

  private check(raw: unknown): Rule {
    const parsed = parseRule(raw, this.deps.registry, 'request body');
    if ('rule' in parsed) return parsed.rule;
    throw ruleProblemsError(parsed.problems);
  }

  private refuseFileRule(name: string): void {
    const file = this.files.get(name);
    if (file) throw new TocsinError('TOCSIN_CONFLICT', fileOwnedMessage(name, file.source), { fields: ['name'], source: file.source });
  }

  private putApi(rule: Rule, stored: StoredRule, by: string): CatalogRule {
    const entry = apiEntry(rule, stored);
    this.applyChanges(() => {
      this.api.set(rule.name, entry);
      this.broken.delete(rule.name);
    }, by);
    return entry;
  }

  private inForce(): Map<string, CatalogRule> {
    return new Map([...this.api, ...this.files]);
  }

  // Runs a mutation, then tells listeners (and the event hub) what changed in force, if anything.
  private applyChanges(mutate: () => void, by: string | null): void {
    const before = this.inForce();
    mutate();
    const after = this.inForce();
    const changes: RuleChange[] = [];
    for (const [name, current] of after) {
      const previous = before.get(name);
      if (!previous) changes.push({ kind: 'added', name, current, previous: null });
      else if (!sameRule(previous, current)) changes.push({ kind: 'changed', name, current, previous });
    }
    for (const [name, previous] of before) if (!after.has(name)) changes.push({ kind: 'removed', name, current: null, previous });
    if (changes.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(changes);
      } catch {
        // One broken listener must not stop the others, nor undo a change already stored.
      }
    }
    this.deps.events?.publish({
      type: 'rules.changed',
      at: this.deps.clock.now(),
      data: { by, changes: changes.map((c) => ({ kind: c.kind, name: c.name, source: (c.current ?? c.previous)!.source })) },
    });
  }
}

/** TOCSIN_VALIDATION for a rule's problems (at least one): every one in the message and in `details.problems`. */
export function ruleProblemsError(problems: readonly RuleProblem[]): TocsinError {
  const list = problems.map((p) => (p.field === '' ? p.message : `${p.field}: ${p.message}`)).join('; ');
  return new TocsinError('TOCSIN_VALIDATION', `rule "${problems[0]!.rule}" has ${plural(problems.length, 'problem')}: ${list}`, {
    fields: problems.map((p) => p.field),
    problems,
  });
}

function matchesFilter(entry: CatalogRule, filter: RuleFilter): boolean {
  if (filter.source !== undefined) {
    const wanted = filter.source === 'file' ? entry.source.startsWith('file:') : entry.source === filter.source;
    if (!wanted) return false;
  }
  if (filter.detector !== undefined && entry.rule.detector.type !== filter.detector) return false;
  if (filter.enabled !== undefined && entry.rule.enabled !== filter.enabled) return false;
  return true;
}

// Reloading makes new objects for unchanged rules (and jsonb reorders keys): compare what they say.
function sameRule(a: CatalogRule, b: CatalogRule): boolean {
  return a === b || (a.source === b.source && a.version === b.version && canonicalJson(a.rule.document) === canonicalJson(b.rule.document));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isMapping(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

function fileEntry(rule: Rule, file: string): CatalogRule {
  return { rule, source: `file:${file}`, version: null, createdAt: null, createdBy: null, updatedAt: null, updatedBy: null };
}

function apiEntry(rule: Rule, stored: StoredRule): CatalogRule {
  return {
    rule,
    source: 'api',
    version: stored.version,
    createdAt: stored.createdAt,
    createdBy: stored.createdBy,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}

function fileOwnedMessage(name: string, source: RuleSource): string {
  return `name: rule "${name}" is defined in ${source.slice(5)}; change it there (a file's rules cannot be changed through the API)`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
