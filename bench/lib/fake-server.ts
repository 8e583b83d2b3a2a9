/**
 * Debugging aid only, never used by `npm run bench`: a stand-in for `tocsin serve` that speaks
 * just enough of the API (healthz, session, tokens, NDJSON observations, parse only, no storage)
 * to exercise the HTTP benchmark path while the real server is being written. Run the bench with
 * BENCH_SERVER_ENTRY=bench/lib/fake-server.ts to use it.
 */
import http from 'node:http';

const portArg = process.argv.indexOf('--port');
const port = Number(process.argv[portArg + 1]);
const password = process.env.TOCSIN_ADMIN_PASSWORD ?? '';

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  const body = await readBody(req);
  if (req.url === '/healthz') return json(res, 200, { status: 'ok' });
  if (req.url === '/api/v1/session' && req.method === 'POST') {
    const { name, password: p } = JSON.parse(body) as { name: string; password: string };
    if (name !== 'admin' || p !== password) return json(res, 401, { error: 'bad login' });
    return json(res, 200, { name }, { 'set-cookie': 'tocsin_session=fake; HttpOnly; Path=/' });
  }
  if (req.url === '/api/v1/tokens' && req.method === 'POST') {
    if (!req.headers.cookie?.includes('tocsin_session=fake')) return json(res, 401, { error: 'no session' });
    return json(res, 201, { token: 'fake-token' });
  }
  if (req.url === '/api/v1/observations' && req.method === 'POST') {
    if (req.headers.authorization !== 'Bearer fake-token') return json(res, 401, { error: 'no token' });
    let accepted = 0;
    for (let s = 0, e = 0; s < body.length; s = e + 1) {
      e = body.indexOf('\n', s);
      if (e === -1) e = body.length;
      if (e > s) {
        JSON.parse(body.slice(s, e));
        accepted++;
      }
    }
    return json(res, 202, { accepted, duplicates: 0, rejected: [] });
  }
  json(res, 404, { error: 'not found' });
});
server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
