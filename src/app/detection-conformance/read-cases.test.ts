import { describe, expect, it } from 'vitest';
import { readConformanceFolder, sharedDetectionFolder } from './read-cases.ts';

const dir = sharedDetectionFolder();

describe.skipIf(!dir)('the shared detection conformance folder', () => {
  it('reads every case and its reference rows', () => {
    const { cases } = readConformanceFolder(dir!);
    expect(cases.length).toBeGreaterThanOrEqual(39);
    for (const c of cases) {
      expect(c.rows).toHaveLength(c.n);
      const inRange = c.rows.filter((r) => r.inRange);
      expect(inRange[0]?.t).toBe(c.range[0]);
      expect(inRange[inRange.length - 1]?.t).toBe(c.range[1]);
      expect(inRange.filter((r) => r.alarm === 1)).toHaveLength(c.alarms);
    }
  });
});

describe.runIf(!dir)('without the shared folder', () => {
  it('reports plainly that the conformance cases were skipped', () => {
    console.warn('detection conformance: ../shared/conformance/detection/ is not beside this repository; its cases were skipped');
    expect(dir).toBeNull();
  });
});
