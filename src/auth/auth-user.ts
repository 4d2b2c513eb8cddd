import type { Role } from '../people/person';

/** What a verified token says about the caller of a route or socket. */
export interface AuthUser {
  id: string;
  role: Role;
  name: string;
  extensions: string[];
}

export interface TokenPayload {
  sub: string;
  role: Role;
  name: string;
  ext: string[];
}
