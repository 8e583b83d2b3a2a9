/**
 * Worker thread that times GET /healthz at a steady pace and posts each sample to the parent. It
 * lives on its own thread so the benchmark client's event loop (busy sending bodies) cannot delay
 * the probes and inflate the latency we blame on the server.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface ProbeConfig {
  port: number;
  intervalMs: number;
  timeoutMs: number;
  /** Hard stop even if the parent never says so. */
  maxMs: number;
}

/** One probe: when it started (epoch ms, comparable across threads) and its latency, or failed. */
export interface ProbeSample {
  at: number;
  ms: number;
  ok: boolean;
}

const config = workerData as ProbeConfig;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let stopping = false;
parentPort?.on('message', (m) => {
  if (m === 'stop') stopping = true;
});

const epochNow = (): number => performance.timeOrigin + performance.now();

function probe(): Promise<ProbeSample> {
  return new Promise((resolve) => {
    const at = epochNow();
    const done = (ok: boolean) => resolve({ at, ms: epochNow() - at, ok });
    const req = http.get({ host: '127.0.0.1', port: config.port, path: '/healthz', agent }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
      res.on('error', () => done(false));
    });
    req.setTimeout(config.timeoutMs, () => req.destroy());
    req.on('error', () => done(false));
  });
}

const end = performance.now() + config.maxMs;
while (!stopping && performance.now() < end) {
  const start = performance.now();
  parentPort?.postMessage(await probe());
  // Keep a steady pace from start to start; a slow answer is one long sample, not a backlog.
  const wait = config.intervalMs - (performance.now() - start);
  await new Promise((r) => setTimeout(r, Math.max(0, wait)));
}
agent.destroy();
parentPort?.postMessage('done');
