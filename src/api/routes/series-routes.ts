import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { TocsinError } from '../../domain/kernel/errors.ts';
import { parseDuration } from '../../domain/kernel/duration.ts';
import { parseTime } from '../../domain/observations/validate-observation.ts';
import type { SeriesRecord, SeriesRepo } from '../../store/repos/series-repo.ts';
import type { ObservationsRepo } from '../../store/repos/observations-repo.ts';
import { readerRoles } from '../route-roles.ts';
import { hazardDomains } from '../../domain/observations/hazard-domains.ts';

/** Dependencies of the series routes: the two repositories they read. */
export interface SeriesRouteDeps {
  series: Pick<SeriesRepo, 'list' | 'byKey'>;
  observations: Pick<ObservationsRepo, 'range' | 'buckets' | 'latest'>;
}

/** Limits of the read endpoints: large enough for a chart, small enough to keep answers quick. */
export const seriesReadLimits = {
  pageDefault: 100,
  pageMax: 1000,
  observationsDefault: 10_000,
  observationsMax: 100_000,
  /** Fewest ms per aggregated bucket. */
  stepMin: 1000,
} as const;

const seriesBody = Type.Object({
  key: Type.String(),
  domain: Type.Union([Type.String(), Type.Null()]),
  indicator: Type.Union([Type.String(), Type.Null()]),
  unit: Type.Union([Type.String(), Type.Null()]),
  area: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.Object({ lon: Type.Number(), lat: Type.Number() }), Type.Null()]),
  labels: Type.Record(Type.String(), Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const listQuery = Type.Object(
  {
    domain: Type.Optional(Type.Union(hazardDomains.map((d) => Type.Literal(d)))),
    indicator: Type.Optional(Type.String({ minLength: 1 })),
    area: Type.Optional(Type.String({ minLength: 1 })),
    label: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*=.*$', description: 'name=value; repeat for several' })),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: seriesReadLimits.pageMax, default: seriesReadLimits.pageDefault })),
    cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

const keyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) });

const observationsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ description: 'ISO-8601 with offset or epoch ms; inclusive' })),
    to: Type.Optional(Type.String({ description: 'ISO-8601 with offset or epoch ms; exclusive' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: seriesReadLimits.observationsMax })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'desc: the latest `limit`, still answered oldest first' })),
    step: Type.Optional(Type.String({ description: 'bucket width (e.g. 5m, 1h, 1d): answers min/max/mean/count per bucket' })),
  },
  { additionalProperties: false },
);

function toBody(s: SeriesRecord) {
  return {
    key: s.key,
    domain: s.domain,
    indicator: s.indicator,
    unit: s.unit,
    area: s.area,
    location: s.lon !== null && s.lat !== null ? { lon: s.lon, lat: s.lat } : null,
    labels: s.labels,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

function timeParam(name: 'from' | 'to', text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = parseTime(/^-?\d+$/.test(text) ? Number(text) : text);
  if (typeof value === 'string') {
    throw new TocsinError('TOCSIN_VALIDATION', `querystring.${name}: ${value.replace(/^t: /, '')}`, { fields: [`querystring.${name}`] });
  }
  return value;
}

async function requireSeries(deps: SeriesRouteDeps, key: string): Promise<SeriesRecord> {
  const series = await deps.series.byKey(key);
  if (!series) throw new TocsinError('TOCSIN_NOT_FOUND', `no series "${key}"`, { key });
  return series;
}

/** Reading series and their observations: list with filters, one series, a range, aggregated buckets. */
export async function seriesRoutes(app: FastifyInstance, deps: SeriesRouteDeps): Promise<void> {
  app.get(
    '/api/v1/series',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'List series',
        description: 'Filter by domain, indicator, area and labels (label=name=value, repeatable); pages in key order.',
        tags: ['series'],
        querystring: listQuery,
        response: {
          200: Type.Object({ items: Type.Array(seriesBody), total: Type.Integer(), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (request) => {
      const q = request.query as Static<typeof listQuery>;
      const limit = q.limit ?? seriesReadLimits.pageDefault;
      const labels: Record<string, string> = {};
      for (const pair of q.label ?? []) {
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq);
        const value = pair.slice(eq + 1);
        // Filters combine with AND: one label cannot hold two values, so nothing matches.
        if (labels[name] !== undefined && labels[name] !== value) return { items: [], total: 0, nextCursor: null };
        labels[name] = value;
      }
      const page = await deps.series.list({
        limit,
        ...(q.domain !== undefined ? { domain: q.domain } : {}),
        ...(q.indicator !== undefined ? { indicator: q.indicator } : {}),
        ...(q.area !== undefined ? { area: q.area } : {}),
        ...(q.cursor !== undefined ? { after: q.cursor } : {}),
        labels,
      });
      const last = page.items[page.items.length - 1];
      return {
        items: page.items.map(toBody),
        total: page.total,
        nextCursor: page.items.length === limit && last ? last.key : null,
      };
    },
  );

  app.get(
    '/api/v1/series/:key',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'One series, with its latest observation',
        tags: ['series'],
        params: keyParams,
        response: {
          200: Type.Intersect([
            seriesBody,
            Type.Object({ latest: Type.Union([Type.Object({ t: Type.String(), v: Type.Number() }), Type.Null()]) }),
          ]),
        },
      },
    },
    async (request) => {
      const { key } = request.params as Static<typeof keyParams>;
      const series = await requireSeries(deps, key);
      const latest = await deps.observations.latest(series.id);
      return { ...toBody(series), latest: latest ? { t: new Date(latest.t).toISOString(), v: latest.v } : null };
    },
  );

  app.get(
    '/api/v1/series/:key/observations',
    {
      config: { roles: readerRoles },
      schema: {
        summary: "A series' observations in a time range, raw or in buckets",
        description: 'Without `step`: observations oldest first. With `step`: epoch-aligned buckets with min, max, mean and count.',
        tags: ['series'],
        params: keyParams,
        querystring: observationsQuery,
      },
    },
    async (request) => {
      const { key } = request.params as Static<typeof keyParams>;
      const q = request.query as Static<typeof observationsQuery>;
      const range = { from: timeParam('from', q.from), to: timeParam('to', q.to) };
      if (range.from !== undefined && range.to !== undefined && range.from >= range.to) {
        throw new TocsinError('TOCSIN_VALIDATION', 'querystring.from: must be earlier than to', { fields: ['querystring.from'] });
      }
      const limit = q.limit ?? seriesReadLimits.observationsDefault;
      const series = await requireSeries(deps, key);
      if (q.step !== undefined) {
        const stepMs = parseDuration(q.step);
        if (stepMs === null || stepMs < seriesReadLimits.stepMin) {
          throw new TocsinError('TOCSIN_VALIDATION', `querystring.step: "${q.step}" is not a duration of at least 1s (e.g. 5m, 1h, 1d)`, {
            fields: ['querystring.step'],
          });
        }
        const buckets = await deps.observations.buckets(series.id, range, stepMs, limit);
        return {
          series: key,
          step: q.step,
          buckets: buckets.map((b) => ({ t: new Date(b.t).toISOString(), min: b.min, max: b.max, mean: b.mean, count: b.count })),
        };
      }
      const rows = await deps.observations.range(series.id, range, limit, q.order === 'desc');
      return {
        series: key,
        observations: rows.map((o) => ({ t: new Date(o.t).toISOString(), v: o.v })),
        truncated: rows.length === limit,
      };
    },
  );
}
