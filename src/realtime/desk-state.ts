import type { CallRecord, LegOutcome } from '../telephony/calls/call-record';
import type { RingingCall } from '../telephony/calls/call-reducer';
import type { DeskCallState } from './client-events';

/**
 * Which desk sees what, decided without I/O: the calls in progress with the legs announced to
 * desks, updated by the tracker's events, returning what to send to whom. The gateway carries
 * the effects out (adding the caller card) and asks `deskSnapshot` on every (re)connect.
 */

// What the desks read of the tracker's events (CallEventMap in telephony/calls/call-events.ts,
// a Nest provider's file: named here field by field, so this pure module depends on no Nest file).
export interface AnsweredInput {
  linkedid: string;
  uniqueid: string;
  extension: string;
  userId: string | null;
  step: string | null;
  at: number;
}

export interface RingingInput extends AnsweredInput {
  call: RingingCall;
}

export interface LegEndedInput {
  linkedid: string;
  uniqueid: string;
  extension: string;
  userId: string | null;
  outcome: LegOutcome;
  at: number;
}

export type DeskLegState = 'ringing' | 'answered' | 'cancelled' | 'ended';

export interface DeskLeg {
  uniqueid: string;
  extension: string;
  userId: string | null;
  step: string | null;
  state: DeskLegState;
  at: number;
}

export interface DeskCall {
  linkedid: string;
  base: RingingCall;
  /** Legs that rang (announced to their desks), by uniqueid, in ringing order. */
  legs: Map<string, DeskLeg>;
  answered: { uniqueid: string; extension: string; userId: string | null; at: number } | null;
}

export interface DeskState {
  calls: Map<string, DeskCall>;
}

export interface PersonRef {
  userId: string | null;
  extension: string;
}

export type DeskEffect =
  | { type: 'ringing'; linkedid: string; leg: DeskLeg; base: RingingCall }
  | { type: 'answered'; linkedid: string; leg: DeskLeg; base: RingingCall }
  /** `to`: the other people who were rung and whose popups are still open. */
  | { type: 'taken'; linkedid: string; to: string[]; by: PersonRef; at: number }
  | { type: 'withdrawn'; linkedid: string; leg: DeskLeg; outcome: LegOutcome }
  /** `to`: everyone who was rung. */
  | { type: 'ended'; linkedid: string; to: string[]; record: CallRecord; answeredBy: PersonRef | null }
  | { type: 'missed'; linkedid: string; record: CallRecord; base: RingingCall | null };

export function createDeskState(): DeskState {
  return { calls: new Map() };
}

export function deskRinging(state: DeskState, input: RingingInput): DeskEffect[] {
  let call = state.calls.get(input.linkedid);
  if (!call) {
    call = { linkedid: input.linkedid, base: input.call, legs: new Map(), answered: null };
    state.calls.set(input.linkedid, call);
  }
  if (call.legs.has(input.uniqueid)) return [];
  const leg: DeskLeg = {
    uniqueid: input.uniqueid,
    extension: input.extension,
    userId: input.userId,
    step: input.step,
    state: 'ringing',
    at: input.at,
  };
  call.legs.set(leg.uniqueid, leg);
  return [{ type: 'ringing', linkedid: call.linkedid, leg, base: call.base }];
}

export function deskAnswered(state: DeskState, input: AnsweredInput): DeskEffect[] {
  const call = state.calls.get(input.linkedid);
  if (!call) return [];
  const by: PersonRef = { userId: input.userId, extension: input.extension };
  let leg = call.legs.get(input.uniqueid);
  if (!leg) {
    // Answered without a ringing indication we saw (auto-answer, resync): still the answerer's call.
    leg = { uniqueid: input.uniqueid, extension: input.extension, userId: input.userId, step: input.step, state: 'answered', at: input.at };
    call.legs.set(leg.uniqueid, leg);
  }
  leg.state = 'answered';
  leg.at = input.at;
  if (!call.answered) call.answered = { uniqueid: input.uniqueid, extension: input.extension, userId: input.userId, at: input.at };
  const others = new Set<string>();
  for (const other of call.legs.values()) {
    if (other === leg || (other.state !== 'ringing' && other.state !== 'cancelled')) continue;
    other.state = 'ended';
    if (other.userId !== null && other.userId !== input.userId) others.add(other.userId);
  }
  const effects: DeskEffect[] = [{ type: 'answered', linkedid: call.linkedid, leg, base: call.base }];
  effects.push({ type: 'taken', linkedid: call.linkedid, to: [...others], by, at: input.at });
  return effects;
}

export function deskLegEnded(state: DeskState, input: LegEndedInput): DeskEffect[] {
  const call = state.calls.get(input.linkedid);
  const leg = call?.legs.get(input.uniqueid);
  if (!call || !leg || leg.state === 'ended') return [];
  if (input.outcome === 'cancelled_other_answered') {
    // The winner's DialEnd ANSWER follows: it closes this popup with "answered by X".
    if (leg.state === 'ringing') leg.state = 'cancelled';
    return [];
  }
  const wasAnswered = leg.state === 'answered';
  leg.state = 'ended';
  leg.at = input.at;
  if (wasAnswered || input.outcome === 'answered') return [];
  // Another phone of the same person still ringing in this call keeps the popup open.
  const stillRinging = [...call.legs.values()].some((other) => other.state === 'ringing' && other.userId !== null && other.userId === leg.userId);
  return stillRinging ? [] : [{ type: 'withdrawn', linkedid: call.linkedid, leg, outcome: input.outcome }];
}

export function deskFinalized(state: DeskState, record: CallRecord, answeredUserId: string | null): DeskEffect[] {
  const call = state.calls.get(record.linkedid);
  state.calls.delete(record.linkedid);
  const to = new Set<string>();
  for (const leg of call?.legs.values() ?? []) if (leg.userId !== null) to.add(leg.userId);
  const answeredBy: PersonRef | null = call?.answered
    ? { userId: call.answered.userId, extension: call.answered.extension }
    : record.answeredBy
      ? { userId: answeredUserId, extension: record.answeredBy }
      : null;
  const effects: DeskEffect[] = [{ type: 'ended', linkedid: record.linkedid, to: [...to], record, answeredBy }];
  if (record.disposition === 'missed' && record.direction === 'inbound') {
    effects.push({ type: 'missed', linkedid: record.linkedid, record, base: call?.base ?? null });
  }
  return effects;
}

export interface DeskSnapshotItem {
  linkedid: string;
  state: DeskCallState;
  leg: DeskLeg;
  base: RingingCall;
  answered: DeskCall['answered'];
}

/**
 * A desk's calls in progress: those ringing its person now or answered by them; a supervisor
 * subscribed to all calls gets every call with a ringing or answered leg.
 */
export function deskSnapshot(state: DeskState, userId: string, all: boolean): DeskSnapshotItem[] {
  const items: DeskSnapshotItem[] = [];
  for (const call of state.calls.values()) {
    const legs = [...call.legs.values()].filter((leg) => leg.state === 'ringing' || leg.state === 'answered');
    const own = legs.filter((leg) => leg.userId === userId);
    const chosen = pickLeg(own) ?? (all ? pickLeg(legs) : null);
    if (!chosen) continue;
    items.push({ linkedid: call.linkedid, state: chosen.state === 'answered' ? 'answered' : 'ringing', leg: chosen, base: call.base, answered: call.answered });
  }
  return items;
}

function pickLeg(legs: DeskLeg[]): DeskLeg | null {
  return legs.find((leg) => leg.state === 'answered') ?? legs[legs.length - 1] ?? null;
}
