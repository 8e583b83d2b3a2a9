import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAlertingConfig } from './alerting-config.ts';
import { ConfigError } from './yaml-decoder.ts';
import { sharedAlertmanagerFolder } from '../testing/shared-alertmanager.ts';

/**
 * Every configuration of ../shared/conformance/alertmanager/: the valid ones load, the invalid ones
 * are refused with Alertmanager's message. Expected messages are copied from the folder's README
 * (v0.34.0). Two kinds are compared loosely, as the README advises: unknown fields (Go type names
 * change between versions; we compare line and field), and YAML syntax errors (every YAML parser
 * words them its own way and may notice them on another line; we require a "yaml: line N:" error).
 */
const expected: Record<string, string | RegExp> = {
  'inline-undefined-receiver.yml': 'undefined receiver "team-X" used in route',
  'inline-undefined-receiver-deep-subroute.yml': 'undefined receiver "nonexistent" used in route',
  'inline-duplicate-receiver-name.yml': 'notification config name "team-X" is not unique',
  'inline-root-route-without-receiver.yml': 'root route must specify a default receiver',
  'inline-group-interval-zero.yml': 'group_interval cannot be zero',
  'inline-repeat-interval-zero.yml': 'repeat_interval cannot be zero',
  'inline-continue-in-root-route.yml': 'cannot have continue in root route',
  'inline-root-route-with-matchers.yml': 'root route must not have any matchers',
  'inline-undefined-mute-time-interval.yml': 'undefined time interval "business_hours" used in route',
  'inline-duplicate-mute-time-interval.yml': 'mute time interval "duplicate" is not unique',
  'inline-group-by-wildcard-mixed.yml': 'cannot have wildcard group_by (`...`) and other labels at the same time',
  'inline-group-by-duplicate-label.yml': 'duplicated label "cluster" in group_by',
  'am-config-conf.nil-match_re-route.yml': 'invalid regexp value for "invalid_label"',
  'am-config-conf.smtp-both-password-and-file.yml': 'at most one of smtp_auth_password & smtp_auth_password_file must be configured',
  'am-config-conf.opsgenie-default-apikey-old-team.yml': /^yaml: unmarshal errors:\n {2}line 16: field teams not found in type \w+\.plain$/,
  'am-config-conf.slack-no-api-url-or-token.yml': 'no Slack API URL nor App token set either inline or in a file',
  'am-cli-conf.bad.yml': 'yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `BAD` into config.plain',
  'kube-prometheus-examples-alertmanager-config.yml': 'unsupported scheme "" for URL',
  'kube-prometheus-examples-alertmanager-config-with-template.yml': /^yaml: line \d+: /,
};

const folder = sharedAlertmanagerFolder();
const files = (kind: string) => (folder ? readdirSync(join(folder, kind)).filter((f) => f.endsWith('.yml')).sort() : []);
const skipped = folder ? '' : ' (skipped: no ../shared/conformance/alertmanager here)';

describe(`Alertmanager configurations${skipped}`, () => {
  it.skipIf(!folder)('has the corpus the README describes', () => {
    expect(files('valid')).toHaveLength(24);
    expect(files('invalid')).toHaveLength(19);
    expect(Object.keys(expected).sort()).toEqual(files('invalid'));
  });

  it.each(files('valid'))('loads valid/%s', (file) => {
    const config = parseAlertingConfig(readFileSync(join(folder!, 'valid', file), 'utf8'));
    expect(config.route.receiver).not.toBe('');
  });

  it.each(files('invalid'))('refuses invalid/%s with Alertmanager\'s message', (file) => {
    let error: unknown = null;
    try {
      parseAlertingConfig(readFileSync(join(folder!, 'invalid', file), 'utf8'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const want = expected[file]!;
    if (typeof want === 'string') expect((error as Error).message).toBe(want);
    else expect((error as Error).message).toMatch(want);
  });
});
