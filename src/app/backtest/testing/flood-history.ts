import type { Observation } from '../../../domain/observations/observation.ts';

/**
 * A crafted history with hand-computed answers, shared by the backtest's tests: two river gauges
 * read every 15 minutes for two days from 2026-11-20 00:00 UTC.
 *
 * - ST001.level (area D01) floods on the 20th: 4.0 from 10:00, 4.8 from 11:00, 5.2 from 14:00,
 *   back to 4.0 at 15:00 and 3.0 at 16:00; a spurious 4.7 from 06:00 to 06:45 on the 21st.
 *   Under `river-level-bands` (yellow 4.5, orange 5.0, hysteresis 0.1, for 30m) it fires yellow
 *   at 11:30, turns orange at 14:30, resolves at 15:00; fires again at 06:30 on the 21st and
 *   resolves at 07:00.
 * - ST002.level (area D02) reads 2.0 but is silent after 12:00 on the 20th until 15:00. Under
 *   `gauge-silent` (staleness after 1h, ticks every minute) it fires at 13:01 and resolves at 15:00.
 */
export const t0 = Date.UTC(2026, 10, 20);
export const minute = 60_000;
export const hour = 60 * minute;

/** Value of ST001 at reading i (every 15 minutes from t0). */
function st001(i: number): number {
  if (i >= 40 && i <= 43) return 4.0;
  if (i >= 44 && i <= 55) return 4.8;
  if (i >= 56 && i <= 59) return 5.2;
  if (i >= 60 && i <= 63) return 4.0;
  if (i >= 120 && i <= 123) return 4.7;
  return 3.0;
}

/** The observations, in the order a file would list them: all of ST001, then all of ST002. */
export function floodObservations(): Observation[] {
  const out: Observation[] = [];
  for (let i = 0; i < 192; i++) {
    const meta = i === 0 ? { meta: { indicator: 'river_level', domain: 'natural' as const, area: 'D01', unit: 'm' } } : {};
    out.push({ series: 'ST001.level', t: t0 + i * 15 * minute, v: st001(i), ...meta });
  }
  for (let i = 0; i < 192; i++) {
    if (i > 48 && i < 60) continue;
    const meta = i === 0 ? { meta: { indicator: 'river_level', domain: 'natural' as const, area: 'D02', unit: 'm' } } : {};
    out.push({ series: 'ST002.level', t: t0 + i * 15 * minute, v: 2.0, ...meta });
  }
  return out;
}

/** The same observations as NDJSON lines (metadata on each series' first line). */
export function floodNdjson(): string {
  return floodObservations()
    .map((o) => JSON.stringify({ series: o.series, t: new Date(o.t).toISOString(), v: o.v, ...(o.meta ?? {}) }))
    .join('\n');
}

/** The two rules, as one YAML file. */
export const floodRulesYaml = `
- name: river-level-bands
  select: { indicator: river_level }
  detector: { type: bands, levels: { yellow: 4.5, orange: 5.0 }, hysteresis: 0.1 }
  for: 30m
  labels: { hazard: flood }
  annotations: { summary: "River level at {{series}} is {{level}} ({{value}} m)" }
- name: gauge-silent
  select: { indicator: river_level }
  detector: { type: staleness, after: 1h }
`;

/**
 * Truth: the flood at ST001 (known at its 14:00 peak), a minor flood in area D01 on the 21st that
 * no gauge showed (missed), and ST002's outage (truth for the staleness rule only).
 */
export const floodTruthCsv = [
  'series,area,rule,start,end,known,label',
  'ST001.level,,river-*,2026-11-20T10:00:00Z,2026-11-20T18:00:00Z,2026-11-20T14:00:00Z,Flood of 20 November',
  ',D01,river-*,2026-11-21T18:00:00Z,2026-11-21T20:00:00Z,,Minor flood <not seen>',
  'ST002.level,,gauge-*,2026-11-20T12:00:00Z,2026-11-20T15:00:00Z,,ST002 outage',
  '',
].join('\n');
