import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { parsePromDuration } from './duration.ts';

/**
 * Reads YAML as Alertmanager's decoder (gopkg.in/yaml.v2, strict) does, so that a configuration
 * is refused for the same reasons and in the same words:
 * - a field a type does not have, a duplicate key, or a value of the wrong kind is an
 *   "unmarshal error", collected over the whole document and reported together at the end
 *   (`yaml: unmarshal errors:\n  line N: field X not found in type config.plain`);
 * - a check that a type makes while it is decoded (a duration, a URL, a regular expression, a
 *   required field) stops everything at once: `fail`.
 * Plain scalars read into string fields keep their text (`2` is "2"), as yaml.v2 does.
 */

/** A configuration Alertmanager would refuse; the message is the one it prints. */
export class ConfigError extends Error {}

export type FieldNode = Node | null;

export class YamlDecoder {
  private readonly unmarshalErrors: string[] = [];

  constructor(private readonly lines: LineCounter) {}

  /** The 1-based line where `node` starts. */
  line(node: Node | Pair | null | undefined): number {
    const range = node && 'range' in node ? node.range : node && 'key' in node && node.key && typeof node.key === 'object' && 'range' in node.key ? (node.key as Node).range : null;
    return range ? this.lines.linePos(range[0]).line : 1;
  }

  fail(message: string): never {
    throw new ConfigError(message);
  }

  /** Records an unmarshal error at `node`'s line (reported when decoding ends). */
  mismatch(node: Node | Pair | null | undefined, what: string): void {
    this.mismatchAt(this.line(node), what);
  }

  mismatchAt(line: number, what: string): void {
    this.unmarshalErrors.push(`line ${line}: ${what}`);
  }

  /**
   * Throws the collected unmarshal errors, as yaml.v2 returns them at the end of a decode: in
   * document order (it decodes top to bottom; we read sections in our own order, so sort by line).
   */
  finish(): void {
    if (this.unmarshalErrors.length === 0) return;
    const lineOf = (e: string) => Number(/^line (\d+)/.exec(e)![1]);
    const ordered = [...this.unmarshalErrors].sort((a, b) => lineOf(a) - lineOf(b));
    throw new ConfigError(`yaml: unmarshal errors:\n  ${ordered.join('\n  ')}`);
  }

  /**
   * The fields of a mapping by key, each recorded as an unmarshal error when `known` lacks it.
   * `null` (an absent or empty value) gives no fields; a scalar or list where a mapping belongs
   * is an unmarshal error too. `known` 'any' takes every key (a type Tocsin reads only in part).
   */
  fields(node: FieldNode, known: readonly string[] | 'any', type = 'config.plain'): Map<string, FieldNode> {
    const out = new Map<string, FieldNode>();
    if (node === null || isNullScalar(node)) return out;
    if (!isMap(node)) {
      this.mismatch(node, `cannot unmarshal ${describe(node)} into ${type}`);
      return out;
    }
    for (const pair of (node as YAMLMap<Node, Node | null>).items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (known !== 'any' && !known.includes(key)) {
        this.mismatch(pair.key, `field ${key} not found in type ${type}`);
        continue;
      }
      out.set(key, (pair.value as Node | null) ?? null);
    }
    return out;
  }

  /** A string field: its text, or undefined when absent or null. */
  str(node: FieldNode | undefined): string | undefined {
    if (node === undefined || node === null || isNullScalar(node)) return undefined;
    if (!isScalar(node)) {
      this.mismatch(node, `cannot unmarshal ${describe(node)} into string`);
      return undefined;
    }
    return scalarText(node);
  }

  bool(node: FieldNode | undefined): boolean | undefined {
    if (node === undefined || node === null || isNullScalar(node)) return undefined;
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.mismatch(node, `cannot unmarshal ${describe(node)} into bool`);
    return undefined;
  }

  /** A list of strings; undefined when absent. */
  strings(node: FieldNode | undefined): string[] | undefined {
    if (node === undefined || node === null || isNullScalar(node)) return undefined;
    if (!isSeq(node)) {
      this.mismatch(node, `cannot unmarshal ${describe(node)} into []string`);
      return undefined;
    }
    const out: string[] = [];
    for (const item of node.items as (Node | null)[]) {
      const s = this.str(item);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** The items of a list (null items kept as null, as yaml.v2 keeps nil pointers). */
  list(node: FieldNode | undefined, type: string): (Node | null)[] {
    if (node === undefined || node === null || isNullScalar(node)) return [];
    if (!isSeq(node)) {
      this.mismatch(node, `cannot unmarshal ${describe(node)} into []${type}`);
      return [];
    }
    return (node.items as (Node | null)[]).map((item) => (item === null || isNullScalar(item) ? null : item));
  }

  /** A map of strings to strings (labels, match). */
  stringMap(node: FieldNode | undefined): Map<string, { value: string | null; node: Node | Pair }> | undefined {
    if (node === undefined || node === null || isNullScalar(node)) return undefined;
    if (!isMap(node)) {
      this.mismatch(node, `cannot unmarshal ${describe(node)} into map[string]string`);
      return undefined;
    }
    const out = new Map<string, { value: string | null; node: Node | Pair }>();
    for (const pair of (node as YAMLMap<Node, Node | null>).items) {
      const key = isScalar(pair.key) ? scalarText(pair.key) : '';
      const value = pair.value === null || isNullScalar(pair.value) ? null : this.str(pair.value);
      out.set(key, { value: value ?? null, node: pair });
    }
    return out;
  }

  /** A Prometheus duration in ms; a bad one stops the decode, as model.Duration's UnmarshalYAML does. */
  duration(node: FieldNode | undefined): number | undefined {
    const text = this.str(node);
    if (text === undefined) return undefined;
    const ms = parsePromDuration(text);
    if (ms === null) this.fail(`not a valid duration string: "${text}"`);
    return ms;
  }
}

/** Parses the text; a YAML syntax error stops at once, worded as yaml.v2 words it (`yaml: line N: …`). */
export function parseYaml(text: string): { root: Node | null; decoder: YamlDecoder } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]).line;
    throw new ConfigError(`yaml: line ${at}: ${syntax.message.replace(/ at line \d+, column \d+.*$/s, '')}`);
  }
  const decoder = new YamlDecoder(lines);
  // yaml.v2: `line N: key "x" already set in map`, at the second one.
  for (const dup of doc.errors.filter((e) => e.code === 'DUPLICATE_KEY')) {
    const at = dup.pos[0];
    const key = /^[^:\n]*/.exec(text.slice(at))![0].trim();
    decoder.mismatchAt(lines.linePos(at).line, `key ${JSON.stringify(key)} already set in map`);
  }
  return { root: (doc.contents as Node | null) ?? null, decoder };
}

function isNullScalar(node: Node): boolean {
  return isScalar(node) && node.value === null;
}

/** A scalar's text as yaml.v2 would put it in a string field. */
function scalarText(node: Node): string {
  if (!isScalar(node)) return '';
  if (typeof node.value === 'string') return node.value;
  return node.source ?? String(node.value);
}

/** yaml.v2's description of a value of the wrong kind: ``!!str `BAD` ``, `!!seq`, `!!map`. */
function describe(node: Node): string {
  if (isSeq(node)) return '!!seq';
  if (isMap(node)) return '!!map';
  if (isScalar(node)) {
    const tag = typeof node.value === 'number' ? (Number.isInteger(node.value) ? '!!int' : '!!float') : typeof node.value === 'boolean' ? '!!bool' : '!!str';
    return `${tag} \`${scalarText(node)}\``;
  }
  return 'value';
}
