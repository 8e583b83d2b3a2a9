/**
 * The roles a Tocsin account can hold. A route declares which roles may call it; `admin` may call
 * everything. Roles are deliberately coarse: what a person may see of a case or an area is a
 * separate, finer rule of each capability.
 */
export const roles = [
  'admin',
  'analyst',
  'duty_officer',
  'warning_approver',
  'responder',
  'area_worker',
  'viewer',
] as const;

/** One of the seven roles. */
export type Role = (typeof roles)[number];

/** What each role is for, shown in help texts, the console and the OpenAPI docs. */
export const roleDescriptions: Readonly<Record<Role, string>> = {
  admin: 'Manages accounts, tokens and configuration; may call every endpoint.',
  analyst: 'Works with series, rules and backtests; tunes detection.',
  duty_officer: 'Watches and acknowledges alerts, manages silences, drafts warnings.',
  warning_approver: 'Approves public warnings drafted by someone else (the second person of CAP publishing).',
  responder: 'Runs incidents: tasks, resources, situation reports.',
  area_worker: "Handles residents' cases for the areas of their team.",
  viewer: 'Reads dashboards, alerts and warnings; changes nothing.',
};

/** True when `value` names one of the roles. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

/** True when a caller holding `role` may call something open to `allowed` (admin may call everything). */
export function roleAllows(role: Role, allowed: readonly Role[]): boolean {
  return role === 'admin' || allowed.includes(role);
}
