import { describe, expect, it } from 'vitest';
import { isRole, roleAllows, roleDescriptions, roles, type Role } from './roles.ts';

describe('roles', () => {
  it('are the seven of the issue, each described', () => {
    expect(roles).toEqual(['admin', 'analyst', 'duty_officer', 'warning_approver', 'responder', 'area_worker', 'viewer']);
    for (const role of roles) expect(roleDescriptions[role].length).toBeGreaterThan(10);
  });

  it.each([
    ['admin', true],
    ['viewer', true],
    ['Admin', false],
    ['root', false],
    ['', false],
    [3, false],
    [null, false],
  ])('isRole(%j) is %s', (value, expected) => {
    expect(isRole(value)).toBe(expected);
  });

  const cases: { role: Role; allowed: Role[]; may: boolean }[] = [
    { role: 'analyst', allowed: ['analyst'], may: true },
    { role: 'viewer', allowed: ['analyst', 'duty_officer'], may: false },
    { role: 'admin', allowed: ['analyst'], may: true },
    { role: 'admin', allowed: [], may: true },
    { role: 'duty_officer', allowed: [], may: false },
  ];
  it.each(cases)('$role on $allowed → $may', ({ role, allowed, may }) => {
    expect(roleAllows(role, allowed)).toBe(may);
  });
});
