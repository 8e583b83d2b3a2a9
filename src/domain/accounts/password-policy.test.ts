import { describe, expect, it } from 'vitest';
import { assertPassword, passwordFromBytes, passwordPolicy, passwordProblem } from './password-policy.ts';

describe('password policy', () => {
  const cases: { password: string; user?: string; problem: RegExp | null }[] = [
    { password: 'correct horse battery', problem: null },
    { password: '12charsXXXXX', problem: null },
    { password: '11charsXXXX', problem: /11 characters long; it needs at least 12/ },
    { password: '', problem: /0 characters long/ },
    { password: '密码密码密码密码密码密码', problem: null }, // 12 code points, 36 bytes
    { password: '😀'.repeat(11), problem: /11 characters long/ }, // code points, not UTF-16 units
    { password: ' '.repeat(20), problem: /only spaces/ },
    { password: 'x'.repeat(passwordPolicy.maxLength + 1), problem: /at most 1024/ },
    { password: 'my-name-is-liwei!', user: 'liwei', problem: /must not contain the user name/ },
    { password: 'ABCadminXYZ123', user: 'admin', problem: /must not contain the user name/ },
    { password: 'bob-likes-long-words', user: 'bob', problem: null }, // too short a name to forbid
  ];
  it.each(cases)('$password → $problem', ({ password, user, problem }) => {
    const found = passwordProblem(password, user);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });

  it('throws TOCSIN_VALIDATION naming the field', () => {
    expect(() => assertPassword('short', undefined, 'TOCSIN_ADMIN_PASSWORD')).toThrow(
      /^TOCSIN_ADMIN_PASSWORD: the password is 5 characters long; it needs at least 12$/,
    );
  });

  it('generated passwords meet the policy', () => {
    const password = passwordFromBytes(new Uint8Array(18).fill(7));
    expect(password).toHaveLength(24);
    expect(passwordProblem(password)).toBeNull();
    expect(() => passwordFromBytes(new Uint8Array(8))).toThrow(RangeError);
  });
});
