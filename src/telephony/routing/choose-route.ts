/**
 * The route decision (pure): caller + line + time + directory + presence + chains → plan.
 *
 * Rules: the chain is chosen by line (DID) and working hours; each step's people are taken in
 * order, skipping whoever is inactive, on DND, has no device, is offline or busy, or was already
 * rung in this chain; a step left with nobody is dropped (the next step follows at once). The
 * responsible step only exists for known callers whose responsible is available.
 */
import { personById, resolveExtension, type PeopleDirectory } from '../../people/people-directory';
import type { Person, Role } from '../../people/person';
import { isOpen, lineKey, type ChainStepConfig, type RoutingConfig } from './chain-config';
import { personPresence, type PersonPresence, type PresenceState } from './presence';
import { displayNameOf, isDialableDevice, type PlanStep, type RoutePlan, type SkippedPerson } from './route-plan';

/** A person as routing sees them: with the DND flag, read fresh for every route. */
export interface RouteUser extends Person {
  dnd: boolean;
}

/** What the one lookup statement knows about the caller. */
export interface CallerFacts {
  /** E.164, or null when the caller id is not a phone number (withheld, garbage). */
  e164: string | null;
  known: boolean;
  responsibleId: string | null;
  company: string | null;
  contact: string | null;
}

export interface RouteInput {
  caller: CallerFacts;
  did: string;
  now: Date;
  /** Everyone (inactive people are skipped with a reason); their order is the ring order. */
  people: PeopleDirectory<RouteUser>;
  presence: PresenceState;
  config: RoutingConfig;
  /** The service's TIMEZONE (working hours without their own zone). */
  timezone: string;
}

/** Devices the plan dials for a person: their dialable devices, else PJSIP/<first extension>. */
export function dialDevices(user: Pick<Person, 'devices' | 'extensions'>): string[] {
  const devices = [...new Set(user.devices.filter(isDialableDevice))];
  if (devices.length > 0) return devices;
  const extension = user.extensions.find((ext) => /^[0-9A-Za-z]+$/.test(ext));
  return extension ? [`PJSIP/${extension}`] : [];
}

/** A person's presence from their devices (or, listing none, the device the plan would dial). */
export function presenceOf(user: Pick<Person, 'devices' | 'extensions'>, presence: PresenceState): PersonPresence {
  return personPresence(user.devices.length > 0 ? user.devices : dialDevices(user), presence);
}

function candidatesOf(step: ChainStepConfig, input: RouteInput, skipped: SkippedPerson[]): RouteUser[] {
  const users = input.people.people;
  switch (step.kind) {
    case 'responsible': {
      if (!input.caller.known) {
        skipped.push({ step: step.name, userId: null, extension: null, reason: 'unknown_caller' });
        return [];
      }
      const id = input.caller.responsibleId;
      const responsible = personById(input.people, id);
      if (!responsible) {
        skipped.push({ step: step.name, userId: id, extension: null, reason: id === null ? 'no_responsible' : 'inactive' });
        return [];
      }
      return [responsible];
    }
    case 'department': {
      const roles: readonly Role[] = step.roles ?? ['manager'];
      return users.filter((user) => roles.includes(user.role) && (step.department === undefined || user.department === step.department));
    }
    case 'role': {
      const roles: readonly Role[] = step.roles ?? [];
      return users.filter((user) => roles.includes(user.role));
    }
    case 'users': {
      const wanted = step.extensions ?? [];
      return wanted.flatMap((ext) => resolveExtension(input.people, ext) ?? []);
    }
  }
}

export function chooseRoute(input: RouteInput): RoutePlan {
  const { config, caller } = input;
  const did = lineKey(input.did);
  const line = did === '' ? undefined : config.lines[did];
  const hours = line && line.workingHours !== undefined ? line.workingHours : config.workingHours;
  const open = isOpen(hours, input.now, input.timezone);
  const chainName = open ? (line?.chain ?? config.defaultChain) : (line?.afterHoursChain ?? config.afterHoursChain);
  const chain = config.chains[chainName] ?? config.chains[config.defaultChain];

  const rung = new Set<string>();
  const skipped: SkippedPerson[] = [];
  const steps: PlanStep[] = [];
  const emptySteps: string[] = [];

  for (const step of chain?.steps ?? []) {
    const picked: RouteUser[] = [];
    for (const user of candidatesOf(step, input, skipped)) {
      const extension = user.extensions[0] ?? null;
      const skip = (reason: SkippedPerson['reason']): void => {
        skipped.push({ step: step.name, userId: user.id, extension, reason });
      };
      if (rung.has(user.id) || picked.includes(user)) skip('already_rung');
      else if (!user.active) skip('inactive');
      else if (user.dnd) skip('dnd');
      else if (dialDevices(user).length === 0) skip('no_device');
      else {
        const presence = presenceOf(user, input.presence);
        if (presence === 'offline') skip('offline');
        else if (presence === 'busy') skip('busy');
        else picked.push(user);
      }
    }
    if (picked.length === 0) {
      emptySteps.push(step.name);
      continue;
    }
    for (const user of picked) rung.add(user.id);
    steps.push({
      name: step.name,
      timeout: step.timeout,
      dial: [...new Set(picked.flatMap(dialDevices))].join('&'),
      extensions: picked.map((user) => user.extensions[0] ?? ''),
      userIds: picked.map((user) => user.id),
    });
  }

  return {
    caller: caller.e164 ?? 'anonymous',
    known: caller.known,
    displayName: caller.known ? displayNameOf(caller.company, caller.contact) : '',
    responsibleId: caller.responsibleId,
    chain: chain ? chainName : 'none',
    rule: `${line ? `line:${did}` : 'default'}/${open ? 'open' : 'after_hours'}`,
    afterHours: !open,
    steps,
    emptySteps,
    skipped,
    final: chain?.final ?? 'voicemail',
  };
}
