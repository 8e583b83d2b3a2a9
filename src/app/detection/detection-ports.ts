import type { Store } from '../../store/sql-client.ts';
import { SeriesRepo } from '../../store/repos/series-repo.ts';
import { ObservationsRepo } from '../../store/repos/observations-repo.ts';
import { DetectionRepo, type SignalRecord } from '../../store/repos/detection-repo.ts';
import type { EventPublisher } from '../event-hub.ts';
import type { Clock } from '../../domain/kernel/clock.ts';
import type { DetectionPorts } from './detection-engine.ts';

/** Most observations replayed per series at recovery (the checkpoint interval keeps it far smaller). */
const replayLimit = 1_000_000;

/** The engine's ports over the real store, announcing each new signal as a `signal` event. */
export function detectionPorts(store: Store, events: EventPublisher, clock: Clock): DetectionPorts {
  const series = new SeriesRepo(store);
  const observations = new ObservationsRepo(store);
  const detection = new DetectionRepo(store);
  return {
    async seriesInfo(ids) {
      const rows = await series.byIds(ids);
      return new Map(rows.map((s) => [s.id, { id: s.id, key: s.key, domain: s.domain, indicator: s.indicator, area: s.area, labels: s.labels }]));
    },
    insertSignals: (signals) => detection.insertSignals(signals),
    saveStates: (states) => detection.saveStates(states),
    loadStates: () => detection.allStates(),
    saveCompositeStates: (states) => detection.saveCompositeStates(states),
    loadCompositeStates: () => detection.allCompositeStates(),
    observationsAfter: (seriesId, afterMs) => observations.range(seriesId, { from: afterMs + 1 }, replayLimit),
    onSignals(signals: readonly SignalRecord[]) {
      for (const s of signals) events.publish({ type: 'signal', at: clock.now(), data: signalEventData(s) });
    },
  };
}

/** A signal as the event stream and the API show it. */
export function signalEventData(s: SignalRecord): Record<string, unknown> {
  return {
    id: s.id,
    rule: s.rule,
    series: s.seriesKey,
    t: new Date(s.t).toISOString(),
    kind: s.kind,
    level: s.level,
    previousLevel: s.previousLevel,
    value: s.value,
    upperbound: s.upperbound,
    labels: s.labels,
    annotations: s.annotations,
    extras: s.extras,
  };
}
