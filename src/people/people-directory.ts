/**
 * The people directory (pure): who is extension 101, whose phone is PJSIP/101 (the tracker's
 * directory is built from it: src/telephony/calls/calls.repository.ts loadDirectory).
 *
 * The rule lives in SQL, in the `extension_owners` view (one row per extension of an active user;
 * saving a clash is refused, a legacy clash goes to the oldest active user). The loader reads the
 * view next to the users (people.service.ts), so `peopleFromRows` only keeps each user's owned
 * extensions and `resolveExtension` is a lookup, never a second rule. Devices have no view: a
 * device is refused at save like an extension (`clashesOf`), and one left listed by two active
 * users goes to the older, the view's own tie-break (created_at, then id).
 */
import type { Person } from './person';

/** One user as the loader reads it: the `users` row plus the extensions the view gives them. */
export interface PersonRow extends Omit<Person, 'extensions'> {
  /** The user's extensions as stored (may hold a legacy clash). */
  extensions: string[];
  /** The extensions `extension_owners` gives this user. */
  owned: string[];
  createdAt: Date;
}

export interface PeopleDirectory<P extends Person = Person> {
  /** Everyone, active or not (names of former staff still show by id), in the loader's order. */
  readonly people: readonly P[];
  readonly byId: ReadonlyMap<string, P>;
  readonly byExtension: ReadonlyMap<string, P>;
}

/**
 * People from the loader's rows, in the rows' order: each keeps the extensions the view gives them
 * (in the user's own order) and the devices no older active user lists; an inactive person keeps
 * neither.
 */
export function peopleFromRows<R extends PersonRow>(rows: readonly R[]): (Omit<R, 'owned' | 'createdAt'> & Person)[] {
  const deviceOwner = new Map<string, string>();
  const oldestFirst = rows.filter((row) => row.active).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const row of oldestFirst) {
    for (const device of row.devices) if (!deviceOwner.has(device.toLowerCase())) deviceOwner.set(device.toLowerCase(), row.id);
  }
  return rows.map(({ owned, createdAt: _createdAt, ...row }) => ({
    ...row,
    extensions: row.extensions.filter((extension) => owned.includes(extension)),
    devices: row.devices.filter((device) => deviceOwner.get(device.toLowerCase()) === row.id),
  }));
}

export class PeopleDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeopleDirectoryError';
  }
}

/**
 * The directory of `people` (from `peopleFromRows`, or written out in a test). Two people listing
 * one extension or device is a PeopleDirectoryError: the loader never gives that, and a directory
 * written by hand must not pick one silently.
 */
export function peopleDirectory<P extends Person>(people: readonly P[]): PeopleDirectory<P> {
  const byId = new Map<string, P>();
  const byExtension = new Map<string, P>();
  const byDevice = new Map<string, P>();
  for (const person of people) {
    byId.set(person.id, person);
    for (const extension of person.extensions) {
      const holder = byExtension.get(extension);
      if (holder && holder !== person) throw new PeopleDirectoryError(`extension ${extension} is listed by ${holder.name} and ${person.name}`);
      byExtension.set(extension, person);
    }
    for (const device of person.devices) {
      const holder = byDevice.get(device.toLowerCase());
      if (holder && holder !== person) throw new PeopleDirectoryError(`device ${device} is listed by ${holder.name} and ${person.name}`);
      byDevice.set(device.toLowerCase(), person);
    }
  }
  return { people, byId, byExtension };
}

/** The person extension `extension` reaches, or null (nobody active owns it). */
export function resolveExtension<P extends Person>(directory: PeopleDirectory<P>, extension: string | null | undefined): P | null {
  return extension ? (directory.byExtension.get(extension) ?? null) : null;
}

/** The person with this user id (active or not), or null. */
export function personById<P extends Person>(directory: PeopleDirectory<P>, id: string | null | undefined): P | null {
  return id ? (directory.byId.get(id) ?? null) : null;
}

/** An extension or device a person being saved lists that another active person holds. */
export interface Clash {
  kind: 'extension' | 'device';
  value: string;
  holder: { id: string; name: string };
}

/**
 * What saving `candidate` would clash with: its extensions and devices that another active user
 * (`others`: the other users listing any of them) holds. Nothing for an inactive candidate.
 */
export function clashesOf(
  candidate: { id: string | null; extensions: readonly string[]; devices: readonly string[]; active: boolean },
  others: readonly { id: string; name: string; extensions: readonly string[]; devices: readonly string[]; active: boolean }[],
): Clash[] {
  if (!candidate.active) return [];
  const clashes: Clash[] = [];
  const holders = others.filter((other) => other.active && other.id !== candidate.id);
  for (const extension of new Set(candidate.extensions)) {
    const holder = holders.find((other) => other.extensions.includes(extension));
    if (holder) clashes.push({ kind: 'extension', value: extension, holder: { id: holder.id, name: holder.name } });
  }
  for (const device of new Set(candidate.devices.map((d) => d.toLowerCase()))) {
    const holder = holders.find((other) => other.devices.some((d) => d.toLowerCase() === device));
    if (holder) clashes.push({ kind: 'device', value: candidate.devices.find((d) => d.toLowerCase() === device) ?? device, holder: { id: holder.id, name: holder.name } });
  }
  return clashes;
}
