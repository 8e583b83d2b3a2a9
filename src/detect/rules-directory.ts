import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { TocsinError } from '../domain/kernel/errors.ts';
import type { DetectorRegistry } from '../domain/detect/detector.ts';
import type { Rule } from '../domain/detect/rules/rule.ts';
import { parseRuleFile, type RuleFileProblem, type RuleFileResult } from '../domain/detect/rules/rule-file.ts';

/**
 * The rules folder (`--rules DIR`): every `*.yaml`, `*.yml` and `*.json` directly in it, read in
 * name order, re-read when a file changes and on SIGHUP. A bad rule or a bad file never stops the
 * others. A file that cannot be read or parsed at all (often an editor caught mid-save) keeps the
 * rules it gave last time, with a problem saying so, rather than switching its monitoring off.
 */

/** A rule and the file it came from (the path as the folder was named plus the file name). */
export interface FileRule {
  rule: Rule;
  file: string;
}

/** One reading of the rules folder. */
export interface RulesDirectoryState {
  rules: FileRule[];
  problems: RuleFileProblem[];
  /** The rule files found, in the order they were read. */
  files: string[];
}

/** Names of the files that hold rules; hidden files (editors' swap and lock files) are skipped. */
export const ruleFilePattern = /^[^.].*\.(ya?ml|json)$/i;

/**
 * Reads every rule file in `dir`. With `previous` (a reload), a folder that cannot be read keeps
 * all previous rules and a file that cannot be parsed keeps its own; without it (at start) an
 * unreadable folder is a TOCSIN_CONFIG_INVALID error. A name defined in two files is kept from the
 * first in name order and reported in the second.
 */
export async function loadRulesDirectory(dir: string, registry: DetectorRegistry, previous?: RulesDirectoryState): Promise<RulesDirectoryState> {
  let names: string[];
  try {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    names = entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && ruleFilePattern.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    const reason = (err as Error).message;
    if (!previous) throw new TocsinError('TOCSIN_CONFIG_INVALID', `--rules: cannot read the rules folder ${dir}: ${reason}`, { dir });
    const problem = folderProblem(dir, `cannot read the rules folder (${reason}); keeping the ${previous.rules.length} rules read before`);
    return { ...previous, problems: [problem] };
  }

  const rules: FileRule[] = [];
  const problems: RuleFileProblem[] = [];
  const fileOf = new Map<string, string>();
  const files: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const result = await readRuleFile(file, registry);
    if (result === null) continue; // deleted between listing and reading: it is simply gone
    files.push(file);
    problems.push(...result.problems);
    let found = result.rules;
    const kept = previous?.rules.filter((r) => r.file === file).map((r) => r.rule) ?? [];
    if (!result.readable && kept.length > 0) {
      found = kept;
      problems.push(folderProblem(file, `keeping the ${kept.length} rules read from it before, until it can be read again`));
    }
    for (const rule of found) {
      const other = fileOf.get(rule.name);
      if (other !== undefined) {
        problems.push({
          file,
          index: null,
          rule: rule.name,
          field: 'name',
          message: `"${rule.name}" is already defined in ${other}; names must be unique across the rules folder`,
        });
        continue;
      }
      fileOf.set(rule.name, file);
      rules.push({ rule, file });
    }
  }
  return { rules, problems, files };
}

/** Re-reads the folder on demand and answers the new state. */
export interface RulesDirectoryWatcher {
  /** The latest reading. */
  current(): RulesDirectoryState;
  /** Re-reads now (reloads asked for while one runs are folded into one more); answers the new state. */
  reload(): Promise<RulesDirectoryState>;
  /** Stops watching; a reload already running finishes without telling anyone. */
  close(): void;
}

/** How the folder is watched; every field has a default. */
export interface WatchRulesOptions {
  /** Quiet time after a file event before re-reading, in ms (editors write in several steps). Default 200. */
  debounceMs?: number;
  /** Calls `reload` on the operator's signal; answers how to stop. Default: SIGHUP. */
  subscribeToReload?: (reload: () => void) => () => void;
  /** Where failures of the watch or of `onChange` go. Default: ignored. */
  onError?: (err: unknown) => void;
  /** Whether to watch the folder for changes (tests drive `reload()` themselves). Default true. */
  watch?: boolean;
}

/** The production reload trigger: SIGHUP, as daemons conventionally re-read their configuration. */
export function subscribeToSighup(reload: () => void): () => void {
  const handler = () => reload();
  process.on('SIGHUP', handler);
  return () => {
    process.off('SIGHUP', handler);
  };
}

/**
 * Reads the folder, calls `onChange` with the reading, then re-reads and calls it again whenever a
 * file in the folder changes (fs.watch, debounced) or the reload trigger fires. Throws
 * TOCSIN_CONFIG_INVALID when the folder cannot be read at start.
 */
export async function watchRulesDirectory(
  dir: string,
  registry: DetectorRegistry,
  onChange: (state: RulesDirectoryState) => void,
  options: WatchRulesOptions = {},
): Promise<RulesDirectoryWatcher> {
  const onError = options.onError ?? (() => {});
  let state = await loadRulesDirectory(dir, registry);
  let closed = false;
  const tell = () => {
    try {
      onChange(state);
    } catch (err) {
      onError(err);
    }
  };
  tell();

  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<RulesDirectoryState> | null = null;
  const reload = (): Promise<RulesDirectoryState> => {
    if (queued) return queued;
    const next = tail.then(async () => {
      queued = null;
      state = await loadRulesDirectory(dir, registry, state);
      if (!closed) tell();
      return state;
    });
    queued = next;
    tail = next.catch(onError);
    return next;
  };

  let timer: NodeJS.Timeout | undefined;
  const debounceMs = options.debounceMs ?? 200;
  let watcher: fs.FSWatcher | undefined;
  if (options.watch ?? true) {
    // Not persistent: watching the rules must never be what keeps the process alive.
    watcher = fs.watch(dir, { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload().catch(onError), debounceMs);
      timer.unref();
    });
    watcher.on('error', onError);
  }
  const unsubscribe = (options.subscribeToReload ?? subscribeToSighup)(() => void reload().catch(onError));

  return {
    current: () => state,
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      unsubscribe();
    },
  };
}

async function readRuleFile(file: string, registry: DetectorRegistry): Promise<RuleFileResult | null> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { rules: [], problems: [folderProblem(file, `cannot read the file: ${(err as Error).message}`)], readable: false };
  }
  return parseRuleFile(text, file, registry);
}

function folderProblem(where: string, message: string): RuleFileProblem {
  return { file: where, index: null, rule: where, field: '', message };
}
