import { describe, expect, it } from 'vitest';
import { formatSampleValue } from './prometheus-text.ts';

describe('exposition format', () => {
  it('writes special values as Prometheus spells them', () => {
    expect([NaN, Infinity, -Infinity, 0.001, 1e21].map(formatSampleValue)).toEqual(['NaN', '+Inf', '-Inf', '0.001', '1e+21']);
  });
});
