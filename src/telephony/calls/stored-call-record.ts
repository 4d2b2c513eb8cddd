import { arrayOf, bool, nullable, num, object, text, type Column } from '../../common/sql-rows';
import type { CallClosedBy, CallDirection, CallDisposition, CallLeg, CallRecord, HungUpBy, LegOutcome } from './call-record';

/**
 * A CallRecord read back from stored JSON (calls.record, the dead letter): every field checked,
 * so a record of another shape (an old version, a hand-edited row) is a clear error naming the
 * field, never a value of the wrong type deep in lead capture or the statistics.
 */
function oneOf<T extends string>(values: readonly T[]): Column<T> {
  return (value) => {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    throw new Error(`expected one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
  };
}

const DIRECTIONS: readonly CallDirection[] = ['inbound', 'outbound', 'internal'];
const DISPOSITIONS: readonly CallDisposition[] = ['answered', 'missed'];
const CLOSED_BY: readonly CallClosedBy[] = ['hangup', 'resync', 'timeout'];
const OUTCOMES: readonly LegOutcome[] = ['answered', 'no_answer', 'busy', 'rejected', 'cancelled_other_answered', 'cancelled_caller_hung_up', 'unavailable'];

const hungUpBy: Column<HungUpBy> = (value) => {
  if (value === 'caller' || value === 'pbx' || value === 'external' || (typeof value === 'string' && value.startsWith('manager:'))) return value as HungUpBy;
  throw new Error(`expected caller, pbx, external or manager:<ext>, got ${JSON.stringify(value)}`);
};

const leg: Column<CallLeg> = object({
  extension: text,
  step: nullable(text),
  transfer: bool,
  channel: text,
  uniqueid: text,
  startedAt: num,
  ringingAt: nullable(num),
  answeredAt: nullable(num),
  endedAt: nullable(num),
  dialStatus: nullable(text),
  hangupCause: nullable(num),
  outcome: oneOf(OUTCOMES),
  missed: bool,
});

const record = object({
  linkedid: text,
  direction: oneOf(DIRECTIONS),
  caller: text,
  callerName: nullable(text),
  did: nullable(text),
  placedBy: nullable(text),
  startedAt: num,
  answeredAt: nullable(num),
  endedAt: num,
  ringSeconds: num,
  talkSeconds: num,
  answeredBy: nullable(text),
  disposition: oneOf(DISPOSITIONS),
  abandoned: bool,
  voicemail: bool,
  stepReached: nullable(text),
  stepIndex: num,
  hangupCause: nullable(num),
  hangupCauseText: nullable(text),
  hungUpBy: nullable(hungUpBy),
  transferredTo: nullable(text),
  recordingFile: nullable(text),
  closedBy: oneOf(CLOSED_BY),
  legs: arrayOf(leg),
});

/** Reads stored JSON as a CallRecord (throws naming the first field of another shape). */
export const parseCallRecord: Column<CallRecord> = (value) => {
  const linkedid = typeof value === 'object' && value !== null && 'linkedid' in value ? String((value as { linkedid: unknown }).linkedid) : '?';
  try {
    return record(value);
  } catch (problem) {
    throw new Error(`stored record of call ${linkedid}: ${problem instanceof Error ? problem.message : String(problem)}`);
  }
};
