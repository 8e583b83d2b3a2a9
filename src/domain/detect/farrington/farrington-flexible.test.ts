import { describe, expect, it } from 'vitest';
import { farrington1996, noufaily2013, parseFarringtonControl } from './control.ts';
import { farringtonFlexibleSeries, type FarringtonMode, type FarringtonSeriesResult } from './farrington-flexible.ts';
import { salmonellaAgona } from './testing/salmonella-agona.ts';

/**
 * Modes `r` and `textbook`, each against its own reference, on salmonella.agona (the shared
 * conformance case agona_farrington1996, t = 264…312), so they run without ../shared.
 *
 * R mode: R surveillance 1.20.3 as published (also in agona_farrington1996.csv).
 * Textbook mode: the same R code with the one line `model$weights <- omega` of
 * algo.farrington.fitGLM.flexible removed, so summary.glm/predict.glm use the reweighted glm's
 * own dispersion; at t = 264 the value also equals a hand refit (glm with weights = omega,
 * predict on that untouched model). Script: testing/textbook-reference.R; every number below
 * is printed by it with 17 significant digits.
 */

const FIRST = 264;
const range = Array.from({ length: 312 - FIRST + 1 }, (_, i) => FIRST + i);
const series = { observed: [...salmonellaAgona], freq: 52, epochAsDate: false };
const original = parseFarringtonControl({ ...farrington1996, range });
const muan = parseFarringtonControl({ ...noufaily2013, thresholdMethod: 'muan', range });

/** Textbook upper bounds of the Farrington 1996 settings at t = 264…312 (null: R's NA). */
const textbookUpperbound = [
  3.9362717964561638, 3.8553438816411387, 3.6965292872680986, 3.8072466292163551,
  4.5394834083482705, 4.8914063156489602, null, 4.5967141315961477,
  null, 4.4556033581731871, 3.7433347556280658, null,
  null, null, null, null,
  null, null, 4.9261740069243967, 5.0827250814905964,
  5.5960737921508716, 6.0055973914055443, 6.4428947544991706, 7.4964123681156858,
  8.474526183511502, 8.9099117840619062, 9.0728423861443019, 9.5837075972249863,
  8.9246126566973043, 9.0979338714996736, 9.2832764515796775, 8.5880563097904439,
  8.6314808008210573, 8.4977115695176728, 8.4249463400600142, 8.4249461801543291,
  8.1177092785376637, 7.3290019807798288, 7.4723965554228897, 7.2887489266683874,
  7.5368109242423795, 6.5857587738240158, 4.1914171724408575, 6.426440550185796,
  6.1008345997150046, 5.8167092823285911, 5.5926243663950901, 5.2246338005468695,
  11.88994984912634,
];

/** Textbook mu0 (R's mu0Vector) of the Noufaily settings with thresholdMethod "muan", t = 264…312. */
const textbookMuanMu0 = [
  1.5514613451746959, 1.5341266743513811, 1.4909687042728581, 1.5027161314971935,
  1.7362133282362124, 1.8429322769302459, 1.8130572008318184, 1.7391406734717074,
  1.6527521597296917, 1.7555219662457093, 1.493489180698317, 1.3935507177843949,
  1.3168313285783357, 1.3829944704111743, 1.6307032086703965, 1.7502097981668419,
  1.9616069893883072, 2.3553145595692104, 2.4154347819446214, 2.5021321255869355,
  2.8531319555713508, 2.8850980255832166, 3.1130192762802262, 3.3859865038764752,
  3.424278841320112, 3.6813380015427564, 4.1388768288857261, 4.4726558558040548,
  4.3205646885022624, 4.7571696484402057, 4.9731849905227286, 4.6892237479599919,
  5.1147793899268841, 4.8091971158174909, 4.6653797396411143, 4.7993154298430092,
  4.1384705579658068, 3.9719022618120312, 3.6816359699252073, 3.3058003634346251,
  3.545875312367043, 2.9462978816725078, 2.8491222163734893, 2.6205025492037137,
  2.3223339423916203, 2.317674613574892, 2.1855399704185192, 2.2106586270715121,
  2.3962061228862552,
];

/** Where each mode alarms and keeps the trend, by R (t). */
const reference: Record<FarringtonMode, { alarms: number[]; trend: number[]; muanAlarms: number[] }> = {
  r: { alarms: [264, 266, 284, 285], trend: [279, 280, 289, 290, 291, 292, 293, 302, 304, 305, 306, 307, 311, 312], muanAlarms: [264, 284] },
  textbook: { alarms: [264, 266, 284], trend: [280, 306, 312], muanAlarms: [264] },
};

const at = (r: FarringtonSeriesResult, column: keyof FarringtonSeriesResult) => range.map((t) => r[column][t - 1] ?? null);
const where = (r: FarringtonSeriesResult, column: 'alarm' | 'trend') => range.filter((t) => r[column][t - 1] === 1);

function expectRelative(ours: (number | null)[], theirs: (number | null)[], tolerance: number): void {
  expect(ours.map((x) => x === null)).toEqual(theirs.map((x) => x === null));
  ours.forEach((x, i) => {
    const y = theirs[i];
    if (x !== null && y !== null && y !== undefined) expect(Math.abs(x - y) / Math.abs(y), `t = ${range[i]}`).toBeLessThan(tolerance);
  });
}

describe('farringtonFlexibleSeries modes', () => {
  it('mode r copies R: U(264) = 3.9271731106066849 with the dispersion Σ ω((y − μ)/μ)² / (n − p)', () => {
    const r = farringtonFlexibleSeries(series, original);
    expect(Math.abs(r.upperbound[263]! - 3.9271731106066849) / 3.9271731106066849).toBeLessThan(1e-12);
    expect(where(r, 'alarm')).toEqual(reference.r.alarms);
    expect(where(r, 'trend')).toEqual(reference.r.trend);
    expect(farringtonFlexibleSeries(series, original, 'r')).toEqual(r);
  });

  it('mode textbook uses the reweighted fit’s own dispersion: U(264) = 3.93627…, and the whole range as R without the quirk', () => {
    const r = farringtonFlexibleSeries(series, original, 'textbook');
    expect(r.upperbound[263]).toBeCloseTo(3.93627, 5);
    expect(Math.abs(r.upperbound[263]! - 3.9362717964561638) / 3.9362717964561638).toBeLessThan(1e-12);
    expectRelative(at(r, 'upperbound'), textbookUpperbound, 1e-12);
    expect(where(r, 'alarm')).toEqual(reference.textbook.alarms);
    // The trend test is where the quirk matters most: R keeps the trend at 14 points, the textbook at 3.
    expect(where(r, 'trend')).toEqual(reference.textbook.trend);
    // phi itself is the proper dispersion in both modes: it differs only where the kept model does.
    const rMode = farringtonFlexibleSeries(series, original);
    const same = range.filter((t) => r.trend[t - 1] === rMode.trend[t - 1]);
    expect(same.length).toBeGreaterThan(30);
    for (const t of same) expect(r.phi[t - 1]).toBe(rMode.phi[t - 1]);
  });

  it('mode textbook moves the standard error of "muan" the same way', () => {
    const r = farringtonFlexibleSeries(series, muan, 'textbook');
    expectRelative(at(r, 'mu0'), textbookMuanMu0, 1e-12);
    expect(where(r, 'alarm')).toEqual(reference.textbook.muanAlarms);
    expect(where(farringtonFlexibleSeries(series, muan), 'alarm')).toEqual(reference.r.muanAlarms);
  });

  it('mode textbook scores the NB methods on the count scale, as delta: (y − expected)/(U − expected)', () => {
    const control = parseFarringtonControl({ ...noufaily2013, range });
    const rMode = farringtonFlexibleSeries(series, control);
    const textbook = farringtonFlexibleSeries(series, control, 'textbook');
    let compared = 0;
    for (const t of range) {
      const i = t - 1;
      const y = salmonellaAgona[i]!;
      const [u, e] = [textbook.upperbound[i], textbook.expected[i]];
      if (u === null || e === null || u === undefined || e === undefined) continue;
      compared++;
      expect(textbook.score[i]).toBeCloseTo((y - e) / (u - e), 12);
      // R's score is on the link scale: (y − log e)/(U − log e).
      expect(rMode.score[i]).toBeCloseTo((y - Math.log(rMode.expected[i]!)) / (rMode.upperbound[i]! - Math.log(rMode.expected[i]!)), 12);
      // Alarms are y > U in both (U lies above the fit here).
      expect(textbook.alarm[i]).toBe(y > u ? 1 : 0);
      expect(rMode.alarm[i]).toBe(textbook.alarm[i]);
    }
    expect(compared).toBeGreaterThan(30);
  });
});
