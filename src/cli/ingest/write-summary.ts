import type { TextOutput } from './ingest-deps.ts';
import type { Tally } from './ingest-tally.ts';

/** The closing summary: files, lines, rate and target, the counts, then the listed rejections. */
export function writeSummary(out: TextOutput, tally: Tally, into: string, elapsedMs: number): void {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${Math.round(tally.lines / seconds)} rows/s)` : '';
  const lines = [
    `${tally.files} file${tally.files === 1 ? '' : 's'}, ${tally.lines} lines in ${seconds.toFixed(2)} s${rate}, into ${into}`,
    `  accepted    ${tally.accepted}`,
    `  duplicates  ${tally.duplicates}`,
    `  rejected    ${tally.rejected}`,
    ...tally.listed,
  ];
  if (tally.rejected > tally.listed.length) lines.push(`… and ${tally.rejected - tally.listed.length} more`);
  out.write(`${lines.join('\n')}\n`);
}
