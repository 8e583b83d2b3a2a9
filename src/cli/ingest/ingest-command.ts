import { type Command, CommanderError, Option } from 'commander';
import { withStoreOptions } from '../store-options.ts';
import type { IngestCommandDeps } from './ingest-deps.ts';
import { runIngest, type IngestOptions } from './run-ingest.ts';

const examples = `
Formats: NDJSON (.ndjson, .jsonl), one {"series","t","v"} object a line; CSV (.csv) with the
header series,t,v (optional columns indicator,domain,unit,area,lon,lat). "-" reads stdin as NDJSON
unless --format says otherwise. Files are read in batches, never whole, so they may be any size.

Without --url the observations go straight into the store (--data folder, or DATABASE_URL and
TOCSIN_DB_SCHEMA); a data folder that a running server holds must be ingested through --url.

Exit status: 0 every line stored (or already stored), 1 some lines were rejected (the good ones
are stored), 2 nothing more could be done (unreadable file, server unreachable or refusing).

Examples:
  $ tocsin ingest gauges.ndjson rain.csv
  $ tocsin ingest --data /var/lib/tocsin history-2025.jsonl
  $ zcat big.ndjson.gz | tocsin ingest --batch 50000 -
  $ TOCSIN_TOKEN=... tocsin ingest --url http://localhost:8080 readings.csv
`;

/** Adds `tocsin ingest FILE…`: loads NDJSON/CSV observations into a server or the store. */
export function registerIngestCommand(program: Command, deps: IngestCommandDeps): Command {
  const command = program
    .command('ingest')
    .description('load NDJSON or CSV observations into a running server (--url) or the store, with a progress bar')
    .argument('<files...>', 'files to read (.ndjson, .jsonl, .csv); - for stdin')
    .addOption(new Option('--format <format>', 'read every file as this format, whatever its extension').choices(['ndjson', 'csv']))
    .option('--batch <lines>', 'lines per batch stored or posted at once', '10000')
    .addOption(new Option('--url <url>', 'post to this Tocsin server instead of opening the store').env('TOCSIN_URL'))
    .addOption(new Option('--token <token>', 'API token for --url (tocsin token create)').env('TOCSIN_TOKEN'))
    .option('-q, --quiet', 'no progress bar');
  withStoreOptions(command);
  command.addHelpText('after', examples).action(async (files: string[], opts: IngestOptions) => {
    const code = await runIngest(files, opts, deps);
    // Commander's own way to end with a status: the bin turns it into the exit code.
    if (code !== 0) throw new CommanderError(code, code === 1 ? 'tocsin.ingest.rejected' : 'tocsin.ingest.failed', `exit ${code}`);
  });
  return command;
}
