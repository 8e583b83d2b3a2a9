import { beforeAll, describe, expect, it } from 'vitest';
import { detectorRegistry } from '../../domain/detect/registry.ts';
import { parseRuleFile } from '../../domain/detect/rules/rule-file.ts';
import type { Rule } from '../../domain/detect/rules/rule.ts';
import { backtestData, type BacktestData } from './backtest-data.ts';
import { chartModels } from './report-charts.ts';
import { esc, renderReportHtml } from './report-html.ts';
import { runBacktest, type BacktestResult } from './run-backtest.ts';
import { parseTruthCsv, type TruthPeriod } from './truth.ts';
import { floodObservations, floodRulesYaml, floodTruthCsv, minute } from './testing/flood-history.ts';

const registry = detectorRegistry();
const ewmaRule = `
- name: level-ewma
  select: { key: ST001.level }
  detector: { type: ewma, warmup: 20, lambda: 0.3 }
`;

describe('the HTML report', () => {
  let rules: Rule[];
  let data: BacktestData;
  let truth: TruthPeriod[];
  let result: BacktestResult;
  beforeAll(async () => {
    rules = [...parseRuleFile(floodRulesYaml, 'a.yaml', registry).rules, ...parseRuleFile(ewmaRule, 'b.yaml', registry).rules];
    // One more event, at ST002 for the river rules: the bands rule never fires there (a missed event).
    truth = parseTruthCsv(`${floodTruthCsv}ST002.level,,river-*,2026-11-21T00:00:00Z,2026-11-21T02:00:00Z,,"<script>alert(""x"")</script>"\n`).periods;
    data = backtestData(floodObservations());
    result = await runBacktest({ rules, registry, data, truth, tickMs: minute });
  });

  function render(limits = {}, dataSource = 'history/') {
    const { charts, omitted } = chartModels(result, data, rules, registry, truth, limits);
    return { charts, html: renderReportHtml(result, { rulesSource: 'rules/', dataSource, truthSource: 'truth.csv', charts, omittedCharts: omitted }) };
  }

  it('draws one chart per (rule, series) with signals, then per pair with only missed events', () => {
    const { charts, html } = render();
    const pairs = charts.map((c) => `${c.rule} ${c.series}`);
    expect(pairs).toEqual(['river-level-bands ST001.level', 'gauge-silent ST002.level', 'level-ewma ST001.level', 'river-level-bands ST002.level']);
    expect(html.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(html.match(/<h3>/g)).toHaveLength(4);
    expect(html).toContain('<h3>river-level-bands — ST001.level (area D01)</h3>');
  });

  it('shows observed values, fixed thresholds, the upper bound, alarms and shaded truth periods', () => {
    const { charts, html } = render();
    const [bands, silent, ewma, missed] = charts;
    expect(bands!.thresholds).toEqual([
      { level: 'yellow', value: 4.5 },
      { level: 'orange', value: 5 },
    ]);
    expect(bands!.points).toHaveLength(192);
    expect(bands!.signals.map((s) => s.kind)).toEqual(['firing', 'changed', 'resolved', 'firing', 'resolved']);
    expect(bands!.truth.map((p) => [p.line, p.detected])).toEqual([
      [2, true],
      [3, false],
    ]);
    expect(silent!.truth.map((p) => [p.line, p.detected])).toEqual([[4, true]]);
    // EWMA has an upper control limit once warmed up (20 readings).
    expect(ewma!.upper.slice(0, 20).every((u) => u === null)).toBe(true);
    expect(ewma!.upper.slice(20).every((u) => typeof u === 'number')).toBe(true);
    expect(missed!.signals).toEqual([]);
    expect(html).toContain('<title>yellow threshold 4.5</title>');
    expect(html.match(/<path class="alarm"/g)).toHaveLength(result.signals.filter((s) => s.kind === 'firing').length);
    expect(html).toMatch(/<polyline class="upper"/);
    expect(html.match(/<rect class="truth"/g)).toHaveLength(4);
    // ST002's outage breaks its line in two rather than bridging the silence.
    const silentSvg = html.split('<section>')[2]!;
    expect(silentSvg.match(/<polyline class="values"/g)).toHaveLength(2);
  });

  it('escapes every text from truth, rules and paths', () => {
    const { html } = render({}, 'data/<b>&"x"');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Minor flood &lt;not seen&gt;');
    expect(html).toContain('data/&lt;b&gt;&amp;&quot;x&quot;');
    expect(esc(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('is self-contained: no script, stylesheet, font, image or link that would reach the network', () => {
    const { html } = render();
    expect(html).toMatch(/^<!doctype html>/);
    for (const pattern of [/https?:/i, /\/\/[a-z]/i, /\bsrc=/i, /\bhref=/i, /url\(/i, /@import/i, /<script/i, /<link/i, /<img/i, /<iframe/i]) {
      expect(html).not.toMatch(pattern);
    }
  });

  it('keeps a report small: at most maxCharts charts and maxPoints points each, peaks kept', () => {
    const { charts, html } = render({ maxCharts: 1, maxPoints: 40 });
    expect(charts).toHaveLength(1);
    expect(html).toContain('3 more (rule, series) pairs are not charted.');
    expect(charts[0]!.points.length).toBeLessThanOrEqual(40);
    expect(Math.max(...charts[0]!.points.map((p) => p.v))).toBe(5.2);
    expect(Math.min(...charts[0]!.points.map((p) => p.v))).toBe(3);
  });
});
