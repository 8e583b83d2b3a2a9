import { storeParsedBatch, type IngestDeps } from '../../app/ingest-observations.ts';
import { SeriesResolver } from '../../app/series-resolver.ts';
import { parseBatch } from '../../domain/observations/parse-batch.ts';
import { SeriesRepo } from '../../store/repos/series-repo.ts';
import type { Target } from './chunk-target.ts';
import type { IngestCommandDeps } from './ingest-deps.ts';

/** Parses and stores each batch in this process, as source `cli`. */
export async function storeTarget(opts: { data?: string }, deps: Pick<IngestCommandDeps, 'openStoreFromOptions' | 'clock'>): Promise<Target> {
  const store = await deps.openStoreFromOptions(opts.data === undefined ? {} : { data: opts.data });
  // No listeners in this process: the server's event stream does not see CLI writes.
  const ingest: IngestDeps = { store, series: new SeriesResolver(new SeriesRepo(store)), clock: deps.clock, events: { publish() {} } };
  return {
    describe: store.location,
    async send(chunk, format) {
      const parsed = parseBatch(chunk.text, format, deps.clock.now());
      const outcome = await storeParsedBatch(ingest, parsed, 'cli');
      return { ...outcome, rejectedCount: outcome.rejected.length };
    },
    close: () => store.close(),
  };
}
