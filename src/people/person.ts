/**
 * The one model of a person for pure code (the tracker's directory, routing, realtime, lead
 * capture). Built at the edge from the `users` row and the `extension_owners` view
 * (people.service.ts); the TypeORM entity (src/auth/users/user.entity.ts) stays at the edges.
 */

/** Roles a person can have (what the chain's role steps and the API's permissions read). */
export const ROLES = ['manager', 'head_of_sales', 'ceo', 'owner', 'admin', 'qa'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export interface Person {
  id: string;
  name: string;
  role: Role;
  department: string | null;
  /**
   * The extensions that reach this person: those of the user's extensions the person owns
   * (`extension_owners`). Empty for an inactive person; an extension left from a legacy clash
   * with an older active user is not listed, so no two people list the same extension.
   */
  extensions: string[];
  /** Asterisk devices without the per-call suffix (`PJSIP/101`, `Local/101@managers`). */
  devices: string[];
  active: boolean;
}
