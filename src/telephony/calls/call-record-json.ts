import type { CallClosedBy, CallDirection, CallDisposition, CallLeg, CallQueueVisit, CallRecord, HungUpBy, LegOutcome, QueueOutcome } from './call-record';

/**
 * A CallRecord read back from stored JSON (calls.record, calls_dead_letter.record): checked, not
 * trusted. What was written by another version of the tracker, or edited by hand, is a
 * CallRecordShapeError naming the call and the field, never a record of the wrong shape that
 * the writer, the statistics or a retry then stores or counts.
 */
export class CallRecordShapeError extends Error {
  constructor(linkedid: string | null, field: string, problem: string) {
    super(`stored call record${linkedid === null ? '' : ` of call ${linkedid}`}: ${field}: ${problem}`);
    this.name = 'CallRecordShapeError';
  }
}

// Every member of each union, once: the compiler refuses a list that misses one or adds another.
const DIRECTIONS: Record<CallDirection, true> = { inbound: true, outbound: true, internal: true };
const DISPOSITIONS: Record<CallDisposition, true> = { answered: true, missed: true };
const CLOSED_BY: Record<CallClosedBy, true> = { hangup: true, resync: true, timeout: true };
const LEG_OUTCOMES: Record<LegOutcome, true> = {
  answered: true,
  no_answer: true,
  busy: true,
  rejected: true,
  cancelled_other_answered: true,
  cancelled_caller_hung_up: true,
  unavailable: true,
};
const QUEUE_OUTCOMES: Record<QueueOutcome, true> = { answered: true, abandoned: true, left: true };

export function parseCallRecord(value: unknown): CallRecord {
  if (!isObject(value)) throw new CallRecordShapeError(null, 'record', `expected an object, got ${describe(value)}`);
  const linkedid = value.linkedid;
  if (typeof linkedid !== 'string' || linkedid === '') throw new CallRecordShapeError(null, 'linkedid', `expected text, got ${describe(linkedid)}`);
  const call = new Fields(value, linkedid, '');
  const hungUpBy = call.nullableText('hungUpBy');
  if (hungUpBy !== null && !isHungUpBy(hungUpBy)) {
    throw new CallRecordShapeError(linkedid, 'hungUpBy', `expected caller, pbx, external or manager:<ext>, got ${describe(hungUpBy)}`);
  }
  const legs = value.legs;
  if (!Array.isArray(legs)) throw new CallRecordShapeError(linkedid, 'legs', `expected a list, got ${describe(legs)}`);
  // Records stored before queues were tracked have no `queues`: they met none we know of.
  const queues = value.queues ?? [];
  if (!Array.isArray(queues)) throw new CallRecordShapeError(linkedid, 'queues', `expected a list, got ${describe(queues)}`);
  return {
    linkedid,
    direction: call.oneOf('direction', DIRECTIONS),
    caller: call.text('caller'),
    callerName: call.nullableText('callerName'),
    did: call.nullableText('did'),
    placedBy: call.nullableText('placedBy'),
    startedAt: call.number('startedAt'),
    answeredAt: call.nullableNumber('answeredAt'),
    endedAt: call.number('endedAt'),
    ringSeconds: call.number('ringSeconds'),
    talkSeconds: call.number('talkSeconds'),
    answeredBy: call.nullableText('answeredBy'),
    disposition: call.oneOf('disposition', DISPOSITIONS),
    abandoned: call.bool('abandoned'),
    voicemail: call.bool('voicemail'),
    stepReached: call.nullableText('stepReached'),
    stepIndex: call.number('stepIndex'),
    hangupCause: call.nullableNumber('hangupCause'),
    hangupCauseText: call.nullableText('hangupCauseText'),
    hungUpBy,
    transferredTo: call.nullableText('transferredTo'),
    recordingFile: call.nullableText('recordingFile'),
    voicemailMessage: value.voicemailMessage === undefined ? null : call.nullableText('voicemailMessage'), // records before it was kept have none
    closedBy: call.oneOf('closedBy', CLOSED_BY),
    legs: legs.map((leg, index) => parseLeg(leg, linkedid, `legs[${index}]`, { disposition: value.disposition, stepReached: value.stepReached })),
    queues: queues.map((visit, index) => parseQueueVisit(visit, linkedid, `queues[${index}]`)),
  };
}

function parseQueueVisit(value: unknown, linkedid: string, path: string): CallQueueVisit {
  if (!isObject(value)) throw new CallRecordShapeError(linkedid, path, `expected an object, got ${describe(value)}`);
  const visit = new Fields(value, linkedid, `${path}.`);
  return {
    name: visit.text('name'),
    joinedAt: visit.number('joinedAt'),
    leftAt: visit.nullableNumber('leftAt'),
    outcome: visit.oneOf('outcome', QUEUE_OUTCOMES),
    waitSeconds: visit.number('waitSeconds'),
    answeredBy: visit.nullableText('answeredBy'),
  };
}

/** Outcomes of a leg whose phone rang (or declined) without getting the call. */
const LEGACY_MISSED_OUTCOMES: ReadonlySet<string> = new Set(['no_answer', 'rejected', 'cancelled_caller_hung_up']);

function parseLeg(value: unknown, linkedid: string, path: string, call: { disposition: unknown; stepReached: unknown }): CallLeg {
  if (!isObject(value)) throw new CallRecordShapeError(linkedid, path, `expected an object, got ${describe(value)}`);
  // Legs stored by the first versions have no `transfer` (none was marked) and no `missed`: they
  // get the rule the CallLegsMissed migration froze for their call_legs rows (a missed outcome,
  // unless the call was answered at that leg's step), so the record and its rows agree.
  const legacy = { ...value };
  if (legacy.transfer === undefined) legacy.transfer = false;
  if (legacy.missed === undefined && typeof legacy.outcome === 'string') {
    legacy.missed = LEGACY_MISSED_OUTCOMES.has(legacy.outcome) && !(call.disposition === 'answered' && (legacy.step ?? null) === (call.stepReached ?? null));
  }
  const leg = new Fields(legacy, linkedid, `${path}.`);
  return {
    extension: leg.text('extension'),
    step: leg.nullableText('step'),
    transfer: leg.bool('transfer'),
    channel: leg.text('channel'),
    uniqueid: leg.text('uniqueid'),
    startedAt: leg.number('startedAt'),
    ringingAt: leg.nullableNumber('ringingAt'),
    answeredAt: leg.nullableNumber('answeredAt'),
    endedAt: leg.nullableNumber('endedAt'),
    dialStatus: leg.nullableText('dialStatus'),
    hangupCause: leg.nullableNumber('hangupCause'),
    outcome: leg.oneOf('outcome', LEG_OUTCOMES),
    missed: leg.bool('missed'),
  };
}

/** Typed reads of one object's fields; a wrong one throws naming the call and the field's path. */
class Fields {
  constructor(
    private readonly value: Record<string, unknown>,
    private readonly linkedid: string,
    private readonly prefix: string,
  ) {}

  text(field: string): string {
    const v = this.value[field];
    return typeof v === 'string' ? v : this.fail(field, 'text');
  }

  nullableText(field: string): string | null {
    const v = this.value[field];
    return v === null ? null : typeof v === 'string' ? v : this.fail(field, 'text or null');
  }

  number(field: string): number {
    const v = this.value[field];
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(field, 'a number');
  }

  nullableNumber(field: string): number | null {
    const v = this.value[field];
    return v === null ? null : typeof v === 'number' && Number.isFinite(v) ? v : this.fail(field, 'a number or null');
  }

  bool(field: string): boolean {
    const v = this.value[field];
    return typeof v === 'boolean' ? v : this.fail(field, 'true or false');
  }

  oneOf<T extends string>(field: string, members: Record<T, true>): T {
    const v = this.value[field];
    return typeof v === 'string' && Object.hasOwn(members, v) ? (v as T) : this.fail(field, `one of ${Object.keys(members).join(', ')}`);
  }

  private fail(field: string, expected: string): never {
    throw new CallRecordShapeError(this.linkedid, `${this.prefix}${field}`, `expected ${expected}, got ${describe(this.value[field])}`);
  }
}

function isHungUpBy(value: string): value is HungUpBy {
  return /^(caller|pbx|external|manager:.+)$/.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'an object';
  return JSON.stringify(value).slice(0, 60);
}
