import type { AmiMessage } from '../ami/ami-frame-parser';
import type { CallRecord } from './call-record';
import {
  closeStaleCalls,
  createCallTrackerState,
  reduceCallEvent,
  type CallEffect,
  type CallTrackerState,
  type TrackerOptions,
} from './call-reducer';
import type { Directory } from './directory';

export interface RebuildResult {
  records: CallRecord[];
  /** Problem effects met on the way (for logs). */
  problems: Extract<CallEffect, { type: 'problem' }>[];
  /** Calls still open at the end of the input, closed with `timeout`. */
  unfinished: number;
}

/** Feeds messages through a tracker; collects records and problems. */
export class CallRebuilder {
  readonly state: CallTrackerState;
  readonly records: CallRecord[] = [];
  readonly problems: Extract<CallEffect, { type: 'problem' }>[] = [];
  /** Inside a run of stored channel-list items (see push). */
  private listed = false;

  constructor(directory: Directory, options: TrackerOptions = { keepEvents: false }) {
    this.state = createCallTrackerState(directory, options);
  }

  push(message: AmiMessage): void {
    const item = message.Event === 'CoreShowChannel';
    if (item && this.state.resync === null) {
      // Stored raw events keep the channel-list items that made a channel known, not the list's
      // start and end: read a run of them as the list it was.
      this.listed = true;
      this.collect(reduceCallEvent(this.state, { Response: 'Success', EventList: 'start', Message: 'Channels will follow' }).effects);
    } else if (!item) this.endStoredList();
    this.collect(reduceCallEvent(this.state, message).effects);
    if (message.Event === 'CoreShowChannelsComplete') this.listed = false;
  }

  /** Closes what is still open (end of input) and returns records ordered by start time. */
  finish(): RebuildResult {
    this.endStoredList();
    const open = this.state.calls.size;
    // End of input: every open call ends at its own last event.
    this.collect(closeStaleCalls(this.state, Number.POSITIVE_INFINITY, undefined, 0).effects);
    const records = [...this.records].sort((a, b) => a.startedAt - b.startedAt || a.linkedid.localeCompare(b.linkedid));
    return { records, problems: this.problems, unfinished: open };
  }

  private endStoredList(): void {
    if (!this.listed) return;
    this.listed = false;
    this.collect(reduceCallEvent(this.state, { Event: 'CoreShowChannelsComplete', EventList: 'Complete' }).effects);
  }

  private collect(effects: CallEffect[]): void {
    for (const effect of effects) {
      if (effect.type === 'callFinalized') this.records.push(effect.record);
      else if (effect.type === 'problem') this.problems.push(effect);
    }
  }
}

/** Rebuilds call records from stored raw events (pure: same events, same records). */
export function rebuildCalls(messages: Iterable<AmiMessage>, directory: Directory): RebuildResult {
  const rebuilder = new CallRebuilder(directory);
  for (const message of messages) rebuilder.push(message);
  return rebuilder.finish();
}

/**
 * The record of one stored call rebuilt from its raw events (null when they give no record of
 * that linkedid). The raw events of one call do not hold the channel list that closed it after a
 * lost link: a call stored as closed by `resync` that now ends at its last event stays `resync`.
 */
export function rebuildStoredCall(
  linkedid: string,
  events: Iterable<AmiMessage>,
  directory: Directory,
  storedClosedBy: string | null,
): { record: CallRecord | null; problems: RebuildResult['problems'] } {
  const { records, problems } = rebuildCalls(events, directory);
  const record = records.find((r) => r.linkedid === linkedid) ?? null;
  if (record && record.closedBy === 'timeout' && storedClosedBy === 'resync') record.closedBy = 'resync';
  return { record, problems };
}
