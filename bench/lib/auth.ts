import { request, snippet } from './http-request.ts';

/**
 * Gets a Bearer token the way a person would: log in as `admin` (created by the server from
 * TOCSIN_ADMIN_PASSWORD), then create an API token with the session cookie. Kept in one place
 * so it is easy to follow the API if the contract shifts.
 */
export async function createBenchToken(port: number, adminPassword: string): Promise<string> {
  const login = await request(port, 'POST', '/api/v1/session', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'admin', password: adminPassword }),
  });
  if (login.status !== 200) {
    throw new Error(`login failed: POST /api/v1/session answered ${login.status} ${snippet(login.body)}`);
  }
  // Send back every cookie the login set (name=value only); the session cookie is tocsin_session.
  const setCookie = login.headers['set-cookie'] ?? [];
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  if (!cookie.includes('tocsin_session=')) {
    throw new Error(`login answered 200 but set no tocsin_session cookie (set-cookie: ${setCookie.join(' | ') || 'none'})`);
  }
  const created = await request(port, 'POST', '/api/v1/tokens', {
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ name: 'bench' }),
  });
  if (created.status !== 201) {
    throw new Error(`token creation failed: POST /api/v1/tokens answered ${created.status} ${snippet(created.body)}`);
  }
  const token = (JSON.parse(created.body) as { token?: unknown }).token;
  if (typeof token !== 'string' || token === '') {
    throw new Error(`POST /api/v1/tokens answered 201 without a "token" string: ${snippet(created.body)}`);
  }
  return token;
}
