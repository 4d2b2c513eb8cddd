import type { AmiMessage } from '../ami/ami-frame-parser';
import { LAB, eventsUntilRinging, liveChannelsAfter, recordedEvents } from '../../../test/support/lab';
import type { CallRecord } from './call-record';
import { closeStaleCalls, createCallTrackerState, reduceCallEvent, type CallTrackerState } from './call-reducer';
import { rebuildCalls } from './rebuild';

/**
 * Restarts and reconnects, on the real burst recording: a tracker that first hears of a call in a
 * channel list (a fresh process, another instance taking over), and a stream seen again.
 */
const BURST = 'burst1_20_calls';
const events = recordedEvents(BURST);
const full = rebuildCalls(events, LAB).records;
const byId = new Map(full.map((record) => [record.linkedid, record]));

function resync(state: CallTrackerState, items: AmiMessage[], actionId: string): CallRecord[] {
  const messages: AmiMessage[] = [
    { Response: 'Success', ActionID: actionId, EventList: 'start', Message: 'Channels will follow' },
    ...items.map((item) => ({ Event: 'CoreShowChannel', ActionID: actionId, ...item })),
    { Event: 'CoreShowChannelsComplete', ActionID: actionId, EventList: 'Complete', ListItems: String(items.length) },
  ];
  return messages.flatMap((message) => finalized(state, message));
}

function finalized(state: CallTrackerState, message: AmiMessage): CallRecord[] {
  return reduceCallEvent(state, message).effects.flatMap((effect) => (effect.type === 'callFinalized' ? [effect.record] : []));
}

const linkedidsIn = (messages: AmiMessage[]): Set<string> => new Set(messages.flatMap((m) => (m.Linkedid ? [m.Linkedid] : [])));

describe('a call first seen in a channel list (a fresh tracker after kill -9, or a new AMI leader)', () => {
  const ceo = ['1795335774.112', '1795335777.174', '1795335778.218'];
  const cuts: [string, number][] = [
    ['three calls ringing the CEO (two answered by him later, one abandoned)', eventsUntilRinging(BURST, '300', ceo)],
    ['a quarter of the burst', Math.floor(events.length * 0.25)],
    ['half of the burst', Math.floor(events.length * 0.5)],
    ['three quarters of the burst', Math.floor(events.length * 0.75)],
  ];

  test.each(cuts)('at %s: rebuilt from what the list says, never an internal call', (_label, cut) => {
    // Whatever order Asterisk lists channels in: the person's channels first here.
    const state = createCallTrackerState(LAB);
    const records = resync(state, liveChannelsAfter(BURST, cut, 'newest-first'), 'restart-1');
    for (const message of events.slice(cut)) records.push(...finalized(state, message));
    const before = linkedidsIn(events.slice(0, cut));
    const after = linkedidsIn(events.slice(cut));
    const inProgress = [...before].filter((id) => after.has(id));
    expect(inProgress.length).toBeGreaterThan(0);
    for (const id of inProgress) {
      const got = records.find((record) => record.linkedid === id);
      const want = byId.get(id) as CallRecord;
      expect({ id, ...pick(got) }).toEqual({ id, ...pick(want) });
      // who was ringing at the cut is a leg of the call
      const ringingAtCut = want.legs.filter((leg) => leg.startedAt <= Number(events[cut - 1].Timestamp) && (leg.answeredAt ?? leg.endedAt ?? Infinity) > Number(events[cut - 1].Timestamp));
      for (const leg of ringingAtCut) expect([id, got?.legs.some((l) => l.extension === leg.extension)]).toEqual([id, true]);
    }
    // calls that start after the cut are recorded exactly
    for (const record of full.filter((r) => !before.has(r.linkedid))) expect(records.find((r) => r.linkedid === record.linkedid)).toEqual(record);
    expect(state.calls.size).toBe(0);
    if (cut === cuts[0][1]) expect(inProgress).toEqual(expect.arrayContaining(ceo));
  });
});

describe('what a gap loses', () => {
  it('a step marker lost in the gap: the next Dial after the step ended is a step of its own', () => {
    const id = '1795335776.156';
    const marker = events.findIndex((m) => m.Linkedid === id && m.Event === 'VarSet' && m.Variable === 'ESC_STEP' && m.Value === 'sales_group');
    expect(marker).toBeGreaterThan(0);
    const state = createCallTrackerState(LAB);
    const records = events.slice(0, marker).flatMap((message) => finalized(state, message));
    // the link drops: the marker and the two events after it never arrive
    records.push(...resync(state, liveChannelsAfter(BURST, marker + 3), 'after-gap'));
    for (const message of events.slice(marker + 3)) records.push(...finalized(state, message));
    const want = byId.get(id) as CallRecord;
    expect(pick(records.find((r) => r.linkedid === id))).toEqual(pick(want));
    expect(records.find((r) => r.linkedid === id)?.stepIndex).toBe(want.stepIndex);
    expect(want).toMatchObject({ stepReached: 'department', stepIndex: 2 });
  });

  it('a step marker lost in the gap with the end of the step before it: the next Dial is still a step of its own', () => {
    const id = '1795335776.156';
    const stepEnd = events.findIndex((m) => m.Linkedid === id && m.Event === 'DialEnd');
    const nextDial = events.findIndex((m, i) => i > stepEnd && m.Linkedid === id && m.Event === 'DialBegin');
    expect([stepEnd, nextDial].every((i) => i > 0)).toBe(true);
    const state = createCallTrackerState(LAB);
    const records = events.slice(0, stepEnd).flatMap((message) => finalized(state, message));
    // lost: the first step's DialEnd, the new marker and the first Dial of the next step
    records.push(...resync(state, liveChannelsAfter(BURST, nextDial + 1), 'after-gap'));
    for (const message of events.slice(nextDial + 1)) records.push(...finalized(state, message));
    const got = records.find((r) => r.linkedid === id);
    expect({ stepReached: got?.stepReached, stepIndex: got?.stepIndex }).toEqual({ stepReached: 'department', stepIndex: 2 });
    expect(pick(got)).toEqual(pick(byId.get(id)));
  });

  it('a gap from the responsible step into the department (a kill -9, a lost link): answered by 103 at the department', () => {
    // +79104445566: responsible 102 busy (its leg lasts milliseconds), then the department (101, 102
    // busy again, 103), 103 answers. A gap that takes the department's marker together with 102's
    // short legs leaves a Dial to 103 after the responsible marker: 103 is not the responsible, so
    // that is a later step, not the responsible step.
    const id = '1795335776.156';
    const answer = events.findIndex((m) => m.Linkedid === id && m.Event === 'DialEnd' && m.DialStatus === 'ANSWER');
    const responsibleMarker = events.findIndex((m) => m.Linkedid === id && m.Event === 'VarSet' && m.Variable === 'ESC_STEP');
    const firstDial = events.findIndex((m, i) => i > responsibleMarker && m.Linkedid === id && m.Event === 'DialBegin');
    const departmentMarker = events.findIndex((m) => m.Linkedid === id && m.Event === 'VarSet' && m.Variable === 'ESC_STEP' && m.Value === 'sales_group');
    expect([responsibleMarker, firstDial, departmentMarker, answer].every((i, n, all) => i > 0 && (n === 0 || i > all[n - 1]!))).toBe(true);
    // The gap begins right after the responsible marker, at or after its Dial, and ends anywhere
    // from the department's marker to the answer (its DialEnd seen).
    const ends = events.flatMap((m, i) => (m.Linkedid === id && i > departmentMarker && i <= answer ? [i] : []));
    const wrong: string[] = [];
    for (const from of [responsibleMarker + 1, firstDial, firstDial + 1]) {
      for (const to of ends) {
        const state = createCallTrackerState(LAB);
        const records = events.slice(0, from).flatMap((message) => finalized(state, message));
        records.push(...resync(state, liveChannelsAfter(BURST, to), `gap-${from}-${to}`));
        for (const message of events.slice(to)) records.push(...finalized(state, message));
        const got = records.find((r) => r.linkedid === id);
        if (got?.stepReached !== 'department' || got.answeredBy !== '103') wrong.push(`${from}..${to}: ${got?.stepReached} by ${got?.answeredBy}`);
      }
    }
    expect(ends.length).toBeGreaterThan(3);
    expect(wrong).toEqual([]);
  });

  it('a channel list that arrives after newer events (a snapshot of the cut): a channel hung up meanwhile stays hung up', () => {
    const cut = eventsUntilRinging(BURST, '300', ['1795335774.112', '1795335777.174', '1795335778.218']);
    const state = createCallTrackerState(LAB);
    const records = finalized(state, { Response: 'Success', ActionID: 'late', EventList: 'start', Message: 'Channels will follow' });
    // 200 events of the stream reach the tracker before the list answer does
    for (const message of events.slice(cut, cut + 200)) records.push(...finalized(state, message));
    const items = liveChannelsAfter(BURST, cut, 'newest-first');
    const hungUpMeanwhile = events.slice(cut, cut + 200).filter((m) => m.Event === 'Hangup' && items.some((item) => item.Uniqueid === m.Uniqueid));
    expect(hungUpMeanwhile.length).toBeGreaterThan(0);
    for (const message of [
      ...items.map((item) => ({ Event: 'CoreShowChannel', ActionID: 'late', ...item })),
      { Event: 'CoreShowChannelsComplete', ActionID: 'late', EventList: 'Complete', ListItems: String(items.length) },
      ...events.slice(cut + 200),
    ]) {
      records.push(...finalized(state, message));
    }
    // Nothing stays open forever (a channel the stale list names but that hung up meanwhile is not
    // brought back), nothing becomes an internal call, and the two calls the CEO answers later are
    // right. (What happened to a call between the snapshot and its delivery — the abandoned one —
    // is lost with the events about channels the tracker did not know yet.)
    expect(state.calls.size).toBe(0);
    expect(records.filter((r) => r.direction !== 'inbound')).toEqual([]);
    for (const id of ['1795335774.112', '1795335778.218']) {
      expect({ id, ...pick(records.find((r) => r.linkedid === id)) }).toEqual({ id, ...pick(byId.get(id)) });
    }
  });
});

describe('a corrupt Timestamp', () => {
  it('far in the future does not move the tracker\'s clock (the idle sweep would close every call in progress); two in a row do', () => {
    const state = createCallTrackerState(LAB);
    const half = Math.floor(events.length / 2);
    for (const message of events.slice(0, half)) finalized(state, message);
    const clock = state.lastTimestamp as number;
    const bogus = { ...events[half], Timestamp: String(clock + 86_400 * 365) };
    finalized(state, bogus);
    expect(state.lastTimestamp).toBe(clock);
    expect(closeStaleCalls(state, (state.lastTimestamp as number) + 60, undefined, 4 * 3600).effects).toEqual([]);
    const later = clock + 86_400 * 3;
    finalized(state, { Event: 'Newexten', Timestamp: String(later) });
    finalized(state, { Event: 'Newexten', Timestamp: String(later + 1) });
    expect(state.lastTimestamp).toBe(later + 1);
  });
});

describe('events seen again', () => {
  it('the whole stream twice in one tracker: each call finalized once, as recorded', () => {
    const state = createCallTrackerState(LAB);
    const records = [...events, ...events].flatMap((message) => finalized(state, message));
    expect(records.sort(byStart)).toEqual(full);
  });

  test.each([
    ['an empty channel list (the PBX lost the calls)', false],
    ['the channels alive at the cut', true],
  ])('two truncated sessions, then the whole recording again, with %s on each reconnect: the last record of every call is the full one', (_label, listed) => {
    const state = createCallTrackerState(LAB);
    const last = new Map<string, CallRecord>();
    const cuts = [Math.floor(events.length * 0.3), Math.floor(events.length * 0.6)];
    let previous: number | null = null;
    for (const [session, until] of [...cuts, events.length].entries()) {
      if (previous !== null) {
        for (const record of resync(state, listed ? liveChannelsAfter(BURST, previous) : [], `resync-${session}`)) last.set(record.linkedid, record);
      }
      for (const message of events.slice(0, until)) for (const record of finalized(state, message)) last.set(record.linkedid, record);
      previous = until;
    }
    expect([...last.values()].sort(byStart)).toEqual(full);
    expect(state.calls.size).toBe(0);
  });
});

function pick(record: CallRecord | undefined): Partial<CallRecord> {
  if (!record) return {};
  const { direction, caller, did, answeredBy, disposition, abandoned, voicemail, stepReached } = record;
  return { direction, caller, did, answeredBy, disposition, abandoned, voicemail, stepReached };
}

function byStart(a: CallRecord, b: CallRecord): number {
  return a.startedAt - b.startedAt || a.linkedid.localeCompare(b.linkedid);
}
