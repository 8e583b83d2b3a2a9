import type { FastifyInstance } from 'fastify';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { BatchFormatError, type BatchFormat } from '../../domain/observations/parse-batch.ts';
import { ingestObservations, type IngestDeps, type IngestOutcome } from '../../app/ingest-observations.ts';
import { TocsinError } from '../../domain/kernel/errors.ts';
import { observationWriterRoles } from '../route-roles.ts';

/** Content types the observations endpoint reads, and the batch format each means. */
export const observationMediaTypes: Readonly<Record<string, BatchFormat>> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'text/csv': 'csv',
};

/** At most this many rejections are listed in one answer; `rejectedCount` always has the total. */
export const maxListedRejections = 1000;

const rejection = Type.Object({ line: Type.Integer(), error: Type.String() });

const ingestAnswer = Type.Object(
  {
    accepted: Type.Integer({ description: 'Observations stored by this request.' }),
    duplicates: Type.Integer({ description: 'Valid observations whose (series, t) was already stored; left unchanged.' }),
    rejected: Type.Array(rejection, { description: `Refused lines, each with its reason (at most ${maxListedRejections}).` }),
    rejectedCount: Type.Integer({ description: 'All refused lines, listed or not.' }),
  },
  { additionalProperties: false },
);

/** Dependencies of the observation routes. */
export interface ObservationRouteDeps {
  ingest: IngestDeps;
  bodyLimitBytes: number;
  /** Called after each stored batch (metrics). */
  onIngested?: (outcome: IngestOutcome) => void;
}

/**
 * `POST /api/v1/observations`: a JSON array, NDJSON or CSV. Bad lines are refused one by one with
 * a reason; the good ones in the same batch are stored. The 202 is sent only after the rows are
 * committed, so an acknowledged observation survives a crash right after the answer.
 */
export async function observationRoutes(app: FastifyInstance, deps: ObservationRouteDeps): Promise<void> {
  // This plugin reads its bodies as text itself: each format keeps its own per-line errors.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    Object.keys(observationMediaTypes),
    { parseAs: 'string', bodyLimit: deps.bodyLimitBytes },
    (_request, body, done) => done(null, body),
  );

  // Gateways and bulk loaders often compress: accept gzip and deflate bodies. The body limit then
  // applies to the decompressed bytes, so a small compressed bomb is refused with 413 all the same.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    if (encoding === 'identity') return payload;
    const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : null;
    if (!decoder) {
      throw new TocsinError('TOCSIN_UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding} is not supported here; send gzip, deflate or none`);
    }
    let received = 0;
    payload.on('data', (chunk: Buffer) => (received += chunk.length));
    payload.on('error', (err) => decoder.destroy(err));
    decoder.on('error', (err: Error & { statusCode?: number }) => {
      // A corrupt stream is the sender's fault: answer 400, not 500.
      err.statusCode = 400;
      err.message = `body is not valid ${encoding}: ${err.message}`;
    });
    const decoded = payload.pipe(decoder) as unknown as Readable & { receivedEncodedLength?: number };
    // Fastify checks Content-Length against the bytes that arrived, not the decompressed ones.
    Object.defineProperty(decoded, 'receivedEncodedLength', { get: () => received });
    return decoded;
  });

  app.post(
    '/api/v1/observations',
    {
      bodyLimit: deps.bodyLimitBytes,
      config: { roles: observationWriterRoles },
      schema: {
        summary: 'Ingest observations',
        description:
          'Body: a JSON array of {series, t, v}, NDJSON (application/x-ndjson) or CSV (text/csv, header series,t,v). ' +
          '`t` is ISO-8601 with an offset or epoch milliseconds. Idempotent on (series, t). Answers 202 once stored; ' +
          '400 when no line could be read.',
        tags: ['observations'],
        body: Type.String({ description: 'The batch, in the format its Content-Type names.' }),
        response: { 202: ingestAnswer },
      },
    },
    async (request, reply) => {
      const format = formatOf(request.headers['content-type']);
      let outcome: IngestOutcome;
      try {
        outcome = await ingestObservations(deps.ingest, request.body as string, format, 'http');
      } catch (err) {
        if (err instanceof BatchFormatError) throw new TocsinError('TOCSIN_VALIDATION', err.message);
        throw err;
      }
      deps.onIngested?.(outcome);
      const stored = outcome.accepted + outcome.duplicates;
      if (stored === 0) {
        throw new TocsinError(
          'TOCSIN_VALIDATION',
          outcome.rejected.length === 0
            ? 'the body holds no observations'
            : `no observation accepted: every one of ${outcome.rejected.length} lines was refused (first: line ${outcome.rejected[0]!.line}: ${outcome.rejected[0]!.error})`,
          { rejected: outcome.rejected.slice(0, maxListedRejections), rejectedCount: outcome.rejected.length },
        );
      }
      return reply.code(202).send({
        accepted: outcome.accepted,
        duplicates: outcome.duplicates,
        rejected: outcome.rejected.slice(0, maxListedRejections),
        rejectedCount: outcome.rejected.length,
      });
    },
  );
}

function formatOf(contentType: string | undefined): BatchFormat {
  const essence = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const format = observationMediaTypes[essence];
  if (!format) {
    throw new TocsinError(
      'TOCSIN_UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${contentType ?? '(none)'} is not supported here; send one of ${Object.keys(observationMediaTypes).join(', ')}`,
    );
  }
  return format;
}
