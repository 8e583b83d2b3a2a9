import type { Clock } from '../domain/kernel/clock.ts';
import type { ObservationsRepo } from '../store/repos/observations-repo.ts';
import type { AlertingPurgeCounts } from '../store/repos/alerting-retention.ts';

/** What the retention job needs: the repo to purge, the clock, the setting and somewhere to report. */
export interface RetentionDeps {
  observations: Pick<ObservationsRepo, 'purgeBefore'>;
  clock: Clock;
  /** Keep this many ms of history; 0 keeps everything. */
  retentionMs: number;
  log: (deleted: number, cutoff: number) => void;
  /** The alerting history's purge, run on the same rhythm; absent keeps it all. */
  alerting?: AlertingRetentionDeps;
}

/** The alerting history's part of the retention job. */
export interface AlertingRetentionDeps {
  /** Deletes the alerting history older than `cutoff` (epoch ms); answers the rows deleted per table. */
  purge: (cutoff: number) => Promise<AlertingPurgeCounts>;
  /** Keep this many ms of alerting history; 0 keeps everything. */
  retentionMs: number;
  log: (deleted: AlertingPurgeCounts, cutoff: number) => void;
}

/** Runs one purge: deletes observations older than now − retention. Answers rows deleted. */
export async function purgeExpiredObservations(deps: RetentionDeps): Promise<number> {
  if (deps.retentionMs <= 0) return 0;
  const cutoff = deps.clock.now() - deps.retentionMs;
  const deleted = await deps.observations.purgeBefore(cutoff);
  deps.log(deleted, cutoff);
  return deleted;
}

/** Runs one purge of the alerting history older than now − its retention; answers null when it keeps everything. */
export async function purgeExpiredAlertingHistory(deps: { alerting: AlertingRetentionDeps; clock: Clock }): Promise<AlertingPurgeCounts | null> {
  const { alerting, clock } = deps;
  if (alerting.retentionMs <= 0) return null;
  const cutoff = clock.now() - alerting.retentionMs;
  const deleted = await alerting.purge(cutoff);
  alerting.log(deleted, cutoff);
  return deleted;
}

/**
 * Runs every purge once, one after the other (the embedded store has one connection); a purge that
 * fails is reported and does not keep the next from running.
 */
export async function runRetention(deps: RetentionDeps, onError: (err: unknown) => void): Promise<void> {
  await purgeExpiredObservations(deps).catch(onError);
  if (deps.alerting) await purgeExpiredAlertingHistory({ alerting: deps.alerting, clock: deps.clock }).catch(onError);
}

/** Schedules the purges every `intervalMs` (first run after one interval); answers the stop function. */
export function scheduleRetention(deps: RetentionDeps, intervalMs: number, onError: (err: unknown) => void): () => void {
  if (deps.retentionMs <= 0 && (deps.alerting?.retentionMs ?? 0) <= 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runRetention(deps, onError).finally(() => {
      running = false;
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
