import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics-registry.ts';
import { escapeLabelValue } from './prometheus-text.ts';

describe('exposition format', () => {
  it('renders a labelled counter with HELP and TYPE, series sorted by labels', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'jobs_total', help: 'Jobs done.', labelNames: ['source', 'kind'] as const });
    c.inc({ source: 'http', kind: 'b' }, 2);
    c.inc({ source: 'cli', kind: 'a' });
    c.inc({ source: 'http', kind: 'b' });
    expect(registry.render()).toBe(
      [
        '# HELP jobs_total Jobs done.',
        '# TYPE jobs_total counter',
        'jobs_total{source="cli",kind="a"} 1',
        'jobs_total{source="http",kind="b"} 3',
        '',
      ].join('\n'),
    );
  });

  it('renders a histogram with cumulative buckets, +Inf, _sum and _count', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram({ name: 'req_seconds', help: 'Latency.', labelNames: ['route'] as const, buckets: [0.1, 0.5, 1] });
    for (const v of [0.05, 0.1, 0.3, 0.7, 3]) h.observe({ route: '/a' }, v);
    expect(registry.render()).toBe(
      [
        '# HELP req_seconds Latency.',
        '# TYPE req_seconds histogram',
        'req_seconds_bucket{route="/a",le="0.1"} 2',
        'req_seconds_bucket{route="/a",le="0.5"} 3',
        'req_seconds_bucket{route="/a",le="1"} 4',
        'req_seconds_bucket{route="/a",le="+Inf"} 5',
        'req_seconds_sum{route="/a"} 4.15',
        'req_seconds_count{route="/a"} 5',
        '',
      ].join('\n'),
    );
  });

  it('renders an unlabelled histogram and gauges, in declaration order', () => {
    const registry = new MetricsRegistry();
    const g = registry.gauge({ name: 'z_level', help: 'Set.' });
    const h = registry.histogram({ name: 'a_seconds', help: 'H.', buckets: [1] });
    const collected = registry.gauge({ name: 'm_items', help: 'Collected.', labelNames: ['q'] as const });
    g.set({}, 7);
    h.observe({}, 2);
    let calls = 0;
    collected.collectWith(() => {
      calls++;
      return [
        { labels: { q: 'max' }, value: calls },
        { labels: { q: '0.5' }, value: 0.25 },
      ];
    });
    const expected = (n: number) =>
      [
        '# HELP z_level Set.',
        '# TYPE z_level gauge',
        'z_level 7',
        '# HELP a_seconds H.',
        '# TYPE a_seconds histogram',
        'a_seconds_bucket{le="1"} 0',
        'a_seconds_bucket{le="+Inf"} 1',
        'a_seconds_sum 2',
        'a_seconds_count 1',
        '# HELP m_items Collected.',
        '# TYPE m_items gauge',
        'm_items{q="0.5"} 0.25',
        `m_items{q="max"} ${n}`,
        '',
      ].join('\n');
    expect(registry.render()).toBe(expected(1));
    // The callback runs at each scrape.
    expect(registry.render()).toBe(expected(2));
  });

  it('escapes label values and help text', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'odd_total', help: 'Back\\slash and\nnewline, "quotes" kept.', labelNames: ['v'] as const });
    c.inc({ v: 'C:\\dir "x"\ny' });
    expect(registry.render()).toBe(
      [
        '# HELP odd_total Back\\\\slash and\\nnewline, "quotes" kept.',
        '# TYPE odd_total counter',
        'odd_total{v="C:\\\\dir \\"x\\"\\ny"} 1',
        '',
      ].join('\n'),
    );
  });

  it('refuses what would make a broken scrape', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter({ name: 'bad-name', help: '' })).toThrow(/invalid metric name/);
    expect(() => registry.counter({ name: 'x_total', help: '', labelNames: ['__x'] })).toThrow(/invalid label name/);
    expect(() => registry.histogram({ name: 'h', help: '', labelNames: ['le'], buckets: [1] })).toThrow(/invalid label name/);
    expect(() => registry.histogram({ name: 'h2', help: '', buckets: [1, 1] })).toThrow(/strictly increasing/);
    const c = registry.counter({ name: 'y_total', help: '', labelNames: ['a'] as const });
    expect(() => registry.counter({ name: 'y_total', help: '' })).toThrow(/declared twice/);
    expect(() => c.inc({ a: 'x' }, -1)).toThrow(/cannot go down/);
    expect(() => c.inc({ a: 'x', b: 'y' } as unknown as { a: string })).toThrow(/takes labels \{a\}/);
  });
});
