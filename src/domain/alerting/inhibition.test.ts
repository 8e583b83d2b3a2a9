import { describe, expect, it } from 'vitest';
import { fingerprint, type Labels } from './fingerprint.ts';
import { parseMatchers } from './matchers.ts';
import { parseAlertingConfig, type InhibitRule } from './config/alerting-config.ts';
import { equalLabels, inhibitedBy, type LabelledAlert } from './inhibition.ts';

const alert = (labels: Labels): LabelledAlert => ({ fingerprint: fingerprint(labels), labels });
const rule = (source: string, target: string, equal: string[]): InhibitRule => ({ sourceMatchers: parseMatchers(source), targetMatchers: parseMatchers(target), equal });

// The rule as an operator writes it in alertmanager.yml, read by the config loader.
const { inhibitRules } = parseAlertingConfig(`
route: { receiver: duty }
receivers: [{ name: duty }]
inhibit_rules:
  - source_matchers: ['hazard="flood"', 'level="red"']
    target_matchers: ['hazard="flood"', 'level="yellow"']
    equal: [area]
`);

const redD07 = alert({ alertname: 'river-level', hazard: 'flood', level: 'red', area: 'D07' });
const redD07Gauge2 = alert({ alertname: 'river-level', hazard: 'flood', level: 'red', area: 'D07', gauge: '2' });
const yellowD07 = alert({ alertname: 'rain', hazard: 'flood', level: 'yellow', area: 'D07' });
const yellowD08 = alert({ alertname: 'rain', hazard: 'flood', level: 'yellow', area: 'D08' });
const yellowNoArea = alert({ alertname: 'rain', hazard: 'flood', level: 'yellow' });
const redNoArea = alert({ alertname: 'river-level', hazard: 'flood', level: 'red' });

describe('inhibitedBy: a red flood alert mutes yellow ones of its area', () => {
  it.each([
    ['yellow in D07 by the red in D07', yellowD07, [redD07, yellowD07, yellowD08], [redD07.fingerprint]],
    ['yellow in D08: the area differs', yellowD08, [redD07, yellowD07, yellowD08], []],
    ['yellow in D07 by both reds of D07, sorted', yellowD07, [redD07Gauge2, redD07], [redD07.fingerprint, redD07Gauge2.fingerprint].sort()],
    ['the red itself: it is no target', redD07, [redD07, redD07Gauge2, yellowD07], []],
    ['yellow without area by a red without area (absent on both sides is equal)', yellowNoArea, [redNoArea, redD07], [redNoArea.fingerprint]],
    ['yellow without area: a red with an area differs', yellowNoArea, [redD07], []],
    ['yellow in D07: a red without area differs', yellowD07, [redNoArea], []],
    ['nothing firing', yellowD07, [], []],
  ])('%s', (_what, target, firing, want) => {
    expect(inhibitedBy(inhibitRules, target, firing)).toEqual(want);
  });

  it('mutes nothing when a resolved source is left out, as the caller must (only firing alerts are passed)', () => {
    expect(inhibitedBy(inhibitRules, yellowD07, [redD07])).toEqual([redD07.fingerprint]);
    expect(inhibitedBy(inhibitRules, yellowD07, [])).toEqual([]);
  });

  it('answers sources sorted, whatever the order of the firing list', () => {
    const want = [redD07.fingerprint, redD07Gauge2.fingerprint].sort();
    expect(inhibitedBy(inhibitRules, yellowD07, [redD07, redD07Gauge2])).toEqual(want);
    expect(inhibitedBy(inhibitRules, yellowD07, [redD07Gauge2, redD07])).toEqual(want);
  });

  it('lists a source once even when several rules name it', () => {
    const twice = [...inhibitRules, rule('level="red"', 'level="yellow"', [])];
    expect(inhibitedBy(twice, yellowD07, [redD07])).toEqual([redD07.fingerprint]);
  });

  it('applies a rule without equal across all areas', () => {
    expect(inhibitedBy([rule('level="red"', 'level="yellow"', [])], yellowD08, [redD07])).toEqual([redD07.fingerprint]);
  });
});

describe('inhibitedBy: no alert inhibits itself', () => {
  // Source and target sides both match any flood alert: each alert matches both.
  const wide = [rule('hazard="flood"', 'hazard="flood"', ['area'])];

  it('an alert matching both sides does not mute itself', () => {
    expect(inhibitedBy(wide, yellowD07, [yellowD07])).toEqual([]);
  });

  it('nor do two alerts that match both sides mute each other (Alertmanager: excludeTwoSidedMatch)', () => {
    expect(inhibitedBy(wide, yellowD07, [yellowD07, redD07])).toEqual([]);
    expect(inhibitedBy(wide, redD07, [yellowD07, redD07])).toEqual([]);
  });

  it('but a source that matches only the source side still mutes a target that matches both', () => {
    const rules = [rule('hazard="flood"', 'level="yellow"', ['area'])];
    const gauge = alert({ alertname: 'gauge-offline', hazard: 'flood', area: 'D07' }); // source only
    expect(inhibitedBy(rules, yellowD07, [gauge, yellowD07])).toEqual([gauge.fingerprint]);
  });

  it('an alert with the fingerprint of the target is never its source, whatever labels it is given', () => {
    const rules = [rule('level="red"', 'level="yellow"', [])];
    expect(inhibitedBy(rules, yellowD07, [{ fingerprint: yellowD07.fingerprint, labels: { level: 'red' } }])).toEqual([]);
    expect(inhibitedBy(rules, yellowD07, [{ fingerprint: redD07.fingerprint, labels: { level: 'red' } }])).toEqual([redD07.fingerprint]);
  });
});

describe('equalLabels', () => {
  it.each([
    [['area'], { area: 'D07' }, { area: 'D07' }, true],
    [['area'], { area: 'D07' }, { area: 'D08' }, false],
    [['area'], {}, {}, true], // missing on both sides
    [['area'], { area: 'D07' }, {}, false],
    [['area'], { area: '' }, {}, true], // "" and missing read alike, as Go's map lookup
    [['area', 'hazard'], { area: 'D07', hazard: 'flood' }, { area: 'D07', hazard: 'heat' }, false],
    [[], { area: 'D07' }, { area: 'D08' }, true],
  ])('%j: %j vs %j → %s', (names, a, b, want) => {
    expect(equalLabels(names, a, b)).toBe(want);
  });
});
