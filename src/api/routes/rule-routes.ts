import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { TocsinError } from '../../domain/kernel/errors.ts';
import type { Role } from '../../domain/accounts/roles.ts';
import { isMapping } from '../../domain/detect/rules/field-checks.ts';
import { ruleProblemsError, type CatalogProblem, type CatalogRule, type RulesCatalog } from '../../app/rules-catalog.ts';
import { principalOf } from '../auth.ts';
import { readerRoles } from '../route-roles.ts';

/** What the rule routes need: the catalog of rules in force. */
export interface RuleRouteDeps {
  catalog: Pick<RulesCatalog, 'list' | 'get' | 'problems' | 'validate' | 'create' | 'update' | 'delete'>;
}

/** Who may create, change and delete rules: analysts (and admin, who may do all). */
export const ruleWriterRoles: readonly Role[] = ['analyst'];

const tags = ['rules'];

// Fields the API shows but a client never sets; a rule read, edited and sent back may carry them.
const readOnlyFields = ['source', 'version', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'] as const;

const textMap = Type.Record(Type.String(), Type.String());
const dateTimeOrNull = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const textOrNull = Type.Union([Type.String(), Type.Null()]);

const ruleView = Type.Object({
  name: Type.String(),
  select: Type.Object({
    key: Type.Optional(Type.String({ description: 'Glob over series keys: * any run of characters, ? one character' })),
    domain: Type.Optional(Type.String()),
    indicator: Type.Optional(Type.String()),
    area: Type.Optional(Type.String()),
    labels: Type.Optional(textMap),
  }),
  // Listed field by field: the response serializer drops what a schema does not name.
  aggregate: Type.Optional(
    Type.Object(
      {
        period: Type.String({ description: 'day, isoweek or month' }),
        of: Type.String({ description: 'sum, count, mean or max' }),
        timezone: Type.String({ description: 'IANA time zone in which periods begin at local midnight' }),
        evaluate: Type.String({ description: 'closed (a period once it is over) or running (also the period in progress)' }),
      },
      { description: 'Raw observations gathered into one value per period before the detector sees them' },
    ),
  ),
  detector: Type.Object({ type: Type.String() }, { additionalProperties: true, description: 'The detector type and its parameters' }),
  for: Type.Union([Type.String(), Type.Number()], { description: 'Hold time: a duration such as 10m, or milliseconds' }),
  labels: textMap,
  annotations: textMap,
  levels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Detector output (alarm or a level) → level or none' })),
  enabled: Type.Boolean(),
  source: Type.String({ description: "'api', or 'file:<path>' for a rule from the rules folder (change it there)" }),
  version: Type.Union([Type.Integer(), Type.Null()], { description: 'API rules: send it back with PUT (optimistic concurrency)' }),
  createdAt: dateTimeOrNull,
  createdBy: textOrNull,
  updatedAt: dateTimeOrNull,
  updatedBy: textOrNull,
});

const problemView = Type.Object({
  rule: Type.String(),
  field: Type.String(),
  message: Type.String(),
  source: Type.Optional(Type.String()),
  line: Type.Optional(Type.Integer()),
  version: Type.Optional(Type.Integer()),
});

// Bodies are checked by the rule parser, which reports every problem at once with the rule's own
// field names; a schema here would stop at its first complaint. So the schema only documents.
const ruleBody = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'A rule as in a rules file: name, select {key, domain, indicator, area, labels}, aggregate {period, of, timezone, evaluate}, ' +
      'detector {type, …parameters}, ' +
      'for, labels, annotations {summary, description, runbook_url, …}, levels, enabled. Read-only fields are ignored.',
  },
);

const listQuery = Type.Object(
  {
    source: Type.Optional(Type.String({ pattern: '^(api|file|file:.+)$', description: "api, file (any file), or one file's file:<path>" })),
    detector: Type.Optional(Type.String({ minLength: 1, description: 'Detector type' })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const nameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
const deleteQuery = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1, description: 'Delete only if the rule is still at this version' })) },
  { additionalProperties: false },
);

function toView(entry: CatalogRule) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    ...entry.rule.document,
    source: entry.source,
    version: entry.version,
    createdAt: iso(entry.createdAt),
    createdBy: entry.createdBy,
    updatedAt: iso(entry.updatedAt),
    updatedBy: entry.updatedBy,
  };
}

function withoutReadOnly(body: unknown): unknown {
  if (!isMapping(body)) return body;
  const rest = { ...body };
  for (const field of readOnlyFields) delete rest[field];
  return rest;
}

/** Rules under /api/v1/rules: list (with file rules and problems), read, create, replace, delete, validate. */
export async function ruleRoutes(app: FastifyInstance, deps: RuleRouteDeps): Promise<void> {
  const { catalog } = deps;

  app.get(
    '/api/v1/rules',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'List rules',
        description: 'Rules from the rules folder and from the API together, by name; `problems` lists rules that could not be loaded.',
        tags,
        querystring: listQuery,
        response: { 200: Type.Object({ items: Type.Array(ruleView), total: Type.Integer(), problems: Type.Array(problemView) }) },
      },
    },
    async (request) => {
      const q = request.query as Static<typeof listQuery>;
      const items = catalog.list(q).map(toView);
      const problems: CatalogProblem[] = catalog.problems();
      return { items, total: items.length, problems };
    },
  );

  app.get(
    '/api/v1/rules/:name',
    {
      config: { roles: readerRoles },
      schema: { summary: 'One rule', tags, params: nameParams, response: { 200: ruleView } },
    },
    async (request) => {
      const { name } = request.params as Static<typeof nameParams>;
      const entry = catalog.get(name);
      if (!entry) throw new TocsinError('TOCSIN_NOT_FOUND', `no rule named "${name}"`, { name });
      return toView(entry);
    },
  );

  app.post(
    '/api/v1/rules',
    {
      config: { roles: ruleWriterRoles },
      schema: {
        summary: 'Create a rule',
        description: '400 lists every problem with its field; 409 when the name is taken (or belongs to a rules file).',
        tags,
        body: ruleBody,
        response: { 201: ruleView },
      },
    },
    async (request, reply) => {
      const entry = await catalog.create(withoutReadOnly(request.body), principalOf(request).name);
      reply.code(201).header('location', `/api/v1/rules/${encodeURIComponent(entry.rule.name)}`);
      return toView(entry);
    },
  );

  app.put(
    '/api/v1/rules/:name',
    {
      config: { roles: ruleWriterRoles },
      schema: {
        summary: 'Replace a rule',
        description: 'The body is the whole rule plus the `version` it was read at; 409 when someone changed it since.',
        tags,
        params: nameParams,
        body: ruleBody,
        response: { 200: ruleView },
      },
    },
    async (request) => {
      const { name } = request.params as Static<typeof nameParams>;
      const body = request.body as Record<string, unknown>;
      const version = body['version'];
      if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
        const problem = { rule: name, field: 'version', message: 'is required: the version the rule was read at (a whole number ≥ 1)' };
        const others = catalog.validate({ ...(withoutReadOnly(body) as Record<string, unknown>), name });
        throw ruleProblemsError([problem, ...others]);
      }
      return toView(await catalog.update(name, withoutReadOnly(body), { version, by: principalOf(request).name }));
    },
  );

  app.delete(
    '/api/v1/rules/:name',
    {
      config: { roles: ruleWriterRoles },
      schema: {
        summary: 'Delete a rule',
        description: 'Only rules defined through the API; a file rule is removed from its file.',
        tags,
        params: nameParams,
        querystring: deleteQuery,
        response: { 204: Type.Null({ description: 'No content' }) },
      },
    },
    async (request, reply) => {
      const { name } = request.params as Static<typeof nameParams>;
      const { version } = request.query as Static<typeof deleteQuery>;
      await catalog.delete(name, { by: principalOf(request).name, ...(version !== undefined ? { version } : {}) });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/rules/validate',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'Check a rule without saving it',
        description: 'Answers 200 with every problem (none when the rule is valid); nothing is stored.',
        tags,
        body: ruleBody,
        response: { 200: Type.Object({ valid: Type.Boolean(), problems: Type.Array(problemView) }) },
      },
    },
    async (request) => {
      const problems = catalog.validate(withoutReadOnly(request.body));
      return { valid: problems.length === 0, problems };
    },
  );
}
