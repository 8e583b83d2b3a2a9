import { describe, expect, it } from 'vitest';
import { createDemoGenerator, historyWeeks } from './generate.ts';
import { demoRuleFiles } from './demo-rules.ts';
import { parseRuleFile } from '../domain/detect/rules/rule-file.ts';
import { detectorRegistry } from '../domain/detect/registry.ts';
import { validateObservation } from '../domain/observations/validate-observation.ts';
import type { Observation } from '../domain/observations/observation.ts';
import { BacktestDataBuilder } from '../app/backtest/backtest-data.ts';
import { runBacktest } from '../app/backtest/run-backtest.ts';
import { HOUR_MS, WEEK_MS } from './riverside-time.ts';

/**
 * The demo must show a newcomer signals from every kind of rule it ships. This replays the demo's
 * history and its first live story cycles through the demo's own rules, with the live engine (as a
 * backtest does), and checks that each concern raises at least one signal.
 */
describe('the demo data through the demo rules', () => {
  it('raises signals for river bands, a spreading flood, air quality, the grid, water, residents\' reports and the outbreak', async () => {
    const liveStart = Date.UTC(2026, 10, 20, 0, 0);
    const generator = createDemoGenerator({ seed: 1, startMs: liveStart - historyWeeks * WEEK_MS });
    const registry = detectorRegistry();
    const rules = demoRuleFiles().flatMap((f) => parseRuleFile(f.text, f.file, registry).rules);
    const builder = new BacktestDataBuilder();
    const now = liveStart + 100 * WEEK_MS;
    // Two story cycles of live time after the history.
    const inputs = generator.observationsBetween(generator.timeline.firstMs, generator.timeline.liveStartMs + 2 * generator.timeline.cycleMs);
    const batch: Observation[] = [];
    for (const input of inputs) {
      const o = validateObservation(input, now);
      if (typeof o === 'string') throw new Error(`demo observation refused: ${o}`);
      batch.push(o);
    }
    builder.add(batch);
    const result = await runBacktest({ rules, registry, data: builder.build(), tickMs: 10 * 60_000 });
    const firing = new Map<string, number>();
    for (const s of result.signals) if (s.kind === 'firing') firing.set(s.rule, (firing.get(s.rule) ?? 0) + 1);
    const fired = (prefix: string) => [...firing.entries()].filter(([rule]) => rule.startsWith(prefix)).reduce((n, [, c]) => n + c, 0);
    expect(fired('river-rg-'), JSON.stringify([...firing])).toBeGreaterThan(0);
    for (const rule of ['river-flood-spreading', 'river-gauge-silent', 'pm25-ewma', 'grid-frequency-low', 'water-pressure-low', 'smell-complaints-burst', 'gastro-farrington']) {
      expect(firing.get(rule) ?? 0, `${rule} (fired: ${JSON.stringify([...firing])})`).toBeGreaterThan(0);
    }
    // The flood composite speaks about a river, not a series.
    const spreading = result.signals.find((s) => s.rule === 'river-flood-spreading')!;
    expect(spreading.seriesKey).toMatch(/^river=/);
    expect(spreading.t).toBeGreaterThanOrEqual(generator.timeline.liveStartMs - 2 * HOUR_MS);
  }, 120_000);
});
