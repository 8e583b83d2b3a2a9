import { Command, CommanderError } from 'commander';
import { loadConfig, settings } from '../runtime/config.ts';
import { closeOnSignals, startServer } from '../runtime/serve.ts';
import { isTocsinError } from '../domain/kernel/errors.ts';
import { version } from '../runtime/version.ts';
import { appliedMigrations, migrate } from '../store/migrate.ts';
import { openStoreFromOptions, withStoreOptions } from './store-options.ts';
import { registerUserCommands } from './user-commands.ts';
import { registerIngestCommand } from './ingest/ingest-command.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerDetectCommand } from './detect-command.ts';
import { registerBacktestCommand } from './backtest-command.ts';
import { systemClock } from '../domain/kernel/clock.ts';

/** Fails with a one-line reason on stderr and a non-zero exit code. */
export function fail(message: string, code = 2): never {
  process.stderr.write(`tocsin: ${message}\n`);
  process.exit(code);
}

function settingsHelp(): string {
  const lines = settings.map((s) => `  ${(s.flag ?? '').padEnd(13)} ${s.env.padEnd(26)} ${s.description} (default: ${s.default ?? 'unset'})`);
  return `\nSettings (flag, environment variable):\n${lines.join('\n')}\n`;
}

/** Builds the whole command tree; `main` parses process.argv with it. */
export function buildProgram(): Command {
  const program = new Command('tocsin')
    .description('Tocsin: see risks early, warn people in time, coordinate the response.')
    .version(version)
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the whole platform on this machine: API, ingest and console, on the embedded store or DATABASE_URL')
    .option('--port <port>', 'TCP port')
    .option('--host <address>', 'interface to listen on')
    .option('--data <dir>', 'embedded store folder')
    .option('--body-limit <size>', 'largest request body (e.g. 16mb)')
    .option('--retention <duration>', 'keep observations this long (e.g. 400d; 0 = forever)')
    .option('--alert-retention <duration>', 'keep resolved alerts, their history and finished notifications this long (e.g. 400d; 0 = forever)')
    .option('--log-level <level>', 'log verbosity')
    .option('--rules <dir>', 'folder of detection rule files (YAML/JSON), reloaded on change and SIGHUP')
    .option('--config <file>', "alerting configuration in Prometheus Alertmanager's format (alertmanager.yml)")
    .option('--external-url <url>', 'where people reach this Tocsin, for links in notifications')
    .addHelpText('after', settingsHelp())
    .action(async (opts: Record<string, string | undefined>) => {
      const config = loadConfig(
        {
          port: opts['port'],
          host: opts['host'],
          dataDir: opts['data'],
          bodyLimitBytes: opts['bodyLimit'],
          retentionMs: opts['retention'],
          alertRetentionMs: opts['alertRetention'],
          logLevel: opts['logLevel'],
          rulesDir: opts['rules'],
          alertingConfigFile: opts['config'],
          externalUrl: opts['externalUrl'],
        },
        process.env,
      );
      const server = await startServer(config);
      closeOnSignals(server);
      process.stderr.write(`Tocsin ${version} is listening on ${server.url} (store: ${server.store.location})\n`);
    });

  withStoreOptions(
    program.command('migrate').description('apply the schema migrations this version needs (serve does this at start too)'),
  ).action(async (opts: { data?: string }) => {
    const store = await openStoreFromOptions(opts, 'tocsin migrate');
    try {
      const applied = await migrate(store);
      const all = await appliedMigrations(store);
      process.stdout.write(
        `${store.location}: schema at version ${all[all.length - 1] ?? 0}` +
          `${applied.length ? ` (applied now: ${applied.join(', ')})` : ' (already up to date)'}\n`,
      );
    } finally {
      await store.close();
    }
  });

  registerIngestCommand(program, {
    openStoreFromOptions: (opts) => openStoreFromOptions(opts, 'tocsin ingest'),
    clock: systemClock,
  });
  registerUserCommands(program, (opts) => openStoreFromOptions(opts, 'tocsin user'));
  registerDemoCommand(program);
  registerDetectCommand(program);
  registerBacktestCommand(program);
  return program;
}

/** Entry point of the `tocsin` bin. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its own parse errors; our commands' errors carry their message here.
      if (err.code.startsWith('tocsin.') && !/^exit \d+$/.test(err.message)) process.stderr.write(`${err.message}\n`);
      process.exit(err.exitCode);
    }
    if (isTocsinError(err)) fail(err.message);
    fail((err as Error).message ?? String(err));
  }
}

