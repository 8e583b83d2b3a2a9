import { fingerprint, type Labels } from './fingerprint.ts';

/**
 * An operator alert, as Alertmanager models one — a label set (its fingerprint is its identity)
 * with annotations and a time span — plus what Alertmanager does not keep: who acknowledged it,
 * and why it is suppressed. Alerts come from detection signals: a `firing` signal starts one, a
 * `resolved` signal ends it, and a `changed` signal (yellow → red) ends the alert of the old level
 * and starts one of the new, because the level is one of the labels (so routing, silences and
 * inhibition can tell a red alert from a yellow one).
 */

export type AlertStatus = 'firing' | 'resolved';

export interface Acknowledgement {
  by: string;
  at: number;
  comment: string;
}

/** Why an alert is not notified now: silences and inhibiting or parent alerts, by id/fingerprint. */
export interface Suppression {
  silencedBy: string[];
  inhibitedBy: string[];
  /** Tocsin's dependencies: firing parent alerts (e.g. "station offline") that mute this child. */
  suppressedByParents: string[];
  /** Held as flapping (see flapping.ts). */
  flapping?: boolean;
}

export interface Alert {
  fingerprint: string;
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  /** null while firing. */
  endsAt: number | null;
  updatedAt: number;
  generatorURL: string;
  /** Acknowledgements, in order (an escalation policy may need more than one responder). */
  acks: Acknowledgement[];
}

/** Whether the alert fires. */
export function statusOf(alert: Alert): AlertStatus {
  return alert.endsAt === null ? 'firing' : 'resolved';
}

/** An alert is suppressed when anything at all mutes it. */
export function isSuppressed(s: Suppression): boolean {
  return s.silencedBy.length > 0 || s.inhibitedBy.length > 0 || s.suppressedByParents.length > 0 || s.flapping === true;
}

/** What a detection signal asks of the alerts (see `alertChangesFor`). */
export interface AlertChange {
  kind: 'fire' | 'resolve';
  fingerprint: string;
  labels: Labels;
  annotations: Labels;
  at: number;
}

/** The part of a detection signal alerting reads. */
export interface SignalForAlerting {
  /** The stored signal's id, when it has one: alerting records how far it got. */
  id?: number;
  kind: 'firing' | 'changed' | 'resolved';
  t: number;
  level: string | null;
  previousLevel: string | null;
  labels: Labels;
  annotations: Labels;
}

/**
 * The alert changes one signal makes. The signal's labels carry the level it is about (the new
 * one, or for `resolved` the one that ended); the alert of the previous level has the same labels
 * with the previous level.
 */
export function alertChangesFor(signal: SignalForAlerting): AlertChange[] {
  const at = signal.t;
  const withLevel = (level: string | null): Labels => {
    const labels: Record<string, string> = { ...signal.labels };
    if (level === null) delete labels['level'];
    else labels['level'] = level;
    return labels;
  };
  const change = (kind: AlertChange['kind'], labels: Labels): AlertChange => ({ kind, fingerprint: fingerprint(labels), labels, annotations: signal.annotations, at });
  switch (signal.kind) {
    case 'firing':
      return [change('fire', signal.labels)];
    case 'resolved':
      return [change('resolve', signal.labels)];
    case 'changed':
      return [change('resolve', withLevel(signal.previousLevel)), change('fire', withLevel(signal.level))];
  }
}

/**
 * Applies a change to the alert it is about (undefined: not known yet). Answers the alert after
 * it, or null when nothing changes: a resolve of an unknown or already resolved alert, or a fire
 * of an alert that already fires (its annotations are refreshed then). A resolved alert that
 * fires again starts anew, without its old acknowledgements.
 */
export function applyAlertChange(alert: Alert | undefined, change: AlertChange, generatorURL: string): Alert | null {
  if (change.kind === 'fire') {
    if (alert && alert.endsAt === null) {
      if (sameLabels(alert.annotations, change.annotations)) return null;
      return { ...alert, annotations: change.annotations, updatedAt: change.at };
    }
    return {
      fingerprint: change.fingerprint,
      labels: change.labels,
      annotations: change.annotations,
      startsAt: change.at,
      endsAt: null,
      updatedAt: change.at,
      generatorURL,
      acks: [],
    };
  }
  if (!alert || alert.endsAt !== null) return null;
  return { ...alert, endsAt: change.at, updatedAt: change.at };
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
