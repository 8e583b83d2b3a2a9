import { roles, type Role } from '../domain/accounts/roles.ts';

/** Who may read monitoring data: every signed-in role. */
export const readerRoles: readonly Role[] = roles;

/** Who may write observations through the API: analysts and duty officers (and admin, who may do all). */
export const observationWriterRoles: readonly Role[] = ['analyst', 'duty_officer'];
