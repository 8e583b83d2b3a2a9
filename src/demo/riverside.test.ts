import { describe, expect, it } from 'vitest';
import { areaById, cityId, gaugeSites, nearestCommunity, riversideAreas, riversideCommunities, riversideDistricts } from './riverside.ts';

describe('Riverside areas', () => {
  it('has a city, 4 districts D01..D04 and 20 communities D0n-C0m', () => {
    expect(riversideAreas.filter((a) => a.level === 'city').map((a) => a.id)).toEqual([cityId]);
    expect(riversideDistricts.map((d) => d.id)).toEqual(['D01', 'D02', 'D03', 'D04']);
    expect(riversideCommunities).toHaveLength(20);
    for (const c of riversideCommunities) expect(c.id).toMatch(/^D0[1-4]-C0[1-5]$/);
    expect(new Set(riversideAreas.map((a) => a.id)).size).toBe(riversideAreas.length);
  });

  it('lists parents before children, and every parent exists', () => {
    const seen = new Set<string>();
    for (const a of riversideAreas) {
      if (a.parent !== null) expect(seen.has(a.parent)).toBe(true);
      seen.add(a.id);
    }
    for (const c of riversideCommunities) expect(c.id.startsWith(`${c.parent}-`)).toBe(true);
  });

  it('sits near 23.1°N 113.3°E, every centre within about 15 km', () => {
    for (const a of riversideAreas) {
      expect(Math.abs(a.lat - 23.1)).toBeLessThan(0.1);
      expect(Math.abs(a.lon - 113.3)).toBeLessThan(0.15);
      expect(a.population).toBeGreaterThan(0);
    }
    for (const s of gaugeSites) expect(Math.abs(s.lon - 113.3)).toBeLessThan(0.15);
  });

  it('has exactly one industrial community and one pump station', () => {
    expect(riversideCommunities.filter((c) => c.traits.includes('industrial'))).toHaveLength(1);
    expect(riversideCommunities.filter((c) => c.traits.includes('pump-station'))).toHaveLength(1);
  });

  it('finds areas by id and the nearest community to a point', () => {
    expect(areaById('D03-C02').name).toBe('Dye Works');
    expect(() => areaById('D09')).toThrow(/unknown Riverside area/);
    const c = areaById('D02-C05');
    expect(nearestCommunity(c.lon + 0.001, c.lat).id).toBe('D02-C05');
  });
});
