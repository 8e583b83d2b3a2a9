// A registry of our own rather than prom-client: we need three metric kinds and the text format,
// which is a page of code; the format is specified at
// https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4).

/** The Content-Type of the Prometheus text exposition format. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** Escapes a label value: backslash, double quote and line feed (text format 0.0.4). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text escapes only backslash and line feed (a quote is literal there). */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** Writes a sample value the way Prometheus parses it (Go's ParseFloat spellings for the specials). */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** `name{labels} value`, or `name value` without labels. */
export function sampleLine(name: string, labels: string, value: number): string {
  return labels === '' ? `${name} ${formatSampleValue(value)}` : `${name}{${labels}} ${formatSampleValue(value)}`;
}

/** Series sorted by their label text, so a scrape reads the same whatever order values arrived in. */
export function sorted<T extends { labels: string }>(series: Iterable<T>): T[] {
  return [...series].sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));
}
