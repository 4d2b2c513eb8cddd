import type { Person } from '../people/person';
import { presenceOf } from '../telephony/routing/choose-route';
import type { PresenceState } from '../telephony/routing/presence';
import type { DeskCall } from './desk-state';

/**
 * The wallboard (pure): every person's live state and the calls waiting now, from the desks' call
 * state (which phone rings, who answered), the PBX's device states and the people's DND flags.
 * Times are PBX epoch seconds (the AMI `Timestamp` of the events); `now` is the PBX's clock as the
 * service estimates it, so "for how long" is right even when the two clocks differ.
 */

/** Live state of a person, strongest first: a call of ours beats DND, DND beats the device state. */
export const WALLBOARD_STATES = ['talking', 'ringing', 'dnd', 'offline', 'busy', 'available'] as const;
export type WallboardState = (typeof WALLBOARD_STATES)[number];

export interface WallboardClient {
  company: string | null;
  contact: string | null;
}

/** Who is on the line: the caller's number (untrusted text), their caller ID name, the CRM's names. */
export interface WallboardParty {
  linkedid: string;
  direction: string;
  phone: string;
  callerIdName: string | null;
  client: WallboardClient | null;
}

export interface WallboardPerson {
  userId: string;
  name: string;
  role: string;
  department: string | null;
  extensions: string[];
  state: WallboardState;
  /** Since when (PBX epoch seconds) for ringing and talking; null otherwise. */
  since: number | null;
  call: WallboardParty | null;
}

export interface WaitingCall extends WallboardParty {
  /** The first ring of the call (PBX epoch seconds). */
  since: number;
  /** The escalation step of its latest ringing leg. */
  step: string | null;
  /** Whose phones ring for it now. */
  ringing: string[];
}

export interface WallboardView {
  /** The PBX's clock when the view was made (epoch seconds): subtract `since` for how long. */
  now: number;
  people: WallboardPerson[];
  waiting: WaitingCall[];
}

export interface WallboardInput {
  people: readonly (Person & { dnd: boolean })[];
  presence: PresenceState;
  calls: readonly DeskCall[];
  /** The CRM's names of each call's other party, by linkedid (absent while the lookup runs). */
  clients: ReadonlyMap<string, WallboardClient | null>;
  now: number;
}

function partyOf(call: DeskCall, clients: WallboardInput['clients']): WallboardParty {
  // The party outside, as the popup's card names it (RingingCall.caller).
  return { linkedid: call.linkedid, direction: call.base.direction, phone: call.base.caller, callerIdName: call.base.callerName, client: clients.get(call.linkedid) ?? null };
}

export function wallboardView(input: WallboardInput): WallboardView {
  const talking = new Map<string, { call: DeskCall; since: number }>();
  const ringing = new Map<string, { call: DeskCall; since: number }>();
  const waiting: WaitingCall[] = [];
  const nameOf = new Map(input.people.map((person) => [person.id, person.name]));

  for (const call of input.calls) {
    const legs = [...call.legs.values()];
    if (call.answered?.userId) {
      const leg = call.legs.get(call.answered.uniqueid);
      if (!leg || leg.state === 'answered') talking.set(call.answered.userId, { call, since: call.answered.at });
    }
    const ringingLegs = legs.filter((leg) => leg.state === 'ringing');
    for (const leg of ringingLegs) {
      if (!leg.userId) continue;
      const known = ringing.get(leg.userId);
      if (!known || known.since < leg.at) ringing.set(leg.userId, { call, since: leg.at });
    }
    if (call.answered === null && legs.length > 0) {
      const latest = ringingLegs[ringingLegs.length - 1] ?? legs[legs.length - 1]!;
      waiting.push({
        ...partyOf(call, input.clients),
        since: Math.min(...legs.map((leg) => leg.at)),
        step: latest.step,
        ringing: ringingLegs.map((leg) => (leg.userId ? (nameOf.get(leg.userId) ?? leg.extension) : leg.extension)),
      });
    }
  }

  const people = input.people
    .filter((person) => person.active)
    .map((person): WallboardPerson => {
      const ours = talking.get(person.id) ?? null;
      const rung = ours ? null : (ringing.get(person.id) ?? null);
      const current = ours ?? rung;
      const presence = presenceOf(person, input.presence);
      const state: WallboardState = ours ? 'talking' : rung ? 'ringing' : person.dnd ? 'dnd' : presence;
      return {
        userId: person.id,
        name: person.name,
        role: person.role,
        department: person.department,
        extensions: person.extensions,
        state,
        since: current ? current.since : null,
        call: current ? partyOf(current.call, input.clients) : null,
      };
    });

  waiting.sort((a, b) => a.since - b.since);
  return { now: input.now, people, waiting };
}
