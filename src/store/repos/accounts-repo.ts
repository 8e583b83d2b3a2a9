import type { Selectable } from 'kysely';
import type { SqlClient } from '../sql-client.ts';
import type { Database } from '../schema.ts';
import type { ApiTokensTable, SessionsTable, UsersTable } from '../accounts-schema.ts';
import { kyselyOver } from '../kysely.ts';
import { isUniqueViolation } from '../db-error.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';
import { isRole } from '../../domain/accounts/roles.ts';
import type {
  AccountsPort,
  ApiTokenRecord,
  NewApiToken,
  NewSession,
  NewUser,
  SessionWithUser,
  TokenWithUser,
  UserRecord,
} from '../../app/accounts.ts';

/** The only code that reads or writes users, sessions and api_tokens; times cross it as epoch ms. */
export function accountsRepo(client: SqlClient): AccountsPort {
  const db = kyselyOver<Database>(client);
  return {
    async countUsers() {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async insertUser(user: NewUser) {
      try {
        const row = await db
          .insertInto('users')
          .values({
            name: user.name,
            role: user.role,
            password_hash: user.passwordHash,
            disabled: false,
            created_at: new Date(user.createdAt),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toUser(row);
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new TocsinError('TOCSIN_CONFLICT', `name: a user named "${user.name}" already exists`, {
            fields: ['name'],
            value: user.name,
          });
        }
        throw err;
      }
    },

    async findUserByName(name) {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async listUsers() {
      const rows = await db.selectFrom('users').selectAll().orderBy('name').execute();
      return rows.map(toUser);
    },

    async insertSession(session: NewSession) {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          created_at: new Date(session.createdAt),
          expires_at: new Date(session.expiresAt),
          last_seen_at: new Date(session.createdAt),
        })
        .execute();
    },

    async findSession(id) {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('sessions')
        .select(['users.name as user_name', 'users.role as user_role', 'users.disabled as user_disabled'])
        .where('sessions.id', '=', id)
        .executeTakeFirst();
      if (!row) return null;
      return {
        ...toSession(row),
        user: { id: row.user_id, name: row.user_name, role: roleOf(row.user_role), disabled: row.user_disabled },
      } satisfies SessionWithUser;
    },

    async touchSession(id, lastSeenAt, expiresAt) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: new Date(lastSeenAt), expires_at: new Date(expiresAt) })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },

    async revokeSession(id, at) {
      const res = await db
        .updateTable('sessions')
        .set({ revoked_at: new Date(at) })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    async deleteSessionsEndedBefore(before) {
      const res = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<', new Date(before)), eb('revoked_at', '<', new Date(before))]))
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    async insertApiToken(token: NewApiToken) {
      const row = await db
        .insertInto('api_tokens')
        .values({
          user_id: token.userId,
          name: token.name,
          token_hash: token.tokenHash,
          prefix: token.prefix,
          created_at: new Date(token.createdAt),
          expires_at: token.expiresAt === null ? null : new Date(token.expiresAt),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const owner = await db.selectFrom('users').select('name').where('id', '=', row.user_id).executeTakeFirstOrThrow();
      return toToken({ ...row, user_name: owner.name });
    },

    async findApiTokenByHash(tokenHash) {
      const row = await db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .selectAll('api_tokens')
        .select(['users.name as user_name', 'users.role as user_role', 'users.disabled as user_disabled'])
        .where('api_tokens.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return null;
      return {
        ...toToken(row),
        user: { id: row.user_id, name: row.user_name, role: roleOf(row.user_role), disabled: row.user_disabled },
      } satisfies TokenWithUser;
    },

    async recordTokenUse(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: new Date(at) }).where('id', '=', id).execute();
    },

    async listApiTokens(filter) {
      let query = db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .selectAll('api_tokens')
        .select('users.name as user_name')
        .where('api_tokens.revoked_at', 'is', null);
      if (filter.userId !== undefined) query = query.where('api_tokens.user_id', '=', filter.userId);
      const rows = await query.orderBy('api_tokens.id').execute();
      return rows.map(toToken);
    },

    async findApiToken(id) {
      const row = await db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .selectAll('api_tokens')
        .select('users.name as user_name')
        .where('api_tokens.id', '=', id)
        .executeTakeFirst();
      return row ? toToken(row) : null;
    },

    async revokeApiToken(id, at) {
      const res = await db
        .updateTable('api_tokens')
        .set({ revoked_at: new Date(at) })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
  };
}

// A role outside the list can only come from a hand edit of the table; refuse it rather than guess.
function roleOf(value: string): UserRecord['role'] {
  if (!isRole(value)) throw new TocsinError('TOCSIN_INTERNAL', `users.role holds an unknown role "${value}"`);
  return value;
}

function ms(date: Date): number {
  return date.getTime();
}

function msOrNull(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    name: row.name,
    role: roleOf(row.role),
    passwordHash: row.password_hash,
    disabled: row.disabled,
    createdAt: ms(row.created_at),
  };
}

function toSession(row: Selectable<SessionsTable>) {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: ms(row.created_at),
    expiresAt: ms(row.expires_at),
    lastSeenAt: ms(row.last_seen_at),
    revokedAt: msOrNull(row.revoked_at),
  };
}

function toToken(row: Selectable<ApiTokensTable> & { user_name: string }): ApiTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    userName: row.user_name,
    name: row.name,
    prefix: row.prefix,
    createdAt: ms(row.created_at),
    expiresAt: msOrNull(row.expires_at),
    lastUsedAt: msOrNull(row.last_used_at),
    revokedAt: msOrNull(row.revoked_at),
  };
}
