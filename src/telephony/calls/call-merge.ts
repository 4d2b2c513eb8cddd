import type { AmiMessage } from '../ami/ami-frame-parser';
import { eventTimestamp } from '../ami/ami-event';

/**
 * The one rule for a call written again (events seen again after a reconnect, a stream served
 * twice, whole or in pieces, a restart that replays its journal, `rebuild-calls`): the stored
 * record is the record of *every* event ever seen of the call. Events are compared by identity
 * (the whole message, header for header); the stored and the incoming events are merged and:
 *
 * - incoming ⊂ stored (strictly): nothing is written — a partial view never replaces a fuller one;
 * - incoming = stored: the incoming record is written (an idempotent replay, or a rebuild through
 *   a fixed tracker: the newest logic wins);
 * - stored ⊂ incoming: the incoming record is written (it saw more);
 * - each has events the other lacks: the call is rebuilt from the union of both.
 *
 * Pure: stored events in, a verdict and the events to store out.
 */
export type MergeVerdict = 'keep-stored' | 'take-incoming' | 'rebuild';

export interface MergeResult {
  verdict: MergeVerdict;
  /** The events to store (the union; for keep-stored, the stored ones). */
  events: AmiMessage[];
}

export function mergeCallEvents(stored: readonly AmiMessage[], incoming: readonly AmiMessage[]): MergeResult {
  const storedIds = stored.map(eventIdentity);
  const incomingIds = incoming.map(eventIdentity);
  const storedSet = new Set(storedIds);
  const incomingSet = new Set(incomingIds);
  const incomingInStored = incomingIds.every((id) => storedSet.has(id));
  const storedInIncoming = storedIds.every((id) => incomingSet.has(id));
  if (incomingInStored && storedInIncoming) return { verdict: 'take-incoming', events: [...incoming] };
  if (incomingInStored) return { verdict: 'keep-stored', events: [...stored] };
  if (storedInIncoming) return { verdict: 'take-incoming', events: [...incoming] };
  return { verdict: 'rebuild', events: mergeInOrder(stored, storedIds, storedSet, incoming, incomingIds, incomingSet) };
}

/** The identity of an event: every header, in order (two deliveries of one event are equal). */
export function eventIdentity(event: AmiMessage): string {
  return JSON.stringify(event);
}

/**
 * Interleaves two event sequences of one call, each in stream order, by their Timestamp (events
 * without one — channel list items — keep the time of the event before them); an event in both
 * comes once. At equal times the order of the side that has both events wins.
 */
function mergeInOrder(
  a: readonly AmiMessage[],
  idsA: string[],
  setA: Set<string>,
  b: readonly AmiMessage[],
  idsB: string[],
  setB: Set<string>,
): AmiMessage[] {
  const timesA = carriedTimes(a);
  const timesB = carriedTimes(b);
  const out: AmiMessage[] = [];
  const taken = new Set<string>();
  let i = 0;
  let j = 0;
  const take = (event: AmiMessage, id: string): void => {
    taken.add(id);
    out.push(event);
  };
  while (i < a.length || j < b.length) {
    if (i < a.length && taken.has(idsA[i])) {
      i++;
      continue;
    }
    if (j < b.length && taken.has(idsB[j])) {
      j++;
      continue;
    }
    if (j >= b.length) take(a[i], idsA[i++]);
    else if (i >= a.length) take(b[j], idsB[j++]);
    else if (idsA[i] === idsB[j]) {
      take(a[i], idsA[i++]);
      j++;
    } else if (timesA[i] < timesB[j]) take(a[i], idsA[i++]);
    else if (timesB[j] < timesA[i]) take(b[j], idsB[j++]);
    else if (setA.has(idsB[j]) || !setB.has(idsA[i])) take(a[i], idsA[i++]);
    else take(b[j], idsB[j++]);
  }
  return out;
}

function carriedTimes(events: readonly AmiMessage[]): number[] {
  let last = Number.NEGATIVE_INFINITY;
  return events.map((event) => {
    const ts = eventTimestamp(event);
    if (ts !== null) last = ts;
    return last;
  });
}
