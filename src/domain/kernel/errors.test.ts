import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { errorCatalogue, statusOf, TocsinError } from './errors.ts';

const docs = fs.readFileSync(new URL('../../../docs/ERRORS.md', import.meta.url), 'utf8');

describe('the error catalogue', () => {
  it.each(Object.entries(errorCatalogue))('documents %s with its status in docs/ERRORS.md', (code, { status }) => {
    expect(docs).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  });

  it('maps client errors to 4xx and the rest to 5xx', () => {
    expect(statusOf('TOCSIN_VALIDATION')).toBe(400);
    expect(statusOf('TOCSIN_UNAUTHENTICATED')).toBe(401);
    expect(statusOf('TOCSIN_FORBIDDEN')).toBe(403);
    expect(statusOf('TOCSIN_PAYLOAD_TOO_LARGE')).toBe(413);
    expect(statusOf('TOCSIN_UNSUPPORTED_MEDIA_TYPE')).toBe(415);
    expect(statusOf('TOCSIN_INTERNAL')).toBe(500);
  });

  it('carries its code and details', () => {
    const err = new TocsinError('TOCSIN_NOT_FOUND', 'no series "x"', { key: 'x' });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('TOCSIN_NOT_FOUND');
    expect(err.details).toEqual({ key: 'x' });
  });
});
