/**
 * How well a rule would have done, as pure functions over alarm times and truth periods.
 *
 * - alarm: a `firing` signal (escalations and resolutions are not new alarms);
 * - an event is detected when an alarm on one of its series falls in [start, end];
 * - delay: first such alarm − start; lead time: known − first such alarm (events with `known` only);
 * - false alarm: an alarm outside every truth period of its own series (a series with no period
 *   at all has only false alarms: the truth file is taken as complete);
 * - PPV: alarms inside a truth period of their series / all alarms;
 * - false alarms per year: false alarms / the data's time span in Julian years (365.25 d).
 */

/** A truth period as metrics see it: an id (its CSV line) and its times, epoch ms. */
export interface TruthWindow {
  id: number;
  start: number;
  end: number;
  known: number | null;
}

/** One series as metrics see it: its alarm times and the truth periods that concern it. */
export interface MetricsUnit {
  key: string;
  /** Epoch ms of each alarm, any order. */
  alarms: readonly number[];
  periods: readonly TruthWindow[];
}

/** The figures of one series, or of a rule over all its series. Null where undefined (0/0) or without truth. */
export interface BacktestMetrics {
  alarms: number;
  events: number | null;
  detected: number | null;
  /** detected / events. */
  sensitivity: number | null;
  falseAlarms: number | null;
  falseAlarmsPerYear: number | null;
  /** Positive predictive value: alarms inside truth periods / alarms. */
  ppv: number | null;
  medianDelayMs: number | null;
  medianLeadMs: number | null;
}

/** What became of one event. */
export interface EventOutcome {
  id: number;
  detected: boolean;
  /** The first alarm in [start, end] and its series, or null. */
  firstAlarm: { t: number; series: string } | null;
  delayMs: number | null;
  leadMs: number | null;
}

/** A Julian year in ms: the unit of false alarms per year. */
export const yearMs = 365.25 * 86_400_000;

/**
 * The metrics of a set of series (one series, or every series a rule watched). An event shared by
 * several series (an area's flood) counts once, detected by the first alarm on any of them.
 * `withTruth` false leaves every truth-based figure null. `spanMs` is the data's time span.
 */
export function computeMetrics(units: readonly MetricsUnit[], spanMs: number, withTruth: boolean): { metrics: BacktestMetrics; events: EventOutcome[] } {
  const alarms = units.reduce((n, u) => n + u.alarms.length, 0);
  if (!withTruth) {
    const none = { events: null, detected: null, sensitivity: null, falseAlarms: null, falseAlarmsPerYear: null, ppv: null, medianDelayMs: null, medianLeadMs: null };
    return { metrics: { alarms, ...none }, events: [] };
  }
  let inside = 0;
  const windows = new Map<number, TruthWindow>();
  const first = new Map<number, { t: number; series: string }>();
  for (const unit of units) {
    for (const p of unit.periods) windows.set(p.id, p);
    for (const t of unit.alarms) {
      let within = false;
      for (const p of unit.periods) {
        if (t < p.start || t > p.end) continue;
        within = true;
        const earlier = first.get(p.id);
        if (!earlier || t < earlier.t || (t === earlier.t && unit.key < earlier.series)) first.set(p.id, { t, series: unit.key });
      }
      if (within) inside++;
    }
  }
  const events: EventOutcome[] = [...windows.values()]
    .sort((a, b) => a.id - b.id)
    .map((p) => {
      const hit = first.get(p.id) ?? null;
      return {
        id: p.id,
        detected: hit !== null,
        firstAlarm: hit,
        delayMs: hit === null ? null : hit.t - p.start,
        leadMs: hit === null || p.known === null ? null : p.known - hit.t,
      };
    });
  const detected = events.filter((e) => e.detected).length;
  const falseAlarms = alarms - inside;
  return {
    metrics: {
      alarms,
      events: events.length,
      detected,
      sensitivity: ratio(detected, events.length),
      falseAlarms,
      falseAlarmsPerYear: spanMs > 0 ? falseAlarms / (spanMs / yearMs) : null,
      ppv: ratio(inside, alarms),
      medianDelayMs: median(events.flatMap((e) => (e.delayMs === null ? [] : [e.delayMs]))),
      medianLeadMs: median(events.flatMap((e) => (e.leadMs === null ? [] : [e.leadMs]))),
    },
    events,
  };
}

/** The median (the mean of the two middle values for an even count), or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
