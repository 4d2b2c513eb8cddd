import type { ClientCard } from '../crm/lookup/client-card';
import type { CallDirection, LegOutcome } from '../telephony/calls/call-record';

/**
 * Everything the service sends to desks, the same on socket.io (`socket.on(event, data)`) and on
 * the plain WebSocket `/ws` (one JSON text frame per event: `{"event": "...", "data": {...}}`).
 * Times named `at`/`…At` without a unit are epoch seconds from the PBX (AMI `Timestamp`);
 * `receivedAtMs` is the service's wall clock in epoch milliseconds.
 */

/** The caller card a desk pops up. Every string that comes from the caller (callerIdName, phone) is untrusted text. */
export interface CallerCardView {
  linkedid: string;
  direction: CallDirection;
  /** E.164, or `anonymous`, or an extension for internal calls. */
  phone: string;
  /** Caller ID name as the PBX sent it (caller-controlled; render as text). */
  callerIdName: string | null;
  /** The line (DID) the call came in on. */
  line: string | null;
  /** No contact or company has this number. */
  newCaller: boolean;
  contact: ClientCard['contact'];
  company: ClientCard['company'];
  responsible: ClientCard['responsible'];
  openDeals: ClientCard['openDeals'];
  openTasks: ClientCard['openTasks'];
  /** Last 5 calls with this number: outcome (disposition/abandoned) and who answered. */
  lastCalls: ClientCard['lastCalls'];
  /** The CRM lookup failed (database trouble): the card has only what the PBX said. */
  lookupFailed: boolean;
}

export interface DeskPerson {
  userId: string | null;
  extension: string;
  name: string | null;
}

export interface CallRingingEvent {
  linkedid: string;
  /** The ringing leg (one per phone rung). */
  uniqueid: string;
  /** Whose phone rings (a supervisor subscribed to all calls sees other people's legs). */
  ringing: DeskPerson;
  /** Escalation step (`responsible`, `department`, …) or null. */
  step: string | null;
  at: number;
  /** When the AMI event that started the ringing reached the service (epoch ms). */
  receivedAtMs: number;
  card: CallerCardView;
}

export interface CallAnsweredEvent {
  linkedid: string;
  uniqueid: string;
  answeredBy: DeskPerson;
  step: string | null;
  at: number;
  card: CallerCardView;
}

export interface CallTakenEvent {
  linkedid: string;
  /** Who picked up ("answered by X"): close the popup. */
  answeredBy: DeskPerson;
  at: number;
}

export interface CallWithdrawnEvent {
  linkedid: string;
  uniqueid: string;
  person: DeskPerson;
  /** Why this phone stopped ringing while the call goes on (no answer at this step, busy, rejected…). */
  outcome: LegOutcome;
  at: number;
}

export interface CallEndedEvent {
  linkedid: string;
  disposition: 'answered' | 'missed';
  abandoned: boolean;
  voicemail: boolean;
  answeredBy: DeskPerson | null;
  ringSeconds: number;
  talkSeconds: number;
  endedAt: number;
  phone: string;
  /** For the person who talked: leave a note or a task (contact/company ids to attach it to). */
  prompt: { kind: 'note_or_task'; phone: string; contactId: string | null; companyId: string | null; dealId: string | null } | null;
}

export interface CallMissedEvent {
  linkedid: string;
  abandoned: boolean;
  voicemail: boolean;
  ringSeconds: number;
  startedAt: number;
  endedAt: number;
  /** The responsible manager the miss is addressed to (null for new callers: the lead exchange). */
  responsibleId: string | null;
  card: CallerCardView;
}

/**
 * Lead capture changed the CRM after a call: the desks fetch their lists again (missed calls,
 * callbacks, the lead exchange). It goes to every desk, so it names no call (a desk sees only the
 * calls that rang its user): the lists themselves say what changed for this user.
 */
export interface DeskListsChangedEvent {
  /** Why (`missed-new-number`, `missed-merged`, `answered`, …: the lead capture's reason). */
  reason: string;
}

export type DeskCallState = 'ringing' | 'answered';

export interface DeskSnapshotCall {
  linkedid: string;
  state: DeskCallState;
  /** The leg shown: the desk's own ringing/answered leg (or, for a supervisor, the latest one). */
  uniqueid: string;
  person: DeskPerson;
  step: string | null;
  at: number;
  answeredBy: DeskPerson | null;
  card: CallerCardView;
}

export interface DeskSnapshotEvent {
  user: { id: string; name: string; role: string };
  scope: 'own' | 'all';
  /** The desk's calls in progress, sent on every (re)connect: popups survive reconnects and restarts. */
  calls: DeskSnapshotCall[];
}

/** The typed map of server → desk events. */
export interface ClientEventMap {
  'desk.snapshot': DeskSnapshotEvent;
  'call.ringing': CallRingingEvent;
  'call.answered': CallAnsweredEvent;
  'call.taken': CallTakenEvent;
  'call.withdrawn': CallWithdrawnEvent;
  'call.ended': CallEndedEvent;
  'call.missed': CallMissedEvent;
  'desk.listsChanged': DeskListsChangedEvent;
}

export type ClientEventName = keyof ClientEventMap;

/** socket.io's typing of the same map. */
export type ServerToClientEvents = { [K in ClientEventName]: (data: ClientEventMap[K]) => void };
/** Desks send nothing but the connect handshake. */
export type ClientToServerEvents = Record<string, never>;

/** One frame on the plain WebSocket. */
export interface PlainFrame<K extends ClientEventName = ClientEventName> {
  event: K;
  data: ClientEventMap[K];
}
