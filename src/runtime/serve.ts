import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../domain/kernel/clock.ts';
import type { TocsinConfig } from './config.ts';
import { redactedConfig } from './config.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/sql-client.ts';
import { EventHub } from '../app/event-hub.ts';
import { buildApp } from '../api/build-app.ts';
import { createTocsinMetrics, type TocsinMetrics } from '../api/metrics/tocsin-metrics.ts';
import { ObservationsRepo } from '../store/repos/observations-repo.ts';
import { scheduleRetention } from './retention.ts';
import { purgeAlertingHistory } from '../store/repos/alerting-retention.ts';
import { ensureInitialAdmin, argon2Hasher, purgeEndedSessions } from '../app/accounts.ts';
import { accountsRepo } from '../store/repos/accounts-repo.ts';
import { version } from './version.ts';
import { DetectionEngine } from '../app/detection/detection-engine.ts';
import { detectionPorts } from '../app/detection/detection-ports.ts';
import { toActiveRule } from '../app/detection/active-rules.ts';
import { RulesCatalog } from '../app/rules-catalog.ts';
import { rulesRepo } from '../store/repos/rules-repo.ts';
import { watchRulesDirectory, type RulesDirectoryWatcher } from '../detect/rules-directory.ts';
import { formatRuleProblem } from '../domain/detect/rules/rule-file.ts';
import { detectorRegistry } from '../domain/detect/registry.ts';
import type { DetectorRegistry } from '../domain/detect/detector.ts';
import { startAlerting } from './alerting-runtime.ts';
import { AlertingConfigSource } from '../app/alerting/alerting-config-source.ts';
import type { AlertingService } from '../app/alerting/alerting-service.ts';

/** A running server: where it listens and how to stop it. */
export interface RunningServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  events: EventHub;
  metrics: TocsinMetrics;
  detection: DetectionEngine;
  /** The alert dispatcher (routes, silences, notifications). */
  alerting: AlertingService;
  rules: RulesCatalog;
  logger: Logger;
  /** Stops taking requests, finishes those in flight (and their writes), then closes the store. */
  close(): Promise<void>;
}

/** What the runtime may be handed instead of the real thing (tests, the demo). */
export interface ServeOptions {
  /** Domain time: observations, events, health (the demo runs it faster than the clock). */
  clock?: Clock;
  /** Real time for sessions and tokens, which must expire by the wall clock even in the demo. */
  wallClock?: Clock;
  /** Where the one-time admin password and the banner go (a terminal, not the JSON log). */
  announce?: (line: string) => void;
  /** Who holds the data folder, for the lock message another process would see. */
  holder?: string;
  /** Detectors rules may name; default: every built-in one. */
  registry?: DetectorRegistry;
}

/** How often detector states are checkpointed (ms): at most this much is replayed after a crash. */
export const checkpointIntervalMs = 5_000;
/** How often time-driven detectors (staleness) look at the clock, in ms of the runtime's clock. */
export const detectionTickMs = 10_000;
/** How often the alert dispatcher looks at the clock (group timers, retries), in ms of real time. */
export const alertingTickMs = 1_000;

/** Opens the store, creates the first admin when there is none, builds the app and listens. */
export async function startServer(config: Readonly<TocsinConfig>, options: ServeOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const wallClock = options.wallClock ?? clock;
  const announce = options.announce ?? ((line: string) => process.stderr.write(`${line}\n`));
  const logger = pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '<redacted>' },
  });
  logger.info({ config: redactedConfig(config), version }, 'starting tocsin');

  const store = await openStore({
    databaseUrl: config.databaseUrl,
    schema: config.dbSchema,
    dataDir: config.dataDir,
    holder: options.holder ?? 'tocsin serve',
  });
  let app: FastifyInstance | undefined;
  try {
    const admin = await ensureInitialAdmin(
      { users: accountsRepo(store), hasher: argon2Hasher, clock: wallClock },
      { password: config.adminPassword },
    );
    if (admin.created && admin.generated) {
      announce(`Created user "admin" with the one-time password: ${admin.password}`);
      announce('It is shown only now. Sign in and change it, or set TOCSIN_ADMIN_PASSWORD on a fresh store.');
    } else if (admin.created) {
      announce('Created user "admin" with the password from TOCSIN_ADMIN_PASSWORD.');
    }

    const events = new EventHub();
    const metrics = createTocsinMetrics({ version });
    metrics.start();
    const startedAt = wallClock.now();
    const registry = options.registry ?? detectorRegistry();
    let rules: RulesCatalog | undefined;
    const rulesWatcher: RulesDirectoryWatcher | undefined = config.rulesDir
      ? await watchRulesDirectory(
          config.rulesDir,
          registry,
          (state) => {
            rules?.setFileRules(state);
            for (const p of state.problems) logger.warn({ rule: p.rule, field: p.field, file: p.file }, formatRuleProblem(p));
          },
          { onError: (err) => logger.error({ err }, 'rules reload failed') },
        )
      : undefined;
    const catalog = await RulesCatalog.open({ rules: rulesRepo(store), registry, clock: wallClock, events }, rulesWatcher?.current());
    rules = catalog;
    if (rulesWatcher) catalog.setFileRules(rulesWatcher.current());
    const externalURL = config.externalUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
    // A configuration Alertmanager would refuse stops the start, naming the file.
    const alertingSource = await AlertingConfigSource.open(store, config.alertingConfigFile);
    const reportUnsupported = (c: ReturnType<typeof alertingSource.current>) => {
      for (const u of c.unsupported) {
        logger.warn({ receiver: u.receiver, integration: u.kind }, `receiver "${u.receiver}": ${u.kind} is not delivered by Tocsin yet; its other integrations are`);
      }
    };
    reportUnsupported(alertingSource.current());
    const { service: alerting, silences } = await startAlerting(store, alertingSource.current(), { clock, externalURL, events });
    alertingSource.subscribe((c) => {
      alerting.setConfig(c);
      reportUnsupported(c);
      logger.info({ origin: alertingSource.describe().origin.kind }, 'alerting configuration applied');
    });
    // SIGHUP re-reads the file; a bad one keeps the running configuration.
    const reloadAlerting = () => {
      try {
        alertingSource.reload();
      } catch (err) {
        logger.error({ err }, 'alerting configuration not reloaded');
      }
    };
    if (config.alertingConfigFile) process.on('SIGHUP', reloadAlerting);
    const ports = detectionPorts(store, events, clock);
    const announceSignals = ports.onSignals;
    ports.onSignals = (signals) => {
      announceSignals(signals);
      alerting.onSignals(signals, clock.now()).catch((err: unknown) => logger.error({ err }, 'alerting failed to take signals'));
    };
    const detection = new DetectionEngine(ports);
    const applyRules = () => detection.setRules(catalog.list({ enabled: true }).map((entry) => toActiveRule(entry.rule, registry)));
    applyRules();
    catalog.subscribe(applyRules);
    logger.info({ rules: catalog.list().length, problems: catalog.problems().length }, 'rules loaded');
    const recovered = await detection.recover();
    if (recovered.length > 0) logger.info({ signals: recovered.length }, 'detection recovered signals from observations stored before the restart');
    app = await buildApp({ store, clock, wallClock, events, detection, alerting, silences, alertingConfig: alertingSource, rules: catalog, metrics, version, startedAt, bodyLimitBytes: config.bodyLimitBytes, logger });
    const builtApp = app;
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;

    const stopRetention = scheduleRetention(
      {
        observations: new ObservationsRepo(store),
        clock,
        retentionMs: config.retentionMs,
        log: (deleted, cutoff) => logger.info({ deleted, cutoff: new Date(cutoff).toISOString() }, 'retention purge'),
        alerting: {
          purge: async (cutoff) => {
            const deleted = await purgeAlertingHistory(store, cutoff);
            alerting.forgetLogBefore(cutoff);
            return deleted;
          },
          retentionMs: config.alertRetentionMs,
          log: (deleted, cutoff) => logger.info({ deleted, cutoff: new Date(cutoff).toISOString() }, 'alerting retention purge'),
        },
      },
      config.retentionIntervalMs,
      (err) => logger.error({ err }, 'retention purge failed'),
    );

    // Ended sessions are kept a month for investigations, then deleted, on the same rhythm.
    const sessionPurge = setInterval(() => {
      purgeEndedSessions({ sessions: accountsRepo(store), clock: wallClock }).catch((err: unknown) =>
        logger.error({ err }, 'session purge failed'),
      );
    }, config.retentionIntervalMs);
    sessionPurge.unref();
    const checkpoints = setInterval(() => {
      detection.checkpoint().catch((err: unknown) => logger.error({ err }, 'detector checkpoint failed'));
    }, checkpointIntervalMs);
    checkpoints.unref();
    const ticks = setInterval(() => {
      detection.tick(clock.now()).catch((err: unknown) => logger.error({ err }, 'detection tick failed'));
    }, detectionTickMs);
    ticks.unref();
    const alertTicks = setInterval(() => {
      alerting.tick(clock.now()).catch((err: unknown) => logger.error({ err }, 'alerting tick failed'));
    }, alertingTickMs);
    alertTicks.unref();

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        stopRetention();
        clearInterval(sessionPurge);
        clearInterval(checkpoints);
        clearInterval(ticks);
        clearInterval(alertTicks);
        process.off('SIGHUP', reloadAlerting);
        rulesWatcher?.close();
        await closeHttp(builtApp);
        // Requests in flight have handed their batches to detection: finish them and save the states.
        await detection.checkpoint();
        await alerting.drain();
        metrics.stop();
        await store.close();
        logger.info('stopped');
      })());
    return { url, app, store, events, metrics, detection, alerting, rules: catalog, logger, close };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}

/** Longest wait for requests in flight at shutdown before their connections are cut, in ms. */
export const shutdownGraceMs = 30_000;

/**
 * Closes the HTTP side: no new requests (503), those in flight run to their end (and so do their
 * writes). A keep-alive connection whose request finishes after the close began would hold the
 * server open, so idle connections are swept until the close completes; after the grace period
 * the rest are cut.
 */
async function closeHttp(app: FastifyInstance): Promise<void> {
  const closed = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => app.server.closeAllConnections(), shutdownGraceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}

/** Stops the server cleanly on SIGTERM or SIGINT; a second signal exits at once. */
export function closeOnSignals(server: Pick<RunningServer, 'close' | 'logger'>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    server.logger.info({ signal }, 'shutting down: finishing requests in flight');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
