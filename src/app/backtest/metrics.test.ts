import { describe, expect, it } from 'vitest';
import { computeMetrics, median, yearMs, type BacktestMetrics, type MetricsUnit } from './metrics.ts';

const h = 3_600_000;
const day = 24 * h;

/** Every figure null but the alarm count (no truth). */
const alarmsOnly = (alarms: number): BacktestMetrics => ({
  alarms,
  events: null,
  detected: null,
  sensitivity: null,
  falseAlarms: null,
  falseAlarmsPerYear: null,
  ppv: null,
  medianDelayMs: null,
  medianLeadMs: null,
});

interface Case {
  name: string;
  units: MetricsUnit[];
  spanMs: number;
  withTruth?: boolean;
  expected: BacktestMetrics;
  /** id:detected:delay:lead per event, `-` for null. */
  events?: string[];
}

const cases: Case[] = [
  {
    name: 'no truth: only alarms are counted',
    units: [{ key: 'A', alarms: [1 * h, 5 * h], periods: [] }],
    spanMs: day,
    withTruth: false,
    expected: alarmsOnly(2),
  },
  {
    name: 'one event caught 2 h after its start, 3 h before it was known; one alarm outside it',
    // Event [10h, 20h], known at 15h; alarms at 12h (inside) and 30h (outside).
    units: [{ key: 'A', alarms: [30 * h, 12 * h], periods: [{ id: 2, start: 10 * h, end: 20 * h, known: 15 * h }] }],
    spanMs: 73.05 * day, // a fifth of a year: 1 false alarm is 5 per year
    expected: {
      alarms: 2,
      events: 1,
      detected: 1,
      sensitivity: 1,
      falseAlarms: 1,
      falseAlarmsPerYear: 5,
      ppv: 0.5,
      medianDelayMs: 2 * h,
      medianLeadMs: 3 * h,
    },
    events: ['2:yes:2h:3h'],
  },
  {
    name: 'alarms on the very start and end of a period are inside it; one just before is not',
    units: [{ key: 'A', alarms: [10 * h - 1, 10 * h, 20 * h], periods: [{ id: 2, start: 10 * h, end: 20 * h, known: null }] }],
    spanMs: yearMs,
    expected: {
      alarms: 3,
      events: 1,
      detected: 1,
      sensitivity: 1,
      falseAlarms: 1,
      falseAlarmsPerYear: 1,
      ppv: 2 / 3,
      medianDelayMs: 0,
      medianLeadMs: null,
    },
    events: ['2:yes:0s:-'],
  },
  {
    name: 'a missed event: sensitivity 0, no delay; alarms with no truth period are all false',
    units: [{ key: 'A', alarms: [1 * h], periods: [{ id: 3, start: 10 * h, end: 20 * h, known: 12 * h }] }],
    spanMs: yearMs / 2,
    expected: {
      alarms: 1,
      events: 1,
      detected: 0,
      sensitivity: 0,
      falseAlarms: 1,
      falseAlarmsPerYear: 2,
      ppv: 0,
      medianDelayMs: null,
      medianLeadMs: null,
    },
    events: ['3:no:-:-'],
  },
  {
    name: 'no alarms and no events: the ratios are undefined, not zero',
    units: [{ key: 'A', alarms: [], periods: [] }],
    spanMs: day,
    expected: {
      alarms: 0,
      events: 0,
      detected: 0,
      sensitivity: null,
      falseAlarms: 0,
      falseAlarmsPerYear: 0,
      ppv: null,
      medianDelayMs: null,
      medianLeadMs: null,
    },
    events: [],
  },
  {
    name: 'an event shared by two series counts once, detected by the earliest alarm on either',
    // Area event [0, 10h] known 8h on both A and B; A alarms at 6h, B at 4h: delay 4h, lead 4h.
    units: [
      { key: 'A', alarms: [6 * h], periods: [{ id: 5, start: 0, end: 10 * h, known: 8 * h }] },
      { key: 'B', alarms: [4 * h], periods: [{ id: 5, start: 0, end: 10 * h, known: 8 * h }] },
    ],
    spanMs: day,
    expected: {
      alarms: 2,
      events: 1,
      detected: 1,
      sensitivity: 1,
      falseAlarms: 0,
      falseAlarmsPerYear: 0,
      ppv: 1,
      medianDelayMs: 4 * h,
      medianLeadMs: 4 * h,
    },
    events: ['5:yes:4h:4h'],
  },
  {
    name: "an alarm inside another series' event is false on its own series",
    // B has no period of its own: its alarm at 5h is false although A's event covers 5h.
    units: [
      { key: 'A', alarms: [], periods: [{ id: 2, start: 0, end: 10 * h, known: null }] },
      { key: 'B', alarms: [5 * h], periods: [] },
    ],
    spanMs: day,
    expected: {
      alarms: 1,
      events: 1,
      detected: 0,
      sensitivity: 0,
      falseAlarms: 1,
      falseAlarmsPerYear: yearMs / day,
      ppv: 0,
      medianDelayMs: null,
      medianLeadMs: null,
    },
    events: ['2:no:-:-'],
  },
  {
    name: 'medians over detected events: an even count takes the mean of the middle two; a late alarm gives a negative lead',
    // Events at 0, 100h, 200h, 300h (10 h long); delays 1h, 2h, 4h; the fourth is missed.
    // Leads: known 5h after start → 4h, 3h, 1h; the third's known is before its alarm: -3h.
    units: [
      {
        key: 'A',
        alarms: [1 * h, 102 * h, 204 * h, 204.5 * h],
        periods: [
          { id: 2, start: 0, end: 10 * h, known: 5 * h },
          { id: 3, start: 100 * h, end: 110 * h, known: 105 * h },
          { id: 4, start: 200 * h, end: 210 * h, known: 201 * h },
          { id: 5, start: 300 * h, end: 310 * h, known: null },
        ],
      },
    ],
    spanMs: yearMs,
    expected: {
      alarms: 4,
      events: 4,
      detected: 3,
      sensitivity: 0.75,
      falseAlarms: 0,
      falseAlarmsPerYear: 0,
      ppv: 1,
      medianDelayMs: 2 * h,
      medianLeadMs: 3 * h,
    },
    events: ['2:yes:1h:4h', '3:yes:2h:3h', '4:yes:4h:-3h', '5:no:-:-'],
  },
  {
    name: 'overlapping periods: one alarm detects both and counts once as inside',
    units: [
      {
        key: 'A',
        alarms: [5 * h],
        periods: [
          { id: 2, start: 0, end: 10 * h, known: null },
          { id: 3, start: 4 * h, end: 6 * h, known: null },
        ],
      },
    ],
    spanMs: 0,
    expected: {
      alarms: 1,
      events: 2,
      detected: 2,
      sensitivity: 1,
      falseAlarms: 0,
      // A history of one instant has no span to divide by.
      falseAlarmsPerYear: null,
      ppv: 1,
      medianDelayMs: 3 * h,
      medianLeadMs: null,
    },
    events: ['2:yes:5h:-', '3:yes:1h:-'],
  },
];

const hours = (ms: number | null) => (ms === null ? '-' : ms === 0 ? '0s' : `${ms / h}h`);

describe('backtest metrics', () => {
  it.each(cases)('$name', ({ units, spanMs, withTruth, expected, events }) => {
    const result = computeMetrics(units, spanMs, withTruth ?? true);
    // Per year is a division by a fraction of a year: compared to floating-point precision.
    if (expected.falseAlarmsPerYear === null) expect(result.metrics.falseAlarmsPerYear).toBeNull();
    else expect(result.metrics.falseAlarmsPerYear).toBeCloseTo(expected.falseAlarmsPerYear, 9);
    expect({ ...result.metrics, falseAlarmsPerYear: null }).toEqual({ ...expected, falseAlarmsPerYear: null });
    if (events) {
      expect(result.events.map((e) => `${e.id}:${e.detected ? 'yes' : 'no'}:${hours(e.delayMs)}:${hours(e.leadMs)}`)).toEqual(events);
    }
  });

  it('names the series of the first alarm of each event', () => {
    const { events } = computeMetrics(
      [
        { key: 'B', alarms: [3 * h], periods: [{ id: 2, start: 0, end: 10 * h, known: null }] },
        { key: 'A', alarms: [3 * h], periods: [{ id: 2, start: 0, end: 10 * h, known: null }] },
      ],
      day,
      true,
    );
    // A tie in time goes to the first key in order, so results do not depend on input order.
    expect(events[0]!.firstAlarm).toEqual({ t: 3 * h, series: 'A' });
  });

  it.each([
    [[], null],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[-5, 5], 0],
  ] as [number[], number | null][])('median of %j is %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
