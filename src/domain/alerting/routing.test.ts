import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAlertingConfig } from './config/alerting-config.ts';
import { receiversFor } from './routing.ts';
import { sharedAlertmanagerFolder } from './testing/shared-alertmanager.ts';

const tree = parseAlertingConfig(`
route:
  receiver: duty
  group_by: [area]
  routes:
    - matchers: ['hazard="flood"']
      receiver: flood-desk
      routes:
        - matchers: ['level="red"']
          receiver: flood-chief
          continue: true
        - matchers: ['level=~"red|orange"']
          receiver: flood-pager
    - matchers: ['area=~"D0[1-3]"']
      receiver: north
      continue: true
    - matchers: ['area="D02"']
      receiver: d02
receivers: [{ name: duty }, { name: flood-desk }, { name: flood-chief }, { name: flood-pager }, { name: north }, { name: d02 }]
`).route;

describe('routing', () => {
  it.each([
    [{ hazard: 'flood', level: 'yellow' }, ['flood-desk']], // matches the parent, no child
    [{ hazard: 'flood', level: 'red' }, ['flood-chief', 'flood-pager']], // continue goes on to the next child
    [{ hazard: 'flood', level: 'orange', area: 'D02' }, ['flood-pager']], // the first match stops the search
    [{ hazard: 'air', area: 'D02' }, ['north', 'd02']],
    [{ hazard: 'air', area: 'D09' }, ['duty']], // nothing below the root takes it
  ])('%j → %j', (labels, want) => {
    expect(receiversFor(tree, labels)).toEqual(want);
  });

  it('inherits group_by and the timers from the parent, with Alertmanager\'s defaults at the root', () => {
    const flood = tree.routes[0]!;
    expect(flood.groupBy).toEqual(['area']);
    expect([flood.routes[1]!.groupWaitMs, flood.routes[1]!.groupIntervalMs, flood.routes[1]!.repeatIntervalMs]).toEqual([30_000, 300_000, 14_400_000]);
  });

  const folder = sharedAlertmanagerFolder();
  const read = (file: string) => parseAlertingConfig(readFileSync(join(folder!, 'valid', file), 'utf8')).route;
  it.skipIf(!folder)(`routes as amtool does on the shared examples${folder ? '' : ' (skipped: no ../shared/conformance/alertmanager here)'}`, () => {
    // The README's `amtool config routes test` results (v0.33.1).
    const routing = read('am-cli-conf.routing.yml');
    expect(receiversFor(routing, { test: '1' })).toEqual(['test1']);
    expect(receiversFor(routing, { test: '2' })).toEqual(['test1', 'test2']);
    expect(receiversFor(routing, { test: 'volovina' })).toEqual(['default']);
    expect(receiversFor(read('am-cli-conf.routing-reverted.yml'), { test: '2' })).toEqual(['test2', 'test1']);
    expect(receiversFor(read('am-config-conf.good.yml'), { service: 'database', owner2: 'team-X', owner: 'team-Y' })).toEqual(['team-X-pager', 'team-Y-pager']);
    const simple = read('am-doc-examples-simple.yml');
    expect(receiversFor(simple, { service: 'database' })).toEqual(['team-DB-pager']);
    expect(receiversFor(simple, { service: 'database', owner: 'team-X' })).toEqual(['team-X-pager']);
    expect(receiversFor(simple, { service: 'foo1', severity: 'critical' })).toEqual(['team-X-pager']);
  });
});
