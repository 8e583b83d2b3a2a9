import { alertChangesFor, applyAlertChange, isSuppressed, type Alert, type SignalForAlerting, type Suppression } from '../../domain/alerting/alert.ts';
import { decideFlush, firstFlushAt, type GroupMember, type NotificationLogEntry } from '../../domain/alerting/aggregation-group.ts';
import type { AlertingConfig } from '../../domain/alerting/config/alerting-config.ts';
import type { ReceiverConfig } from '../../domain/alerting/config/receivers.ts';
import type { Labels } from '../../domain/alerting/fingerprint.ts';
import { groupLabelsFor, matchersAlong, matchRoutes, routeAt, routeMutedAt } from '../../domain/alerting/routing.ts';
import { groupKey, webhookBody, type PayloadAlert } from '../../domain/alerting/webhook-payload.ts';
import type { AlertEvent, AlertingRepo, FlushWrite, NewNotification, StoredGroup, StoredNotification } from '../../store/repos/alerting-repo.ts';
import { acknowledge as acknowledgeEscalation, dueActions, startEscalation, type EscalationAction, type EscalationState } from '../../domain/alerting/escalation/escalation-state.ts';
import type { EscalationTarget } from '../../domain/alerting/escalation/escalation-policy.ts';
import { onCallAt } from '../../domain/alerting/oncall/schedule.ts';
import type { EventPublisher } from '../event-hub.ts';
import { isFlapping, keepRecentChanges } from '../../domain/alerting/flapping.ts';

/**
 * The alert dispatcher: turns detection signals into alerts, files them into aggregation groups
 * by the routing tree, flushes each group on its timers, and delivers notifications with retries
 * — all on instants the caller passes (`now`), so tests step time and a restart resumes from what
 * PostgreSQL holds: alerts, groups, the notification log and undelivered notifications.
 *
 * Exactly-once towards receivers, as far as a network allows: a flush writes its notification log
 * entry and the notifications it decided in one transaction, so a restart never decides the same
 * notification again; a notification is marked delivered right after its receiver answered, so
 * only a crash in between repeats one delivery (receivers can drop it: every payload carries the
 * same notification id in `X-Tocsin-Notification-Id`).
 */

import type { DeliveryOutcome, RetryDecision } from '../../connectors/webhook/retry-policy.ts';

export type { DeliveryOutcome, RetryDecision };

/** The integration a notification goes through, as configured. */
export type Integration =
  | { kind: 'webhook'; index: number; config: ReceiverConfig['webhooks'][number] }
  | { kind: 'email'; index: number; config: ReceiverConfig['emails'][number] }
  | { kind: 'sms'; index: number; config: ReceiverConfig['sms'][number] };


export interface AlertingPorts {
  repo: AlertingRepo;
  /** Sends one notification through one integration; never throws. */
  deliver(notification: StoredNotification, integration: Integration): Promise<DeliveryOutcome>;
  /** Decides what follows an attempt (backoff, dead letter). */
  retry(outcome: DeliveryOutcome, attempt: number, now: number): RetryDecision;
  /**
   * What mutes a firing alert at `now` (silences, inhibition, dependencies); `firing` gives every
   * firing alert (gathered on first call, once per flush round); absent: nothing ever does.
   */
  suppression?(alert: Alert, firing: () => readonly Alert[], now: number): Suppression;
  /** Where alert changes, notifications and pages are announced (server-sent events: the console). */
  events?: EventPublisher;
}

export interface AlertingOptions {
  /** Base URL of this Tocsin, for payloads' `externalURL`. */
  externalURL: string;
  /** Link from an alert to where it came from (a series page). */
  generatorURL(labels: Labels): string;
}

const separator = '\u0000';

export class AlertingService {
  private readonly alerts = new Map<string, Alert>();
  private readonly groups = new Map<string, StoredGroup>();
  /**
   * When each alert last fired or resolved (the recent ones only), for the flapping rule. Kept in
   * memory: after a restart an alert starts with a clean record, which can only release a hold early.
   */
  private readonly changes = new Map<string, number[]>();
  /** The notification log, by group id: read at start, then kept here as it is written. */
  private readonly log = new Map<string, NotificationLogEntry>();
  /** Escalations of groups whose route names a policy, by group id. */
  private readonly escalations = new Map<string, { policy: string; state: EscalationState }>();
  /** Ticks and acknowledgements run one after another (a tick must never overlap the next). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Writes reach the store in the order their changes were made in memory. */
  private writeChain: Promise<unknown> = Promise.resolve();
  /**
   * Signal changes made in memory and not yet handed to the store. Signals that arrive while a
   * write is under way join the next one: one transaction for many batches (group commit), so
   * the store's round trips do not cap how many changes a second the dispatcher takes.
   */
  private pendingSignals: {
    alerts: Map<string, Alert>;
    /** Alerts of `alerts` not held before the batch (see `SignalChanges.firstSeen`). */
    firstSeen: Set<string>;
    events: AlertEvent[];
    groups: Map<string, StoredGroup>;
    lastSignalId: number | undefined;
    /** The latest receipt among the batch's signals: the instant its due groups flush at. */
    receivedAt: number | undefined;
    done: Promise<void>;
  } | null = null;
  /**
   * No group is due before this instant: a tick before it skips the walk over every group (tens
   * of thousands, ticked every second). Lowered as groups are made, recomputed by the walk.
   */
  private earliestFlushAt = -Infinity;
  /** Notifications this process is delivering now (a tick's due list skips them). */
  private readonly inFlight = new Set<number>();
  /** Deliveries started outside a tick (the first notice of new alerts), for `drain`. */
  private readonly deliveries = new Set<Promise<unknown>>();

  private write<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(work);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  constructor(
    private config: AlertingConfig,
    private readonly ports: AlertingPorts,
    private readonly options: AlertingOptions,
  ) {}

  /**
   * Loads what a previous run left — alerts that fire or are still grouped, the groups, the log,
   * escalations — and applies the signals stored after the last one it took (`now` starts the
   * timers of groups they create).
   */
  async start(options?: { now?: number }): Promise<void> {
    for (const alert of await this.ports.repo.activeAlerts()) this.alerts.set(alert.fingerprint, alert);
    for (const group of await this.ports.repo.groups()) this.groups.set(group.groupKey + separator + group.receiver, group);
    for (const l of await this.ports.repo.logEntries()) this.log.set(l.groupKey + separator + l.receiver, l.entry);
    for (const e of await this.ports.repo.escalations()) this.escalations.set(e.groupKey + separator + e.receiver, { policy: e.policy, state: e.state as EscalationState });
    // Signals detection stored that a crash kept from alerting: applied now, in order.
    const missed = await this.ports.repo.signalsNotApplied();
    if (missed.length > 0) await this.onSignals(missed, options?.now);
  }

  /** The escalation of a group, if any (for the console and tests). */
  escalationOf(groupKey: string, receiver: string): EscalationState | null {
    return this.escalations.get(groupKey + separator + receiver)?.state ?? null;
  }

  /** Every escalation held now (escalating, acknowledged or exhausted), with its group and policy (for the console). */
  currentEscalations(): { groupKey: string; receiver: string; policy: string; state: EscalationState }[] {
    // The map's key is the group key, the separator, then the receiver.
    return [...this.escalations].map(([id, e]) => ({ groupKey: e.state.groupKey, receiver: id.slice(e.state.groupKey.length + separator.length), policy: e.policy, state: e.state }));
  }

  /**
   * Forgets log entries older than `cutoff` of groups that have ended, as the store's retention
   * purge deletes them: the log of a live group is its dedup state and stays. Without this the
   * log of every group ever notified would stay in memory until a restart.
   */
  forgetLogBefore(cutoff: number): number {
    let forgotten = 0;
    for (const [id, entry] of this.log) {
      if (entry.at < cutoff && !this.groups.has(id)) {
        this.log.delete(id);
        forgotten++;
      }
    }
    return forgotten;
  }

  /** The configuration in force. */
  currentConfig(): AlertingConfig {
    return this.config;
  }

  /** Replaces the configuration (routes and receivers); groups of routes that no longer exist flush out as they are. */
  setConfig(config: AlertingConfig): void {
    this.config = config;
  }

  /** What mutes each alert now (nothing for a resolved one); the firing alerts are gathered once for the list. */
  suppressionsOf(alerts: readonly Alert[], now: number): Suppression[] {
    const firing = this.firingOnce();
    return alerts.map((alert) => {
      if (alert.endsAt !== null) return { silencedBy: [], inhibitedBy: [], suppressedByParents: [] };
      const flapping = isFlapping(this.changes.get(alert.fingerprint) ?? [], now);
      const base = this.ports.suppression ? this.ports.suppression(alert, firing, now) : { silencedBy: [], inhibitedBy: [], suppressedByParents: [] };
      return flapping ? { ...base, flapping } : base;
    });
  }

  /** The receivers the routing tree sends these labels to, in order, each once. */
  receiversOf(labels: Labels): string[] {
    return [...new Set(matchRoutes(this.config.route, labels).map((m) => m.route.receiver))];
  }

  /** Every firing alert, gathered on the first call of the answered function only. */
  private firingOnce(): () => readonly Alert[] {
    let firing: Alert[] | null = null;
    return () => (firing ??= [...this.alerts.values()].filter((a) => a.endsAt === null));
  }

  /** The alerts currently held (firing, or resolved and not yet sent as such). */
  current(): Alert[] {
    return [...this.alerts.values()];
  }

  /**
   * Applies signals (in order): alerts fire and resolve, new ones join their groups. `receivedAt`
   * starts a new group's timers (Alertmanager counts group_wait from when an alert reaches it);
   * without it, the signal's own time does — the same thing for live data, but a replay of old
   * observations would then flush at once.
   */
  onSignals(signals: readonly SignalForAlerting[], receivedAt?: number): Promise<void> {
    let pending = this.pendingSignals;
    if (!pending) {
      const batch: NonNullable<AlertingService['pendingSignals']> = {
        alerts: new Map(),
        firstSeen: new Set(),
        events: [],
        groups: new Map(),
        lastSignalId: undefined,
        receivedAt: undefined,
        done: Promise.resolve(),
      };
      batch.done = this.write(() => this.writeSignalBatch(batch));
      this.pendingSignals = pending = batch;
    }
    this.applySignals(signals, receivedAt, pending);
    for (const signal of signals) if (signal.id !== undefined) pending.lastSignalId = Math.max(pending.lastSignalId ?? 0, signal.id);
    if (receivedAt !== undefined) pending.receivedAt = Math.max(pending.receivedAt ?? receivedAt, receivedAt);
    return pending.done;
  }

  /**
   * Writes one batch of signal changes. Groups the batch made due (a new group with no
   * group_wait, or one whose wait is over) flush in the same transaction, and their notifications
   * go out as soon as it commits, claimed by this process: the first notice of a new alert waits
   * for neither the next tick nor another round trip.
   */
  private async writeSignalBatch(batch: NonNullable<AlertingService['pendingSignals']>): Promise<void> {
    if (this.pendingSignals === batch) this.pendingSignals = null;
    const now = batch.receivedAt;
    const due = now === undefined ? [] : [...batch.groups.values()].filter((g) => g.nextFlushAt <= now);
    const dropped: string[] = [];
    const firing = this.firingOnce();
    const flushes = due.map((group) => this.flush(group, now!, firing, dropped, now! + claimMs));
    this.forgetUngrouped(dropped);
    const flushed = new Set(due);
    const claimed = await this.ports.repo.saveSignalChanges({
      alerts: [...batch.alerts.values()],
      firstSeen: batch.firstSeen,
      events: batch.events,
      groups: [...batch.groups.values()].filter((g) => !flushed.has(g)),
      ...(batch.lastSignalId !== undefined ? { lastSignalId: batch.lastSignalId } : {}),
      flushes,
    });
    for (const e of batch.events) this.announce(`alert.${e.kind}`, e.at, { fingerprint: e.fingerprint, labels: this.alerts.get(e.fingerprint)?.labels ?? {} });
    if (now === undefined) return;
    this.flushesWritten(flushes, now);
    if (claimed.length > 0) {
      const delivery = this.deliverAndRecord(claimed, now).catch(() => undefined);
      this.deliveries.add(delivery);
      void delivery.finally(() => this.deliveries.delete(delivery));
    }
  }

  /** After flush decisions are stored: the log in memory follows, and the console hears of them. */
  private flushesWritten(writes: readonly FlushWrite[], now: number): void {
    for (const w of writes) {
      if (w.log) this.log.set(w.log.groupKey + separator + w.log.receiver, w.log.entry);
      for (const n of w.notifications) this.announce('notification.decided', now, { groupKey: n.groupKey, receiver: n.receiver, integration: n.integration, reason: n.reason });
    }
  }

  /** Applies signals to the alerts and groups in memory, noting what changed for the next write. */
  private applySignals(
    signals: readonly SignalForAlerting[],
    receivedAt: number | undefined,
    batch: { alerts: Map<string, Alert>; firstSeen: Set<string>; events: AlertEvent[]; groups: Map<string, StoredGroup> },
  ): void {
    const { alerts: changed, events, groups: touchedGroups } = batch;
    for (const signal of signals) {
      for (const change of alertChangesFor(signal)) {
        const before = this.alerts.get(change.fingerprint);
        const after = applyAlertChange(before, change, this.options.generatorURL(change.labels));
        if (!after) continue;
        if (!before) batch.firstSeen.add(after.fingerprint);
        this.alerts.set(after.fingerprint, after);
        changed.set(after.fingerprint, after);
        const kind: AlertEvent['kind'] = after.endsAt !== null ? 'resolved' : before && before.endsAt === null ? 'annotations' : 'fired';
        if (kind !== 'annotations') this.changes.set(after.fingerprint, keepRecentChanges(this.changes.get(after.fingerprint) ?? [], change.at));
        events.push({ fingerprint: after.fingerprint, at: change.at, kind, actor: null, detail: kind === 'fired' ? { labels: after.labels } : {} });
        if (kind === 'fired') for (const group of this.fileIntoGroups(after, Math.max(change.at, receivedAt ?? change.at))) touchedGroups.set(group.groupKey + separator + group.receiver, group);
      }
    }
  }

  /** Acknowledges an alert (who, when, why); answers the alert, or null when it is unknown. */
  acknowledge(fingerprint: string, by: string, comment: string, now: number): Promise<Alert | null> {
    return this.exclusive(() => this.applyAck(fingerprint, by, comment, now));
  }

  private async applyAck(fingerprint: string, by: string, comment: string, now: number): Promise<Alert | null> {
    const alert = this.alerts.get(fingerprint) ?? (await this.ports.repo.alert(fingerprint));
    if (!alert) return null;
    if (alert.acks.some((a) => a.by === by)) return alert;
    const acked: Alert = { ...alert, acks: [...alert.acks, { by, at: now, comment }] };
    if (this.alerts.has(fingerprint)) this.alerts.set(fingerprint, acked);
    await this.write(() => this.ports.repo.saveAlerts([acked], [{ fingerprint, at: now, kind: 'acknowledged', actor: by, detail: { comment } }]));
    this.announce('alert.acknowledged', now, { fingerprint, labels: acked.labels, by, comment });
    // Pages that fell due up to now go out first, then the acknowledgement stops what follows.
    await this.escalate(now);
    for (const [id, group] of this.groups) {
      const escalation = this.escalations.get(id);
      const policy = escalation ? this.config.escalationPolicies.get(escalation.policy) : undefined;
      if (!escalation || !policy || !group.members.includes(fingerprint)) continue;
      const { state } = acknowledgeEscalation(policy, escalation.state, { by, at: now, comment });
      if (state === escalation.state) continue;
      this.escalations.set(id, { policy: escalation.policy, state });
      await this.write(() => this.ports.repo.writeEscalation({ groupKey: group.groupKey, receiver: group.receiver, policy: escalation.policy, state, at: now }, []));
    }
    return acked;
  }

  /** Withdraws one's acknowledgement. */
  unacknowledge(fingerprint: string, by: string, now: number): Promise<Alert | null> {
    return this.exclusive(() => this.applyUnack(fingerprint, by, now));
  }

  private async applyUnack(fingerprint: string, by: string, now: number): Promise<Alert | null> {
    const alert = this.alerts.get(fingerprint) ?? (await this.ports.repo.alert(fingerprint));
    if (!alert) return null;
    const left: Alert = { ...alert, acks: alert.acks.filter((a) => a.by !== by) };
    if (left.acks.length === alert.acks.length) return alert;
    if (this.alerts.has(fingerprint)) this.alerts.set(fingerprint, left);
    await this.write(() => this.ports.repo.saveAlerts([left], [{ fingerprint, at: now, kind: 'unacknowledged', actor: by, detail: {} }]));
    this.announce('alert.unacknowledged', now, { fingerprint, labels: left.labels, by });
    return left;
  }

  /**
   * Adds a comment to an alert's history (who, when, what) without acknowledging it: what a duty
   * officer learned or did. Answers the event, or null when the alert is unknown.
   */
  comment(fingerprint: string, by: string, text: string, now: number): Promise<AlertEvent | null> {
    return this.exclusive(async () => {
      const alert = this.alerts.get(fingerprint) ?? (await this.ports.repo.alert(fingerprint));
      if (!alert) return null;
      const event: AlertEvent = { fingerprint, at: now, kind: 'commented', actor: by, detail: { comment: text } };
      await this.write(() => this.ports.repo.saveAlerts([], [event]));
      this.announce('alert.commented', now, { fingerprint, labels: alert.labels, by, comment: text });
      return event;
    });
  }

  /** Flushes every group whose time has come, then delivers what is due; answers how many were delivered. */
  tick(now: number): Promise<{ flushed: number; delivered: number }> {
    return this.exclusive(() => this.runDue(now));
  }

  /** Resolves when everything submitted so far has been applied and written. */
  async drain(): Promise<void> {
    await this.queue;
    await this.writeChain;
    while (this.deliveries.size > 0) {
      await Promise.all([...this.deliveries]);
      await this.writeChain;
    }
  }

  private async runDue(now: number): Promise<{ flushed: number; delivered: number }> {
    let flushed = 0;
    const due = now >= this.earliestFlushAt ? [...this.groups.values()].filter((g) => g.nextFlushAt <= now).sort((a, b) => a.nextFlushAt - b.nextFlushAt) : [];
    // Every firing alert, for inhibition and dependencies: gathered at most once per tick.
    const firing = this.firingOnce();
    // Every due group's decision is written in one transaction.
    const writes: FlushWrite[] = [];
    const dropped: string[] = [];
    for (const group of due) {
      writes.push(this.flush(group, now, firing, dropped));
      flushed++;
    }
    this.forgetUngrouped(dropped);
    if (due.length > 0 || now >= this.earliestFlushAt) {
      let earliest = Infinity;
      for (const g of this.groups.values()) if (g.nextFlushAt < earliest) earliest = g.nextFlushAt;
      this.earliestFlushAt = earliest;
    }
    await this.write(() => this.ports.repo.writeFlushes(writes));
    this.flushesWritten(writes, now);
    await this.escalate(now);
    return { flushed, delivered: await this.deliverDue(now) };
  }

  /** When the next group flush or escalation step is due (for a scheduler), or null. */
  nextDueAt(): number | null {
    let next: number | null = null;
    for (const g of this.groups.values()) if (next === null || g.nextFlushAt < next) next = g.nextFlushAt;
    for (const e of this.escalations.values()) {
      if (e.state.status === 'escalating' && (next === null || e.state.cursor.at < next)) next = e.state.cursor.at;
    }
    return next;
  }

  /** Emits every escalation page due by `now`, each once, with its state, in one transaction per group. */
  private async escalate(now: number): Promise<void> {
    for (const [id, escalation] of this.escalations) {
      const group = this.groups.get(id);
      const policy = this.config.escalationPolicies.get(escalation.policy);
      if (!group || !policy || escalation.state.status !== 'escalating') continue;
      const { actions, state } = dueActions(policy, escalation.state, now);
      if (actions.length === 0 && state === escalation.state) continue;
      const pages = actions.flatMap((action) => this.pagesFor(group, action, now));
      this.escalations.set(id, { policy: escalation.policy, state });
      await this.write(() => this.ports.repo.writeEscalation({ groupKey: group.groupKey, receiver: group.receiver, policy: escalation.policy, state, at: now }, pages));
      for (const page of pages) this.announce('escalation.paged', now, { groupKey: page.groupKey, receiver: page.receiver, reason: page.reason });
    }
  }

  private announce(type: string, at: number, data: Record<string, unknown>): void {
    this.ports.events?.publish({ type, at, data });
  }

  /** The responders a step's targets reach at the instant it fell due. */
  private respondersFor(targets: readonly EscalationTarget[], at: number): string[] {
    const out = new Set<string>();
    for (const target of targets) {
      if ('user' in target) out.add(target.user);
      else if ('team' in target) for (const m of this.config.teams.get(target.team)?.members ?? []) out.add(m);
      else {
        const schedule = this.config.schedules.get(target.schedule);
        const onCall = schedule ? onCallAt(schedule, at) : null;
        if (onCall) out.add(onCall.responder);
      }
    }
    return [...out];
  }

  /** One notification per integration of each paged responder's receiver, about the group's firing alerts. */
  private pagesFor(group: StoredGroup, action: EscalationAction, now: number): NewNotification[] {
    const firing = group.members.map((fp) => this.alerts.get(fp)).filter((a): a is Alert => a !== undefined && a.endsAt === null);
    const route = routeAt(this.config.route, group.routePath) ?? this.config.route;
    const out: NewNotification[] = [];
    for (const responderId of this.respondersFor(action.targets, action.at)) {
      const responder = this.config.responders.get(responderId);
      const receiver = responder ? this.config.receivers.find((r) => r.name === responder.receiver) : undefined;
      if (!receiver) continue;
      const reason = `escalation step ${action.step + 1}, round ${action.round + 1}: page ${responderId}`;
      for (const integration of integrationsOf(receiver)) {
        out.push({
          groupKey: group.groupKey,
          receiver: receiver.name,
          integration: `${integration.kind}[${integration.index}]`,
          reason,
          payload: webhookBody({
            receiver: receiver.name,
            alerts: firing.map(toPayloadAlert),
            groupLabels: group.groupLabels,
            routePath: matchersAlong(this.config.route, group.routePath),
            routeLabels: route.labels,
            externalURL: this.options.externalURL,
            maxAlerts: integration.kind === 'webhook' ? integration.config.maxAlerts : 0,
            notificationReason: reason,
          }),
          createdAt: now,
        });
      }
    }
    return out;
  }

  private fileIntoGroups(alert: Alert, now: number): StoredGroup[] {
    const out: StoredGroup[] = [];
    for (const { route, path } of matchRoutes(this.config.route, alert.labels)) {
      const groupLabels = groupLabelsFor(route, alert.labels);
      const key = groupKey(matchersAlong(this.config.route, path), groupLabels);
      const id = key + separator + route.receiver;
      let group = this.groups.get(id);
      if (!group) {
        group = { groupKey: key, receiver: route.receiver, routePath: path, groupLabels, createdAt: now, nextFlushAt: firstFlushAt(now, route), members: [] };
        this.groups.set(id, group);
        this.earliestFlushAt = Math.min(this.earliestFlushAt, group.nextFlushAt);
      }
      if (!group.members.includes(alert.fingerprint)) group.members = [...group.members, alert.fingerprint];
      out.push(group);
    }
    return out;
  }

  /** Decides one group's flush, updating memory; answers what to write (the caller writes a tick's flushes together). */
  private flush(group: StoredGroup, now: number, firing: () => readonly Alert[], droppedOut: string[], claimedUntil?: number): FlushWrite {
    const id = group.groupKey + separator + group.receiver;
    const route = routeAt(this.config.route, group.routePath) ?? this.config.route;
    const receiver = this.config.receivers.find((r) => r.name === group.receiver);
    const members: GroupMember[] = group.members
      .map((fp) => this.alerts.get(fp))
      .filter((a): a is Alert => a !== undefined)
      .map((alert) => ({
        alert,
        // Held: muted now, or flapping. A flapping alert's resolution is held too, unless its page went out.
        suppressed:
          isFlapping(this.changes.get(alert.fingerprint) ?? [], now) ||
          (alert.endsAt === null && this.ports.suppression !== undefined && isSuppressed(this.ports.suppression(alert, firing, now))),
      }));
    const sendResolved = receiver ? [...receiver.webhooks, ...receiver.emails, ...receiver.sms].some((i) => i.sendResolved) : false;
    const last = this.log.get(id) ?? null;
    const decision = decideFlush({
      members,
      last,
      timing: route,
      sendResolved,
      muted: routeMutedAt(this.config, route, now),
      now,
    });
    const notifications: NewNotification[] = [];
    // What this notice is the first to tell: alerts firing or resolved since the last one logged.
    const changed = decision.notify ? changedSince(last, decision.notify) : undefined;
    if (decision.notify && !decision.notify.logOnly && receiver) {
      for (const integration of integrationsOf(receiver)) {
        const included = integration.config.sendResolved ? [...decision.notify.firing, ...decision.notify.resolved] : decision.notify.firing;
        if (included.length === 0) continue;
        notifications.push({
          groupKey: group.groupKey,
          receiver: group.receiver,
          integration: `${integration.kind}[${integration.index}]`,
          reason: decision.notify.reason,
          payload: webhookBody({
            receiver: group.receiver,
            alerts: included.map(toPayloadAlert),
            groupLabels: group.groupLabels,
            routePath: matchersAlong(this.config.route, group.routePath),
            routeLabels: route.labels,
            externalURL: this.options.externalURL,
            maxAlerts: integration.kind === 'webhook' ? integration.config.maxAlerts : 0,
            notificationReason: decision.notify.reason,
            changed: {
              firing: changed!.firing,
              resolved: integration.config.sendResolved ? changed!.resolved : [],
            },
          }),
          createdAt: now,
          ...(claimedUntil !== undefined ? { claimedUntil } : {}),
        });
      }
    }
    const dropped = new Set(decision.drop);
    group.members = group.members.filter((fp) => !dropped.has(fp));
    group.nextFlushAt = decision.nextFlushAt;
    droppedOut.push(...dropped);
    const ended = group.members.length === 0;
    if (ended) this.groups.delete(id);
    // A group whose route has a policy starts escalating with its first notice of firing alerts;
    // it stops when every alert has resolved.
    let escalation: { groupKey: string; receiver: string; policy: string; state: EscalationState | null; at: number } | null = null;
    const current = this.escalations.get(id);
    const policy = route.escalationPolicy ? this.config.escalationPolicies.get(route.escalationPolicy) : undefined;
    const stillFiring = group.members.some((fp) => this.alerts.get(fp)?.endsAt === null);
    if (current && (ended || !stillFiring)) {
      this.escalations.delete(id);
      escalation = { groupKey: group.groupKey, receiver: group.receiver, policy: current.policy, state: null, at: now };
    } else if (!current && policy && decision.notify && decision.notify.firing.length > 0 && !decision.notify.logOnly) {
      const state = startEscalation(policy, group.groupKey, now);
      this.escalations.set(id, { policy: policy.name, state });
      escalation = { groupKey: group.groupKey, receiver: group.receiver, policy: policy.name, state, at: now };
    }
    return {
      escalation,
      group: ended ? null : group,
      deleteGroup: ended ? { groupKey: group.groupKey, receiver: group.receiver } : null,
      log: decision.notify
        ? {
            groupKey: group.groupKey,
            receiver: group.receiver,
            entry: { at: now, firing: decision.notify.firing.map((a) => a.fingerprint), resolved: decision.notify.resolved.map((a) => a.fingerprint) },
          }
        : null,
      notifications,
    };
  }

  /**
   * Forgets resolved alerts that left their groups this tick and are in no other: one pass over
   * the groups per tick, not one per alert (a tick can drop thousands).
   */
  private forgetUngrouped(dropped: readonly string[]): void {
    if (dropped.length === 0) return;
    const grouped = new Set<string>();
    for (const g of this.groups.values()) for (const fp of g.members) grouped.add(fp);
    for (const fp of dropped) {
      const alert = this.alerts.get(fp);
      if (alert && alert.endsAt !== null && !grouped.has(fp)) this.alerts.delete(fp);
    }
  }

  /**
   * Delivers what is due, several at a time (a slow receiver must not hold up the others), then
   * records every attempt of the tick in one transaction.
   */
  private async deliverDue(now: number): Promise<number> {
    const due = (await this.ports.repo.dueNotifications(now, 1000)).filter((n) => !this.inFlight.has(n.id));
    return await this.deliverAndRecord(due, now);
  }

  /** Delivers notifications, at most `deliveryConcurrency` at once, and records every attempt in one transaction; answers how many were delivered. */
  private async deliverAndRecord(due: readonly StoredNotification[], now: number): Promise<number> {
    let delivered = 0;
    for (const n of due) this.inFlight.add(n.id);
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await mapConcurrently(due, deliveryConcurrency, async (notification) => {
        const receiver = this.config.receivers.find((r) => r.name === notification.receiver);
        const integration = receiver ? integrationsOf(receiver).find((i) => `${i.kind}[${i.index}]` === notification.integration) : undefined;
        return integration
          ? this.ports.deliver(notification, integration)
          : { ok: false, status: null, error: `receiver ${notification.receiver} has no ${notification.integration} any more`, retryable: false, durationMs: 0 };
      });
    } catch (err) {
      for (const n of due) this.inFlight.delete(n.id);
      throw err;
    }
    const records = due.map((notification, k) => {
      const outcome: DeliveryOutcome = outcomes[k]!;
      const attempt = notification.attempts + 1;
      const decision = this.ports.retry(outcome, attempt, now);
      return { notification, outcome, attempt, decision };
    });
    try {
      await this.write(() =>
        this.ports.repo.recordAttempts(
          records.map(({ notification, outcome, attempt, decision }) => ({
            id: notification.id,
            attempt: { number: attempt, at: now, ok: outcome.ok, status: outcome.status, error: outcome.error, durationMs: outcome.durationMs },
            next:
              decision.kind === 'delivered'
                ? { status: 'delivered' as const, nextAttemptAt: null }
                : decision.kind === 'retry'
                  ? { status: 'pending' as const, nextAttemptAt: decision.at }
                  : { status: 'dead-letter' as const, nextAttemptAt: null },
          })),
        ),
      );
    } finally {
      // Recorded (or the record failed and the claim or due time brings it back): no longer ours.
      for (const n of due) this.inFlight.delete(n.id);
    }
    for (const { notification, outcome, attempt, decision } of records) {
      if (decision.kind === 'delivered') delivered++;
      this.announce(`notification.${decision.kind === 'retry' ? 'retrying' : decision.kind}`, now, {
        id: notification.id,
        groupKey: notification.groupKey,
        receiver: notification.receiver,
        integration: notification.integration,
        attempt,
        ...(outcome.error ? { error: outcome.error } : {}),
      });
    }
    return delivered;
  }
}

/**
 * How long a notification decided with signals is claimed by the process delivering it at once:
 * a tick (or, after a crash, a restarted process) takes it only after this. Well above a
 * receiver's timeout, so a slow delivery is not sent twice.
 */
const claimMs = 60_000;

/** How many deliveries run at once. */
const deliveryConcurrency = 32;

/** `work` over the items, at most `limit` at a time; answers the results in the items' order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      results[k] = await work(items[k]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function integrationsOf(receiver: ReceiverConfig): Integration[] {
  return [
    ...receiver.webhooks.map((config, index) => ({ kind: 'webhook' as const, index, config })),
    ...receiver.emails.map((config, index) => ({ kind: 'email' as const, index, config })),
    ...receiver.sms.map((config, index) => ({ kind: 'sms' as const, index, config })),
  ];
}

/** The fingerprints a notification is the first to tell as firing or as resolved, given the last one logged. */
function changedSince(last: NotificationLogEntry | null, notify: { firing: readonly Alert[]; resolved: readonly Alert[] }): { firing: string[]; resolved: string[] } {
  const toldFiring = new Set(last?.firing ?? []);
  const toldResolved = new Set(last?.resolved ?? []);
  return {
    firing: notify.firing.map((a) => a.fingerprint).filter((fp) => !toldFiring.has(fp)),
    resolved: notify.resolved.map((a) => a.fingerprint).filter((fp) => !toldResolved.has(fp)),
  };
}

/** RFC 3339 with milliseconds trimmed as Go prints them. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function toPayloadAlert(alert: Alert): PayloadAlert {
  return {
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: rfc3339(alert.startsAt),
    endsAt: alert.endsAt === null ? null : rfc3339(alert.endsAt),
    generatorURL: alert.generatorURL,
  };
}
