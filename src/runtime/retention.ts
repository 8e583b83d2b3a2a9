import type { Clock } from '../domain/kernel/clock.ts';
import type { ObservationsRepo } from '../store/repos/observations-repo.ts';

/** What the retention job needs: the repo to purge, the clock, the setting and somewhere to report. */
export interface RetentionDeps {
  observations: Pick<ObservationsRepo, 'purgeBefore'>;
  clock: Clock;
  /** Keep this many ms of history; 0 keeps everything. */
  retentionMs: number;
  log: (deleted: number, cutoff: number) => void;
}

/** Runs one purge: deletes observations older than now − retention. Answers rows deleted. */
export async function purgeExpiredObservations(deps: RetentionDeps): Promise<number> {
  if (deps.retentionMs <= 0) return 0;
  const cutoff = deps.clock.now() - deps.retentionMs;
  const deleted = await deps.observations.purgeBefore(cutoff);
  deps.log(deleted, cutoff);
  return deleted;
}

/** Schedules the purge every `intervalMs` (first run after one interval); answers the stop function. */
export function scheduleRetention(deps: RetentionDeps, intervalMs: number, onError: (err: unknown) => void): () => void {
  if (deps.retentionMs <= 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    purgeExpiredObservations(deps)
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
