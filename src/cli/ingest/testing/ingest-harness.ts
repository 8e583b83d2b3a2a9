import { Command, CommanderError } from 'commander';
import { manualClock } from '../../../domain/kernel/clock.ts';
import type { Store } from '../../../store/sql-client.ts';
import { registerIngestCommand } from '../ingest-command.ts';
import type { TextOutput } from '../ingest-deps.ts';

/** The instant the harness's manual clock starts at. */
export const start = Date.parse('2026-01-10T00:00:00Z');

/** A TextOutput that keeps what was written in `text`. */
export function buffer(isTTY = false): TextOutput & { text: string } {
  const out = {
    text: '',
    isTTY,
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  return out;
}

/** What one `tocsin ingest` run did: exit code, output, store closes and retry waits. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Times the command closed the store it opened. */
  closed: number;
  sleeps: number[];
}

/** Runs `tocsin ingest ARGS` as the bin would, against `store` (whose close the test keeps for itself). */
export async function ingest(args: string[], store: Store | null, extra: { stdin?: AsyncIterable<Buffer | string> } = {}): Promise<Run> {
  const stdout = buffer();
  const stderr = buffer();
  const sleeps: number[] = [];
  let closed = 0;
  const clock = manualClock(start);
  const program = new Command('tocsin').exitOverride().configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  registerIngestCommand(program, {
    openStoreFromOptions: async () => {
      if (!store) throw new Error('this test does not open a store');
      // The command closes what it opens; the suite's store must outlive one run.
      return new Proxy(store, {
        get(target, key) {
          if (key === 'close') return async () => void closed++;
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
    clock: { now: () => (clock.advance(250), clock.now()) },
    stdout,
    stderr,
    ...(extra.stdin ? { stdin: extra.stdin } : {}),
    sleep: async (ms) => void sleeps.push(ms),
  });
  let code = 0;
  try {
    await program.parseAsync(['ingest', ...args], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    code = err.exitCode;
  }
  return { code, stdout: stdout.text, stderr: stderr.text, closed, sleeps };
}

/** The count on a summary line such as `  accepted    3`. */
export function counted(run: Run, what: 'accepted' | 'duplicates' | 'rejected'): number {
  const m = new RegExp(`^  ${what} +(\\d+)$`, 'm').exec(run.stdout);
  if (!m) throw new Error(`no ${what} line in:\n${run.stdout}`);
  return Number(m[1]);
}

/** The rejection lines of a summary: those naming a file in `dir`, or stdin. */
export function listedRejections(run: Run, dir: string): string[] {
  return run.stdout.split('\n').filter((l) => l.startsWith(dir) || l.startsWith('<stdin>'));
}

/** An NDJSON file's lines, three of them bad (lines 3, 5 and 7) and one blank. */
export const ndjsonWithBadLines = [
  '{"series":"nd.a","t":"2026-01-01T00:00:00Z","v":1}',
  '{"series":"nd.a","t":"2026-01-01T00:01:00Z","v":2}',
  'not json',
  '',
  '{"series":"nd.a","t":"2026-01-01T00:02:00Z"}',
  '{"series":"nd.b","t":1767225600000,"v":3}',
  '{"series":"nd.b","t":"2026-01-01T00:03:00Z","v":"high"}',
  '{"series":"nd.b","t":"2026-01-01T00:04:00Z","v":4,"unit":"m"}',
];

/** A CSV file's lines, two of them bad (lines 3 and 7) and one blank. */
export const csvWithBadLines = [
  'series,t,v',
  'csv.a,2026-01-01T00:00:00Z,1.5',
  'csv.a,2026-01-01T00:01:00Z,oops',
  'csv.a,2026-01-01T00:02:00Z,2.5',
  '',
  'csv.b,1767225600000,3',
  'csv.b,2026-01-01T00:03:00Z',
  'csv.b,2026-01-01T00:04:00Z,4',
];

/** `text` with the characters a regular expression treats specially escaped. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The message JSON.parse gives for `text` (it differs between Node versions). */
export function notJsonReason(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
