import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../runtime/config.ts';
import { closeOnSignals, startServer, type RunningServer } from '../runtime/serve.ts';
import { systemClock } from '../domain/kernel/clock.ts';
import { createDemoGenerator, describeScenario, historyWeeks } from '../demo/generate.ts';
import { scaledClock } from '../demo/demo-clock.ts';
import { demoRuleFiles } from '../demo/demo-rules.ts';
import { demoAlertingConfig } from '../demo/demo-alerting.ts';
import { startDemoReceiver, type DemoNotice } from './demo-receiver.ts';
import { generatePassword } from '../app/accounts.ts';
import { SeriesResolver } from '../app/series-resolver.ts';
import { SeriesRepo } from '../store/repos/series-repo.ts';
import { storeParsedBatch } from '../app/ingest-observations.ts';
import { validateObservation } from '../domain/observations/validate-observation.ts';
import type { ObservationInput } from '../domain/observations/observation.ts';
import type { ParsedBatch } from '../domain/observations/parse-batch.ts';
import { TocsinError } from '../domain/kernel/errors.ts';

const markerFile = '.tocsin-demo';
const hourMs = 3_600_000;

/**
 * A demo folder starts fresh each run, so the story always begins the same way. Only a folder the
 * demo made itself (it holds the marker) is ever wiped; any other non-empty folder is refused.
 */
export function prepareDemoFolder(dir: string): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    if (!fs.existsSync(path.join(dir, markerFile))) {
      throw new TocsinError('TOCSIN_VALIDATION', `--data ${dir} is not empty and was not made by the demo; pick another folder`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, markerFile), 'This folder belongs to `tocsin demo` and is wiped at each demo start.\n');
}

function toBatch(inputs: readonly ObservationInput[], now: number): ParsedBatch {
  const batch: ParsedBatch = { observations: [], lines: [], rejected: [], total: inputs.length };
  inputs.forEach((input, i) => {
    const result = validateObservation(input, now);
    if (typeof result === 'string') batch.rejected.push({ line: i + 1, error: result });
    else {
      batch.observations.push(result);
      batch.lines.push(i + 1);
    }
  });
  return batch;
}

/** Replays generated observations in [from, to) into the running server's store, in slices. */
async function feed(server: RunningServer, resolver: SeriesResolver, inputs: ObservationInput[], now: number): Promise<number> {
  const outcome = await storeParsedBatch(
    {
      store: server.store,
      series: resolver,
      clock: { now: () => now },
      events: server.events,
      afterStore: (rows) => {
        server.detection.submit(rows).catch((err: unknown) => server.logger.error({ err }, 'detection failed on demo data'));
      },
    },
    toBatch(inputs, now),
    'demo',
  );
  server.metrics.recordIngest('demo', outcome);
  if (outcome.rejected.length > 0) server.logger.warn({ rejected: outcome.rejected.slice(0, 5) }, 'demo data refused');
  return outcome.accepted;
}

/** Adds `tocsin demo`: serve plus the Riverside scenario, history first, then live data. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('serve plus a generated Riverside scenario (river gauges, rain, air quality, disease counts, grid, residents) replayed live')
    .option('--port <port>', 'TCP port', '8080')
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    // Beside serve's ./data, not inside it: a PGlite folder nested in another one would be confusing.
    .option('--data <dir>', 'demo data folder (wiped at each start)', './demo-data')
    .option('--speed <factor>', 'demo time runs this many times faster than the clock', process.env['TOCSIN_DEMO_SPEED'] ?? '96')
    .option('--seed <n>', 'random seed (same seed, same data)', '1')
    .action(async (opts: { port: string; host: string; data: string; speed: string; seed: string }) => {
      const speed = Number(opts.speed);
      if (!(speed >= 1 && speed <= 10_000)) throw new TocsinError('TOCSIN_VALIDATION', `--speed: "${opts.speed}" must be a number from 1 to 10000`);
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new TocsinError('TOCSIN_VALIDATION', `--seed: "${opts.seed}" must be a whole number`);
      prepareDemoFolder(opts.data);
      const rulesDir = path.join(opts.data, 'rules');
      fs.mkdirSync(rulesDir);
      for (const f of demoRuleFiles()) fs.writeFileSync(path.join(rulesDir, f.file), f.text);

      const password = process.env['TOCSIN_ADMIN_PASSWORD'] || generatePassword();
      const realStart = systemClock.now();
      // The whole server runs on demo time (only sessions keep the wall clock): live time starts at
      // the current hour and then runs `speed` times faster, so one 16-hour story cycle takes minutes.
      const liveStart = Math.floor(realStart / hourMs) * hourMs;
      const generator = createDemoGenerator({ seed, startMs: liveStart - historyWeeks * 7 * 24 * hourMs });
      const demoClock = scaledClock(systemClock, realStart, generator.timeline.liveStartMs, speed);
      // Notifications go to a local listener; the terminal shows them once history is loaded.
      let live = false;
      const notices: DemoNotice[] = [];
      const receiver = await startDemoReceiver((notice) => {
        if (live) printNotice(notice);
        else notices.push(notice);
      });
      const alertingFile = path.join(opts.data, 'alertmanager.yml');
      fs.writeFileSync(alertingFile, demoAlertingConfig(receiver.url, new Date(liveStart - 7 * 24 * hourMs).toISOString().slice(0, 10)));
      const config = loadConfig(
        { port: opts.port, host: opts.host, dataDir: opts.data, retentionMs: '0', alertRetentionMs: '0', rulesDir, alertingConfigFile: alertingFile },
        { ...process.env, TOCSIN_ADMIN_PASSWORD: password },
      );
      const server = await startServer(config, { clock: demoClock, wallClock: systemClock, holder: 'tocsin demo', announce: () => {} });
      const resolver = new SeriesResolver(new SeriesRepo(server.store), (ids) => server.detection.forgetSeries(ids));
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const printNotice = (n: DemoNotice) => {
        const group = Object.entries(n.groupLabels).map(([k, v]) => `${k}=${v}`).join(' ');
        out(`  Notice  ${n.to.padEnd(18)} ${n.status.toUpperCase()} ${n.alerts} alert${n.alerts === 1 ? '' : 's'} ${group} (${n.reason})`);
      };

      out('');
      out('Tocsin demo: Riverside');
      for (const line of describeScenario()) out(`  ${line}`);
      out('');
      out(`  Open    ${server.url}   (API docs ${server.url}/docs, metrics ${server.url}/metrics)`);
      out(`  Sign in admin / ${password}`);
      out(`  Time    demo time runs ${speed}× the clock`);
      out(`  Rules   ${server.rules.list().length} detection rules in ${rulesDir} (edit them: the server reloads them)`);
      out(`  Alerts  routed by ${alertingFile} (Alertmanager's format; a duty roster escalates floods); notifications print below`);
      out('');

      const started = performance.now();
      let loaded = 0;
      const historyEnd = generator.timeline.liveStartMs;
      for (let from = generator.timeline.firstMs; from < historyEnd; ) {
        const to = Math.min(historyEnd, from + 7 * 24 * hourMs);
        loaded += await feed(server, resolver, generator.observationsBetween(from, to), to);
        from = to;
      }
      await server.detection.drain();
      out(`  Loaded  ${loaded.toLocaleString('en')} observations of history in ${((performance.now() - started) / 1000).toFixed(1)} s; live data flowing`);
      out(`  Signals ${server.detection.counters.signals.toLocaleString('en')} raised by the history so far (GET /api/v1/signals, or the event stream)`);
      out(`  Notices ${notices.length} notifications while history loaded (GET /api/v1/notifications); new ones print as they arrive:`);
      live = true;

      let fedUntil = historyEnd;
      let busy = false;
      const tick = setInterval(() => {
        if (busy) return;
        busy = true;
        const now = demoClock.now();
        feed(server, resolver, generator.observationsBetween(fedUntil, now), now)
          .then(() => {
            fedUntil = now;
          })
          .catch((err: unknown) => server.logger.error({ err }, 'demo feed failed'))
          .finally(() => {
            busy = false;
          });
      }, 1000);
      closeOnSignals({
        logger: server.logger,
        close: async () => {
          clearInterval(tick);
          await server.close();
          await receiver.close();
        },
      });
    });
}
