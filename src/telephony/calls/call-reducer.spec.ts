import { readFileSync, readdirSync } from 'node:fs';
import { AmiFrameParser, type AmiMessage } from '../ami/ami-frame-parser';
import type { CallRecord, LegOutcome } from './call-record';
import { createCallTrackerState, isWorthStoring, reduceCallEvent, type CallEffect } from './call-reducer';
import { callerNumber } from '../../common/phone-number';
import { rebuildCalls } from './rebuild';
import { AMI_RECORDINGS_DIR } from '../../common/project-paths';
import { transcript, labDirectory } from '../../../test/support/fixtures';
import { SNAPSHOT_FIELDS } from '../../simulator/pbx-state';

const directory = labDirectory();

interface TruthDial {
  ext: string | null;
  dial_status?: string;
  dial_begin_ts: number;
  dial_end_ts?: number | null;
}
interface TruthCall {
  direction: 'inbound' | 'outbound_click_to_call';
  linkedid: string;
  did?: string;
  caller_number?: string;
  answered_by?: string | null;
  missed?: boolean;
  abandoned?: boolean;
  voicemail?: boolean;
  escalation_step_reached?: string;
  escalation_step_index?: number;
  escalation_steps?: { step: string; dialed: TruthDial[] }[];
  ring_duration_s?: number;
  talk_duration_s: number;
  manager_ext?: string;
  external_number?: string;
  external_dial_status?: string;
}

function readMessages(file: string, chunkSize = 4096): AmiMessage[] {
  const bytes = readFileSync(file);
  const parser = new AmiFrameParser();
  const messages: AmiMessage[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) messages.push(...parser.push(bytes.subarray(at, at + chunkSize)).messages);
  return messages;
}

const recordings = readdirSync(AMI_RECORDINGS_DIR)
  .filter((name) => name.endsWith('.truth.json'))
  .map((name) => name.replace(/\.truth\.json$/, ''))
  .sort();

const cases: [string, string, TruthCall][] = recordings.flatMap((scenario) => {
  const truth = JSON.parse(readFileSync(transcript(`${scenario}.truth.json`), 'utf8')) as { calls: TruthCall[] };
  return truth.calls.map((call): [string, string, TruthCall] => [scenario, call.linkedid, call]);
});

const recordsByScenario = new Map<string, CallRecord[]>();
function recordsOf(scenario: string): CallRecord[] {
  let records = recordsByScenario.get(scenario);
  if (!records) {
    records = rebuildCalls(readMessages(transcript(`${scenario}.ami`)), directory).records;
    recordsByScenario.set(scenario, records);
  }
  return records;
}

function expectedOutcome(call: TruthCall, dial: TruthDial): LegOutcome {
  switch (dial.dial_status) {
    case 'ANSWER':
      return 'answered';
    case 'BUSY':
      return 'busy';
    case 'NOANSWER':
      // a phone that rejects ends its Dial at once; a timeout takes the whole step
      return (dial.dial_end_ts ?? Infinity) - dial.dial_begin_ts < 1 ? 'rejected' : 'no_answer';
    case 'CANCEL':
      return call.answered_by ? 'cancelled_other_answered' : 'cancelled_caller_hung_up';
    default:
      return 'unavailable';
  }
}

describe('call tracker on the real Asterisk recordings', () => {
  it('has recordings to check', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  test.each(recordings)('%s gives exactly one record per call of the truth file', (scenario) => {
    const truth = cases.filter(([s]) => s === scenario).map(([, linkedid]) => linkedid).sort();
    expect(recordsOf(scenario).map((r) => r.linkedid).sort()).toEqual(truth);
  });

  test.each(cases)('%s call %s matches the truth', (scenario, linkedid, truth) => {
    const record = recordsOf(scenario).find((r) => r.linkedid === linkedid);
    expect(record).toBeDefined();
    if (!record) return;
    expect(record.closedBy).toBe('hangup');
    if (truth.direction === 'outbound_click_to_call') {
      expect(record.direction).toBe('outbound');
      expect(record.answeredBy).toBe(truth.manager_ext);
      expect(record.placedBy).toBe(truth.manager_ext);
      expect(record.caller).toBe(callerNumber(truth.external_number, 'RU'));
      expect(record.disposition).toBe(truth.external_dial_status === 'ANSWER' ? 'answered' : 'missed');
      expect(record.abandoned).toBe(false);
      expect(Math.abs(record.talkSeconds - truth.talk_duration_s)).toBeLessThanOrEqual(1);
      expect(record.legs.map((l) => [l.extension, l.outcome])).toEqual([[truth.manager_ext, 'answered']]);
      return;
    }
    const stepName = (raw: string): string => directory.stepNames[raw] ?? raw;
    expect({
      direction: record.direction,
      caller: record.caller,
      did: record.did,
      answeredBy: record.answeredBy,
      disposition: record.disposition,
      abandoned: record.abandoned,
      voicemail: record.voicemail,
      stepReached: record.stepReached,
      stepIndex: record.stepIndex,
    }).toEqual({
      direction: 'inbound',
      caller: callerNumber(truth.caller_number, 'RU'),
      did: truth.did,
      answeredBy: truth.answered_by ?? null,
      disposition: truth.missed ? 'missed' : 'answered',
      abandoned: truth.abandoned,
      voicemail: truth.voicemail,
      stepReached: stepName(truth.escalation_step_reached as string),
      stepIndex: truth.escalation_step_index,
    });
    expect(Math.abs(record.ringSeconds - (truth.ring_duration_s as number))).toBeLessThanOrEqual(1);
    expect(Math.abs(record.talkSeconds - truth.talk_duration_s)).toBeLessThanOrEqual(1);
    const expectedLegs = (truth.escalation_steps ?? []).flatMap((step) =>
      step.dialed.map((dial) => ({ extension: dial.ext, step: stepName(step.step), outcome: expectedOutcome(truth, dial) })),
    );
    expect(record.legs.map((l) => ({ extension: l.extension, step: l.step, outcome: l.outcome }))).toEqual(expectedLegs);
  });
});

describe('step inference when the dialplan sets no step variable', () => {
  const inferring = { ...directory, stepVariable: 'NO_SUCH_VARIABLE', inferSteps: true };
  const inbound = cases.filter(([, , truth]) => truth.direction === 'inbound');

  test.each(inbound)('%s call %s gets its steps from who was dialed', (scenario, linkedid, truth) => {
    const record = rebuildCalls(readMessages(transcript(`${scenario}.ami`)), inferring).records.find(
      (r) => r.linkedid === linkedid,
    );
    const stepName = (raw: string): string => directory.stepNames[raw] ?? raw;
    expect(record?.stepReached).toBe(stepName(truth.escalation_step_reached as string));
    expect(record?.stepIndex).toBe(truth.escalation_step_index);
    expect(record?.legs.map((l) => [l.extension, l.step])).toEqual(
      (truth.escalation_steps ?? []).flatMap((step) => step.dialed.map((d) => [d.ext, stepName(step.step)])),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Reconnects: a recording split into two connections of the same link
// ---------------------------------------------------------------------------------------------

/** A CoreShowChannel item lists these, in this order (the simulated PBX answers the same way). */
const CHANNEL_KEYS = SNAPSHOT_FIELDS;

function serialize(message: AmiMessage): string {
  return (
    Object.entries(message)
      .map(([key, value]) => value.split('\n').map((line) => `${key}: ${line}`).join('\r\n'))
      .join('\r\n') + '\r\n\r\n'
  );
}

function hms(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** What Asterisk would list for `CoreShowChannels` after the first `cut` messages. */
function channelList(messages: AmiMessage[], cut: number): string {
  const alive = new Map<string, { snapshot: AmiMessage; createdAt: number }>();
  const bridgeOf = new Map<string, string>();
  let now = 0;
  for (const message of messages.slice(0, cut)) {
    if (message.Timestamp) now = Number(message.Timestamp);
    if (message.Event === 'BridgeEnter' && message.Uniqueid && message.BridgeUniqueid) bridgeOf.set(message.Uniqueid, message.BridgeUniqueid);
    if (message.Event === 'BridgeLeave' && message.Uniqueid) bridgeOf.delete(message.Uniqueid);
    const uid = message.Uniqueid;
    if (!uid || !message.Channel || !message.Linkedid) continue;
    if (message.Event === 'Hangup') alive.delete(uid);
    else if (message.Event === 'Newchannel') alive.set(uid, { snapshot: message, createdAt: Number(message.Timestamp) });
    else if (alive.has(uid)) alive.set(uid, { snapshot: message, createdAt: alive.get(uid)?.createdAt ?? now });
  }
  const items = [...alive.entries()].map(([uid, { snapshot, createdAt }]) => {
    const item: AmiMessage = { Event: 'CoreShowChannel', ActionID: 'resync-1' };
    for (const key of CHANNEL_KEYS) item[key] = snapshot[key] ?? '';
    item.Application = 'Dial';
    item.ApplicationData = '';
    item.Duration = hms(now - createdAt);
    item.BridgeId = bridgeOf.get(uid) ?? '';
    return serialize(item);
  });
  return (
    'Asterisk Call Manager/11.0.0\r\n' +
    'Response: Success\r\nActionID: cap-1\r\nMessage: Authentication accepted\r\n\r\n' +
    'Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 100\r\nLastReload: 100\r\nStatus: Fully Booted\r\n\r\n' +
    'Response: Success\r\nActionID: resync-1\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n' +
    items.join('') +
    `Event: CoreShowChannelsComplete\r\nActionID: resync-1\r\nEventList: Complete\r\nListItems: ${items.length}\r\n\r\n`
  );
}

/** Runs successive connections (each a string/bytes fed through its own parser) through one tracker. */
function runConnections(connections: (string | Buffer)[]): { records: CallRecord[]; effects: CallEffect[] } {
  const state = createCallTrackerState(directory);
  const effects: CallEffect[] = [];
  for (const connection of connections) {
    const parser = new AmiFrameParser();
    const bytes = typeof connection === 'string' ? Buffer.from(connection) : connection;
    for (let at = 0; at < bytes.length; at += 1500) {
      for (const message of parser.push(bytes.subarray(at, at + 1500)).messages) {
        effects.push(...reduceCallEvent(state, message).effects);
      }
    }
  }
  const records = effects.flatMap((e) => (e.type === 'callFinalized' ? [e.record] : []));
  return { records: records.sort((a, b) => a.startedAt - b.startedAt), effects };
}

function linkedidsOf(messages: AmiMessage[]): Set<string> {
  return new Set(messages.flatMap((m) => (m.Linkedid ? [m.Linkedid] : [])));
}

describe('resync after a reconnect', () => {
  test.each([
    ['burst1_20_calls', 0.25],
    ['burst1_20_calls', 0.5],
    ['burst1_20_calls', 0.8],
    ['c_new_nobody_answers', 0.5],
    ['a_known_responsible_answers', 0.6],
    ['j_sip_new_nobody_answers', 0.4],
    ['f_click_to_call', 0.5],
  ])('%s cut at %s gives the same records as one connection', (scenario, fraction) => {
    const messages = readMessages(transcript(`${scenario}.ami`));
    const cut = Math.floor(messages.length * fraction);
    const first = 'Asterisk Call Manager/11.0.0\r\n' + messages.slice(0, cut).map(serialize).join('');
    const second = channelList(messages, cut) + messages.slice(cut).map(serialize).join('');
    const { records, effects } = runConnections([first, second]);
    expect(records).toEqual(recordsOf(scenario));
    expect(effects.filter((e) => e.type === 'problem')).toEqual([]);
  });

  it('a SIP call answered while the link was down (DialEnd lost) is answered, not missed', () => {
    const scenario = 'j_sip_known_responsible_answers';
    const messages = readMessages(transcript(`${scenario}.ami`));
    const ringing = messages.findIndex((m) => m.Event === 'DialState' && m.DialStatus === 'RINGING');
    const answered = messages.findIndex((m) => m.Event === 'DialEnd' && m.DialStatus === 'ANSWER');
    const bridged = messages.findIndex((m, i) => i > answered && m.Event === 'BridgeEnter');
    expect([ringing, answered, bridged].every((i) => i > 0)).toBe(true);
    const from = ringing + 1;
    const to = bridged + 2;
    const first = 'Asterisk Call Manager/11.0.0\r\n' + messages.slice(0, from).map(serialize).join('');
    const second = channelList(messages, to) + messages.slice(to).map(serialize).join('');
    const [record] = runConnections([first, second]).records;
    const [truth] = recordsOf(scenario);
    expect(record).toMatchObject({ disposition: 'answered', answeredBy: '101', stepReached: 'responsible', abandoned: false });
    // the answer time is only known to lie in the gap: talk is at most the real talk plus the gap
    expect(record!.talkSeconds).toBeGreaterThanOrEqual(truth!.talkSeconds);
  });

  it('a call first seen in a CoreShowChannels list (k_action_responses) keeps its caller and ringing leg', () => {
    const result = rebuildCalls(readMessages(transcript('k_action_responses.ami')), directory);
    expect(result.records).toEqual([
      expect.objectContaining({
        linkedid: '1795336311.478',
        direction: 'inbound',
        caller: '+79161234567',
        did: '74951112233',
        stepReached: 'responsible',
        closedBy: 'timeout',
        legs: [expect.objectContaining({ extension: '101', step: 'responsible', outcome: 'no_answer' })],
      }),
    ]);
  });

  it('closes calls that ended while the link was down and keeps the others', () => {
    const messages = readMessages(transcript('burst1_20_calls.ami'));
    const from = Math.floor(messages.length * 0.55);
    const to = Math.floor(messages.length * 0.75);
    const before = messages.slice(0, from);
    const gap = messages.slice(from, to);
    const after = messages.slice(to);
    const first = 'Asterisk Call Manager/11.0.0\r\n' + before.map(serialize).join('');
    const second = channelList(messages, to) + after.map(serialize).join('');
    const { records } = runConnections([first, second]);
    const full = recordsOf('burst1_20_calls');

    const seen = new Set([...linkedidsOf(before), ...linkedidsOf(after)]);
    const onlyInGap = [...linkedidsOf(gap)].filter((id) => !seen.has(id));
    expect(records.map((r) => r.linkedid).sort()).toEqual(
      full.map((r) => r.linkedid).filter((id) => !onlyInGap.includes(id)).sort(),
    );
    const untouched = full.filter((r) => !linkedidsOf(gap).has(r.linkedid));
    for (const record of untouched) expect(records.find((r) => r.linkedid === record.linkedid)).toEqual(record);
    const endedInGap = full.filter(
      (r) => linkedidsOf(before).has(r.linkedid) && linkedidsOf(gap).has(r.linkedid) && !linkedidsOf(after).has(r.linkedid),
    );
    expect(endedInGap.length).toBeGreaterThan(0);
    for (const record of endedInGap) {
      const got = records.find((r) => r.linkedid === record.linkedid);
      expect(got?.closedBy).toBe('resync');
      expect(got?.caller).toBe(record.caller);
    }
    for (const record of records) expect(record.endedAt).toBeGreaterThanOrEqual(record.startedAt);
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input: nothing throws and the other calls stay right
// ---------------------------------------------------------------------------------------------

describe('bad input', () => {
  const aBytes = readFileSync(transcript('a_known_responsible_answers.ami'));
  const aMessages = readMessages(transcript('a_known_responsible_answers.ami'));
  const burst = readMessages(transcript('burst1_20_calls.ami'));
  const banner = 'Asterisk Call Manager/11.0.0\r\n';

  function withoutEvents(result: { records: CallRecord[] }): CallRecord[] {
    return result.records;
  }

  test.each([
    ['garbage bytes between messages', '\u0000\u00ff\u00fe garbage \u0001\r\n\r\nno colon here\r\n\r\n:\r\n\r\n'],
    ['unknown events', 'Event: FancyNewThing\r\nLinkedid: 1795335530.4\r\nUniqueid: 1795335530.5\r\n\r\n'],
    ['a Hangup for a never-seen call', 'Event: Hangup\r\nChannel: PJSIP/x-1\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\nCause: 16\r\n\r\n'],
    ['a DialEnd for a never-seen Dial', 'Event: DialEnd\r\nDestUniqueid: 9.9\r\nDialStatus: ANSWER\r\n\r\n'],
    ['responses and events without fields', 'Response: Error\r\nMessage: nope\r\n\r\nEvent: Newchannel\r\n\r\nEvent: DialBegin\r\n\r\n'],
    ['a 1 MB field', `Event: VarSet\r\nUniqueid: 1795335530.5\r\nLinkedid: 1795335530.4\r\nVariable: X\r\nValue: ${'x'.repeat(1 << 20)}\r\n\r\n`],
  ])('%s', (_label, noise) => {
    const text = aMessages.map(serialize);
    const middle = Math.floor(text.length / 2);
    const noisy = banner + text.slice(0, middle).join('') + noise + text.slice(middle).join('');
    const result = runConnections([noisy]);
    expect(withoutEvents(result)).toEqual(recordsOf('a_known_responsible_answers'));
  });

  it('a 1 MB field given straight to the reducer does not hurt', () => {
    const state = createCallTrackerState(directory);
    const effects: CallEffect[] = [];
    const half = Math.floor(aMessages.length / 2);
    for (const message of aMessages.slice(0, half)) effects.push(...reduceCallEvent(state, message).effects);
    const huge = { ...aMessages[half], Event: 'VarSet', Variable: 'ESC_STEP_X', Value: 'y'.repeat(1 << 20) };
    effects.push(...reduceCallEvent(state, huge).effects);
    for (const message of aMessages.slice(half)) effects.push(...reduceCallEvent(state, message).effects);
    const records = effects.flatMap((e) => (e.type === 'callFinalized' ? [e.record] : []));
    expect(records).toEqual(recordsOf('a_known_responsible_answers'));
  });

  it('reports a Hangup of a never-seen call as a problem', () => {
    const state = createCallTrackerState(directory);
    const { effects } = reduceCallEvent(state, {
      Event: 'Hangup',
      Channel: 'PJSIP/trunk-00000001',
      Uniqueid: '42.1',
      Linkedid: '42.1',
      Cause: '16',
      Timestamp: '1795335530.1',
    });
    expect(effects).toEqual([expect.objectContaining({ type: 'problem', code: 'unknown-channel', linkedid: '42.1' })]);
    expect(state.calls.size).toBe(0);
  });

  it('a truncated recording leaves the call open; finishing closes it as timeout', () => {
    const truncated = aBytes.subarray(0, Math.floor(aBytes.length * 0.8));
    const result = rebuildCalls(readMessagesFrom(truncated), directory);
    expect(result.unfinished).toBe(1);
    expect(result.records).toEqual([expect.objectContaining({ linkedid: '1795335530.4', closedBy: 'timeout', answeredBy: '101' })]);
  });

  it('events out of order in one call leave the other calls of a burst untouched', () => {
    const shuffled = [...aMessages];
    // DialBegin of the manager leg arrives after its DialState/DialEnd; a NewCallerid before its Newchannel.
    const dialBegin = shuffled.findIndex((m) => m.Event === 'DialBegin' && m.Channel);
    const [begin] = shuffled.splice(dialBegin, 1);
    const dialEnd = shuffled.findIndex((m) => m.Event === 'DialEnd' && m.Channel);
    shuffled.splice(dialEnd + 1, 0, begin);
    const newchannel = shuffled.findIndex((m) => m.Event === 'Newchannel');
    const [nc] = shuffled.splice(newchannel, 1);
    shuffled.splice(newchannel + 3, 0, nc);
    // interleave with the burst
    const mixed: AmiMessage[] = [];
    const step = Math.ceil(burst.length / shuffled.length);
    for (let i = 0; i < burst.length; i++) {
      mixed.push(burst[i]);
      if (i % step === 0 && shuffled.length > 0) mixed.push(shuffled.shift() as AmiMessage);
    }
    mixed.push(...shuffled);
    const { records } = rebuildCalls(mixed, directory);
    for (const record of recordsOf('burst1_20_calls')) {
      expect(records.find((r) => r.linkedid === record.linkedid)).toEqual(record);
    }
    const a = records.find((r) => r.linkedid === '1795335530.4');
    expect(a).toMatchObject({ answeredBy: '101', disposition: 'answered', caller: '+79161234567' });
  });

  it('replaying the same stream twice gives the same records (idempotent)', () => {
    const once = rebuildCalls(burst, directory).records;
    const twice = rebuildCalls(burst, directory).records;
    expect(twice).toEqual(once);
  });
});

function readMessagesFrom(bytes: Buffer): AmiMessage[] {
  return new AmiFrameParser().push(bytes).messages;
}

// ---------------------------------------------------------------------------------------------
// Effects
// ---------------------------------------------------------------------------------------------

describe('effects', () => {
  function effectsOf(scenario: string): CallEffect[] {
    const state = createCallTrackerState(directory);
    return readMessages(transcript(`${scenario}.ami`)).flatMap((m) => reduceCallEvent(state, m).effects);
  }

  it('ring-all: three ringing popups with the caller card, one answer, two cancels, one finalized call', () => {
    const effects = effectsOf('h_anonymous_group_answers').filter((e) => e.type !== 'ignored');
    const ringing = effects.filter((e) => e.type === 'ringing');
    expect(ringing.map((e) => e.type === 'ringing' && [e.extension, e.step, e.call])).toEqual(
      ['101', '102', '103'].map((ext) => [
        ext,
        'department',
        { direction: 'inbound', caller: 'anonymous', callerName: null, did: '74951112233' },
      ]).sort(),
    );
    expect(effects.filter((e) => e.type === 'answered')).toEqual([
      expect.objectContaining({ extension: '103', linkedid: '1795335691.66', step: 'department' }),
    ]);
    expect(
      effects.flatMap((e) => (e.type === 'legEnded' ? [[e.extension, e.outcome]] : [])).sort(),
    ).toEqual([
      ['101', 'cancelled_other_answered'],
      ['102', 'cancelled_other_answered'],
    ]);
    const finalized = effects.filter((e) => e.type === 'callFinalized');
    expect(finalized).toHaveLength(1);
    // The call's raw events: events of it the tracker reads, and none of the noise.
    const own = readMessages(transcript('h_anonymous_group_answers.ami')).filter(
      (m) => m.Linkedid === '1795335691.66' && isWorthStoring(m, directory.stepVariable),
    );
    const kept = finalized[0].type === 'callFinalized' ? finalized[0].events : [];
    expect(kept.length).toBeGreaterThan(60);
    expect(own).toEqual(expect.arrayContaining(kept.filter((m) => m.Linkedid === '1795335691.66')));
    expect(kept.some((m) => m.Event === 'Newexten' || (m.Event === 'VarSet' && m.Variable !== 'ESC_STEP'))).toBe(false);
  });

  it('busy and rejecting phones get no ringing popup', () => {
    const effects = effectsOf('burst1_20_calls');
    const forCall = (e: CallEffect): boolean => 'linkedid' in e && e.linkedid === '1795335774.96';
    const ringing = effects.filter((e) => forCall(e) && e.type === 'ringing');
    expect(ringing.map((e) => e.type === 'ringing' && e.extension)).toEqual(['102']);
    expect(effects.filter((e) => forCall(e) && e.type === 'legEnded').map((e) => e.type === 'legEnded' && [e.extension, e.outcome]).sort()).toEqual([
      ['101', 'busy'],
      ['103', 'rejected'],
    ]);
  });

  it('every effect of the burst is well-formed and each call is finalized once', () => {
    const effects = effectsOf('burst1_20_calls');
    const finalized = effects.filter((e) => e.type === 'callFinalized');
    expect(finalized).toHaveLength(20);
    expect(effects.filter((e) => e.type === 'problem')).toEqual([]);
    expect(effects.filter((e) => e.type === 'callStarted')).toHaveLength(20);
  });
});

// ---------------------------------------------------------------------------------------------
// Transfers (no lab recording yet): events shaped like Asterisk 22's PJSIP ones
// ---------------------------------------------------------------------------------------------

describe('blind transfer', () => {
  const trunk = { Channel: 'PJSIP/trunk-00000001', Uniqueid: '1795400000.1', Linkedid: '1795400000.1' };
  const phone101 = { Channel: 'PJSIP/101-00000002', Uniqueid: '1795400000.2', Linkedid: '1795400000.1' };
  const phone102 = { Channel: 'PJSIP/102-00000003', Uniqueid: '1795400000.3', Linkedid: '1795400000.1' };
  const dest = (c: typeof trunk): AmiMessage => ({
    DestChannel: c.Channel,
    DestUniqueid: c.Uniqueid,
    DestLinkedid: c.Linkedid,
  });
  const at = (t: number): string => (1795400000 + t).toFixed(6);
  const events: AmiMessage[] = [
    { Event: 'Newchannel', ...trunk, Timestamp: at(0), ChannelState: '4', CallerIDNum: '+79161234567', Exten: '74951112233' },
    { Event: 'VarSet', ...trunk, Timestamp: at(0.01), Variable: 'ESC_STEP', Value: 'responsible' },
    { Event: 'Newchannel', ...phone101, Timestamp: at(0.02), ChannelState: '0', CallerIDNum: '101' },
    { Event: 'DialBegin', ...trunk, ...dest(phone101), Timestamp: at(0.03), DialString: '101' },
    { Event: 'Newstate', ...phone101, Timestamp: at(0.04), ChannelState: '5' },
    { Event: 'Newstate', ...phone101, Timestamp: at(3), ChannelState: '6' },
    { Event: 'DialEnd', ...trunk, ...dest(phone101), Timestamp: at(3), DialStatus: 'ANSWER' },
    { Event: 'Newstate', ...trunk, Timestamp: at(3), ChannelState: '6' },
    {
      Event: 'BlindTransfer',
      Timestamp: at(8),
      Result: 'Success',
      TransfererChannel: phone101.Channel,
      TransfererUniqueid: phone101.Uniqueid,
      TransfereeChannel: trunk.Channel,
      TransfereeUniqueid: trunk.Uniqueid,
      Extension: '102',
      Context: 'transfer',
    },
    { Event: 'HangupRequest', ...phone101, Timestamp: at(8.1) },
    { Event: 'Hangup', ...phone101, Timestamp: at(8.1), Cause: '16', 'Cause-txt': 'Normal Clearing' },
    { Event: 'Newchannel', ...phone102, Timestamp: at(8.2), ChannelState: '0', CallerIDNum: '102' },
    { Event: 'DialBegin', ...trunk, ...dest(phone102), Timestamp: at(8.2), DialString: '102' },
    { Event: 'DialState', ...trunk, ...dest(phone102), Timestamp: at(8.3), DialStatus: 'RINGING' },
    { Event: 'DialEnd', ...trunk, ...dest(phone102), Timestamp: at(10), DialStatus: 'ANSWER' },
    { Event: 'HangupRequest', ...phone102, Timestamp: at(20) },
    { Event: 'Hangup', ...phone102, Timestamp: at(20), Cause: '16' },
    { Event: 'SoftHangupRequest', ...trunk, Timestamp: at(20) },
    { Event: 'Hangup', ...trunk, Timestamp: at(20), Cause: '16', 'Cause-txt': 'Normal Clearing' },
  ];

  it('keeps the first answerer and time, and records the transfer target', () => {
    const { records } = rebuildCalls(events, directory);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      direction: 'inbound',
      caller: '+79161234567',
      did: '74951112233',
      answeredBy: '101',
      answeredAt: 1795400003,
      disposition: 'answered',
      stepReached: 'responsible',
      stepIndex: 1,
      ringSeconds: 3,
      talkSeconds: 17,
      transferredTo: '102',
      hungUpBy: 'manager:102',
    });
    expect(records[0].legs.map((l) => [l.extension, l.step, l.transfer, l.outcome])).toEqual([
      ['101', 'responsible', false, 'answered'],
      ['102', 'responsible', true, 'answered'],
    ]);
  });
});

describe('a phone that declines with CHANUNAVAIL', () => {
  it('is rejected (cause 21), not unavailable', () => {
    const trunk = { Channel: 'PJSIP/trunk-00000011', Uniqueid: '1795400100.1', Linkedid: '1795400100.1' };
    const phone = { Channel: 'PJSIP/101-00000012', Uniqueid: '1795400100.2', Linkedid: '1795400100.1' };
    const dest = { DestChannel: phone.Channel, DestUniqueid: phone.Uniqueid, DestLinkedid: phone.Linkedid };
    const at = (t: number): string => (1795400100 + t).toFixed(6);
    const events: AmiMessage[] = [
      { Event: 'Newchannel', ...trunk, Timestamp: at(0), ChannelState: '4', CallerIDNum: '+79161234567', Exten: '74951112233' },
      { Event: 'VarSet', ...trunk, Timestamp: at(0.01), Variable: 'ESC_STEP', Value: 'responsible' },
      { Event: 'Newchannel', ...phone, Timestamp: at(0.02), ChannelState: '0', CallerIDNum: '101' },
      { Event: 'DialBegin', ...trunk, ...dest, Timestamp: at(0.03), DialString: '101' },
      { Event: 'Hangup', ...phone, Timestamp: at(0.5), Cause: '21', 'Cause-txt': 'Call Rejected' },
      { Event: 'DialEnd', ...trunk, ...dest, Timestamp: at(0.5), DialStatus: 'CHANUNAVAIL' },
      { Event: 'Hangup', ...trunk, Timestamp: at(2), Cause: '16', 'Cause-txt': 'Normal Clearing' },
    ];
    const [record] = rebuildCalls(events, directory).records;
    expect(record?.legs.map((leg) => [leg.extension, leg.outcome])).toEqual([['101', 'rejected']]);
    expect(record).toMatchObject({ disposition: 'missed', stepReached: 'responsible', stepIndex: 1 });
  });
});

describe('attended transfer (events shaped like Asterisk 22 PJSIP ones)', () => {
  const trunk = { Channel: 'PJSIP/trunk-00000021', Uniqueid: '1795400200.1', Linkedid: '1795400200.1' };
  const phone101 = { Channel: 'PJSIP/101-00000022', Uniqueid: '1795400200.2', Linkedid: '1795400200.1' };
  // 101's consult call to 200 is a call of its own (its own Linkedid) until the transfer joins them.
  const consult101 = { Channel: 'PJSIP/101-00000023', Uniqueid: '1795400200.3', Linkedid: '1795400200.3' };
  const phone200 = { Channel: 'PJSIP/200-00000024', Uniqueid: '1795400200.4', Linkedid: '1795400200.3' };
  const dest = (c: typeof trunk): AmiMessage => ({ DestChannel: c.Channel, DestUniqueid: c.Uniqueid, DestLinkedid: c.Linkedid });
  const at = (t: number): string => (1795400200 + t).toFixed(6);
  const events: AmiMessage[] = [
    { Event: 'Newchannel', ...trunk, Timestamp: at(0), ChannelState: '4', CallerIDNum: '+79161234567', Exten: '74951112233' },
    { Event: 'VarSet', ...trunk, Timestamp: at(0.01), Variable: 'ESC_STEP', Value: 'responsible' },
    { Event: 'Newchannel', ...phone101, Timestamp: at(0.02), ChannelState: '0', CallerIDNum: '101' },
    { Event: 'DialBegin', ...trunk, ...dest(phone101), Timestamp: at(0.03), DialString: '101' },
    { Event: 'DialState', ...trunk, ...dest(phone101), Timestamp: at(0.1), DialStatus: 'RINGING' },
    { Event: 'Newstate', ...phone101, Timestamp: at(2), ChannelState: '6' },
    { Event: 'DialEnd', ...trunk, ...dest(phone101), Timestamp: at(2), DialStatus: 'ANSWER' },
    { Event: 'Newstate', ...trunk, Timestamp: at(2), ChannelState: '6' },
    // 101 puts the client on hold and calls 200
    { Event: 'Newchannel', ...consult101, Timestamp: at(10), ChannelState: '4', CallerIDNum: '101', Exten: '200', Context: 'from-internal' },
    { Event: 'Newchannel', ...phone200, Timestamp: at(10.1), ChannelState: '0', CallerIDNum: '200' },
    { Event: 'DialBegin', ...consult101, ...dest(phone200), Timestamp: at(10.1), DialString: '200' },
    { Event: 'DialState', ...consult101, ...dest(phone200), Timestamp: at(10.2), DialStatus: 'RINGING' },
    { Event: 'Newstate', ...phone200, Timestamp: at(13), ChannelState: '6' },
    { Event: 'DialEnd', ...consult101, ...dest(phone200), Timestamp: at(13), DialStatus: 'ANSWER' },
    {
      Event: 'AttendedTransfer',
      Timestamp: at(20),
      Result: 'Success',
      OrigTransfererChannel: phone101.Channel,
      OrigTransfererUniqueid: phone101.Uniqueid,
      OrigTransfererLinkedid: phone101.Linkedid,
      SecondTransfererChannel: consult101.Channel,
      SecondTransfererUniqueid: consult101.Uniqueid,
      SecondTransfererLinkedid: consult101.Linkedid,
      TransfereeChannel: trunk.Channel,
      TransfereeUniqueid: trunk.Uniqueid,
      TransfereeLinkedid: trunk.Linkedid,
      TransferTargetChannel: phone200.Channel,
      TransferTargetUniqueid: phone200.Uniqueid,
      TransferTargetLinkedid: phone200.Linkedid,
      DestType: 'Bridge',
    },
    { Event: 'Hangup', ...phone101, Timestamp: at(20.1), Cause: '16', 'Cause-txt': 'Normal Clearing' },
    { Event: 'Hangup', ...consult101, Timestamp: at(20.1), Cause: '16', 'Cause-txt': 'Normal Clearing' },
    // the client talks with 200, then hangs up
    { Event: 'HangupRequest', ...trunk, Timestamp: at(40) },
    { Event: 'Hangup', ...trunk, Timestamp: at(40), Cause: '16', 'Cause-txt': 'Normal Clearing' },
    { Event: 'Hangup', ...phone200, Timestamp: at(40.1), Cause: '16', 'Cause-txt': 'Normal Clearing' },
  ];

  it('the client\'s call keeps its first answerer, records the target, and lasts until the client hangs up', () => {
    const { records, problems } = rebuildCalls(events, directory);
    expect(problems).toEqual([]);
    const client = records.find((r) => r.linkedid === trunk.Linkedid);
    expect(client).toMatchObject({
      direction: 'inbound',
      caller: '+79161234567',
      answeredBy: '101',
      disposition: 'answered',
      stepReached: 'responsible',
      transferredTo: '200',
      ringSeconds: 2,
      talkSeconds: 38,
    });
    // the consult call is 101's internal call to 200
    const consult = records.find((r) => r.linkedid === consult101.Linkedid);
    expect(consult).toMatchObject({ direction: 'internal', answeredBy: '200' });
  });
});
