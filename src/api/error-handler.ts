import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCatalogue, isTocsinError, type ErrorCode } from '../domain/kernel/errors.ts';

/** The body of every error answer: a code from the catalogue, a message naming what was wrong, details. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

// Fastify's own error codes that are the caller's fault, mapped to ours.
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'TOCSIN_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'TOCSIN_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'TOCSIN_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'TOCSIN_VALIDATION',
  FST_ERR_CTP_INVALID_JSON_BODY: 'TOCSIN_VALIDATION',
  FST_ERR_VALIDATION: 'TOCSIN_VALIDATION',
};

/** Turns Fastify's schema errors into "body.name: must be string" — the field first, then the problem. */
function validationMessage(err: FastifyError): { message: string; fields: string[] } {
  const context = err.validationContext ?? 'request';
  const at = (path: string) => (path ? `${context}.${path}` : context);
  const parts = (err.validation ?? []).flatMap((v) => {
    const params = (v.params ?? {}) as Record<string, unknown>;
    const base = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const under = (name: string) => at(base ? `${base}.${name}` : name);
    // A missing property is named by ajv as missingProperty and by TypeBox as requiredProperties.
    const missing = typeof params['missingProperty'] === 'string' ? [params['missingProperty']] : params['requiredProperties'];
    if (Array.isArray(missing)) return missing.map((name) => ({ field: under(String(name)), text: `${under(String(name))}: is required` }));
    if (typeof params['additionalProperty'] === 'string') {
      return [{ field: under(params['additionalProperty']), text: `${under(params['additionalProperty'])}: unknown field` }];
    }
    const field = at(base);
    // TypeBox reports a property that additionalProperties: false forbids as "schema is false".
    if (v.keyword === 'additionalProperties' || v.message === 'schema is false') return [{ field, text: `${field}: unknown field` }];
    return [{ field, text: `${field}: ${v.message ?? 'is invalid'}` }];
  });
  if (parts.length === 0) return { message: err.message, fields: [] };
  return { message: parts.map((p) => p.text).join('; '), fields: parts.map((p) => p.field) };
}

/** Answers one error in the one shape; the only place codes become HTTP statuses. */
export function sendError(reply: FastifyReply, code: ErrorCode, message: string, details?: Record<string, unknown>): FastifyReply {
  const body: ErrorBody = { error: { code, message, ...(details ? { details } : {}) } };
  return reply.code(errorCatalogue[code].status).type('application/json; charset=utf-8').send(body);
}

/**
 * Installs the error and not-found handlers. Coded errors and Fastify's client errors keep their
 * message; anything else is logged in full and answered as a bare 500 — never a stack trace or SQL.
 */
export function installErrorHandling(app: FastifyInstance, supportedMediaTypes: () => string[]): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (isTocsinError(err)) {
      if (err.code === 'TOCSIN_UNAUTHENTICATED' && !reply.hasHeader('www-authenticate')) {
        reply.header('www-authenticate', 'Bearer realm="tocsin"');
      }
      return sendError(reply, err.code, err.message, err.details);
    }
    if (err.validation) {
      const { message, fields } = validationMessage(err);
      return sendError(reply, 'TOCSIN_VALIDATION', message, { fields });
    }
    const mapped = err.code ? fastifyCodes[err.code] : undefined;
    if (mapped === 'TOCSIN_PAYLOAD_TOO_LARGE') {
      return sendError(reply, mapped, `request body is larger than the limit of ${request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes`);
    }
    if (mapped === 'TOCSIN_UNSUPPORTED_MEDIA_TYPE') {
      const given = request.headers['content-type'] ?? '(none)';
      return sendError(reply, mapped, `Content-Type ${given} is not supported here; send one of ${supportedMediaTypes().join(', ')}`);
    }
    if (mapped) return sendError(reply, mapped, err.message);
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, 'TOCSIN_VALIDATION', err.message);
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, 'TOCSIN_INTERNAL', 'internal error; the server log has the details');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'TOCSIN_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
  );
}
