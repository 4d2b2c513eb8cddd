/**
 * Where a desk event goes — the one type the gateway (local desks) and the instance fan-out (the
 * other instances' desks) share, kept apart from both so neither imports the other.
 */
export interface Audience {
  /** These users' rooms. */
  users: readonly string[];
  /** And/or the room of desks watching every call. */
  all: boolean;
  /** Users who must not get this event even when they are in `users` or watch all calls. */
  except?: readonly string[];
}
