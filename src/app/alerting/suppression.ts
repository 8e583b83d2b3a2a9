import type { Alert, Suppression } from '../../domain/alerting/alert.ts';
import type { AlertingConfig } from '../../domain/alerting/config/alerting-config.ts';
import { suppressedByDependency } from '../../domain/alerting/dependencies.ts';
import { inhibitedBy } from '../../domain/alerting/inhibition.ts';
import type { SilenceBook } from './silence-book.ts';

/**
 * What mutes an alert now: active silences that match it, firing alerts that inhibit it under the
 * configuration's `inhibit_rules`, and firing parents under Tocsin's `dependencies`. The
 * configuration is read at each call, so a reload applies at the next flush. The firing alerts
 * are asked for only when a rule needs them (gathering them walks every alert).
 */
export function suppressionPort(silences: SilenceBook, config: () => AlertingConfig): (alert: Alert, firing: () => readonly Alert[], now: number) => Suppression {
  return (alert, firing, now) => {
    const c = config();
    return {
      silencedBy: silences.silencing(alert.labels, now),
      inhibitedBy: c.inhibitRules.length > 0 ? inhibitedBy(c.inhibitRules, alert, firing()) : [],
      suppressedByParents: c.dependencies.length > 0 ? suppressedByDependency(c.dependencies, alert, firing()).map((d) => d.parent) : [],
    };
  };
}
