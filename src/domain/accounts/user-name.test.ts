import { describe, expect, it } from 'vitest';
import { assertUserName, userNameProblem } from './user-name.ts';
import { TocsinError } from '../kernel/errors.ts';

describe('user names', () => {
  it.each(['admin', 'li.wei', 'duty-1', 'ops_bot', 'ab', 'a'.repeat(64)])('accepts %s', (name) => {
    expect(userNameProblem(name)).toBeNull();
  });

  it.each(['a', 'Admin', '1abc', '_x', 'li wei', 'zoë', 'a'.repeat(65), '', 'x@y'])('rejects %j', (name) => {
    expect(userNameProblem(name)).toMatch(/not a valid user name: use 2 to 64 characters/);
  });

  it('throws TOCSIN_VALIDATION naming the field', () => {
    const err = (() => {
      try {
        assertUserName('Bad Name', 'user');
      } catch (e) {
        return e;
      }
    })() as TocsinError;
    expect(err.code).toBe('TOCSIN_VALIDATION');
    expect(err.message).toMatch(/^user: "Bad Name" is not a valid user name/);
    expect(err.details).toEqual({ fields: ['user'] });
  });
});
