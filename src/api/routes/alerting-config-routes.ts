import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Clock } from '../../domain/kernel/clock.ts';
import type { AlertingConfigSource } from '../../app/alerting/alerting-config-source.ts';
import { principalOf } from '../auth.ts';
import { readerRoles } from '../route-roles.ts';

/**
 * The alerting configuration over HTTP: what is in force (where from, and its receivers), its
 * text for administrators (it may hold SMTP passwords and tokens), and replacing it — refused
 * with 409 when a `--config` file rules, answered 400 with Alertmanager's message when bad.
 */
export interface AlertingConfigRouteDeps {
  source: AlertingConfigSource;
  clock: Clock;
}

const putBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 1_000_000, description: "alertmanager.yml text" }) }, { additionalProperties: false });

export async function alertingConfigRoutes(app: FastifyInstance, deps: AlertingConfigRouteDeps): Promise<void> {
  const summary = () => {
    const c = deps.source.current();
    const { origin } = deps.source.describe();
    return {
      origin: origin.kind === 'store' ? { ...origin, updatedAt: new Date(origin.updatedAt).toISOString() } : origin,
      receivers: c.receivers.map((r) => ({
        name: r.name,
        integrations: [...r.webhooks.map((_, i) => `webhook[${i}]`), ...r.emails.map((_, i) => `email[${i}]`), ...r.sms.map((_, i) => `sms[${i}]`)],
        unsupported: r.unsupported,
      })),
      escalationPolicies: [...c.escalationPolicies.keys()],
      schedules: [...c.schedules.keys()],
      inhibitRules: c.inhibitRules.length,
      timeIntervals: [...c.timeIntervals.keys()],
    };
  };

  app.get(
    '/api/v1/alerting/config',
    { config: { roles: readerRoles }, schema: { summary: 'The alerting configuration in force', tags: ['alerting'] } },
    async (request) => {
      const isAdmin = principalOf(request).role === 'admin';
      return { ...summary(), ...(isAdmin ? { text: deps.source.describe().text } : {}) };
    },
  );

  app.put(
    '/api/v1/alerting/config',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Replace the alerting configuration',
        description: "Body: { text } in Prometheus Alertmanager's format with Tocsin's additions. Checked as Alertmanager checks it; applied at once. Refused (409) when the server runs with --config FILE.",
        tags: ['alerting'],
        body: putBody,
      },
    },
    async (request) => {
      const { text } = request.body as Static<typeof putBody>;
      await deps.source.replace(text, principalOf(request).name, deps.clock.now());
      return summary();
    },
  );
}
