import { normalizePhone } from '../../common/phone-number';
import { isRole, ROLES, type Person } from '../../people/person';

/**
 * One extension of a person (the lab-directory format lists people by extension). Devices are
 * given on one extension of the person only. Built from the people directory in the service.
 */
export interface DirectoryPerson extends Pick<Person, 'name' | 'role' | 'department' | 'devices'> {
  extension: string;
}

export interface KnownCaller {
  /** As written in the file; `phoneE164` is the normalized form. */
  phone: string;
  phoneE164: string;
  responsible: string | null;
  contact: string | null;
  company: string | null;
}

/** People, devices, lines and known callers (the format of `lab-directory.json`). */
export interface Directory {
  defaultRegion: string;
  /** Dialplan variable that marks the escalation step before each Dial (e.g. `ESC_STEP`). */
  stepVariable: string;
  /** Dialplan step name → our step name (`sales_group` → `department`). */
  stepNames: Record<string, string>;
  /**
   * Guess escalation steps from who was dialed when a call shows no step marker (a PBX whose own
   * chain sets none). Off by default: a call seen whole without the marker never passed our
   * dialplan (the customer's Queue, ring group, IVR…) and has no step. Calls that lived through
   * a gap in the stream (their markers may be lost in it) are guessed either way.
   */
  inferSteps: boolean;
  /** DIDs (lines) as the PBX sees them. */
  lines: string[];
  users: DirectoryPerson[];
  knownCallers: KnownCaller[];
}

export class DirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryError';
  }
}

/** Validates parsed JSON in the lab-directory format; throws DirectoryError naming the bad field. */
export function parseDirectory(input: unknown): Directory {
  const root = asObject(input, 'directory');
  const defaultRegion = optionalString(root.defaultRegion, 'defaultRegion') ?? 'RU';
  const stepVariable = optionalString(root.stepVariable, 'stepVariable') ?? 'SWITCHBOARD_STEP';
  const stepNames: Record<string, string> = {};
  if (root.stepNames !== undefined) {
    const names = asObject(root.stepNames, 'stepNames');
    for (const [from, to] of Object.entries(names)) stepNames[from] = requireString(to, `stepNames.${from}`);
  }
  const inferSteps = root.inferSteps ?? false;
  if (typeof inferSteps !== 'boolean') throw new DirectoryError('inferSteps: expected true or false');
  const lines = asArray(root.lines ?? [], 'lines').map((line, i) => requireString(line, `lines[${i}]`));
  const users = asArray(root.users ?? [], 'users').map((user, i) => parsePerson(user, `users[${i}]`));
  const seen = new Set<string>();
  for (const user of users) {
    if (seen.has(user.extension)) throw new DirectoryError(`users: extension ${user.extension} appears twice`);
    seen.add(user.extension);
  }
  const knownCallers = asArray(root.knownCallers ?? [], 'knownCallers').map((caller, i) =>
    parseKnownCaller(caller, `knownCallers[${i}]`, defaultRegion),
  );
  return { defaultRegion, stepVariable, stepNames, inferSteps, lines, users, knownCallers };
}

function parsePerson(input: unknown, path: string): DirectoryPerson {
  const o = asObject(input, path);
  const extension = requireString(o.extension, `${path}.extension`);
  const role = optionalString(o.role, `${path}.role`) ?? 'manager';
  if (!isRole(role)) {
    throw new DirectoryError(`${path}.role: expected one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
  }
  const devices = asArray(o.devices ?? [], `${path}.devices`).map((d, i) => requireString(d, `${path}.devices[${i}]`));
  return {
    extension,
    name: optionalString(o.name, `${path}.name`) ?? extension,
    role,
    department: o.department === null ? null : (optionalString(o.department, `${path}.department`) ?? null),
    devices,
  };
}

function parseKnownCaller(input: unknown, path: string, region: string): KnownCaller {
  const o = asObject(input, path);
  const phone = requireString(o.phone, `${path}.phone`);
  const phoneE164 = normalizePhone(phone, region);
  if (!phoneE164) throw new DirectoryError(`${path}.phone: ${JSON.stringify(phone)} is not a phone number`);
  return {
    phone,
    phoneE164,
    responsible: o.responsible == null ? null : requireString(o.responsible, `${path}.responsible`),
    contact: o.contact == null ? null : requireString(o.contact, `${path}.contact`),
    company: o.company == null ? null : requireString(o.company, `${path}.company`),
  };
}

/**
 * Strips the per-channel suffix Asterisk adds to a device name:
 * `PJSIP/101-00000003` → `PJSIP/101`, `Local/101@managers-0000001a;1` → `Local/101@managers`.
 */
export function deviceOfChannel(channel: string): string {
  const local = /^(Local\/[^;]+?)-[0-9a-f]+;[12]$/i.exec(channel);
  if (local) return local[1];
  const suffix = /^([A-Za-z0-9_]+\/.+)-[0-9a-f]+$/i.exec(channel);
  return suffix ? suffix[1] : channel;
}

/** Fast lookups built once from a directory. */
export interface DirectoryIndex {
  directory: Directory;
  /** Person extension of a channel name (`PJSIP/101-0000002a` → `101`), or null. */
  personOfChannel(channel: string): string | null;
  person(extension: string): DirectoryPerson | undefined;
  /** The responsible manager of a caller (E.164), or null. */
  responsibleFor(callerE164: string): string | null;
  /** The directory's spelling of a line when `raw` is one of its DIDs, else null. */
  lineOf(raw: string | null | undefined): string | null;
  /** Our name of a dialplan step (through `stepNames`). */
  stepName(raw: string): string;
}

const PHONE_TECHS = new Set(['pjsip', 'sip', 'iax2', 'dahdi', 'skinny', 'unistim', 'chan_sip']);

export function indexDirectory(directory: Directory): DirectoryIndex {
  const byDevice = new Map<string, string>();
  const byExtension = new Map<string, DirectoryPerson>();
  for (const person of directory.users) {
    byExtension.set(person.extension, person);
    for (const device of person.devices) byDevice.set(device.toLowerCase(), person.extension);
  }
  const responsible = new Map<string, string>();
  for (const caller of directory.knownCallers) {
    if (caller.responsible) responsible.set(caller.phoneE164, caller.responsible);
  }
  const lines = new Map<string, string>();
  for (const line of directory.lines) {
    lines.set(line, line);
    const e164 = normalizePhone(line, directory.defaultRegion);
    if (e164) lines.set(e164, line);
  }
  const cache = new Map<string, string | null>();

  function resolve(channel: string): string | null {
    const device = deviceOfChannel(channel);
    const listed = byDevice.get(device.toLowerCase());
    if (listed) return listed;
    // Fallback: a phone device named after the extension (PJSIP/101), or a Local channel to it
    // in a context that is not one of the lines.
    const slash = device.indexOf('/');
    if (slash <= 0) return null;
    const tech = device.slice(0, slash).toLowerCase();
    const resource = device.slice(slash + 1);
    if (PHONE_TECHS.has(tech)) return byExtension.has(resource) ? resource : null;
    if (tech === 'local') {
      const exten = resource.split('@')[0];
      return byExtension.has(exten) && !lines.has(exten) ? exten : null;
    }
    return null;
  }

  return {
    directory,
    personOfChannel(channel) {
      let hit = cache.get(channel);
      if (hit === undefined) {
        hit = resolve(channel);
        if (cache.size > 50_000) cache.clear();
        cache.set(channel, hit);
      }
      return hit;
    },
    person: (extension) => byExtension.get(extension),
    responsibleFor: (callerE164) => responsible.get(callerE164) ?? null,
    lineOf(raw) {
      if (!raw) return null;
      const direct = lines.get(raw);
      if (direct) return direct;
      const e164 = normalizePhone(raw, directory.defaultRegion);
      return e164 ? (lines.get(e164) ?? null) : null;
    },
    stepName: (raw) => directory.stepNames[raw] ?? raw,
  };
}

function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DirectoryError(`${path}: expected an object`);
  }
  return value as Record<string, unknown>;
}

function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new DirectoryError(`${path}: expected an array`);
  return value;
}

function requireString(value: unknown, path: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') throw new DirectoryError(`${path}: expected a non-empty string`);
  return value.trim();
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, path);
}
