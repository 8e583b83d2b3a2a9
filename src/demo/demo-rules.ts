import { stringify } from 'yaml';
import { seriesCatalogue, type SeriesDefinition } from './series-catalogue.ts';

/** One rule file of the demo: its name and YAML text (what an operator would write by hand). */
export interface DemoRuleFile {
  file: string;
  text: string;
}

function gaugeRule(def: SeriesDefinition): Record<string, unknown> {
  return {
    name: `river-${def.key.split('.')[0]!.toLowerCase()}`,
    select: { key: def.key },
    detector: { type: 'bands', levels: def.bands, hysteresis: 0.05 },
    for: '10m',
    labels: { hazard: 'flood' },
    annotations: {
      summary: `${def.title}: river level {{level}} ({{value}} m)`,
      description: `Warning levels at this gauge: yellow ${def.bands!.yellow} m, orange ${def.bands!.orange} m, red ${def.bands!.red} m.`,
    },
  };
}

/**
 * The demo's rules, one file per concern, generated from the Riverside catalogue so the bands sit
 * where each gauge's own warning levels are. Written into the demo's rules folder at start, where
 * a newcomer can edit them and watch the server reload them.
 */
export function demoRuleFiles(): DemoRuleFile[] {
  const gauges = seriesCatalogue.filter((d) => d.indicator === 'river_level' && d.bands);
  const files: { file: string; rules: Record<string, unknown>[]; comment: string }[] = [
    { file: 'river-gauges.yaml', comment: 'Each gauge against its own warning levels, held 10 minutes.', rules: gauges.map(gaugeRule) },
    {
      file: 'river-basin.yaml',
      comment: 'A flood spreading along a river: several of its gauges in alarm within three hours (a composite rule).',
      rules: [
        {
          name: 'river-flood-spreading',
          select: { indicator: 'river_level' },
          detector: { type: 'composite', rules: 'river-rg-*', count: 3, within: '3h', minLevel: 'yellow', by: ['river'] },
          levels: { alarm: 'orange' },
          labels: { hazard: 'flood' },
          annotations: {
            summary: '{{value}} gauges on the {{labels.river}} in alarm within 3 hours',
            description: 'Several gauges along one river are above their warning levels: the flood is not local to one station.',
          },
        },
      ],
    },
    {
      file: 'stations.yaml',
      comment: 'A gauge that stops reporting is itself a hazard during a flood.',
      rules: [
        {
          name: 'river-gauge-silent',
          select: { indicator: 'river_level' },
          detector: { type: 'staleness', after: '40m', level: 'yellow' },
          labels: { hazard: 'monitoring' },
          annotations: { summary: '{{series}} has sent nothing for 40 minutes' },
        },
      ],
    },
    {
      file: 'air-quality.yaml',
      comment: 'PM2.5 drifting above its recent behaviour (EWMA control chart).',
      rules: [
        {
          name: 'pm25-ewma',
          select: { indicator: 'pm25' },
          // A slow EWMA over a week's warm-up: PM2.5 has strong traffic peaks every day, which a
          // fast one mistakes for trouble (tuned on the demo history: ~60 episodes in 7 weeks).
          detector: { type: 'ewma', lambda: 0.05, L: 4.5, warmup: 168, side: 'upper' },
          for: '6h',
          labels: { hazard: 'air_quality' },
          annotations: { summary: 'PM2.5 at {{series}} is unusually high ({{value}} µg/m³)' },
        },
      ],
    },
    {
      file: 'networks.yaml',
      comment: 'Power-grid frequency and water-network pressure falling below safe bands.',
      rules: [
        {
          name: 'grid-frequency-low',
          select: { indicator: 'grid_frequency' },
          detector: { type: 'bands', direction: 'below', levels: { yellow: 49.8, orange: 49.7, red: 49.5 }, hysteresis: 0.02 },
          for: '5m',
          labels: { hazard: 'power' },
          annotations: { summary: 'Grid frequency at {{series}} is {{value}} Hz' },
        },
        {
          name: 'water-pressure-low',
          select: { indicator: 'water_pressure' },
          detector: { type: 'bands', direction: 'below', levels: { yellow: 2.2, orange: 1.9, red: 1.6 }, hysteresis: 0.05 },
          for: '30m',
          labels: { hazard: 'water_supply' },
          annotations: { summary: 'Water pressure at {{series}} is {{value}} bar' },
        },
      ],
    },
    {
      file: 'disease.yaml',
      comment: 'Weekly gastroenteritis counts against five years of seasonal baseline (Farrington, Noufaily 2013 settings).',
      rules: [
        {
          name: 'gastro-farrington',
          select: { indicator: 'gastroenteritis_cases' },
          detector: { type: 'farrington', preset: 'noufaily2013', freq: 52, epochAsDate: true },
          levels: { alarm: 'orange' },
          labels: { hazard: 'infectious_disease' },
          annotations: { summary: 'Gastroenteritis in {{area}}: {{value}} cases this week, above the expected range' },
        },
      ],
    },
    {
      file: 'residents.yaml',
      comment: "A burst of residents' smell complaints in one community (EARS C2 on hourly counts).",
      rules: [
        {
          name: 'smell-complaints-burst',
          select: { key: 'RR-*.smell' },
          detector: { type: 'ears', method: 'C2', baseline: 7, minSigma: 1 },
          levels: { alarm: 'orange' },
          labels: { hazard: 'environment' },
          annotations: { summary: 'Unusual number of smell complaints in {{area}}: {{value}} in an hour' },
        },
      ],
    },
  ];
  return files.map(({ file, rules, comment }) => ({
    file,
    text: `# ${comment}\n# Generated by tocsin demo; edit freely: the server reloads this folder when a file changes.\n${stringify({ rules })}`,
  }));
}
