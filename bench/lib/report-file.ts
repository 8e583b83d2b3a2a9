import { existsSync, readFileSync } from 'node:fs';

/** Used only when BENCHMARKS.md is missing; the committed file carries the hand-written method. */
const fallbackHeader = `# Benchmarks

Figures from \`npm run bench\` (see \`bench/run.ts\`). Everything outside the generated sections is
written by hand and kept as is by each run.
`;

const start = (id: string) => `<!-- bench:${id}:start -->`;
const end = (id: string) => `<!-- bench:${id}:end -->`;

/**
 * Puts a benchmark's generated Markdown between its markers in the report text, leaving every
 * hand-written line alone; appends the section (with markers) when it is not there yet.
 */
export function replaceSection(doc: string, id: string, generated: string): string {
  const block = `${start(id)}\n${generated.trim()}\n${end(id)}`;
  const a = doc.indexOf(start(id));
  const b = doc.indexOf(end(id));
  if (a !== -1 && b > a) return doc.slice(0, a) + block + doc.slice(b + end(id).length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

/** The current report, or a minimal header when there is none. */
export function readReport(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : fallbackHeader;
}
