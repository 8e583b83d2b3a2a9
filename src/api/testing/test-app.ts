import type { FastifyInstance } from 'fastify';
import { buildApp } from '../build-app.ts';
import { createTocsinMetrics, type TocsinMetrics } from '../metrics/tocsin-metrics.ts';
import { EventHub } from '../../app/event-hub.ts';
import type { Store } from '../../store/sql-client.ts';
import { manualClock } from '../../domain/kernel/clock.ts';
import { addUser, createApiToken, type PasswordHasher } from '../../app/accounts.ts';
import { accountsRepo } from '../../store/repos/accounts-repo.ts';
import type { Role } from '../../domain/accounts/roles.ts';
import { DetectionEngine } from '../../app/detection/detection-engine.ts';
import { detectionPorts } from '../../app/detection/detection-ports.ts';
import type { ActiveRule } from '../../app/detection/active-rule.ts';
import { AlertingService, type AlertingPorts } from '../../app/alerting/alerting-service.ts';
import type { AlertingConfig } from '../../domain/alerting/config/alerting-config.ts';
import { AlertingRepo } from '../../store/repos/alerting-repo.ts';
import { SilenceBook } from '../../app/alerting/silence-book.ts';
import { SilencesRepo } from '../../store/repos/silences-repo.ts';
import { suppressionPort } from '../../app/alerting/suppression.ts';
import { defaultSilenceRetentionMs } from '../../domain/alerting/silences.ts';
import { AlertingConfigSource } from '../../app/alerting/alerting-config-source.ts';

/** A fast stand-in hasher for tests that are not about passwords (argon2 costs ~8 ms a hash). */
export const plainHasher: PasswordHasher = {
  hash: async (password) => `plain:${password}`,
  verify: async (hash, password) => hash === `plain:${password}`,
};

/** An app over a given store, with a manual clock and a way to get a Bearer token for any role. */
export interface TestApp {
  app: FastifyInstance;
  events: EventHub;
  metrics: TocsinMetrics;
  clock: ReturnType<typeof manualClock>;
  detection: DetectionEngine;
  /** Present when the app was built with an alerting configuration. */
  alerting: AlertingService | null;
  silences: SilenceBook | null;
  /** `Authorization` header value for a fresh user of the role. */
  bearer(role: Role): Promise<string>;
}

let userCounter = 0;

/** Builds the real application (no listening) for `app.inject()` tests. */
export async function createTestApp(
  store: Store,
  options: {
    bodyLimitBytes?: number;
    nowMs?: number;
    rules?: readonly ActiveRule[];
    detectionBacklog?: number;
    /**
     * Alerting with this configuration (or the one stored through the API; `file`: as if started
     * with --config FILE); delivery and retries as given (default: nothing is sent).
     */
    alerting?: { config?: AlertingConfig; file?: string; ports?: Partial<Omit<AlertingPorts, 'repo'>> };
  } = {},
): Promise<TestApp> {
  const clock = manualClock(options.nowMs ?? Date.UTC(2026, 10, 22, 12, 0, 0));
  const events = new EventHub();
  const metrics = createTocsinMetrics({ version: 'test' });
  const ports = detectionPorts(store, events, clock);
  let alerting: AlertingService | null = null;
  let silences: SilenceBook | null = null;
  let configSource: AlertingConfigSource | null = null;
  if (options.alerting) {
    const book = new SilenceBook(new SilencesRepo(store), defaultSilenceRetentionMs);
    await book.load();
    silences = book;
    const source = await AlertingConfigSource.open(store, options.alerting.file);
    configSource = source;
    let service: AlertingService | null = null;
    service = new AlertingService(
      options.alerting.config ?? source.current(),
      {
        repo: new AlertingRepo(store),
        deliver: async () => ({ ok: true, status: 200, error: null, retryable: false, durationMs: 0 }),
        retry: (outcome) => (outcome.ok ? { kind: 'delivered' } : { kind: 'dead-letter', reason: outcome.error ?? 'failed' }),
        suppression: suppressionPort(book, () => service!.currentConfig()),
        events,
        ...options.alerting.ports,
      },
      { externalURL: 'http://tocsin.test', generatorURL: (labels) => `http://tocsin.test/series/${labels['series'] ?? ''}` },
    );
    await service.start();
    source.subscribe((c) => service!.setConfig(c));
    const announce = ports.onSignals;
    ports.onSignals = (signals) => {
      announce(signals);
      void service.onSignals(signals);
    };
    alerting = service;
  }
  const detection = new DetectionEngine(ports);
  detection.setRules(options.rules ?? []);
  const app = await buildApp({
    store,
    clock,
    events,
    metrics,
    version: 'test',
    startedAt: clock.now(),
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    logger: false,
    detection,
    ...(alerting ? { alerting } : {}),
    ...(silences ? { silences } : {}),
    ...(configSource ? { alertingConfig: configSource } : {}),
    ...(options.detectionBacklog !== undefined ? { detectionBacklog: options.detectionBacklog } : {}),
  });
  const accounts = accountsRepo(store);
  return {
    app,
    events,
    metrics,
    clock,
    detection,
    alerting,
    silences,
    async bearer(role) {
      const name = `${role.replace(/_/g, '-')}-${process.pid}-${++userCounter}`;
      await addUser({ users: accounts, hasher: plainHasher, clock }, { name, role, password: null });
      const { token } = await createApiToken({ users: accounts, tokens: accounts, clock }, null, { name: 'test', userName: name });
      return `Bearer ${token}`;
    },
  };
}
