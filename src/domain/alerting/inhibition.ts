import type { Labels } from './fingerprint.ts';
import { matchesAll } from './matchers.ts';
import type { InhibitRule } from './config/alerting-config.ts';

/**
 * Inhibition as Alertmanager's inhibitor decides it (inhibit/inhibit.go, Inhibitor.Mutes and
 * InhibitRule.inhibits): a firing source alert mutes a target alert when some rule's target
 * matchers match the target, the source matches the rule's source matchers, and the two agree on
 * every label the rule lists in `equal`.
 */

/** An alert as inhibition and dependencies see it: its identity and its labels. */
export interface LabelledAlert {
  readonly fingerprint: string;
  readonly labels: Labels;
}

/**
 * Whether two label sets agree on every named label. A missing label reads as "" — inhibit.go
 * compares `a.Labels[n] != lset[n]` on Go maps — so a label absent on both sides is equal.
 */
export function equalLabels(names: readonly string[], a: Labels, b: Labels): boolean {
  for (const n of names) if ((a[n] ?? '') !== (b[n] ?? '')) return false;
  return true;
}

/**
 * Fingerprints of the firing alerts that inhibit `target`, sorted and each once (Alertmanager marks
 * the alert inhibited by this list). `firing` must hold only firing alerts: Alertmanager's source
 * cache skips resolved ones (`a.Resolved()`), and here the caller does, so a resolved source
 * never mutes. It may include the target itself. An alert never inhibits itself; more than that,
 * as in Alertmanager, when the target matches a rule's source matchers too, sources that match the
 * rule's target matchers are disregarded for that rule (excludeTwoSidedMatch) — otherwise two such
 * alerts with equal labels would mute each other and neither would be notified.
 */
export function inhibitedBy(rules: readonly InhibitRule[], target: LabelledAlert, firing: readonly LabelledAlert[]): string[] {
  const found = new Set<string>();
  for (const rule of rules) {
    if (!matchesAll(rule.targetMatchers, target.labels)) continue;
    const excludeTwoSided = matchesAll(rule.sourceMatchers, target.labels);
    for (const source of firing) {
      if (source.fingerprint === target.fingerprint) continue;
      if (!matchesAll(rule.sourceMatchers, source.labels)) continue;
      if (!equalLabels(rule.equal, source.labels, target.labels)) continue;
      if (excludeTwoSided && matchesAll(rule.targetMatchers, source.labels)) continue;
      found.add(source.fingerprint);
    }
  }
  return [...found].sort();
}
