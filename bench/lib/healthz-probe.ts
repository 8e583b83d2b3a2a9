import { Worker } from 'node:worker_threads';
import type { ProbeConfig, ProbeSample } from './healthz-probe-worker.ts';
import { summariseLatency, type LatencySummary } from './stats.ts';

/** A probe running for a server's whole life; steps read the samples of their own time window. */
export interface HealthzProbe {
  /** Resolves once the first probe answered, so the first step is covered from its start. */
  ready: Promise<void>;
  /** Waits until every probe that started by `at` has answered (or timed out). */
  settle(at: number): Promise<void>;
  /** Samples that started within [from, to] (epoch ms). */
  between(from: number, to: number): ProbeSample[];
  stop(): Promise<void>;
}

/** Epoch milliseconds with sub-ms precision, comparable with the probe thread's timestamps. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** Starts probing GET /healthz every `intervalMs` on a worker thread. */
export function startHealthzProbe(port: number, intervalMs: number, maxMs: number): HealthzProbe {
  const config: ProbeConfig = { port, intervalMs, timeoutMs: 5_000, maxMs };
  // Workers do not inherit `--import tsx`, so a tiny bootstrap registers tsx before loading the .ts module.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./healthz-probe-worker.ts', import.meta.url).href);
  const bootstrap = `import(${tsx}).then(({ register }) => { register(); return import(${entry}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: config });
  const samples: ProbeSample[] = [];
  const waiters: Array<{ at: number; resolve: () => void }> = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    worker.once('error', reject);
  });
  // 'done' rather than 'exit': tsx's loader channel may keep the worker alive after its loop ends.
  let markFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    markFinished = resolve;
    worker.once('exit', () => resolve());
  });
  worker.on('message', (m: ProbeSample | 'done') => {
    if (m === 'done') return markFinished();
    samples.push(m);
    markReady();
    // Probes run one after another, so a sample that started after `at` means all before it are in.
    for (const w of waiters.filter((w) => m.at > w.at)) {
      w.resolve();
      waiters.splice(waiters.indexOf(w), 1);
    }
  });
  // Awaited by the caller; this keeps an early worker failure from crashing the run meanwhile.
  ready.catch(() => undefined);
  return {
    ready,
    settle: (at) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, config.intervalMs + config.timeoutMs);
        waiters.push({ at, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    between: (from, to) => samples.filter((s) => s.at >= from && s.at <= to),
    async stop() {
      worker.postMessage('stop');
      const timeout = new Promise((r) => setTimeout(r, config.timeoutMs + 1_000).unref());
      await Promise.race([finished, timeout]);
      await worker.terminate();
    },
  };
}

/** p50/p99/max of the samples that answered 200; the rest count as failures. */
export function summariseSamples(samples: readonly ProbeSample[]): LatencySummary {
  return summariseLatency(
    samples.filter((s) => s.ok).map((s) => s.ms),
    samples.filter((s) => !s.ok).length,
  );
}
