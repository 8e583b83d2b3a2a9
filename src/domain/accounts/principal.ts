import type { Role } from './roles.ts';

/** Who is calling: the account behind a request's session cookie or API token. */
export interface Principal {
  userId: number;
  name: string;
  role: Role;
  via: 'token' | 'session';
  /** When the credential stops working (epoch ms), or null for a token without expiry. */
  expiresAt: number | null;
}
