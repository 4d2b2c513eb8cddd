import { SetMetadata } from '@nestjs/common';
import type { Role } from '../people/person';

export const ROLES_KEY = 'switchboard:roles';
export const PUBLIC_KEY = 'switchboard:public';

/** Only these roles may call the route (admin always may). Routes without @Roles need any logged-in user. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);
/** No login needed (health, login, the dialplan endpoint with its own token). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

// Defined with the rule that uses it (supervision.ts, pure); also here beside @Roles, where
// controllers name it: `@Roles(...SUPERVISORS)`.
export { SUPERVISORS } from './supervision';
