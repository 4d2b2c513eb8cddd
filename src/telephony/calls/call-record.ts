import { callerNumber, normalizePhone } from '../../common/phone-number';
import { VOICEMAIL_STEP } from '../step-names';

/** Final records the call tracker produces, one per call (Asterisk `Linkedid`). */

export type CallDirection = 'inbound' | 'outbound' | 'internal';
export type CallDisposition = 'answered' | 'missed';
/** Why the record was closed: last channel hung up, lost during a resync, or left open too long. */
export type CallClosedBy = 'hangup' | 'resync' | 'timeout';
/** Who ended the call first: `manager:<ext>` for a person, `external` for the far end of an outbound call. */
export type HungUpBy = 'caller' | 'pbx' | 'external' | `manager:${string}`;

export type LegOutcome =
  | 'answered'
  | 'no_answer'
  | 'busy'
  | 'rejected'
  | 'cancelled_other_answered'
  | 'cancelled_caller_hung_up'
  | 'unavailable';

/** One person rung during a call (one Dial target). */
export interface CallLeg {
  extension: string;
  /**
   * Our step name (`responsible`, `department`, …); a leg rung by a transfer carries the step the
   * call was answered at (and `transfer: true`); null for legs outside the chain.
   */
  step: string | null;
  /** Rung because the call was transferred (not an escalation step). */
  transfer: boolean;
  /** Channel name of the dialed device (`PJSIP/101-00000007`, `Local/101@managers-00000003;1`). */
  channel: string;
  uniqueid: string;
  startedAt: number;
  /** First ringing indication, null if the phone never rang (busy, rejected, unavailable). */
  ringingAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  /** Asterisk DialStatus of the leg (ANSWER, NOANSWER, BUSY, CANCEL, CONGESTION, CHANUNAVAIL…). */
  dialStatus: string | null;
  hangupCause: number | null;
  outcome: LegOutcome;
  /** This person missed the call on this leg (legMissed: the one rule the statistics count). */
  missed: boolean;
}

/** How a caller's wait in an app_queue `Queue()` ended. */
export type QueueOutcome = 'answered' | 'abandoned' | 'left';

/** One stay of the caller in a queue (a call can pass several, or the same one twice). */
export interface CallQueueVisit {
  /** The queue's name as app_queue knows it (`sales-ringall`). */
  name: string;
  /** QueueCallerJoin / QueueCallerLeave Timestamps; leftAt null when the Leave was never seen (a gap). */
  joinedAt: number;
  leftAt: number | null;
  /**
   * answered: a member answered while the caller waited in it; abandoned: the caller hung up in it
   * (QueueCallerAbandon); left: any other exit (timeout, empty queue, a key pressed to voicemail).
   */
  outcome: QueueOutcome;
  /** From joining to leaving (to the caller's hangup when the Leave was never seen). */
  waitSeconds: number;
  /** The member who answered, or null. */
  answeredBy: string | null;
}

export interface CallRecord {
  linkedid: string;
  direction: CallDirection;
  /**
   * The client's number, E.164 or `anonymous`: who called for inbound calls, who was called for
   * outbound ones; for internal calls the calling person's extension.
   */
  caller: string;
  callerName: string | null;
  /** Line (DID) the call came in on, or the company line presented on an outbound call. */
  did: string | null;
  /** Extension of the internal person who placed an outbound/internal call. */
  placedBy: string | null;
  /** Epoch seconds (floats) from the events' Timestamp headers. */
  startedAt: number;
  answeredAt: number | null;
  endedAt: number;
  ringSeconds: number;
  talkSeconds: number;
  /** First person who answered (kept across transfers), or null. */
  answeredBy: string | null;
  disposition: CallDisposition;
  /** Missed and the caller hung up before the chain was exhausted. */
  abandoned: boolean;
  /** Missed, and the PBX answered itself once the chain ran out (voicemail/after-hours). */
  voicemail: boolean;
  /** Our name of the last escalation step reached (the answering step for answered calls). */
  stepReached: string | null;
  /** How many ringing steps of the chain were attempted (1-based; voicemail is not one). */
  stepIndex: number;
  hangupCause: number | null;
  hangupCauseText: string | null;
  hungUpBy: HungUpBy | null;
  /** Extension the call was transferred to (the person who took it over when known). */
  transferredTo: string | null;
  recordingFile: string | null;
  /** The voicemail message the caller left (app_voicemail's VM_MESSAGEFILE: the file on the PBX, no extension), or null. */
  voicemailMessage: string | null;
  closedBy: CallClosedBy;
  legs: CallLeg[];
  /** The caller's stays in app_queue queues, in the order joined (empty for calls that met no queue). */
  queues: CallQueueVisit[];
}

// ---------------------------------------------------------------------------------------------
// The tracker's accumulator for a call in progress, and the pure derivation of its record.
// ---------------------------------------------------------------------------------------------

/** One channel of a call as the tracker knows it (keyed by Uniqueid). */
export interface TrackedChannel {
  uniqueid: string;
  name: string;
  /** Person whose device this channel is (both halves of a Local device), or null. */
  person: string | null;
  createdAt: number | null;
  state: number | null;
  upAt: number | null;
  hangupAt: number | null;
  hangupCause: number | null;
  hangupCauseText: string | null;
  /** First known caller id / connected line / dialplan position of the channel. */
  callerNum: string | null;
  callerName: string | null;
  connectedNum: string | null;
  exten: string | null;
  /** Sequence number of the last event about this channel (resync bookkeeping). */
  lastSeq: number;
}

/** One Dial target (keyed by the dialed channel's Uniqueid). */
export interface TrackedLeg {
  uniqueid: string;
  channel: string;
  person: string | null;
  /** Uniqueid of the dialing channel; null for the Dial of an AMI Originate. */
  dialer: string | null;
  /** Index into `steps`, or null (transfer, outbound, originate). */
  stepId: number | null;
  afterTransfer: boolean;
  /** External number dialed (legs to non-person destinations). */
  number: string | null;
  /** Caller id the dialing channel presented (the company line on outbound calls). */
  presentedNum: string | null;
  startedAt: number;
  ringingAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  dialStatus: string | null;
}

export interface TrackedStep {
  /** Dialplan name as set in the step variable; null when inferred from who was dialed. */
  raw: string | null;
  startedAt: number;
  dialer: string | null;
}

/** A caller's stay in a queue as the events tell it (QueueCallerJoin … QueueCallerLeave). */
export interface TrackedQueueVisit {
  queue: string;
  /** The caller's channel in the queue (the dialer of the members' legs). */
  uniqueid: string;
  joinedAt: number;
  leftAt: number | null;
  abandoned: boolean;
}

export interface TrackedHangupRequest {
  uniqueid: string;
  kind: 'HangupRequest' | 'SoftHangupRequest';
  at: number;
}

export interface TrackedCall {
  linkedid: string;
  channels: Map<string, TrackedChannel>;
  /** Channel name → Uniqueid (Local ;1/;2 partner lookup). */
  channelByName: Map<string, string>;
  legs: Map<string, TrackedLeg>;
  /**
   * Channels a person's Local channel dialed inside that person's leg (the desk phone behind a
   * ring-group member, the mobile of a follow-me) → Uniqueid of the leg they belong to.
   */
  innerLegs: Map<string, string>;
  /** The channel that runs the escalation (trunk, or Local ;2 of an originated inbound call). */
  inbound: string | null;
  steps: TrackedStep[];
  firstAnswerAt: number | null;
  transferAt: number | null;
  transferTarget: string | null;
  hangupRequests: TrackedHangupRequest[];
  queueVisits: TrackedQueueVisit[];
  pbxAnsweredAt: number | null;
  /** When VoiceMail() started on the inbound channel (Newexten; the recommended filter lets only that one through). */
  voicemailAt: number | null;
  originateExten: string | null;
  recordingFile: string | null;
  /** VM_MESSAGEFILE of a channel of the call: the message app_voicemail saved. */
  voicemailMessage: string | null;
  /** The call was open across a gap in the stream (a resync judged it): events may be missing. */
  resynced: boolean;
  /** A step marker was set since the escalation's last Dial. */
  stepMarked: boolean;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** What deriving a record needs from the directory. */
export interface RecordContext {
  defaultRegion: string;
  stepName(raw: string): string;
  responsibleFor(callerE164: string): string | null;
  lineOf(raw: string | null | undefined): string | null;
  roleOf(extension: string): string | null;
}

const EPSILON = 0.05;
const CAUSE_BUSY = 17;
const CAUSE_REJECTED = 21;
const CAUSE_ANSWERED_ELSEWHERE = 26;

/** The other half of a Local channel pair (`…;1` ↔ `…;2`), if the call has it. */
export function partnerOf(call: TrackedCall, uniqueid: string): string | null {
  const channel = call.channels.get(uniqueid);
  if (!channel) return null;
  const name = channel.name;
  if (!name.startsWith('Local/')) return null;
  const half = name.slice(-2);
  const other = half === ';1' ? ';2' : half === ';2' ? ';1' : null;
  return other ? (call.channelByName.get(name.slice(0, -2) + other) ?? null) : null;
}

/** The leg a channel belongs to: its own Dial, the leg it was dialed inside, or either of its Local partner. */
export function legOfChannel(call: TrackedCall, uniqueid: string): TrackedLeg | null {
  for (const uid of [uniqueid, partnerOf(call, uniqueid)]) {
    if (uid === null) continue;
    const leg = call.legs.get(uid) ?? call.legs.get(call.innerLegs.get(uid) ?? '');
    if (leg) return leg;
  }
  return null;
}

/** Uniqueids of every channel of a leg: the dialed one, its Local partner, what it dialed inside the leg. */
function channelsOfLeg(call: TrackedCall, leg: TrackedLeg): string[] {
  const uids = [leg.uniqueid];
  for (const [inner, outer] of call.innerLegs) if (outer === leg.uniqueid) uids.push(inner);
  for (const uid of [...uids]) {
    const partner = partnerOf(call, uid);
    if (partner) uids.push(partner);
  }
  return uids;
}

/**
 * The channel that was created first (the call's originator): the one whose Uniqueid is the
 * call's Linkedid (Asterisk names a call after its first channel), else the earliest created —
 * at equal times (a channel list gives whole seconds) the lower Uniqueid sequence, never the
 * order in which a list happened to name them.
 */
export function firstChannel(call: TrackedCall): TrackedChannel | null {
  const originator = call.channels.get(call.linkedid);
  if (originator) return originator;
  let first: TrackedChannel | null = null;
  for (const channel of call.channels.values()) {
    if (!first) first = channel;
    else if (channel.createdAt !== null && (first.createdAt === null || channel.createdAt < first.createdAt)) {
      first = channel;
    } else if (channel.createdAt !== null && channel.createdAt === first.createdAt && uniqueidSeq(channel.uniqueid) < uniqueidSeq(first.uniqueid)) {
      first = channel;
    }
  }
  return first;
}

/** `1795336311.478` → 478 (the order Asterisk created channels in); Infinity for other formats. */
function uniqueidSeq(uniqueid: string): number {
  const match = /\.(\d+)$/.exec(uniqueid);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

/** The channel running the inbound escalation: the one that dialed people, else the trunk side. */
export function inboundChannel(call: TrackedCall): TrackedChannel | null {
  if (call.inbound) {
    const known = call.channels.get(call.inbound);
    if (known) return known;
  }
  const first = firstChannel(call);
  if (!first || first.person !== null) return null;
  if (first.name.endsWith(';1')) {
    const partner = partnerOf(call, first.uniqueid);
    if (partner) return call.channels.get(partner) ?? first;
  }
  return first;
}

/** A leg placed by a channel of the call (not the Dial of an AMI Originate). */
function isDialedLeg(leg: TrackedLeg | null): leg is TrackedLeg {
  return leg !== null && leg.dialer !== null;
}

export function callDirection(call: TrackedCall, ctx: RecordContext): CallDirection {
  const first = firstChannel(call);
  if (!first || first.person === null) return 'inbound';
  for (const leg of call.legs.values()) {
    if (leg.dialer !== null && leg.person === null) return 'outbound';
  }
  if (call.originateExten && isExternalNumber(call.originateExten, ctx)) return 'outbound';
  return 'internal';
}

function isExternalNumber(raw: string, ctx: RecordContext): boolean {
  return ctx.roleOf(raw) === null && normalizePhone(raw, ctx.defaultRegion) !== null;
}

/** Caller number (E.164 or anonymous) and name of an inbound call, wherever Asterisk put them. */
export function inboundCaller(call: TrackedCall, ctx: RecordContext): { caller: string; callerName: string | null } {
  const inbound = inboundChannel(call);
  const candidates: TrackedChannel[] = [];
  if (inbound) candidates.push(inbound);
  if (inbound) {
    const partner = partnerOf(call, inbound.uniqueid);
    const partnerChannel = partner ? call.channels.get(partner) : undefined;
    if (partnerChannel) candidates.push(partnerChannel);
  }
  for (const channel of call.channels.values()) {
    if (channel.person === null && !isDialedLeg(legOfChannel(call, channel.uniqueid))) candidates.push(channel);
  }
  for (const channel of candidates) {
    if (channel.callerNum !== null) {
      return { caller: callerNumber(channel.callerNum, ctx.defaultRegion), callerName: displayName(channel.callerName) };
    }
  }
  // Manager legs carry the external caller in ConnectedLineNum.
  for (const channel of call.channels.values()) {
    if (channel.person !== null && channel.connectedNum !== null) {
      return { caller: callerNumber(channel.connectedNum, ctx.defaultRegion), callerName: null };
    }
  }
  return { caller: 'anonymous', callerName: null };
}

function displayName(name: string | null): string | null {
  if (name === null) return null;
  return name.toLowerCase() === 'anonymous' ? null : name;
}

/** Our step name for a step of the call (explicit from the step variable, else inferred). */
export function stepNameOf(call: TrackedCall, stepId: number, ctx: RecordContext, caller: string): string | null {
  const step = call.steps[stepId];
  if (!step) return null;
  if (step.raw !== null) return ctx.stepName(step.raw);
  const people = new Set<string>();
  for (const leg of call.legs.values()) if (leg.stepId === stepId && leg.person) people.add(leg.person);
  if (people.size === 0) return null;
  if (people.size > 1) return 'department';
  const [person] = people;
  const role = ctx.roleOf(person);
  if (role === 'head_of_sales' || role === 'ceo' || role === 'owner') return role;
  const firstDialStep = call.steps.findIndex((s, i) => i <= stepId && s.raw === null);
  if (firstDialStep === stepId && caller !== 'anonymous' && ctx.responsibleFor(caller) === person) return 'responsible';
  return 'department';
}

/** Final outcome of one person's leg. */
export function legOutcome(call: TrackedCall, leg: TrackedLeg, answerAt: number | null): LegOutcome {
  if (leg.answeredAt !== null || leg.dialStatus === 'ANSWER') return 'answered';
  const cause = legCause(call, leg);
  const answeredElsewhere =
    cause === CAUSE_ANSWERED_ELSEWHERE ||
    (answerAt !== null && (leg.endedAt === null || answerAt <= leg.endedAt + EPSILON));
  switch (leg.dialStatus) {
    case 'BUSY':
      return 'busy';
    case 'CONGESTION':
    case 'CHANUNAVAIL':
    case 'INVALIDARGS':
      // A phone that declines (SIP 603/486) can come back as CHANUNAVAIL/CONGESTION: its cause tells.
      return cause === CAUSE_REJECTED ? 'rejected' : cause === CAUSE_BUSY ? 'busy' : 'unavailable';
    case 'NOANSWER':
      return cause === CAUSE_REJECTED ? 'rejected' : cause === CAUSE_BUSY ? 'busy' : 'no_answer';
    case 'CANCEL':
      return answeredElsewhere ? 'cancelled_other_answered' : 'cancelled_caller_hung_up';
    default:
      if (answeredElsewhere) return 'cancelled_other_answered';
      if (cause === CAUSE_BUSY) return 'busy';
      if (cause === CAUSE_REJECTED) return 'rejected';
      return callerHungUp(call) ? 'cancelled_caller_hung_up' : 'no_answer';
  }
}

/** The telling hangup cause of a leg's channels (21 rejected / 17 busy win over 0/16). */
function legCause(call: TrackedCall, leg: TrackedLeg): number | null {
  const causes: number[] = [];
  for (const uid of channelsOfLeg(call, leg)) {
    const cause = call.channels.get(uid)?.hangupCause;
    if (cause !== null && cause !== undefined) causes.push(cause);
  }
  for (const telling of [CAUSE_REJECTED, CAUSE_BUSY, CAUSE_ANSWERED_ELSEWHERE]) if (causes.includes(telling)) return telling;
  return causes[0] ?? null;
}

function callerHungUp(call: TrackedCall): boolean {
  return hungUpBy(call, null, null, null) === 'caller';
}

/** Who ended the call: first hangup request after the answer on a side we can name. */
export function hungUpBy(
  call: TrackedCall,
  answerAt: number | null,
  talker: string | null,
  placedBy: string | null,
): HungUpBy | null {
  const inbound = call.inbound ?? inboundChannel(call)?.uniqueid ?? null;
  const from = answerAt ?? -Infinity;
  for (const request of call.hangupRequests) {
    if (request.at < from - EPSILON) continue;
    const channel = call.channels.get(request.uniqueid);
    if (!channel) continue;
    const leg = legOfChannel(call, request.uniqueid);
    if (placedBy === null && request.uniqueid === inbound) {
      return request.kind === 'HangupRequest' ? 'caller' : 'pbx';
    }
    if (channel.person !== null) {
      // A manager's own hang-up (a BYE: HangupRequest), not the PBX ending the manager's channel
      // (SoftHangupRequest: a Dial() that gave up, a transfer handing the call over).
      if (request.kind !== 'HangupRequest') continue;
      if (talker !== null && channel.person === talker) return `manager:${talker}`;
      if (placedBy !== null && channel.person === placedBy) return `manager:${placedBy}`;
      continue;
    }
    if (isDialedLeg(leg)) {
      // The client hangs up only a call it answered: a busy, a decline or no answer is the PBX's
      // Dial() giving up, and the PBX ends the call.
      if (placedBy !== null && leg.answeredAt !== null && request.at >= leg.answeredAt - EPSILON) return 'external';
      continue;
    }
    if (placedBy === null) return 'caller';
  }
  return placedBy !== null ? 'pbx' : null;
}

/** The channel variable app_voicemail sets on the caller's channel once a message is saved. */
export const VOICEMAIL_MESSAGE_VARIABLE = 'VM_MESSAGEFILE';
/** The channel variable MixMonitor sets to the call recording's file. */
export const RECORDING_FILE_VARIABLE = 'MIXMONITOR_FILENAME';

/**
 * The mailbox (`101@default`) of a message file as app_voicemail names it:
 * `<spool>/voicemail/<context>/<mailbox>/<folder>/msgNNNN`; null for any other path.
 */
export function voicemailBoxOf(file: string): string | null {
  const match = /\/voicemail\/([^/]+)\/([^/]+)\/[^/]+\/msg\d+$/.exec(file);
  return match ? `${match[2]}@${match[1]}` : null;
}

/** Derives the final record of a call from the tracker's accumulator. */
export function buildCallRecord(call: TrackedCall, ctx: RecordContext, closedBy: CallClosedBy): CallRecord {
  const direction = callDirection(call, ctx);
  const first = firstChannel(call);
  const legsInOrder = [...call.legs.values()].sort((a, b) => a.startedAt - b.startedAt);
  const personLegs = legsInOrder.filter((leg) => leg.person !== null);
  const answeredLegs = personLegs
    .filter((leg) => leg.answeredAt !== null)
    .sort((a, b) => (a.answeredAt as number) - (b.answeredAt as number));

  let caller: string;
  let callerName: string | null = null;
  let did: string | null = null;
  let placedBy: string | null = null;
  let answerLeg: TrackedLeg | null = null;
  let answeredBy: string | null = null;
  let answeredAt: number | null = null;
  let ringFrom: number;
  let mainChannel: TrackedChannel | null;

  if (direction === 'inbound') {
    ({ caller, callerName } = inboundCaller(call, ctx));
    mainChannel = inboundChannel(call);
    const exten = mainChannel?.exten ?? null;
    did = ctx.lineOf(exten) ?? (exten && /^\+?\d{3,}$/.test(exten) ? exten : null);
    answerLeg = answeredLegs[0] ?? null;
    answeredBy = answerLeg?.person ?? null;
    answeredAt = answerLeg?.answeredAt ?? null;
    ringFrom = mainChannel?.createdAt ?? first?.createdAt ?? call.firstSeenAt;
  } else {
    placedBy = first?.person ?? null;
    mainChannel = first;
    const external = legsInOrder.find((leg) => leg.dialer !== null && leg.person === null) ?? null;
    if (direction === 'outbound') {
      const number = external?.number ?? call.originateExten;
      caller = callerNumber(number, ctx.defaultRegion);
      did = ctx.lineOf(external?.presentedNum ?? null);
      answeredAt = external?.answeredAt ?? null;
      const placerAnswered =
        answeredAt !== null || personLegs.some((leg) => leg.person === placedBy && leg.answeredAt !== null);
      answeredBy = placerAnswered ? placedBy : null;
      ringFrom = external?.startedAt ?? first?.createdAt ?? call.firstSeenAt;
    } else {
      caller = placedBy ?? 'anonymous';
      callerName = displayName(first?.callerName ?? null);
      answerLeg = answeredLegs.find((leg) => leg.person !== placedBy) ?? null;
      answeredBy = answerLeg?.person ?? null;
      answeredAt = answerLeg?.answeredAt ?? null;
      ringFrom = first?.createdAt ?? call.firstSeenAt;
    }
  }

  const startedAt = mainChannel?.createdAt ?? first?.createdAt ?? call.firstSeenAt;
  const endedAt = mainChannel?.hangupAt ?? lastHangup(call) ?? call.lastSeenAt;
  const answered = direction === 'outbound' ? answeredAt !== null : answeredBy !== null;

  const transferredTo = transferTarget(call, answeredLegs, answeredBy);
  const talker = transferredTo ?? answeredBy;
  const whoHungUp = hungUpBy(call, answeredAt, talker, placedBy);

  const chain = direction === 'inbound' ? chainSteps(call, ctx, caller) : { reached: null, index: 0, names: [] };
  const answerStepName =
    answerLeg && answerLeg.stepId !== null ? (chain.names[answerLeg.stepId] ?? chain.reached) : chain.reached;
  const voicemail = direction === 'inbound' && !answered && (chain.reached === VOICEMAIL_STEP || pbxTookTheCall(call, personLegs));
  const abandoned = direction === 'inbound' && !answered && !voicemail && whoHungUp !== 'pbx';

  const answerRef = direction === 'inbound' || direction === 'internal' ? answeredAt : null;
  const legs: CallLeg[] = personLegs.map((leg) => {
    const outcome = legOutcome(call, leg, answerRef);
    return {
      extension: leg.person as string,
      step: leg.stepId !== null ? (chain.names[leg.stepId] ?? null) : leg.afterTransfer ? answerStepName : null,
      transfer: leg.afterTransfer,
      channel: leg.channel,
      uniqueid: leg.uniqueid,
      startedAt: leg.startedAt,
      ringingAt: leg.ringingAt,
      answeredAt: leg.answeredAt,
      endedAt: leg.endedAt ?? call.channels.get(leg.uniqueid)?.hangupAt ?? null,
      dialStatus: leg.dialStatus,
      hangupCause: legCause(call, leg),
      outcome,
      missed: legMissed(outcome, leg, answered && direction !== 'outbound' ? answerLeg : null),
    };
  });

  return {
    linkedid: call.linkedid,
    direction,
    caller,
    callerName,
    did,
    placedBy,
    startedAt,
    answeredAt,
    endedAt,
    ringSeconds: round3(Math.max(0, (answeredAt ?? endedAt) - ringFrom)),
    talkSeconds: answeredAt !== null ? round3(Math.max(0, endedAt - answeredAt)) : 0,
    answeredBy,
    disposition: answered ? 'answered' : 'missed',
    abandoned,
    voicemail,
    // Steps guessed without a marker (see stepFor): a PBX answer after the chain ran out is the voicemail step.
    // A call without any step never passed our dialplan: no step reached, whatever the PBX did.
    stepReached: answered && answerLeg ? answerStepName : voicemail && chain.names.length > 0 ? VOICEMAIL_STEP : chain.reached,
    stepIndex: chain.index,
    hangupCause: mainChannel?.hangupCause ?? null,
    hangupCauseText: mainChannel?.hangupCauseText ?? null,
    hungUpBy: whoHungUp,
    transferredTo,
    recordingFile: call.recordingFile,
    voicemailMessage: call.voicemailMessage,
    closedBy,
    legs,
    queues: queueVisits(call, personLegs, endedAt),
  };
}

/**
 * The caller's stays in queues. A stay was answered when a member's leg dialed from the caller's
 * channel in the queue was answered while it waited (app_queue sends QueueCallerLeave just after
 * the member's DialEnd ANSWER); abandoned when app_queue said the caller hung up in it.
 */
function queueVisits(call: TrackedCall, personLegs: TrackedLeg[], callEnd: number): CallQueueVisit[] {
  return call.queueVisits.map((visit) => {
    const until = visit.leftAt ?? Number.POSITIVE_INFINITY;
    const answerLeg = personLegs
      .filter((leg) => leg.dialer === visit.uniqueid && leg.answeredAt !== null && leg.answeredAt >= visit.joinedAt && leg.answeredAt <= until + EPSILON)
      .sort((a, b) => (a.answeredAt as number) - (b.answeredAt as number))[0];
    const end = visit.leftAt ?? answerLeg?.answeredAt ?? call.channels.get(visit.uniqueid)?.hangupAt ?? callEnd;
    return {
      name: visit.queue,
      joinedAt: visit.joinedAt,
      leftAt: visit.leftAt,
      outcome: answerLeg ? 'answered' : visit.abandoned && callerGaveUp(call, visit) ? 'abandoned' : 'left',
      waitSeconds: round3(Math.max(0, end - visit.joinedAt)),
      answeredBy: answerLeg?.person ?? null,
    };
  });
}

/**
 * A QueueCallerAbandon is the caller giving up only when the caller's channel hung up by then
 * (HangupRequest at or before its Leave). app_queue sends it for a Queue() timeout too — the
 * caller goes on (to a mailbox, say): that stay is `left`. A call without any HangupRequest (an
 * AMI filter without it) takes the event at its word.
 */
function callerGaveUp(call: TrackedCall, visit: TrackedQueueVisit): boolean {
  const requests = call.hangupRequests.filter((request) => request.kind === 'HangupRequest');
  if (requests.length === 0) return true;
  const leftAt = visit.leftAt ?? Number.POSITIVE_INFINITY;
  return requests.some((request) => request.uniqueid === visit.uniqueid && request.at <= leftAt + EPSILON);
}

function chainSteps(
  call: TrackedCall,
  ctx: RecordContext,
  caller: string,
): { reached: string | null; index: number; names: (string | null)[] } {
  const names = call.steps.map((_, i) => stepNameOf(call, i, ctx, caller));
  const ringing = names.filter((name) => name !== VOICEMAIL_STEP);
  return { reached: names.length > 0 ? names[names.length - 1] : null, index: ringing.length, names };
}

function transferTarget(call: TrackedCall, answeredLegs: TrackedLeg[], answeredBy: string | null): string | null {
  if (call.transferAt === null) return null;
  const later = answeredLegs.find(
    (leg) => leg.afterTransfer && leg.person !== answeredBy && (leg.answeredAt as number) >= (call.transferAt as number),
  );
  return later?.person ?? call.transferTarget;
}

/**
 * The PBX took the call itself once nobody's phone was ringing any more (voicemail, an after-hours
 * or "nobody available" message): VoiceMail() started on the inbound channel after every person's
 * leg had ended (or with nobody rung), or the PBX answered the inbound channel after at least one
 * leg, all of them over. An IVR's Answer before anyone rang is not it: the call is then missed,
 * abandoned or unanswered by who hung up.
 */
function pbxTookTheCall(call: TrackedCall, personLegs: TrackedLeg[]): boolean {
  const allOverBy = (at: number): boolean => personLegs.every((leg) => leg.endedAt !== null && leg.endedAt <= at + EPSILON);
  if (call.voicemailAt !== null && allOverBy(call.voicemailAt)) return true;
  return personLegs.length > 0 && call.pbxAnsweredAt !== null && allOverBy(call.pbxAnsweredAt);
}

const MISSED_OUTCOMES: ReadonlySet<LegOutcome> = new Set(['no_answer', 'rejected', 'cancelled_caller_hung_up']);

/**
 * Did this person miss the call on this leg — the one rule the statistics count (stored as
 * call_legs.missed). Their phone rang (or they declined) without them getting the call, unless
 * someone else answered it while their phone rang alongside (ring-all: it began before the
 * answer and ended after the answering leg began) or it rang them after the answer (a transfer).
 * A phone rung alone that did not answer (a hunt group, a queue's rrmemory/linear turn, our
 * responsible step) missed it, whoever answered later.
 */
export function legMissed(outcome: LegOutcome, leg: TrackedLeg, answerLeg: TrackedLeg | null): boolean {
  if (!MISSED_OUTCOMES.has(outcome)) return false;
  if (answerLeg === null || answerLeg.answeredAt === null) return true;
  if (leg.afterTransfer || leg.startedAt >= answerLeg.answeredAt) return false;
  const end = leg.endedAt ?? Number.POSITIVE_INFINITY;
  return end < answerLeg.startedAt;
}

function lastHangup(call: TrackedCall): number | null {
  let last: number | null = null;
  for (const channel of call.channels.values()) {
    if (channel.hangupAt !== null && (last === null || channel.hangupAt > last)) last = channel.hangupAt;
  }
  return last;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
