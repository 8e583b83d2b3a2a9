import { describe, expect, it } from 'vitest';
import { demoRuleFiles } from './demo-rules.ts';
import { parseRuleFile } from '../domain/detect/rules/rule-file.ts';
import { detectorRegistry } from '../domain/detect/registry.ts';

describe('the demo rules', () => {
  it('are valid rule files, one per concern, with a rule per river gauge', () => {
    const registry = detectorRegistry();
    const files = demoRuleFiles();
    const names: string[] = [];
    for (const f of files) {
      const parsed = parseRuleFile(f.text, f.file, registry);
      expect(parsed.problems, f.file).toEqual([]);
      names.push(...parsed.rules.map((r) => r.name));
    }
    expect(names.filter((n) => n.startsWith('river-rg-'))).toHaveLength(14);
    expect(names).toEqual(expect.arrayContaining(['river-gauge-silent', 'pm25-ewma', 'grid-frequency-low', 'water-pressure-low', 'smell-complaints-burst', 'gastro-farrington']));
  });
});
