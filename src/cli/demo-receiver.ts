import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the demo prints about a notification that reached its listener. */
export interface DemoNotice {
  /** The path it was sent to: `duty-desk`, `flood-desk`, `pager/li.wei`. */
  to: string;
  status: string;
  reason: string;
  alerts: number;
  groupLabels: Record<string, string>;
}

/** A local webhook listener standing in for the duty desk's systems: it answers 200 to every notification. */
export async function startDemoReceiver(onNotice: (notice: DemoNotice) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      res.end();
      try {
        const p = JSON.parse(body) as { status: string; notification_reason?: string; alerts: unknown[]; groupLabels: Record<string, string> };
        onNotice({ to: (req.url ?? '/').slice(1), status: p.status, reason: p.notification_reason ?? '', alerts: p.alerts.length, groupLabels: p.groupLabels });
      } catch {
        // Not a notification: nothing to show.
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
