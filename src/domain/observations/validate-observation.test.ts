import { describe, expect, it } from 'vitest';
import { parseTime, validateObservation } from './validate-observation.ts';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const t = '2026-11-21T10:00:00Z';

describe('parseTime', () => {
  it.each([
    ['2026-11-21T10:00:00Z', Date.UTC(2026, 10, 21, 10)],
    ['2026-11-21T18:00:00+08:00', Date.UTC(2026, 10, 21, 10)],
    ['2026-11-21T05:30:00-04:30', Date.UTC(2026, 10, 21, 10)],
    ['2026-11-21T10:00Z', Date.UTC(2026, 10, 21, 10)],
    ['2026-11-21T10:00:00.123Z', Date.UTC(2026, 10, 21, 10, 0, 0, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    [1763719200000, 1763719200000],
  ])('reads %j', (input, ms) => expect(parseTime(input)).toBe(ms));

  it.each([
    ['2026-11-21T10:00:00', /with an offset/],
    ['2026-11-21 10:00:00Z', /ISO-8601/],
    ['21/11/2026', /ISO-8601/],
    ['2026-02-30T00:00:00Z', /not a real date/],
    ['2025-02-29T00:00:00Z', /not a real date/],
    ['2026-11-21T24:00:00Z', /not a real date/],
    // Date.parse refuses offsets of 24 h or more; the integer reader used to take them.
    ['2026-11-21T10:00:00+24:00', /not a real date/],
    ['2026-11-21T10:00:00.000-99:00', /not a real date/],
    [1763719200, /epoch seconds/],
    [1763719200000.5, /whole number/],
    [Number.NaN, /whole number/],
    [undefined, /t: missing/],
    [true, /expected an ISO-8601 string/],
  ])('refuses %j', (input, reason) => {
    const result = parseTime(input);
    expect(typeof result).toBe('string');
    expect(result).toMatch(reason);
  });
});

describe('validateObservation', () => {
  it('answers a plain observation with its time in epoch ms', () => {
    expect(validateObservation({ series: 'ST001.level', t, v: 3.42 }, now)).toEqual({
      series: 'ST001.level',
      t: Date.UTC(2026, 10, 21, 10),
      v: 3.42,
    });
  });

  it('keeps the series metadata a line carries', () => {
    const result = validateObservation(
      { series: 'S.level', t, v: 0, indicator: 'river_level', domain: 'natural', unit: 'm', area: 'D01', lon: 113.2, lat: 23.1, labels: { basin: 'pearl' } },
      now,
    );
    expect(result).toMatchObject({ meta: { indicator: 'river_level', domain: 'natural', unit: 'm', area: 'D01', lon: 113.2, lat: 23.1, labels: { basin: 'pearl' } } });
  });

  it.each([
    [null, /expected an object/],
    [[1, 2], /expected an object .* got an array/],
    [{ t, v: 1 }, /^series: missing/],
    [{ series: '', t, v: 1 }, /^series: expected a non-empty string/],
    [{ series: 'a b', t, v: 1 }, /^series: "a b" may hold only/],
    [{ series: 'a*', t, v: 1 }, /^series: /],
    [{ series: 'x'.repeat(201), t, v: 1 }, /^series: longer than 200/],
    [{ series: 'S', t, v: '3.4' }, /^v: expected a finite number, got "3.4"/],
    [{ series: 'S', t, v: null }, /^v: missing/],
    [{ series: 'S', t }, /^v: missing/],
    [{ series: 'S', t: '2026-11-24T12:00:00Z', v: 1 }, /^t: .* more than 24 h ahead/],
    [{ series: 'S', t, v: 1, value: 2 }, /^value: unknown field/],
    [{ series: 'S', t, v: 1, domain: 'religion' }, /^domain: "religion" is not one of/],
    [{ series: 'S', t, v: 1, lon: 113 }, /^lon, lat: give both or neither/],
    [{ series: 'S', t, v: 1, lon: 190, lat: 0 }, /^lon: /],
    [{ series: 'S', t, v: 1, lon: 0, lat: -91 }, /^lat: /],
    [{ series: 'S', t, v: 1, unit: '' }, /^unit: /],
    [{ series: 'S', t, v: 1, labels: [] }, /^labels: expected an object/],
    [{ series: 'S', t, v: 1, labels: { '1st': 'x' } }, /^labels\.1st: a label name/],
    [{ series: 'S', t, v: 1, labels: { basin: 3 } }, /^labels\.basin: expected a string/],
  ])('refuses %j', (input, reason) => {
    const result = validateObservation(input, now);
    expect(typeof result).toBe('string');
    expect(result).toMatch(reason);
  });

  it('clips echoed values so an error answer stays small', () => {
    const result = validateObservation({ series: 'S', t: 'x'.repeat(5000), v: 1 }, now) as string;
    expect(result.length).toBeLessThan(200);
  });
});
