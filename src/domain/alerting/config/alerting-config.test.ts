import { describe, expect, it } from 'vitest';
import { parseAlertingConfig } from './alerting-config.ts';
import { ConfigError } from './yaml-decoder.ts';
import { inTimeIntervals } from './time-intervals.ts';

const withReceivers = (route: string, receivers: string) => `route:\n${route}\nreceivers:\n${receivers}\n`;
const hook = "  - name: hook\n    webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }]";

function refusal(text: string): string {
  try {
    parseAlertingConfig(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('parseAlertingConfig: what Alertmanager refuses, in its words', () => {
  it.each([
    ['an empty file', '  \n', 'no route provided in config'],
    ['receivers and no route', 'receivers:\n  - name: a\n', 'no routes provided'],
    ['a receiver without a name', withReceivers('  receiver: a', "  - name: ''"), 'missing name in receiver'],
    ['a webhook without url', withReceivers('  receiver: a', '  - name: a\n    webhook_configs: [{}]'), 'one of url or url_file must be configured'],
    ['a webhook with url and url_file', withReceivers('  receiver: a', "  - name: a\n    webhook_configs: [{ url: 'http://x/', url_file: /f }]"), 'at most one of url & url_file must be configured'],
    ['a webhook entry that is null', withReceivers('  receiver: a', '  - name: a\n    webhook_configs:\n      -'), 'missing webhook config'],
    [
      'a bearer token given twice',
      withReceivers('  receiver: a', "  - name: a\n    webhook_configs: [{ url: 'http://x/', http_config: { bearer_token: t, bearer_token_file: /f } }]"),
      'at most one of bearer_token & bearer_token_file must be configured',
    ],
    ['an e-mail without to', withReceivers('  receiver: a', '  - name: a\n    email_configs: [{ from: a@b }]'), 'missing to address in email config'],
    [
      'an e-mail header twice',
      withReceivers('  receiver: a', '  - name: a\n    email_configs: [{ to: x@y, headers: { Subject: a, sUbject: b } }]'),
      'duplicate header "Subject" in email config',
    ],
    ['an e-mail with no smarthost anywhere', withReceivers('  receiver: a', '  - name: a\n    email_configs: [{ to: x@y, from: a@b }]'), 'no global SMTP smarthost set'],
    ['an e-mail with no from anywhere', withReceivers('  receiver: a', "  - name: a\n    email_configs: [{ to: x@y, smarthost: 'mail:25' }]"), 'no global SMTP from set'],
    ['a root route with mute intervals', withReceivers('  receiver: hook\n  mute_time_intervals: [x]', hook), 'root route must not have any mute time intervals'],
    ['a bad duration', withReceivers('  receiver: hook\n  group_wait: 5 minutes', hook), 'not a valid duration string: "5 minutes"'],
    ['a webhook URL without http', withReceivers('  receiver: a', "  - name: a\n    webhook_configs: [{ url: 'ftp://x/' }]"), 'unsupported scheme "ftp" for URL'],
    ['a bad regular expression', withReceivers('  receiver: hook\n  routes:\n    - matchers: [\'a=~"("\']', hook), /error parsing regexp/],
    ['a bad match label name', withReceivers('  receiver: hook\n  routes:\n    - match: { 1bad: x }', hook), 'invalid label name "1bad"'],
    ['an end time before the start', `${withReceivers('  receiver: hook', hook)}time_intervals:\n  - name: t\n    time_intervals: [{ times: [{ start_time: '10:00', end_time: '09:00' }] }]\n`, 'start time cannot be equal or greater than end time'],
    ['an unknown time zone', `${withReceivers('  receiver: hook', hook)}time_intervals:\n  - name: t\n    time_intervals: [{ location: Mars/Olympus }]\n`, 'unknown time zone Mars/Olympus'],
    ['an SMS without a number', withReceivers('  receiver: a', "  - name: a\n    sms_configs: [{ gateway_url: 'https://sms.example/send', body: '{{text}}' }]"), 'missing to number in sms config'],
    ['an SMS body without {{text}}', withReceivers('  receiver: a', "  - name: a\n    sms_configs: [{ to: '+86', gateway_url: 'https://sms.example/send', body: 'hello' }]"), 'sms config body must be a template holding {{text}}'],
    ['an SMS gateway that is not http(s)', withReceivers('  receiver: a', "  - name: a\n    sms_configs: [{ to: '+86', gateway_url: 'smtp://x', body: '{{text}}' }]"), 'unsupported scheme "smtp" for URL'],
    ['a bad weekday', `${withReceivers('  receiver: hook', hook)}time_intervals:\n  - name: t\n    time_intervals: [{ weekdays: ['monday:funday'] }]\n`, 'invalid weekday range: monday:funday'],
  ])('%s', (_what, text, want) => {
    if (typeof want === 'string') expect(refusal(text)).toBe(want);
    else expect(refusal(text)).toMatch(want);
  });

  it('collects unknown fields and duplicate keys over the file, with their lines, as yaml.v2 reports them', () => {
    const text = 'route:\n  receiver: hook\n  recevier: typo\nreceivers:\n  - name: hook\n    name: again\nsilences: []\n';
    expect(refusal(text)).toBe(
      'yaml: unmarshal errors:\n  line 3: field recevier not found in type config.plain\n  line 6: key "name" already set in map\n  line 7: field silences not found in type config.plain',
    );
  });
});

describe('parseAlertingConfig: what it reads', () => {
  const config = parseAlertingConfig(`
global:
  smtp_smarthost: 'mail.example:25'
  smtp_from: alerts@example.org
route:
  receiver: duty
  group_by: ['...']
  routes:
    - matchers: ['hazard="flood"', 'area=~"D0[1-3]"']
      receiver: chat
      group_wait: 10s
      active_time_intervals: [office]
receivers:
  - name: duty
    email_configs: [{ to: duty@example.org }]
    webhook_configs: [{ url: 'http://127.0.0.1:9/hook', max_alerts: 5 }]
  - name: chat
    slack_configs: [{ api_url: 'https://hooks.example/x' }]
time_intervals:
  - name: office
    time_intervals:
      - times: [{ start_time: '08:00', end_time: '18:00' }]
        weekdays: ['monday:friday']
        location: Asia/Shanghai
`);

  it('fills defaults as Alertmanager does: e-mail from the global settings, send_resolved per kind', () => {
    const duty = config.receivers[0]!;
    expect(duty.emails[0]).toMatchObject({ to: 'duty@example.org', smarthost: 'mail.example:25', from: 'alerts@example.org', hello: 'localhost', requireTls: true, sendResolved: false });
    expect(duty.webhooks[0]).toMatchObject({ url: 'http://127.0.0.1:9/hook', sendResolved: true, maxAlerts: 5 });
    expect(config.global.resolveTimeoutMs).toBe(300_000);
  });

  it("reads Tocsin's sms_configs with their defaults", () => {
    const c = parseAlertingConfig(withReceivers('  receiver: chief', "  - name: chief\n    sms_configs: [{ to: '+8613800000000', gateway_url: 'https://sms.example/send', body: 'to={{to}}&text={{text}}', content_type: application/x-www-form-urlencoded }]"));
    expect(c.receivers[0]!.sms[0]).toEqual({
      to: '+8613800000000',
      gatewayUrl: 'https://sms.example/send',
      body: 'to={{to}}&text={{text}}',
      contentType: 'application/x-www-form-urlencoded',
      headers: {},
      sendResolved: true,
      maxLength: 160,
      timeoutMs: 30_000,
    });
  });

  it('reports receivers of kinds Tocsin does not deliver to, by name', () => {
    expect(config.unsupported).toEqual([{ receiver: 'chat', kind: 'slack_configs' }]);
  });

  it('reads group_by ... as grouping by every label, inherited below', () => {
    expect(config.route.groupByAll).toBe(true);
    expect(config.route.routes[0]!.groupByAll).toBe(true);
    expect(config.route.routes[0]!.groupWaitMs).toBe(10_000);
    expect(config.route.routes[0]!.matchers.map((m) => m.name)).toEqual(['hazard', 'area']);
  });

  it('evaluates time intervals in their time zone', () => {
    const office = config.timeIntervals.get('office')!;
    // Monday 2026-11-23 09:00 in Shanghai is 01:00 UTC; 19:00 there is 11:00 UTC; Saturday is out.
    expect(inTimeIntervals(office, Date.UTC(2026, 10, 23, 1, 0))).toBe(true);
    expect(inTimeIntervals(office, Date.UTC(2026, 10, 23, 11, 0))).toBe(false);
    expect(inTimeIntervals(office, Date.UTC(2026, 10, 28, 2, 0))).toBe(false);
  });
});
