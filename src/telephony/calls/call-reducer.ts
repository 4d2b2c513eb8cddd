import type { AmiMessage } from '../ami/ami-frame-parser';
import {
  ChannelStateCode,
  durationSeconds,
  eventName,
  eventTimestamp,
  intField,
  isTrackedEvent,
  known,
  uniqueidOf,
} from '../ami/ami-event';
import {
  buildCallRecord,
  callDirection,
  firstChannel,
  inboundCaller,
  inboundChannel,
  legOfChannel,
  legOutcome,
  partnerOf,
  stepNameOf,
  RECORDING_FILE_VARIABLE,
  VOICEMAIL_MESSAGE_VARIABLE,
  type CallClosedBy,
  type CallDirection,
  type CallRecord,
  type LegOutcome,
  type RecordContext,
  type TrackedCall,
  type TrackedChannel,
  type TrackedLeg,
  type TrackedQueueVisit,
} from './call-record';
import { eventIdentity } from './call-merge';
import { indexDirectory, type Directory, type DirectoryIndex } from './directory';

// ---------------------------------------------------------------------------------------------
// Effects: what the tracker decided; the service carries them out (popups, storage, logs).
// ---------------------------------------------------------------------------------------------

/**
 * What the PBX tells of a call when a phone of it rings: its direction, who calls (number and
 * caller-ID name) and on which line. The popup's card (src/realtime/caller-card.ts) starts from it
 * and adds what the CRM knows of the number; telephony knows no cards.
 */
export interface RingingCall {
  direction: CallDirection;
  caller: string;
  callerName: string | null;
  did: string | null;
}

export type CallEffect =
  | { type: 'callStarted'; linkedid: string; at: number }
  | {
      type: 'ringing';
      linkedid: string;
      uniqueid: string;
      extension: string;
      step: string | null;
      at: number;
      call: RingingCall;
    }
  | { type: 'answered'; linkedid: string; uniqueid: string; extension: string; step: string | null; at: number }
  | { type: 'legEnded'; linkedid: string; uniqueid: string; extension: string; outcome: LegOutcome; at: number }
  | { type: 'transferred'; linkedid: string; to: string | null; at: number }
  | { type: 'callFinalized'; record: CallRecord; events: AmiMessage[] }
  | { type: 'problem'; code: TrackerProblemCode; message: string; linkedid: string | null; event: string | null }
  | { type: 'ignored'; event: string; linkedid: string | null };

export type TrackerProblemCode =
  | 'unknown-channel'
  | 'unknown-leg'
  | 'missing-field'
  | 'handler-failed';

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

export interface TrackerOptions {
  /** Keep the raw events of each call for storage (default true). */
  keepEvents?: boolean;
  /** How many finished channels to remember so late events (Cdr…) are not taken for new calls. */
  finishedMemory?: number;
}

interface CallEntry {
  call: TrackedCall;
  events: AmiMessage[];
  /** Legs whose ringing was announced. */
  announced: Set<string>;
  /** Identities of the timestamped events of this call seen so far (an event seen again is ignored); see seenEvents. */
  seen: Set<string> | null;
}

interface ResyncList {
  actionId: string | null;
  startedSeq: number;
  items: AmiMessage[];
  /** Channels hung up after the list was asked for: dead whatever the list (a snapshot) says. */
  hungUp: Set<string>;
}

/**
 * The tracker's state. Treat it as owned by the reducer: `reduceCallEvent` updates it in place
 * and returns it (maps keyed by Linkedid/Uniqueid keep every event O(1)); it holds no I/O and no
 * clock, so the same events always give the same records and effects.
 */
export interface CallTrackerState {
  readonly directory: DirectoryIndex;
  readonly context: RecordContext;
  readonly keepEvents: boolean;
  readonly finishedMemory: number;
  calls: Map<string, CallEntry>;
  /** Uniqueid → Linkedid of live channels. */
  channelCall: Map<string, string>;
  /** Uniqueids (and linkedids) of finished calls, oldest first, bounded, with how the call was closed. */
  finished: Map<string, CallClosedBy>;
  /** The PBX's clock: the latest event Timestamp (see advanceClock). */
  lastTimestamp: number | null;
  /** A Timestamp far ahead of the clock, believed once another event confirms it. */
  clockJump: number | null;
  seq: number;
  resync: ResyncList | null;
}

export interface ReduceResult {
  state: CallTrackerState;
  effects: CallEffect[];
}

export function createCallTrackerState(directory: Directory, options: TrackerOptions = {}): CallTrackerState {
  const index = indexDirectory(directory);
  return {
    directory: index,
    context: {
      defaultRegion: directory.defaultRegion,
      stepName: index.stepName,
      responsibleFor: index.responsibleFor,
      lineOf: index.lineOf,
      roleOf: (extension) => index.person(extension)?.role ?? null,
    },
    keepEvents: options.keepEvents ?? true,
    finishedMemory: options.finishedMemory ?? 20_000,
    calls: new Map(),
    channelCall: new Map(),
    finished: new Map(),
    lastTimestamp: null,
    clockJump: null,
    seq: 0,
    resync: null,
  };
}

/**
 * Swaps the directory (people, devices, known callers, step names) of a running tracker; calls in
 * progress keep their state, and what they already resolved (who a channel belongs to) stays.
 */
export function replaceTrackerDirectory(state: CallTrackerState, directory: Directory): void {
  const fresh = createCallTrackerState(directory);
  const writable = state as { -readonly [K in keyof CallTrackerState]: CallTrackerState[K] };
  writable.directory = fresh.directory;
  writable.context = fresh.context;
}

/** Calls in progress (read-only view for status pages and tests). */
export function liveCalls(state: CallTrackerState): TrackedCall[] {
  return [...state.calls.values()].map((entry) => entry.call);
}

// ---------------------------------------------------------------------------------------------
// The reducer and its event table
// ---------------------------------------------------------------------------------------------

interface HandlerInput {
  state: CallTrackerState;
  message: AmiMessage;
  name: string;
  at: number;
  effects: CallEffect[];
}

type Handler = (input: HandlerInput) => void;

/** eventName → handler; events not in this table are ignored (reported as `ignored`). */
const EVENT_TABLE: Readonly<Record<string, Handler>> = {
  Newchannel: onNewchannel,
  NewCallerid: onChannelSnapshot,
  NewConnectedLine: onChannelSnapshot,
  Newstate: onNewstate,
  VarSet: onVarSet,
  DialBegin: onDialBegin,
  DialState: onDialState,
  DialEnd: onDialEnd,
  HangupRequest: onHangupRequest,
  SoftHangupRequest: onHangupRequest,
  Hangup: onHangup,
  BridgeEnter: onChannelSnapshot,
  BridgeLeave: onChannelSnapshot,
  LocalBridge: noop,
  BlindTransfer: onBlindTransfer,
  AttendedTransfer: onAttendedTransfer,
  Pickup: onPickup,
  UnParkedCall: onUnParkedCall,
  Newexten: onNewexten,
  OriginateResponse: onOriginateResponse,
  Cdr: noop,
  Rename: onRename,
  MixMonitorStart: onChannelSnapshot,
  CoreShowChannel: onCoreShowChannel,
  CoreShowChannelsComplete: onCoreShowChannelsComplete,
  QueueCallerJoin: onQueueCallerJoin,
  QueueCallerAbandon: onQueueCallerAbandon,
  QueueCallerLeave: onQueueCallerLeave,
};

/**
 * Feeds one AMI message (event or response) to the tracker. Never throws: a handler failure is
 * returned as a `problem` effect and the other calls carry on.
 */
export function reduceCallEvent(state: CallTrackerState, message: AmiMessage): ReduceResult {
  const effects: CallEffect[] = [];
  state.seq++;
  const name = eventName(message);
  const ts = eventTimestamp(message);
  if (ts !== null) advanceClock(state, ts);
  if (name === null) {
    onResponse(state, message);
    return { state, effects };
  }
  const at = ts ?? state.lastTimestamp ?? 0;
  reopenIfSeenAgain(state, message, name);
  const entry = entryOfMessage(state, message);
  const worthStoring = isWorthStoring(message, state.directory.directory.stepVariable);
  const identifiable = worthStoring && ts !== null && name !== 'CoreShowChannel';
  const seen = entry && identifiable ? seenEvents(state, entry) : null;
  if (entry && seen) {
    // The same event again (a reconnect, a stream served twice, a journal replayed): nothing new.
    const identity = eventIdentity(message);
    if (seen.has(identity)) {
      effects.push({ type: 'ignored', event: name, linkedid: entry.call.linkedid });
      return { state, effects };
    }
    seen.add(identity);
  }
  if (entry && worthStoring && state.keepEvents) entry.events.push(message);
  if (entry) entry.call.lastSeenAt = Math.max(entry.call.lastSeenAt, at);
  const handler = EVENT_TABLE[name];
  if (!handler) {
    effects.push({ type: 'ignored', event: name, linkedid: entry?.call.linkedid ?? known(message.Linkedid) });
    return { state, effects };
  }
  try {
    handler({ state, message, name, at, effects });
    // The event that started a call is one of its raw events too (rebuilds need its Newchannel).
    const created = entry ? null : entryOfMessage(state, message);
    if (created && identifiable && created.seen) created.seen.add(eventIdentity(message));
    if (created && worthStoring && state.keepEvents) created.events.push(message);
  } catch (error) {
    effects.push({
      type: 'problem',
      code: 'handler-failed',
      message: error instanceof Error ? error.message : String(error),
      linkedid: entry?.call.linkedid ?? known(message.Linkedid),
      event: name,
    });
  }
  return { state, effects };
}

function noop(): void {}

/** Hours the PBX clock may move at once on one event's word. */
const CLOCK_JUMP_SECONDS = 6 * 3600;

/**
 * Moves the tracker's clock (used for events without a Timestamp, channel lists and the idle
 * sweep) to an event's Timestamp. One corrupt Timestamp far in the future must not age every
 * call in progress into a timeout: a jump of more than CLOCK_JUMP_SECONDS is believed only when
 * the next event confirms it (after a long outage, every event is that far ahead).
 */
function advanceClock(state: CallTrackerState, ts: number): void {
  const clock = state.lastTimestamp;
  if (clock === null || (ts > clock && ts - clock <= CLOCK_JUMP_SECONDS)) {
    state.lastTimestamp = ts;
    state.clockJump = null;
  } else if (ts > clock) {
    if (state.clockJump !== null && Math.abs(ts - state.clockJump) <= CLOCK_JUMP_SECONDS) {
      state.lastTimestamp = ts;
      state.clockJump = null;
    } else {
      state.clockJump = ts;
    }
  }
}

/**
 * A channel born again: the Newchannel of a channel whose call was closed by a resync or the idle
 * timeout (not by its hangups) — the stream is being served again, whole or from its start. The
 * call is followed again from there (its record, finalized again, is merged with the stored one:
 * call-merge.ts), instead of the new events being dropped as late ones.
 */
function reopenIfSeenAgain(state: CallTrackerState, message: AmiMessage, name: string): void {
  if (name !== 'Newchannel') return;
  const uid = uniqueidOf(message);
  const closedBy = uid ? state.finished.get(uid) : undefined;
  if (!uid || closedBy === undefined || closedBy === 'hangup') return;
  state.finished.delete(uid);
  const linkedid = known(message.Linkedid);
  if (linkedid) state.finished.delete(linkedid);
}

/**
 * Identities (call-merge.ts) of a call's events, to know one seen again. Events are seen again only
 * after a gap (a reconnect, a restart, a stream served again): while a call never lived through
 * one, nothing is kept — the set is built from its raw events when first needed. Without raw
 * events (a rebuild), it is kept from the start.
 */
function seenEvents(state: CallTrackerState, entry: CallEntry): Set<string> | null {
  if (entry.seen) return entry.seen;
  if (state.keepEvents && !entry.call.resynced) return null;
  entry.seen = new Set(
    entry.events.filter((event) => event.Event !== 'CoreShowChannel' && eventTimestamp(event) !== null).map(eventIdentity),
  );
  return entry.seen;
}

// ----- channel bookkeeping --------------------------------------------------------------------

function entryOfMessage(state: CallTrackerState, message: AmiMessage): CallEntry | null {
  const linkedid = known(message.Linkedid);
  if (linkedid) {
    const byLinkedid = state.calls.get(linkedid);
    if (byLinkedid) return byLinkedid;
  }
  for (const uid of [uniqueidOf(message), known(message.DestUniqueid), known(message.TransfereeUniqueid), known(message.ParkeeUniqueid)]) {
    const owner = uid ? state.channelCall.get(uid) : undefined;
    if (owner) return state.calls.get(owner) ?? null;
  }
  const destLinkedid = known(message.DestLinkedid);
  return destLinkedid ? (state.calls.get(destLinkedid) ?? null) : null;
}

/** The linkedid of the call in progress a message is about, or null (pure lookup, no change). */
export function callOfMessage(state: CallTrackerState, message: AmiMessage): string | null {
  return entryOfMessage(state, message)?.call.linkedid ?? null;
}

function isFinished(state: CallTrackerState, uid: string | null, linkedid: string | null): boolean {
  return (uid !== null && state.finished.has(uid)) || (linkedid !== null && state.finished.has(linkedid));
}

function newCall(state: CallTrackerState, linkedid: string, at: number, effects: CallEffect[]): CallEntry {
  const call: TrackedCall = {
    linkedid,
    channels: new Map(),
    channelByName: new Map(),
    legs: new Map(),
    innerLegs: new Map(),
    inbound: null,
    steps: [],
    firstAnswerAt: null,
    transferAt: null,
    transferTarget: null,
    hangupRequests: [],
    queueVisits: [],
    pbxAnsweredAt: null,
    voicemailAt: null,
    originateExten: null,
    recordingFile: null,
    voicemailMessage: null,
    resynced: false,
    stepMarked: false,
    firstSeenAt: at,
    lastSeenAt: at,
  };
  const entry: CallEntry = { call, events: [], announced: new Set(), seen: state.keepEvents ? null : new Set() };
  state.calls.set(linkedid, entry);
  effects.push({ type: 'callStarted', linkedid, at });
  return entry;
}

/**
 * The channel an event is about (prefix '' for `Channel`/`Uniqueid`, 'Dest' for `DestChannel`…),
 * created with its call when first seen. Returns null for events that name no channel, and for
 * channels of calls already finished (late Cdr, trailing events).
 */
function ensureChannel(
  input: HandlerInput,
  prefix: '' | 'Dest' = '',
  create = true,
): { entry: CallEntry; channel: TrackedChannel } | null {
  const { state, message, at, effects } = input;
  const uid = known(prefix ? message[`${prefix}Uniqueid`] : (message.Uniqueid ?? message.UniqueID));
  const name = known(message[`${prefix}Channel`]);
  if (!uid) return null;
  const linkedidOfChannel = state.channelCall.get(uid);
  if (linkedidOfChannel) {
    const entry = state.calls.get(linkedidOfChannel);
    const channel = entry?.call.channels.get(uid);
    if (entry && channel) {
      channel.lastSeq = state.seq;
      updateSnapshot(channel, message, prefix, at);
      return { entry, channel };
    }
  }
  const linkedid = known(message[`${prefix}Linkedid`]) ?? known(message.Linkedid);
  if (!create || !name || !linkedid || isFinished(state, uid, null)) return null;
  const entry = state.calls.get(linkedid) ?? newCall(state, linkedid, at, effects);
  const channel: TrackedChannel = {
    uniqueid: uid,
    name,
    person: state.directory.personOfChannel(name),
    createdAt: null,
    state: null,
    upAt: null,
    hangupAt: null,
    hangupCause: null,
    hangupCauseText: null,
    callerNum: null,
    callerName: null,
    connectedNum: null,
    exten: null,
    lastSeq: state.seq,
  };
  entry.call.channels.set(uid, channel);
  entry.call.channelByName.set(name, uid);
  state.channelCall.set(uid, linkedid);
  updateSnapshot(channel, message, prefix, at);
  return { entry, channel };
}

function updateSnapshot(channel: TrackedChannel, message: AmiMessage, prefix: '' | 'Dest', at: number): void {
  const field = (key: string): string | undefined => message[prefix + key];
  const num = known(field('CallerIDNum'));
  if (channel.callerNum === null) {
    if (num !== null) {
      channel.callerNum = num;
      channel.callerName = known(field('CallerIDName'));
    }
  } else if (num === channel.callerNum) {
    // The dialplan may set CALLERID(name) before it dials (switchboard's plan does: "Company — Contact"):
    // keep the latest name for this number, the one the phones were shown.
    const name = known(field('CallerIDName'));
    if (name !== null) channel.callerName = name;
  }
  if (channel.connectedNum === null) channel.connectedNum = known(field('ConnectedLineNum'));
  if (channel.exten === null) {
    const exten = known(field('Exten'));
    if (exten !== null && exten !== 's') channel.exten = exten;
  }
  const state = intField(field('ChannelState'));
  if (state !== null) {
    channel.state = state;
    if (state === ChannelStateCode.Up && channel.upAt === null) channel.upAt = at;
  }
}

function forget(state: CallTrackerState, key: string, closedBy: CallClosedBy): void {
  state.finished.delete(key);
  state.finished.set(key, closedBy);
  if (state.finished.size > state.finishedMemory) {
    const oldest = state.finished.keys().next().value;
    if (oldest !== undefined) state.finished.delete(oldest);
  }
}

// ----- handlers ---------------------------------------------------------------------------------

function onNewchannel(input: HandlerInput): void {
  const hit = ensureChannel(input);
  if (hit && hit.channel.createdAt === null) hit.channel.createdAt = input.at;
}

function onChannelSnapshot(input: HandlerInput): void {
  ensureChannel(input);
}

function onNewstate(input: HandlerInput): void {
  const hit = ensureChannel(input);
  if (!hit) return;
  const { entry, channel } = hit;
  if (channel.state === ChannelStateCode.Ringing) {
    const leg = legOfChannel(entry.call, channel.uniqueid);
    if (leg) announceRinging(input, entry, leg);
  }
  if (channel.state === ChannelStateCode.Up && channel.person === null) {
    const inbound = inboundChannel(entry.call);
    if (inbound && inbound.uniqueid === channel.uniqueid && entry.call.pbxAnsweredAt === null) {
      entry.call.pbxAnsweredAt = input.at;
    }
  }
}

function onVarSet(input: HandlerInput): void {
  const hit = ensureChannel(input);
  if (!hit) return;
  const { entry, channel } = hit;
  const variable = (input.message.Variable ?? '').replace(/^_+/, '');
  const value = known(input.message.Value);
  if (variable === input.state.directory.directory.stepVariable && value !== null && channel.person === null) {
    const call = entry.call;
    if (call.inbound === null) call.inbound = channel.uniqueid;
    if (call.inbound !== channel.uniqueid) return;
    const current = call.steps[call.steps.length - 1];
    call.stepMarked = true;
    if (!current || current.raw !== value) call.steps.push({ raw: value, startedAt: input.at, dialer: channel.uniqueid });
  } else if (variable === RECORDING_FILE_VARIABLE && value !== null) {
    entry.call.recordingFile = value;
  } else if (variable === VOICEMAIL_MESSAGE_VARIABLE && value !== null) {
    entry.call.voicemailMessage = value; // app_voicemail sets it once a message is saved
  }
}

function onDialBegin(input: HandlerInput): void {
  const dialer = ensureChannel(input);
  const dest = ensureChannel(input, 'Dest');
  if (!dest) {
    input.effects.push(problem('unknown-channel', 'DialBegin without a usable destination', input));
    return;
  }
  // The dialer's call owns the leg even if the destination was created under another linkedid.
  dialBeginIn(input, dialer?.entry ?? dest.entry, dialer?.channel ?? null, dest.channel);
}

function dialBeginIn(
  input: HandlerInput,
  entry: CallEntry,
  dialer: TrackedChannel | null,
  dest: TrackedChannel,
): void {
  const { message, at } = input;
  const call = entry.call;
  if (call.legs.has(dest.uniqueid) || call.innerLegs.has(dest.uniqueid)) return;
  if (dialInsideLeg(input, entry, dialer, dest)) return;
  if (dialer && dialer.person === null && call.inbound === null && dest.person !== null) call.inbound = dialer.uniqueid;
  const afterAnswer = call.firstAnswerAt !== null && dialer !== null && dialer.person === null;
  const afterTransfer = call.transferAt !== null || afterAnswer;
  let stepId: number | null = null;
  if (dialer && dialer.person === null && !afterTransfer) {
    const stray = call.resynced && dest.person !== null && personOutsideStep(call, dest.person, input.state.context);
    stepId = stepFor(call, dialer.uniqueid, at, input.state.directory.directory.inferSteps, stray);
  }
  const leg: TrackedLeg = {
    uniqueid: dest.uniqueid,
    channel: dest.name,
    person: dest.person,
    dialer: dialer?.uniqueid ?? null,
    stepId,
    afterTransfer,
    number: dest.person === null ? dialedNumber(message) : null,
    presentedNum: known(message.CallerIDNum),
    startedAt: at,
    ringingAt: null,
    answeredAt: null,
    endedAt: null,
    dialStatus: null,
  };
  call.legs.set(dest.uniqueid, leg);
  if (dest.state === ChannelStateCode.Ringing) announceRinging(input, entry, leg);
}

/**
 * What a person's Local channel dials is inside that person's leg, not a leg of its own: the desk
 * phone behind a FreePBX ring- or hunt-group member (`Local/101@ringgroup` → `PJSIP/101`), and on
 * an inbound call an outside number it dials — the mobile of a follow-me (`Local/101@followme` →
 * `PJSIP/<mobile>@trunk`) is that person answering. One leg per person rung; its outcome comes
 * from the Dial that rang the Local channel, its hangup causes from every channel inside it.
 */
function dialInsideLeg(input: HandlerInput, entry: CallEntry, dialer: TrackedChannel | null, dest: TrackedChannel): boolean {
  const call = entry.call;
  if (!dialer || dialer.person === null || !dialer.name.startsWith('Local/')) return false;
  const outer = legOfChannel(call, dialer.uniqueid);
  if (!outer || outer.person !== dialer.person) return false;
  const inbound = firstChannel(call)?.person === null;
  if (dest.person !== dialer.person && !(dest.person === null && inbound)) return false;
  for (const uid of [dest.uniqueid, partnerOf(call, dest.uniqueid)]) {
    const channel = uid ? call.channels.get(uid) : undefined;
    if (!uid || !channel) continue;
    channel.person = dialer.person;
    call.innerLegs.set(uid, outer.uniqueid);
  }
  if (dest.state === ChannelStateCode.Ringing) announceRinging(input, entry, outer);
  return true;
}

/**
 * The step a new Dial target belongs to: the step variable's. A call that lived through a gap
 * (lost link, restart) may have lost a step marker: a Dial after every leg of the current step
 * ended, with no marker set since, is then a step of its own. Without any marker a call seen
 * whole never passed our dialplan (the customer's Queue, ring group, IVR…) and its Dials are no
 * step; one whose markers may be lost (it lived through a gap, or began before we listened) gets
 * a step per Dial() guessed from who was dialed, and so does every call when the directory asks
 * for it (`inferSteps`: a PBX whose own chain sets no marker).
 */
function stepFor(call: TrackedCall, dialer: string, at: number, inferSteps: boolean, stray = false): number | null {
  const explicit = call.steps.some((step) => step.raw !== null);
  const current = call.steps.length - 1;
  if (!explicit && !inferSteps && !markersMayBeLost(call)) return null;
  if (explicit) {
    const legsOfStep = [...call.legs.values()].filter((leg) => leg.dialer === dialer && leg.stepId === current);
    // The marker of a later step was lost in a gap when, after it, a Dial comes once every leg of
    // the current step is over (and no marker since) — or, none of its legs seen (lost with the
    // gap), the Dial rings someone the current step never rings.
    const markerLost =
      call.resynced && (legsOfStep.length > 0 ? !call.stepMarked && legsOfStep.every((leg) => legOver(call, leg)) : stray);
    call.stepMarked = false;
    if (markerLost) call.steps.push({ raw: null, startedAt: at, dialer });
    return call.steps.length - 1;
  }
  if (current >= 0) {
    for (const leg of call.legs.values()) {
      if (leg.dialer === dialer && leg.stepId === current && leg.endedAt === null) return current;
    }
  }
  call.steps.push({ raw: null, startedAt: at, dialer });
  return call.steps.length - 1;
}

/**
 * Whether the call's current step, as its last marker names it, never rings this person: the
 * responsible step rings only the caller's responsible, a role step (head of sales, CEO, owner)
 * only people of that role. Other steps (the department, the customer's own names) say nothing.
 */
function personOutsideStep(call: TrackedCall, person: string, ctx: RecordContext): boolean {
  const step = call.steps[call.steps.length - 1];
  if (!step || step.raw === null) return false;
  const name = ctx.stepName(step.raw);
  if (name === 'responsible') {
    const { caller } = inboundCaller(call, ctx);
    const responsible = caller === 'anonymous' ? null : ctx.responsibleFor(caller);
    return responsible !== null && responsible !== person;
  }
  if (name === 'head_of_sales' || name === 'ceo' || name === 'owner') return ctx.roleOf(person) !== name;
  return false;
}

/** The call lived through a gap in the stream, or began before we listened (its first channel's Newchannel was never seen). */
function markersMayBeLost(call: TrackedCall): boolean {
  return call.resynced || (call.channels.get(call.linkedid)?.createdAt ?? null) === null;
}

/** A leg is over once its DialEnd came, or (its DialEnd lost in a gap) its channel is gone. */
function legOver(call: TrackedCall, leg: TrackedLeg): boolean {
  return leg.endedAt !== null || (call.channels.get(leg.uniqueid)?.hangupAt ?? null) !== null;
}

function dialedNumber(message: AmiMessage): string | null {
  const dialString = known(message.DialString);
  if (dialString) {
    const user = dialString.split('@')[0].split('/').pop() ?? '';
    const cleaned = user.replace(/^sips?:/i, '');
    if (/^\+?\d{5,}$/.test(cleaned)) return cleaned;
  }
  return known(message.DestCallerIDNum) ?? known(message.Exten);
}

function legOfDialEvent(input: HandlerInput): { entry: CallEntry; leg: TrackedLeg } | null {
  const { state, message } = input;
  ensureChannel(input);
  const destUid = known(message.DestUniqueid);
  const owner = destUid ? state.channelCall.get(destUid) : undefined;
  // A Dial inside a person's leg (dialInsideLeg): the Dial that rang their Local channel decides.
  if (destUid && owner && state.calls.get(owner)?.call.innerLegs.has(destUid)) return null;
  const candidates = [owner, known(message.Linkedid) ?? undefined];
  for (const linkedid of candidates) {
    const entry = linkedid ? state.calls.get(linkedid) : undefined;
    const leg = destUid ? entry?.call.legs.get(destUid) : undefined;
    if (entry && leg) return { entry, leg };
  }
  // A destination that moved to another call: search the dialer's call by channel name.
  const dialerUid = known(message.Uniqueid);
  const dialerCall = dialerUid ? state.channelCall.get(dialerUid) : undefined;
  const entry = dialerCall ? state.calls.get(dialerCall) : undefined;
  if (entry && destUid) {
    const leg = entry.call.legs.get(destUid);
    if (leg) return { entry, leg };
  }
  // The DialBegin was lost (link down, or events out of order): start the leg from here.
  const dest = ensureChannel(input, 'Dest');
  if (dest) {
    const dialerHit = ensureChannel(input);
    const owner = dialerHit?.entry ?? dest.entry;
    dialBeginIn(input, owner, dialerHit?.channel ?? null, dest.channel);
    const leg = owner.call.legs.get(dest.channel.uniqueid);
    if (leg) {
      leg.startedAt = Math.min(leg.startedAt, dest.channel.createdAt ?? leg.startedAt);
      return { entry: owner, leg };
    }
  }
  if (!isFinished(state, destUid, known(message.Linkedid))) {
    input.effects.push(problem('unknown-leg', `${input.name} for a Dial never seen`, input));
  }
  return null;
}

function onDialState(input: HandlerInput): void {
  const hit = legOfDialEvent(input);
  if (!hit) return;
  // Phones and gateways that answer the INVITE with 183 (early media) instead of 180 ring all the same.
  if (input.message.DialStatus === 'RINGING' || input.message.DialStatus === 'PROGRESS') announceRinging(input, hit.entry, hit.leg);
}

function onDialEnd(input: HandlerInput): void {
  const hit = legOfDialEvent(input);
  if (!hit) return;
  const { entry, leg } = hit;
  const call = entry.call;
  const status = known(input.message.DialStatus);
  if (leg.dialStatus !== null) return;
  leg.dialStatus = status;
  leg.endedAt = input.at;
  if (status === 'ANSWER') {
    leg.answeredAt = input.at;
    leg.endedAt = null;
    if (leg.person === null) return;
    if (call.firstAnswerAt === null && leg.dialer !== null) call.firstAnswerAt = input.at;
    input.effects.push({
      type: 'answered',
      linkedid: call.linkedid,
      uniqueid: leg.uniqueid,
      extension: leg.person,
      step: stepOfLeg(input.state, call, leg),
      at: input.at,
    });
    return;
  }
  if (leg.person === null) return;
  input.effects.push({
    type: 'legEnded',
    linkedid: call.linkedid,
    uniqueid: leg.uniqueid,
    extension: leg.person,
    outcome: legOutcome(call, leg, call.firstAnswerAt ?? (siblingAnswered(call, leg) ? input.at : null)),
    at: input.at,
  });
}

/**
 * In a ring-all Dial the losers' DialEnd CANCEL comes before the winner's DialEnd ANSWER, but
 * after the winner's channel went Up.
 */
function siblingAnswered(call: TrackedCall, leg: TrackedLeg): boolean {
  for (const other of call.legs.values()) {
    if (other === leg || other.dialer !== leg.dialer || other.person === null || other.endedAt !== null) continue;
    if (call.channels.get(other.uniqueid)?.upAt != null) return true;
  }
  return false;
}

function onHangupRequest(input: HandlerInput): void {
  const hit = ensureChannel(input, '', false);
  if (!hit) return;
  hit.entry.call.hangupRequests.push({
    uniqueid: hit.channel.uniqueid,
    kind: input.name === 'HangupRequest' ? 'HangupRequest' : 'SoftHangupRequest',
    at: input.at,
  });
}

function onHangup(input: HandlerInput): void {
  const { state, message } = input;
  const hit = ensureChannel(input, '', false);
  if (!hit) {
    const uid = uniqueidOf(message);
    if (uid && state.resync) state.resync.hungUp.add(uid);
    if (!isFinished(state, uid, known(message.Linkedid))) {
      input.effects.push(problem('unknown-channel', 'Hangup of a channel never seen', input));
    }
    return;
  }
  const { entry, channel } = hit;
  if (channel.hangupAt !== null) return;
  channel.hangupAt = input.at;
  channel.hangupCause = intField(message.Cause);
  channel.hangupCauseText = known(message['Cause-txt']);
  if (allHungUp(entry.call)) finalize(state, entry, 'hangup', input.effects);
}

function onBlindTransfer(input: HandlerInput): void {
  const { state, message } = input;
  const uid = known(message.TransfereeUniqueid) ?? known(message.TransfererUniqueid);
  const linkedid = uid ? state.channelCall.get(uid) : (known(message.TransfereeLinkedid) ?? undefined);
  const entry = linkedid ? state.calls.get(linkedid) : undefined;
  if (!entry || (message.Result && message.Result !== 'Success')) return;
  const exten = known(message.Extension);
  const to = exten && state.directory.person(exten) ? exten : null;
  markTransfer(input, entry, to);
}

function onAttendedTransfer(input: HandlerInput): void {
  const { state, message } = input;
  if (message.Result && message.Result !== 'Success') return;
  const targetName = known(message.TransferTargetChannel);
  const to = targetName ? state.directory.personOfChannel(targetName) : null;
  for (const key of ['TransfereeUniqueid', 'OrigTransfererUniqueid']) {
    const entry = callOfChannel(state, known(message[key]));
    if (entry) {
      markTransfer(input, entry, to);
      adoptTransferTarget(input, entry, known(message.TransferTargetUniqueid));
      return;
    }
  }
}

/**
 * After an attended transfer Asterisk moves the target's channel into the client's call (its
 * Linkedid changes): move it here too, so the consult call ends with the transferer's channel and
 * the target's desk shows the client's call, not the consult call.
 */
function adoptTransferTarget(input: HandlerInput, entry: CallEntry, targetUid: string | null): void {
  const channel = targetUid ? adoptChannel(input, entry, targetUid) : null;
  if (targetUid && channel?.person != null) {
    input.effects.push({ type: 'answered', linkedid: entry.call.linkedid, uniqueid: targetUid, extension: channel.person, step: null, at: input.at });
  }
}

/** The call a channel is in, else (a channel we do not track) the call of `linkedid`. */
function callOfChannel(state: CallTrackerState, uid: string | null, linkedid: string | null = null): CallEntry | undefined {
  const of = (uid ? state.channelCall.get(uid) : undefined) ?? linkedid;
  return of ? state.calls.get(of) : undefined;
}

/** A desk dials **<ext> or *8 and takes a ringing call (its own channel joins the call). */
function onPickup(input: HandlerInput): void {
  const { state, message } = input;
  const entry = callOfChannel(state, known(message.TargetUniqueid), known(message.TargetLinkedid));
  const picker = known(message.Uniqueid);
  // The picker's answer is the DialEnd ANSWER that follows (legOfDialEvent starts its leg).
  if (entry && picker) adoptChannel(input, entry, picker);
}

/** A desk dials a parking slot (ParkedCall) and takes the parked call over: it is transferred to them. */
function onUnParkedCall(input: HandlerInput): void {
  const { state, message } = input;
  const entry = callOfChannel(state, known(message.ParkeeUniqueid), known(message.ParkeeLinkedid));
  const retriever = known(message.RetrieverUniqueid);
  if (!entry || !retriever) return;
  const channel = adoptChannel(input, entry, retriever);
  if (!channel || channel.person === null) return;
  markTransfer(input, entry, channel.person);
  input.effects.push({ type: 'answered', linkedid: entry.call.linkedid, uniqueid: retriever, extension: channel.person, step: null, at: input.at });
}

/** VoiceMail() on the caller's channel: the PBX takes the call (Newexten of other applications is noise). */
function onNewexten(input: HandlerInput): void {
  if (input.message.Application !== 'VoiceMail') return;
  const hit = ensureChannel(input, '', false);
  if (!hit) return;
  const call = hit.entry.call;
  if (call.voicemailAt === null && inboundChannel(call)?.uniqueid === hit.channel.uniqueid) call.voicemailAt = input.at;
}

/**
 * A channel of another call in progress joins this one: the target of an attended transfer, the
 * picker of a pickup, the desk taking a parked call out of its slot (Asterisk gives it this call's
 * Linkedid once they are bridged). It moves here with its leg of the old call ended. A call it
 * leaves empty — the picker's own dial of **101 or 701 — was never a call of its own: its events
 * become this call's (a rebuild from them does the same again) and it leaves no record.
 */
function adoptChannel(input: HandlerInput, entry: CallEntry, uid: string): TrackedChannel | null {
  const { state, effects, at } = input;
  const from = callOfChannel(state, uid);
  const channel = from?.call.channels.get(uid);
  if (!from || !channel || channel.hangupAt !== null) return null;
  if (from === entry) return channel;
  from.call.channels.delete(uid);
  from.call.channelByName.delete(channel.name);
  const oldLeg = from.call.legs.get(uid);
  if (oldLeg && oldLeg.endedAt === null) oldLeg.endedAt = at;
  entry.call.channels.set(uid, channel);
  entry.call.channelByName.set(channel.name, uid);
  state.channelCall.set(uid, entry.call.linkedid);
  entry.call.lastSeenAt = Math.max(entry.call.lastSeenAt, from.call.lastSeenAt);
  if (from.call.channels.size === 0) absorbCall(state, entry, from);
  else if (allHungUp(from.call)) finalize(state, from, 'hangup', effects);
  return channel;
}

function absorbCall(state: CallTrackerState, entry: CallEntry, from: CallEntry): void {
  state.calls.delete(from.call.linkedid);
  forget(state, from.call.linkedid, 'hangup');
  entry.events = mergeByTime(entry.events, from.events);
  if (entry.seen) for (const event of from.events) if (event.Event !== 'CoreShowChannel' && eventTimestamp(event) !== null) entry.seen.add(eventIdentity(event));
}

/** Two event lists in stream order merged into one (by Timestamp; an event without one stays after what preceded it). */
function mergeByTime(a: AmiMessage[], b: AmiMessage[]): AmiMessage[] {
  if (b.length === 0) return a;
  const out: AmiMessage[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length) out.push(a[i++]);
    else if (i >= a.length) out.push(b[j++]);
    else {
      const ta = eventTimestamp(a[i]);
      const tb = eventTimestamp(b[j]);
      out.push(ta === null || tb === null || ta <= tb ? a[i++] : b[j++]);
    }
  }
  return out;
}

function markTransfer(input: HandlerInput, entry: CallEntry, to: string | null): void {
  const call = entry.call;
  if (call.transferAt === null) call.transferAt = input.at;
  if (to !== null) call.transferTarget = to;
  input.effects.push({ type: 'transferred', linkedid: call.linkedid, to, at: input.at });
}

// ----- app_queue: the caller's stays in queues -----------------------------------------------------

function onQueueCallerJoin(input: HandlerInput): void {
  const { message } = input;
  const uid = known(message.Uniqueid);
  const queue = known(message.Queue);
  const entry = callOfChannel(input.state, uid);
  if (!entry || !uid || !queue) return;
  entry.call.queueVisits.push({ queue, uniqueid: uid, joinedAt: input.at, leftAt: null, abandoned: false });
}

/** The caller hung up in the queue; its QueueCallerLeave follows and closes the stay. */
function onQueueCallerAbandon(input: HandlerInput): void {
  const visit = openQueueVisit(input);
  if (visit) visit.abandoned = true;
}

function onQueueCallerLeave(input: HandlerInput): void {
  const visit = openQueueVisit(input);
  if (visit) visit.leftAt = input.at;
}

/** The latest stay of this channel in this queue that has not ended. */
function openQueueVisit(input: HandlerInput): TrackedQueueVisit | undefined {
  const uid = known(input.message.Uniqueid);
  const queue = known(input.message.Queue);
  const visits = callOfChannel(input.state, uid)?.call.queueVisits ?? [];
  for (let i = visits.length - 1; i >= 0; i--) {
    if (visits[i].uniqueid === uid && visits[i].queue === queue && visits[i].leftAt === null) return visits[i];
  }
  return undefined;
}

function onOriginateResponse(input: HandlerInput): void {
  const entry = callOfChannel(input.state, known(input.message.Uniqueid));
  const exten = known(input.message.Exten);
  if (entry && exten && entry.call.originateExten === null) entry.call.originateExten = exten;
}

function onRename(input: HandlerInput): void {
  const uid = known(input.message.Uniqueid);
  const newName = known(input.message.Newname);
  const entry = callOfChannel(input.state, uid);
  const channel = uid ? entry?.call.channels.get(uid) : undefined;
  if (!entry || !channel || !newName) return;
  entry.call.channelByName.delete(channel.name);
  channel.name = newName;
  entry.call.channelByName.set(newName, channel.uniqueid);
}

// ----- resync after a (re)connect ---------------------------------------------------------------

function onResponse(state: CallTrackerState, message: AmiMessage): void {
  if (message.EventList === 'start' && /channels will follow/i.test(message.Message ?? '')) {
    state.resync = { actionId: known(message.ActionID), startedSeq: state.seq, items: [], hungUp: new Set() };
  }
}

function onCoreShowChannel(input: HandlerInput): void {
  const { state, message } = input;
  if (!state.resync) state.resync = { actionId: known(message.ActionID), startedSeq: state.seq, items: [], hungUp: new Set() };
  state.resync.items.push(message);
}

function onCoreShowChannelsComplete(input: HandlerInput): void {
  const { state } = input;
  const list = state.resync ?? { actionId: null, startedSeq: state.seq, items: [], hungUp: new Set<string>() };
  state.resync = null;
  // List items carry no Timestamp: "now" is the latest time we know of, and a channel's start is
  // the epoch in its Uniqueid (`<epoch>.<seq>`) or else now minus its Duration.
  const lastSeen = state.lastTimestamp ?? input.at;
  let now = lastSeen;
  for (const item of list.items) {
    const born = uniqueidEpoch(known(item.Uniqueid));
    const age = durationSeconds(item.Duration);
    if (born !== null && age !== null && born + age > now) now = born + age;
  }
  // Every call open now lived through a gap (what it lost is judged by this list), and so does every call it names.
  for (const entry of state.calls.values()) entry.call.resynced = true;
  const alive = new Set<string>();
  const discovered: { item: AmiMessage; channel: TrackedChannel; entry: CallEntry }[] = [];
  for (const item of list.items) {
    const uid = known(item.Uniqueid);
    if (!uid || list.hungUp.has(uid)) continue;
    alive.add(uid);
    const wasKnown = state.channelCall.has(uid);
    const hit = ensureChannel({ ...input, message: item, at: now });
    if (!hit) continue;
    hit.entry.call.resynced = true;
    if (wasKnown) {
      answeredDuringGap(hit.entry, uid, item, lastSeen);
      continue;
    }
    const createdAt = uniqueidEpoch(uid) ?? now - (durationSeconds(item.Duration) ?? 0);
    hit.channel.createdAt = createdAt;
    hit.entry.call.firstSeenAt = Math.min(hit.entry.call.firstSeenAt, createdAt);
    if (hit.channel.state === ChannelStateCode.Up) hit.channel.upAt = createdAt;
    discovered.push({ item, channel: hit.channel, entry: hit.entry });
    // A channel first known from the list: the item is its first raw event (a rebuild starts from it, see rebuild.ts).
    if (state.keepEvents) hit.entry.events.push(item);
  }
  // What ended in the gap ends first: a leg found in the list may start a step after one that ended.
  endMissingChannels(state, alive, list.startedSeq, now);
  // A person's channel that is the outgoing side of a Dial we never saw is a leg of its call
  // (one leg per person: a Local device and the phone it dials are one person rung).
  for (const { item, channel, entry } of discovered) {
    if (channel.person === null || !/^AppDial/i.test(item.Application ?? '')) continue;
    const dialer = inboundChannel(entry.call);
    if (!dialer || dialer.person !== null) continue;
    if ([...entry.call.legs.values()].some((leg) => leg.person === channel.person && !legOver(entry.call, leg))) continue;
    dialBeginIn({ ...input, message: item, at: channel.createdAt ?? now }, entry, dialer, channel);
    const leg = entry.call.legs.get(channel.uniqueid);
    if (!leg) continue;
    // A phone found ringing is announced (desks that reconnect after a restart get their popup back).
    if (channel.state === ChannelStateCode.Ringing) announceRinging({ ...input, message: item, at: leg.startedAt }, entry, leg);
    if (channel.state === ChannelStateCode.Up && known(item.BridgeId) !== null) {
      leg.answeredAt = leg.startedAt;
      leg.dialStatus = 'ANSWER';
      entry.call.firstAnswerAt ??= leg.startedAt;
    }
  }
  closeMissingChannels(state, alive, list.startedSeq, now, input.effects);
}

/**
 * A leg we saw ringing that the list shows Up in a bridge was answered while the link was down
 * (its DialEnd was lost): count it as answered, at the last moment we know it was still ringing.
 */
function answeredDuringGap(entry: CallEntry, uid: string, item: AmiMessage, lastSeen: number): void {
  const leg = entry.call.legs.get(uid);
  if (!leg || leg.dialStatus !== null || leg.answeredAt !== null) return;
  if (Number(item.ChannelState) !== ChannelStateCode.Up || known(item.BridgeId) === null) return;
  leg.answeredAt = Math.max(leg.startedAt, lastSeen);
  leg.dialStatus = 'ANSWER';
  entry.call.firstAnswerAt ??= leg.answeredAt;
}

/** `1795336311.478` → 1795336311 (Asterisk's default Uniqueid); null for other formats. */
function uniqueidEpoch(uid: string | null): number | null {
  const match = uid ? /^(\d{9,11})\.\d+$/.exec(uid) : null;
  return match ? Number(match[1]) : null;
}

/** Channels not alive any more (absent from a channel list and silent since it started) end now. */
function closeMissingChannels(
  state: CallTrackerState,
  alive: ReadonlySet<string>,
  sinceSeq: number,
  now: number,
  effects: CallEffect[],
): void {
  endMissingChannels(state, alive, sinceSeq, now);
  for (const entry of [...state.calls.values()]) if (allHungUp(entry.call)) finalize(state, entry, 'resync', effects);
}

/** Channels absent from a list and silent since it started hung up during the gap: they end now. */
function endMissingChannels(state: CallTrackerState, alive: ReadonlySet<string>, sinceSeq: number, now: number): void {
  for (const entry of state.calls.values()) {
    for (const channel of entry.call.channels.values()) {
      if (channel.hangupAt !== null || alive.has(channel.uniqueid) || channel.lastSeq > sinceSeq) continue;
      channel.hangupAt = Math.max(now, entry.call.lastSeenAt);
    }
  }
}

/**
 * Finalizes calls a lost link left open. With `liveChannelUniqueids` (a fresh channel list),
 * channels absent from it end now (`resync`); without it, calls silent for `maxIdleSeconds`
 * end at their last event (`timeout`). Pure apart from updating the state it is given.
 */
export function closeStaleCalls(
  state: CallTrackerState,
  now: number,
  liveChannelUniqueids?: ReadonlySet<string>,
  maxIdleSeconds = 4 * 3600,
): ReduceResult {
  const effects: CallEffect[] = [];
  if (liveChannelUniqueids) {
    closeMissingChannels(state, liveChannelUniqueids, Number.POSITIVE_INFINITY, now, effects);
    return { state, effects };
  }
  for (const entry of [...state.calls.values()]) {
    if (now - entry.call.lastSeenAt < maxIdleSeconds) continue;
    for (const channel of entry.call.channels.values()) {
      if (channel.hangupAt === null) channel.hangupAt = entry.call.lastSeenAt;
    }
    finalize(state, entry, 'timeout', effects);
  }
  return { state, effects };
}

// ----- finalization & helpers -----------------------------------------------------------------

function allHungUp(call: TrackedCall): boolean {
  for (const channel of call.channels.values()) if (channel.hangupAt === null) return false;
  return call.channels.size > 0;
}

function finalize(state: CallTrackerState, entry: CallEntry, closedBy: CallClosedBy, effects: CallEffect[]): void {
  const call = entry.call;
  state.calls.delete(call.linkedid);
  forget(state, call.linkedid, closedBy);
  for (const uid of call.channels.keys()) {
    state.channelCall.delete(uid);
    forget(state, uid, closedBy);
  }
  const record = buildCallRecord(call, state.context, closedBy);
  effects.push({ type: 'callFinalized', record, events: entry.events });
}

function stepOfLeg(state: CallTrackerState, call: TrackedCall, leg: TrackedLeg): string | null {
  if (leg.afterTransfer) return 'transfer';
  if (leg.stepId === null) return null;
  return stepNameOf(call, leg.stepId, state.context, inboundCaller(call, state.context).caller);
}

function announceRinging(input: HandlerInput, entry: CallEntry, leg: TrackedLeg): void {
  if (leg.ringingAt === null) leg.ringingAt = input.at;
  if (leg.person === null || entry.announced.has(leg.uniqueid) || leg.endedAt !== null) return;
  entry.announced.add(leg.uniqueid);
  const call = entry.call;
  const ctx = input.state.context;
  const direction = callDirection(call, ctx);
  const inbound = direction === 'inbound' ? inboundCaller(call, ctx) : null;
  const exten = inboundChannel(call)?.exten ?? null;
  input.effects.push({
    type: 'ringing',
    linkedid: call.linkedid,
    uniqueid: leg.uniqueid,
    extension: leg.person,
    step: stepOfLeg(input.state, call, leg),
    at: input.at,
    call: {
      direction,
      caller: inbound?.caller ?? firstCallerId(call),
      callerName: inbound?.callerName ?? null,
      // Same rule as the record's `did`: a configured line, else the dialed number itself.
      did: direction === 'inbound' ? (ctx.lineOf(exten) ?? (exten && /^\+?\d{3,}$/.test(exten) ? exten : null)) : null,
    },
  });
}

function firstCallerId(call: TrackedCall): string {
  for (const channel of call.channels.values()) if (channel.callerNum) return channel.callerNum;
  return 'anonymous';
}

function problem(code: TrackerProblemCode, message: string, input: HandlerInput): CallEffect {
  return {
    type: 'problem',
    code,
    message,
    linkedid: known(input.message.Linkedid) ?? known(input.message.DestLinkedid),
    event: input.name,
  };
}

/**
 * The raw events kept with a call: what the tracker reads, i.e. what the recommended manager.conf
 * eventfilter lets through (config/manager.conf.example) — of Newexten only VoiceMail(), and of
 * the VarSet flood only the step marker, the recording file name and the voicemail message left. A long call on an unfiltered link then holds
 * no noise in memory, stored calls are the same whether or not the PBX filters at the source, and
 * a call's raw events are half the size (the dominant cost of storing a call).
 */
export function isWorthStoring(event: AmiMessage, stepVariable: string): boolean {
  if (!isTrackedEvent(event)) return false;
  if (event.Event === 'Newexten') return event.Application === 'VoiceMail';
  if (event.Event !== 'VarSet') return true;
  const variable = (event.Variable ?? '').replace(/^_+/, '');
  return variable === stepVariable || variable === RECORDING_FILE_VARIABLE || variable === VOICEMAIL_MESSAGE_VARIABLE;
}
