import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { DetectorRegistry } from '../detector.ts';
import { parseRule, type Rule, type RuleProblem } from './rule.ts';
import { describeValue, isMapping } from './field-checks.ts';

/**
 * Rule files: YAML (`.yaml`, `.yml`) or JSON (`.json`) holding one rule, a list of rules, or
 * `rules: [...]`; a YAML file may also hold several `---` documents, each of those shapes. Pure:
 * the caller reads the text. A bad rule never stops the others: the answer holds the good rules
 * and every problem, each naming the file, the rule's index and name, the field and the line.
 */

/** A problem found in a rule file. */
export interface RuleFileProblem extends RuleProblem {
  file: string;
  /** The rule's position among the file's rules (0-based), or null for a problem of the whole file. */
  index: number | null;
  /** 1-based line of the field (or the nearest enclosing one) where the file's text lets us tell. */
  line?: number;
}

/** What one file yielded. */
export interface RuleFileResult {
  rules: Rule[];
  problems: RuleFileProblem[];
  /** False when the text is not valid YAML/JSON at all (so no rule in it could be read). */
  readable: boolean;
}

type Path = readonly (string | number)[];
type Locate = (path: Path) => number | undefined;

/** Parses one rule file's text; `fileName` names it in problems and decides JSON (`.json`) or YAML. */
export function parseRuleFile(text: string, fileName: string, registry: DetectorRegistry): RuleFileResult {
  const read = readDocuments(text, fileName);
  if ('problems' in read) return { rules: [], problems: read.problems, readable: false };

  const rules: Rule[] = [];
  const problems: RuleFileProblem[] = [];
  const firstIndexOf = new Map<string, number>();
  let index = 0;
  for (const doc of read.documents) {
    const entries = ruleEntries(doc.value, fileName, doc.locate, problems);
    for (const entry of entries) {
      const at = index++;
      const source = entry.listed ? `${fileName}[${at}]` : fileName;
      const parsed = parseRule(entry.raw, registry, source);
      if ('problems' in parsed) {
        for (const p of parsed.problems) {
          problems.push(withLine({ ...p, file: fileName, index: at }, doc.locate([...entry.path, ...fieldPath(p.field)])));
        }
        continue;
      }
      const earlier = firstIndexOf.get(parsed.rule.name);
      if (earlier !== undefined) {
        const message = `"${parsed.rule.name}" is already defined by rule ${earlier} of this file; names must be unique`;
        problems.push(withLine({ rule: parsed.rule.name, field: 'name', message, file: fileName, index: at }, doc.locate([...entry.path, 'name'])));
        continue;
      }
      firstIndexOf.set(parsed.rule.name, at);
      rules.push(parsed.rule);
    }
  }
  return { rules, problems, readable: true };
}

/** One line per problem for logs and terminals: `file:line: rule "name": field: message`. */
export function formatRuleProblem(problem: RuleProblem & { file?: string; line?: number; index?: number | null }): string {
  const where = problem.file === undefined ? '' : `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: `;
  const who = problem.rule === problem.file ? '' : `rule "${problem.rule}": `;
  return `${where}${who}${problem.field === '' ? '' : `${problem.field}: `}${problem.message}`;
}

interface ParsedDocument {
  value: unknown;
  locate: Locate;
}

function readDocuments(text: string, fileName: string): { documents: ParsedDocument[] } | { problems: RuleFileProblem[] } {
  const fileProblem = (message: string, line?: number): RuleFileProblem =>
    withLine({ rule: fileName, field: '', message, file: fileName, index: null }, line);
  if (/\.json$/i.test(fileName)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { problems: [fileProblem(`not valid JSON: ${(err as Error).message}`, jsonErrorLine(text, err))] };
    }
    // JSON is YAML too: a YAML reading of the same text only serves to tell lines.
    const located = yamlDocuments(text);
    const locate = located.documents.length === 1 && located.errors.length === 0 ? located.documents[0]!.locate : () => undefined;
    return { documents: [{ value, locate }] };
  }
  const { documents, errors } = yamlDocuments(text);
  if (errors.length > 0) return { problems: errors.map((e) => fileProblem(`not valid YAML: ${e.message}`, e.line)) };
  const values: ParsedDocument[] = [];
  for (const doc of documents) {
    try {
      values.push({ value: doc.toJS(), locate: doc.locate });
    } catch (err) {
      // Too many aliases (a "billion laughs" file) and similar: refuse the file, not the process.
      return { problems: [fileProblem(`not usable YAML: ${(err as Error).message}`)] };
    }
  }
  return { documents: values };
}

function yamlDocuments(text: string): {
  documents: { toJS: () => unknown; locate: Locate }[];
  errors: { message: string; line: number | undefined }[];
} {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const errors = docs.flatMap((doc) =>
    doc.errors.map((e) => ({
      // The library appends " at line L, column C:" and an excerpt; the line travels separately.
      message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      line: e.linePos?.[0].line,
    })),
  );
  return {
    documents: docs.map((doc) => ({ toJS: () => doc.toJS({ maxAliasCount: 100 }), locate: locator(doc, lineCounter) })),
    errors,
  };
}

// Finds the line of the deepest node on `path` (a map key's own line for fields, so a field set to
// nothing is still found); undefined when not even the first step exists.
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    let node: unknown = doc.contents;
    let line: number | undefined = lineOf(node, lineCounter);
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) break;
        line = lineOf(pair.key, lineCounter) ?? line;
        node = pair.value;
      } else if (isSeq(node)) {
        node = node.items[Number(step)];
        line = lineOf(node, lineCounter) ?? line;
      } else break;
    }
    return line;
  };
}

function lineOf(node: unknown, lineCounter: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lineCounter.linePos(range[0]).line : undefined;
}

interface RuleEntry {
  raw: unknown;
  path: Path;
  /** True when the rule sits in a list (so it is named by its index when it has no name). */
  listed: boolean;
}

// The shapes a document may take: nothing, one rule, a list, or { rules: [...] }.
function ruleEntries(value: unknown, fileName: string, locate: Locate, problems: RuleFileProblem[]): RuleEntry[] {
  const fileProblem = (field: string, message: string, path: Path) =>
    problems.push(withLine({ rule: fileName, field, message, file: fileName, index: null }, locate(path)));
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((raw, i) => ({ raw, path: [i], listed: true }));
  if (isMapping(value) && 'rules' in value) {
    for (const key of Object.keys(value)) {
      if (key !== 'rules') fileProblem(key, 'unknown field beside "rules"; a file holds one rule, a list of rules, or rules: [...]', [key]);
    }
    const list = value['rules'];
    if (list === null || list === undefined) return [];
    if (!Array.isArray(list)) {
      fileProblem('rules', `expected a list of rules, got ${describeValue(list)}`, ['rules']);
      return [];
    }
    return list.map((raw, i) => ({ raw, path: ['rules', i], listed: true }));
  }
  if (isMapping(value)) return [{ raw: value, path: [], listed: false }];
  fileProblem('', `expected a rule, a list of rules, or rules: [...], got ${describeValue(value)}`, []);
  return [];
}

function fieldPath(field: string): string[] {
  return field === '' ? [] : field.split('.');
}

function withLine(problem: RuleFileProblem, line: number | undefined): RuleFileProblem {
  return line === undefined ? problem : { ...problem, line };
}

// V8 names a position in some messages ("… at position 42"); turn it into a line when it does.
function jsonErrorLine(text: string, err: unknown): number | undefined {
  const m = / at position (\d+)/.exec((err as Error).message);
  if (!m) return undefined;
  return text.slice(0, Number(m[1])).split('\n').length;
}
