import http from 'node:http';

/** A whole HTTP answer, body as text. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  body?: Buffer | string;
  headers?: http.OutgoingHttpHeaders;
  agent?: http.Agent;
  timeoutMs?: number;
}

/** One request to the server under test; always 127.0.0.1, never anything off this machine. */
export function request(port: number, method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const { body, agent, timeoutMs = 30_000 } = options;
  const headers: http.OutgoingHttpHeaders = { ...options.headers };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The first 300 characters of a body, for error messages. */
export function snippet(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
