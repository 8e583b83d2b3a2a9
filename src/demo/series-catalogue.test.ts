import { describe, expect, it } from 'vitest';
import { isHazardDomain } from '../domain/observations/hazard-domains.ts';
import { riversideAreas } from './riverside.ts';
import { countByDomain, seriesCatalogue } from './series-catalogue.ts';

describe('series catalogue', () => {
  it('holds 300–400 series in at least five hazard domains', () => {
    expect(seriesCatalogue.length).toBeGreaterThanOrEqual(300);
    expect(seriesCatalogue.length).toBeLessThanOrEqual(400);
    expect(countByDomain()).toEqual({ natural: 34, environment: 24, health: 4, infrastructure: 26, community: 240 });
  });

  it('has unique keys of the documented shapes', () => {
    const keys = seriesCatalogue.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    const shapes = [/^RG-D0\d-\d\d\.level$/, /^RN-D0\d-\d\d\.rain$/, /^AQ-D0\d-\d\d\.(pm25|o3)$/, /^GE-D0\d\.cases$/,
      /^GF-D0\d-\d\d\.freq$/, /^WP-D0\d-\d\d\.pressure$/, /^RR-D0\d-C\d\d\.[a-z_]+$/];
    for (const k of keys) expect(shapes.some((re) => re.test(k)), k).toBe(true);
  });

  it.each([
    ['river_level', 'natural', 'm', 14],
    ['rainfall', 'natural', 'mm', 20],
    ['pm25', 'environment', 'µg/m3', 12],
    ['o3', 'environment', 'µg/m3', 12],
    ['gastroenteritis_cases', 'health', 'count', 4],
    ['grid_frequency', 'infrastructure', 'Hz', 6],
    ['water_pressure', 'infrastructure', 'bar', 20],
    ['resident_reports', 'community', 'count', 240],
  ])('%s is %s in %s, %i series', (indicator, domain, unit, n) => {
    const s = seriesCatalogue.filter((d) => d.indicator === indicator);
    expect(s).toHaveLength(n);
    for (const d of s) expect([d.domain, d.unit]).toEqual([domain, unit]);
  });

  it('gives every series a known area, a valid domain, string labels and a cadence', () => {
    const areas = new Set(riversideAreas.map((a) => a.id));
    for (const s of seriesCatalogue) {
      expect(areas.has(s.area), s.key).toBe(true);
      expect(isHazardDomain(s.domain)).toBe(true);
      expect(Object.values(s.labels).every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
      expect(s.cadenceMs).toBeGreaterThan(0);
      expect(s.model.kind).toBe(s.indicator === 'gastroenteritis_cases' ? 'disease_cases' : s.indicator);
    }
  });

  it('gives river gauges ordered warning bands and only weekly counts a long baseline', () => {
    for (const s of seriesCatalogue) {
      expect(s.bands !== undefined).toBe(s.indicator === 'river_level');
      if (s.bands) expect(s.bands.yellow < s.bands.orange && s.bands.orange < s.bands.red).toBe(true);
      expect(s.longBaseline).toBe(s.indicator === 'gastroenteritis_cases');
    }
  });
});
