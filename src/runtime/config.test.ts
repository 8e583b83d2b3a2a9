import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { loadConfig, readBytes, readDuration, redactedConfig, settings } from './config.ts';

const docs = fs.readFileSync(new URL('../../docs/CONFIGURATION.md', import.meta.url), 'utf8');
const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('configuration', () => {
  it('has documented defaults with units', () => {
    const config = loadConfig({}, {});
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './data',
      databaseUrl: undefined,
      dbSchema: undefined,
      bodyLimitBytes: 16 * 1024 * 1024,
      retentionMs: 400 * 86_400_000,
      retentionIntervalMs: 3_600_000,
      alertRetentionMs: 400 * 86_400_000,
      logLevel: 'info',
      adminPassword: undefined,
      rulesDir: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes flags over environment variables over defaults', () => {
    const config = loadConfig({ port: '9000' }, { TOCSIN_PORT: '9100', TOCSIN_BODY_LIMIT: '512kb', TOCSIN_RETENTION: '0' });
    expect(config.port).toBe(9000);
    expect(config.bodyLimitBytes).toBe(512 * 1024);
    expect(config.retentionMs).toBe(0);
  });

  it('reads the alerting retention from --alert-retention over TOCSIN_ALERT_RETENTION; 0 keeps everything', () => {
    expect(loadConfig({}, { TOCSIN_ALERT_RETENTION: '0' }).alertRetentionMs).toBe(0);
    expect(loadConfig({}, { TOCSIN_ALERT_RETENTION: '30d' }).alertRetentionMs).toBe(30 * 86_400_000);
    expect(loadConfig({ alertRetentionMs: '12h' }, { TOCSIN_ALERT_RETENTION: '30d' }).alertRetentionMs).toBe(43_200_000);
    expect(() => loadConfig({}, { TOCSIN_ALERT_RETENTION: 'forever' })).toThrowError(/TOCSIN_ALERT_RETENTION: "forever" is not a duration/);
  });

  it('reports every problem at once, naming where each came from', () => {
    expect(() =>
      loadConfig({ port: '70000' }, { TOCSIN_PROT: '1', TOCSIN_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://u:secret@h/db' }),
    ).toThrowError(
      /TOCSIN_PROT: unknown setting; --port: "70000" is not a port number \(0–65535\); DATABASE_URL: <redacted> must start with postgres:\/\/ or postgresql:\/\/; TOCSIN_LOG_LEVEL: "loud" is not one of/,
    );
  });

  it('never shows secrets', () => {
    const config = loadConfig({}, { DATABASE_URL: 'postgres://u:hunter2@db/tocsin', TOCSIN_ADMIN_PASSWORD: 'hunter2hunter2' });
    const shown = JSON.stringify(redactedConfig(config));
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('<redacted>');
  });

  it.each([
    ['16mb', 16 * 1024 * 1024],
    ['512kb', 512 * 1024],
    ['1048576', 1048576],
    ['1.5MB', 1.5 * 1024 * 1024],
  ])('reads the size %s', (text, bytes) => expect(readBytes(text)).toBe(bytes));

  it.each(['', 'lots', '12 parsecs', '10'])('refuses the size %j', (text) => expect(() => readBytes(text)).toThrow());

  it.each([
    ['400d', 400 * 86_400_000],
    ['12h', 43_200_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['2w', 1_209_600_000],
    ['0', 0],
  ])('reads the duration %s', (text, ms) => expect(readDuration(text)).toBe(ms));

  it.each(['forever', '10', '-1d', '1y'])('refuses the duration %j', (text) => expect(() => readDuration(text)).toThrow());

  it.each(settings.map((s) => [s.env, s.flag ?? '']))('documents %s (%s) in docs/CONFIGURATION.md and the README', (env, flag) => {
    expect(docs).toContain(`\`${env}\``);
    expect(readme).toContain(`\`${env}\``);
    if (flag) expect(docs).toContain(`\`${flag}\``);
  });
});
