import { DomainError } from '../common/domain-error';
import type { AuthUser } from './auth-user';
import type { Role } from '../people/person';

/** Who may see and change what everyone's calls, deals and tasks. */
export const SUPERVISORS: Role[] = ['head_of_sales', 'ceo', 'owner', 'admin'];

export function isSupervisor(user: AuthUser): boolean {
  return SUPERVISORS.includes(user.role);
}

/** Who is responsible for a client decides who the PBX rings first: only supervisors change it. */
export function assertMayAssignResponsible(user: AuthUser, current: string | null, next: string | null | undefined): void {
  if (next === undefined || next === current || isSupervisor(user)) return;
  throw new DomainError('forbidden', 'only a supervisor may change the responsible manager', { field: 'responsibleId' });
}
