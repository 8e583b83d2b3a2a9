/**
 * Riverside, the demo's fictional river city. It sits on the real map near 23.1°N 113.3°E so the
 * offline basemap shows a real river: the Pearl River's front channel runs west to east between
 * Old Town (north bank) and South Isle, then past the port of Eastport towards the estuary.
 */

/** Where an area sits in the hierarchy city → district → community. */
export type AreaLevel = 'city' | 'district' | 'community';

/** Traits the signal models use: riverside and low-lying places flood first; industry smells. */
export type AreaTrait = 'riverside' | 'low-lying' | 'industrial' | 'pump-station';

/** One area of the demo city. */
export interface DemoArea {
  id: string;
  name: string;
  nameZh: string;
  parent: string | null;
  level: AreaLevel;
  lon: number;
  lat: number;
  population: number;
  traits: readonly AreaTrait[];
}

/** The city's own id, parent of the four districts. */
export const cityId = 'RS';

type CommunityRow = readonly [name: string, nameZh: string, lon: number, lat: number, population: number, traits?: AreaTrait[]];

interface DistrictRow {
  id: string;
  name: string;
  nameZh: string;
  lon: number;
  lat: number;
  communities: readonly CommunityRow[];
}

// Populations are round numbers of the size of real inner-city communities (15–35 thousand).
const districts: readonly DistrictRow[] = [
  {
    id: 'D01', name: 'Westgate', nameZh: '西关区', lon: 113.215, lat: 23.14,
    communities: [
      ['Upper Ferry', '上渡', 113.192, 23.163, 18_000, ['riverside']],
      ['Mill Lane', '磨坊巷', 113.21, 23.15, 26_000],
      ['Orchard Hill', '果园岗', 113.228, 23.158, 21_000],
      ['Willow Bank', '柳堤', 113.222, 23.127, 24_000, ['riverside', 'low-lying']],
      ['Stone Bridge', '石桥', 113.24, 23.118, 29_000, ['riverside']],
    ],
  },
  {
    id: 'D02', name: 'Old Town', nameZh: '老城区', lon: 113.28, lat: 23.132,
    communities: [
      ['Bell Tower', '钟楼', 113.262, 23.128, 34_000],
      ['Silk Market', '丝市', 113.276, 23.14, 35_000],
      ['Creekside', '溪畔', 113.293, 23.15, 27_000, ['low-lying']],
      ['Temple Row', '庙前', 113.3, 23.132, 31_000],
      ['River Quay', '江埠', 113.282, 23.121, 28_000, ['riverside']],
    ],
  },
  {
    id: 'D03', name: 'Eastport', nameZh: '东港区', lon: 113.385, lat: 23.115,
    communities: [
      ['Harbour Gate', '港门', 113.345, 23.118, 25_000, ['riverside']],
      ['Dye Works', '染坊', 113.372, 23.128, 16_000, ['industrial']],
      ['Canal Yard', '运河坊', 113.392, 23.112, 22_000],
      ['Salt Flats', '盐滩', 113.415, 23.098, 15_000, ['riverside', 'low-lying']],
      ['Pine Ridge', '松岭', 113.4, 23.14, 19_000],
    ],
  },
  {
    id: 'D04', name: 'South Isle', nameZh: '南洲区', lon: 113.315, lat: 23.095,
    communities: [
      ['Ferry Steps', '渡口', 113.268, 23.105, 24_000, ['riverside']],
      ['Lotus Pond', '莲塘', 113.292, 23.092, 30_000],
      ['Marsh End', '泽尾', 113.322, 23.102, 23_000, ['riverside', 'low-lying', 'pump-station']],
      ['Bamboo Lane', '竹巷', 113.34, 23.088, 27_000],
      ['Green Isle', '绿洲', 113.312, 23.078, 20_000],
    ],
  },
];

function buildAreas(): readonly DemoArea[] {
  const out: DemoArea[] = [];
  for (const d of districts) {
    d.communities.forEach(([name, nameZh, lon, lat, population, traits = []], i) => {
      const id = `${d.id}-C${String(i + 1).padStart(2, '0')}`;
      out.push({ id, name, nameZh, parent: d.id, level: 'community', lon, lat, population, traits });
    });
  }
  const districtAreas: DemoArea[] = districts.map((d) => ({
    id: d.id, name: d.name, nameZh: d.nameZh, parent: cityId, level: 'district', lon: d.lon, lat: d.lat,
    population: sum(out.filter((c) => c.parent === d.id).map((c) => c.population)), traits: [],
  }));
  const city: DemoArea = {
    id: cityId, name: 'Riverside', nameZh: '河滨市', parent: null, level: 'city', lon: 113.3, lat: 23.12,
    population: sum(districtAreas.map((d) => d.population)), traits: [],
  };
  // Parents before children, so a loader can insert in order.
  return Object.freeze([city, ...districtAreas, ...out].map((a) => Object.freeze(a)));
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Every area of Riverside, parents before children: the city, 4 districts, 20 communities. */
export const riversideAreas: readonly DemoArea[] = buildAreas();

/** The districts (D01..D04). */
export const riversideDistricts: readonly DemoArea[] = riversideAreas.filter((a) => a.level === 'district');

/** The communities (D01-C01..D04-C05). */
export const riversideCommunities: readonly DemoArea[] = riversideAreas.filter((a) => a.level === 'community');

/** The area with this id; throws on an unknown id because the catalogue is fixed at build time. */
export function areaById(id: string): DemoArea {
  const area = riversideAreas.find((a) => a.id === id);
  if (!area) throw new Error(`unknown Riverside area ${id}`);
  return area;
}

/** The community whose centre is nearest to a point (plain distance is fine at city scale). */
export function nearestCommunity(lon: number, lat: number): DemoArea {
  let best = riversideCommunities[0]!;
  let bestD = Infinity;
  for (const c of riversideCommunities) {
    const d = ((c.lon - lon) * Math.cos((23.1 * Math.PI) / 180)) ** 2 + (c.lat - lat) ** 2;
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

/** A point on a watercourse where a gauge stands, listed upstream to downstream. */
export interface GaugeSite {
  river: 'pearl' | 'willow-creek';
  lon: number;
  lat: number;
}

/**
 * River gauge sites. The Pearl enters from the north-west, bends east through the centre and
 * leaves towards the estuary in the south-east; Willow Creek drains the north and joins it in Old Town.
 */
export const gaugeSites: readonly GaugeSite[] = [
  { river: 'pearl', lon: 113.185, lat: 23.17 },
  { river: 'pearl', lon: 113.203, lat: 23.152 },
  { river: 'pearl', lon: 113.222, lat: 23.13 },
  { river: 'pearl', lon: 113.245, lat: 23.115 },
  { river: 'pearl', lon: 113.268, lat: 23.117 },
  { river: 'pearl', lon: 113.29, lat: 23.116 },
  { river: 'pearl', lon: 113.318, lat: 23.112 },
  { river: 'pearl', lon: 113.347, lat: 23.11 },
  { river: 'pearl', lon: 113.382, lat: 23.102 },
  { river: 'pearl', lon: 113.42, lat: 23.092 },
  { river: 'willow-creek', lon: 113.3, lat: 23.175 },
  { river: 'willow-creek', lon: 113.297, lat: 23.162 },
  { river: 'willow-creek', lon: 113.294, lat: 23.146 },
  { river: 'willow-creek', lon: 113.291, lat: 23.13 },
];
