import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Clock } from '../domain/kernel/clock.ts';
import type { ObservationRows, Store } from '../store/sql-client.ts';
import type { EventHub } from '../app/event-hub.ts';
import { SeriesResolver } from '../app/series-resolver.ts';
import { SeriesRepo } from '../store/repos/series-repo.ts';
import { ObservationsRepo } from '../store/repos/observations-repo.ts';
import { installErrorHandling } from './error-handler.ts';
import { requireSchemas } from './require-schemas.ts';
import { registerMetrics } from './metrics/register-metrics.ts';
import type { TocsinMetrics } from './metrics/tocsin-metrics.ts';
import { observationMediaTypes, observationRoutes } from './routes/observation-routes.ts';
import { seriesRoutes } from './routes/series-routes.ts';
import { eventRoutes } from './routes/event-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { registerAuth } from './auth.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { accountsRepo } from '../store/repos/accounts-repo.ts';
import { DetectionRepo } from '../store/repos/detection-repo.ts';
import type { DetectionEngine } from '../app/detection/detection-engine.ts';
import { signalRoutes } from './routes/signal-routes.ts';
import { alertRoutes } from './routes/alert-routes.ts';
import { silenceRoutes } from './routes/silence-routes.ts';
import { alertingConfigRoutes } from './routes/alerting-config-routes.ts';
import { onCallRoutes } from './routes/oncall-routes.ts';
import type { AlertingConfigSource } from '../app/alerting/alerting-config-source.ts';
import type { SilenceBook } from '../app/alerting/silence-book.ts';
import type { AlertingService } from '../app/alerting/alerting-service.ts';
import { AlertingRepo } from '../store/repos/alerting-repo.ts';
import { ruleRoutes } from './routes/rule-routes.ts';
import type { RulesCatalog } from '../app/rules-catalog.ts';

/** Everything the HTTP application needs from the runtime; tests pass their own. */
export interface AppDeps {
  store: Store;
  /** Domain time (observations, events, health). */
  clock: Clock;
  /** Real time for sessions and tokens; defaults to `clock`. */
  wallClock?: Clock;
  events: EventHub;
  metrics: TocsinMetrics;
  version: string;
  /** Epoch ms the process started, for /healthz. */
  startedAt: number;
  bodyLimitBytes: number;
  /** A pino logger, or false for none (tests). */
  logger: Logger | false;
  /** The rules (files and API); absent, /api/v1/rules is not served. */
  rules?: RulesCatalog;
  /** Runs accepted observations through the rules; absent, nothing is detected. */
  detection?: DetectionEngine;
  /** Operator alerts from signals; absent, /api/v1/alerts (and on-call, escalations, routes test) is not served. */
  alerting?: AlertingService;
  /** Silences (with alerting); absent, /api/v1/silences is not served. */
  silences?: SilenceBook;
  /** Where the alerting configuration comes from; absent, /api/v1/alerting/config is not served. */
  alertingConfig?: AlertingConfigSource;
  /** Observations detection may fall behind before ingest waits for it (default `detectionBacklogLimit`). */
  detectionBacklog?: number;
  /** Heartbeat of the event stream in ms (tests shorten it). */
  sseHeartbeatMs?: number;
}

/**
 * Builds the Fastify application without listening, so tests drive it with `app.inject()` and
 * the runtime decides where it listens. Every /api/v1 route declares the roles that may call it.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes,
    // The shutdown waits for requests in flight (a write being committed) but not for idle keep-alives.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  // TypeBox checks every schema: query strings and params are converted from text ("5" → 5), bodies
  // never are, so {"limit": "5"} in a JSON body is an error that names the field rather than a guess.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  installErrorHandling(app, () => Object.keys(observationMediaTypes));
  requireSchemas(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tocsin API',
        version: deps.version,
        description: 'Hazard observations, detection, alerting, public warnings (CAP 1.2) and response. See README.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token from `tocsin token create`' },
          session: { type: 'apiKey', in: 'cookie', name: 'tocsin_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });

  registerMetrics(app, deps.metrics);
  const accounts = accountsRepo(deps.store);
  const wallClock = deps.wallClock ?? deps.clock;
  await registerAuth(app, { accounts, clock: wallClock });

  const resolver = new SeriesResolver(new SeriesRepo(deps.store), (ids) => deps.detection?.forgetSeries(ids));
  const ingest = {
    store: deps.store,
    series: resolver,
    clock: deps.clock,
    events: deps.events,
    yieldToOthers: () => new Promise<void>((resolve) => setImmediate(resolve)),
    ...(deps.detection ? { afterStore: feedDetection(deps.detection, app, deps.detectionBacklog ?? detectionBacklogLimit) } : {}),
  };

  await app.register(healthRoutes, {
    clock: wallClock,
    startedAt: deps.startedAt,
    version: deps.version,
    store: { dialect: deps.store.dialect, location: deps.store.location },
  });
  await app.register(sessionRoutes, { accounts, clock: wallClock });
  await app.register(observationRoutes, {
    ingest,
    bodyLimitBytes: deps.bodyLimitBytes,
    onIngested: (outcome) => deps.metrics.recordIngest('http', outcome),
  });
  await app.register(seriesRoutes, { series: new SeriesRepo(deps.store), observations: new ObservationsRepo(deps.store) });
  await app.register(signalRoutes, { detection: new DetectionRepo(deps.store) });
  if (deps.rules) await app.register(ruleRoutes, { catalog: deps.rules });
  const alerting = deps.alerting;
  if (alerting) {
    const detection = deps.detection;
    await app.register(alertRoutes, { alerting, repo: new AlertingRepo(deps.store), clock: deps.clock, ...(detection ? { pending: () => detection.pendingAlerts() } : {}) });
    await app.register(onCallRoutes, { alerting, clock: deps.clock });
  }
  if (deps.alertingConfig) await app.register(alertingConfigRoutes, { source: deps.alertingConfig, clock: deps.clock });
  if (alerting && deps.silences) {
    await app.register(silenceRoutes, { silences: deps.silences, firingAlerts: () => alerting.current().filter((a) => a.endsAt === null), clock: deps.clock });
  }
  let sseClients = 0;
  deps.metrics.sseClients.collectWith(() => sseClients);
  const engine = deps.detection;
  if (engine) {
    deps.metrics.detectionObservations.collectWith(() => [
      { labels: { outcome: 'evaluated' }, value: engine.counters.evaluated },
      { labels: { outcome: 'late' }, value: engine.counters.late },
    ]);
    deps.metrics.detectionSignals.collectWith(() => engine.counters.signals);
    deps.metrics.detectionQueue.collectWith(() => engine.queuedObservations);
  }
  await app.register(eventRoutes, {
    events: deps.events,
    onClientCount: (n) => (sseClients = n),
    ...(deps.sseHeartbeatMs ? { heartbeatMs: deps.sseHeartbeatMs } : {}),
  });
  return app;
}

/**
 * Most observations waiting for detection before ingest answers only once detection has caught
 * up with its batch: clients then slow down instead of the queue growing without bound.
 */
export const detectionBacklogLimit = 2_000_000;

/**
 * Hands committed batches to detection without making the client wait for it, unless detection is
 * more than `backlog` observations behind; failures are logged.
 */
function feedDetection(engine: DetectionEngine, app: FastifyInstance, backlog: number): (rows: ObservationRows) => Promise<unknown> | undefined {
  return (rows) => {
    const done = engine.submit(rows).catch((err: unknown) => app.log.error({ err }, 'detection failed on a batch'));
    return engine.queuedObservations > backlog ? done : undefined;
  };
}
