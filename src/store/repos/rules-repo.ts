import type { Selectable } from 'kysely';
import type { SqlClient } from '../sql-client.ts';
import type { Database } from '../schema.ts';
import type { RulesTable } from '../rules-schema.ts';
import { kyselyOver } from '../kysely.ts';
import { isUniqueViolation } from '../db-error.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';
import type { NewStoredRule, RuleUpdate, RulesPort, StoredRule } from '../../app/rules-catalog.ts';

/** The only code that reads or writes the rules table (API rules); times cross it as epoch ms. */
export function rulesRepo(client: SqlClient): RulesPort {
  const db = kyselyOver<Database>(client);

  // Tells "no such rule" from "someone changed it since you read it" after a guarded write missed.
  async function missed(name: string, expectedVersion: number): Promise<never> {
    const current = await db.selectFrom('rules').selectAll().where('name', '=', name).executeTakeFirst();
    if (!current) throw notFound(name);
    throw new TocsinError(
      'TOCSIN_CONFLICT',
      `version: rule "${name}" is at version ${current.version} (changed by ${current.updated_by} at ` +
        `${current.updated_at.toISOString()}), not ${expectedVersion}; read it again and reapply your change`,
      { fields: ['version'], name, version: current.version, expectedVersion },
    );
  }

  return {
    async listRules() {
      const rows = await db.selectFrom('rules').selectAll().orderBy('name').execute();
      return rows.map(toStored);
    },

    async findRule(name) {
      const row = await db.selectFrom('rules').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toStored(row) : null;
    },

    async insertRule(rule: NewStoredRule) {
      try {
        const row = await db
          .insertInto('rules')
          .values({
            name: rule.name,
            definition: JSON.stringify(rule.definition),
            created_at: new Date(rule.at),
            created_by: rule.by,
            updated_at: new Date(rule.at),
            updated_by: rule.by,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toStored(row);
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new TocsinError('TOCSIN_CONFLICT', `name: a rule named "${rule.name}" already exists`, { fields: ['name'], name: rule.name });
        }
        throw err;
      }
    },

    async updateRule(change: RuleUpdate) {
      const row = await db
        .updateTable('rules')
        .set((eb) => ({
          definition: JSON.stringify(change.definition),
          version: eb('version', '+', 1),
          updated_at: new Date(change.at),
          updated_by: change.by,
        }))
        .where('name', '=', change.name)
        .where('version', '=', change.expectedVersion)
        .returningAll()
        .executeTakeFirst();
      return row ? toStored(row) : missed(change.name, change.expectedVersion);
    },

    async deleteRule(name, expectedVersion) {
      let query = db.deleteFrom('rules').where('name', '=', name);
      if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
      const res = await query.executeTakeFirst();
      if (Number(res.numDeletedRows) > 0) return;
      if (expectedVersion === undefined) throw notFound(name);
      await missed(name, expectedVersion);
    },
  };
}

function notFound(name: string): TocsinError {
  return new TocsinError('TOCSIN_NOT_FOUND', `no rule named "${name}"`, { name });
}

function toStored(row: Selectable<RulesTable>): StoredRule {
  return {
    name: row.name,
    // Both backends parse jsonb; a string would mean a driver that does not, so parse it here.
    definition: typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition,
    version: row.version,
    createdAt: row.created_at.getTime(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.getTime(),
    updatedBy: row.updated_by,
  };
}
