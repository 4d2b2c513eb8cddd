/**
 * The tracker on the transcripts the live suite recorded on the real Asterisk 22.10.1 with the
 * shipped dialplan and real SIP phones (test/fixtures/ami/live, truth from the events alone by
 * make_truth.py): transfers and pickups made by the phones, the static fallback, voicemail,
 * click-to-call, and the customer's own dialplan shapes (queues, ring and hunt groups, IVR,
 * follow-me, VoiceMail(), parking) — shapes no lab recording shows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transcript } from '../../../test/support/fixtures';
import { AmiFrameParser } from '../ami/ami-frame-parser';
import type { CallRecord } from './call-record';
import { parseDirectory } from './directory';
import { normalizePhone } from '../../common/phone-number';
import { rebuildCalls } from './rebuild';

const LIVE = transcript('live');
const directory = parseDirectory(JSON.parse(readFileSync(join(__dirname, '../../../test/live/fixtures/live-directory.json'), 'utf8')));

interface InboundTruth {
  direction: 'inbound';
  linkedid: string;
  caller_number: string;
  did: string;
  answered_by: string | null;
  answered_at_step: string | null;
  transferred_to: string | null;
  missed: boolean;
  pbx_answered: boolean;
  abandoned: boolean;
  last_step: string | null;
  ring_duration_s: number;
  talk_duration_s: number;
  legs: { extension: string; step: string | null; dial_status: string | null; outcome: string }[];
  /** People who missed the call (make_truth.py's rule). */
  missed_by: string[];
  /** The caller's stays in app_queue queues (QueueCallerJoin … Leave, AgentConnect, QueueCallerAbandon). */
  queues: { queue: string; outcome: string; answered_by: string | null; wait_s: number | null }[];
  /** Who ended the call: caller, pbx or manager:<ext> (the first HangupRequest, make_truth.py's rule). */
  hung_up_by: string;
  /** The voicemail message left (VM_MESSAGEFILE), or null. */
  voicemail_message: string | null;
}

interface ClickToCallTruth {
  direction: 'outbound_click_to_call';
  linkedid: string;
  placed_by: string;
  callee_number: string;
  answered: boolean;
  talk_duration_s: number;
  /** external, pbx or manager:<ext>. */
  hung_up_by: string;
}

/**
 * Each scenario was recorded by two AMI sessions at once: `<name>.ami` a read=all session (its
 * truth file comes from it) and `<name>.switchboard.ami` the product's AMI user as
 * config/manager.conf.example ships it (its rights and event filter). Both must give the truth.
 */
const PRODUCT_SESSION = '.switchboard';
const scenarioOf = (transcriptName: string): string => transcriptName.replace(/\.switchboard$/, '');
const truthOf = (scenario: string): { calls: (InboundTruth | ClickToCallTruth)[] } => JSON.parse(readFileSync(join(LIVE, `${scenario}.truth.json`), 'utf8'));

const scenarios = readdirSync(LIVE)
  .filter((name) => name.endsWith('.truth.json'))
  .map((name) => name.replace(/\.truth\.json$/, ''))
  .sort();

/** Every transcript of a scenario: the read=all one and, when recorded, the product user's. */
const transcripts = readdirSync(LIVE)
  .filter((name) => name.endsWith('.ami'))
  .map((name) => name.replace(/\.ami$/, ''))
  .filter((name) => scenarios.includes(scenarioOf(name)))
  .sort();

const cases = transcripts.flatMap((name) => truthOf(scenarioOf(name)).calls.map((call) => [name, call] as const));

function recordsOf(transcriptName: string): CallRecord[] {
  const { messages } = new AmiFrameParser().push(readFileSync(join(LIVE, `${transcriptName}.ami`)));
  return rebuildCalls(messages, directory).records;
}

describe('tracker on the live-suite recordings (real Asterisk, shipped dialplan, SIP phones)', () => {
  it('has them', () => expect(cases.length).toBeGreaterThanOrEqual(2 * 40));

  it('has voicemail messages left', () => {
    expect(cases.filter(([, call]) => call.direction === 'inbound' && call.voicemail_message !== null).length).toBeGreaterThanOrEqual(3);
  });

  it('has queue calls answered and abandoned in the queue', () => {
    const outcomes = cases.flatMap(([, call]) => (call.direction === 'inbound' ? call.queues.map((visit) => visit.outcome) : []));
    expect(outcomes).toEqual(expect.arrayContaining(['answered', 'abandoned']));
  });

  it('has each scenario as the product’s AMI user saw it too', () => {
    expect(scenarios.filter((scenario) => !transcripts.includes(scenario + PRODUCT_SESSION))).toEqual([]);
  });

  test.each(transcripts)('%s gives exactly one record per call of the truth file (no call of its own for a pickup or a parking slot dialed)', (name) => {
    const truth = truthOf(scenarioOf(name)).calls.map((call) => call.linkedid);
    const extra = name.startsWith('attended_transfer') ? 1 : 0; // the consult call, below
    expect(recordsOf(name)).toHaveLength(truth.length + extra);
  });

  it.each(cases)('%s: the record matches the truth from the events', (scenario, truth) => {
    const record = recordsOf(scenario).find((candidate) => candidate.linkedid === truth.linkedid);
    expect(record).toBeDefined();
    if (!record) return;
    if (truth.direction === 'outbound_click_to_call') {
      expect(record).toMatchObject({ direction: 'outbound', placedBy: truth.placed_by, disposition: truth.answered ? 'answered' : 'missed', hungUpBy: truth.hung_up_by });
      expect(record.caller).toBe(normalizePhone(truth.callee_number, 'RU'));
      expect(Math.abs(record.talkSeconds - truth.talk_duration_s)).toBeLessThanOrEqual(1);
      return;
    }
    expect(record).toMatchObject({
      direction: 'inbound',
      caller: truth.caller_number,
      did: truth.did,
      answeredBy: truth.answered_by,
      transferredTo: truth.transferred_to,
      disposition: truth.missed ? 'missed' : 'answered',
      abandoned: truth.abandoned,
      voicemail: truth.pbx_answered,
      stepReached: truth.missed ? truth.last_step : truth.answered_at_step,
      hungUpBy: truth.hung_up_by,
      voicemailMessage: truth.voicemail_message,
    });
    expect(Math.abs(record.ringSeconds - truth.ring_duration_s)).toBeLessThanOrEqual(1);
    expect(Math.abs(record.talkSeconds - truth.talk_duration_s)).toBeLessThanOrEqual(1);
    // One leg per person the inbound channel rang (a Local channel and what it dialed are one), at
    // the step the dialplan had set (none outside our dialplan), with its outcome; who missed it.
    const legs = (list: { extension: string; step: string | null; outcome: string }[]): string[] =>
      list.map((leg) => `${leg.extension}/${leg.step ?? '-'}/${leg.outcome}`).sort();
    expect(legs(record.legs)).toEqual(legs(truth.legs));
    expect([...new Set(record.legs.filter((leg) => leg.missed).map((leg) => leg.extension))].sort()).toEqual(truth.missed_by);
    // Each stay in a queue: which queue, how it ended, who answered, how long the caller waited.
    expect(record.queues.map(({ name, outcome, answeredBy }) => ({ queue: name, outcome, answered_by: answeredBy }))).toEqual(
      truth.queues.map(({ queue, outcome, answered_by }) => ({ queue, outcome, answered_by })),
    );
    record.queues.forEach((visit, i) => {
      const wait = truth.queues[i].wait_s;
      if (wait === null) expect(visit.leftAt).toBeNull();
      else expect(Math.abs(visit.waitSeconds - wait)).toBeLessThanOrEqual(0.002);
    });
  });

  it('a Queue() timeout is no abandon (app_queue sends QueueCallerAbandon for it too): the caller went on to the mailbox — queue_closed_voicemail', () => {
    const [record] = recordsOf('queue_closed_voicemail');
    expect(record.queues).toEqual([expect.objectContaining({ name: 'sales-closed', outcome: 'left' })]);
    expect(record).toMatchObject({ voicemail: true, abandoned: false });
  });

  it('a caller abandoning the queue is still abandoned on an AMI link without HangupRequest events (an older filter)', () => {
    const { messages } = new AmiFrameParser().push(readFileSync(join(LIVE, 'queue_abandoned.ami')));
    const { records } = rebuildCalls(messages.filter((message) => message.Event !== 'HangupRequest'), directory);
    expect(records[0].queues).toEqual([expect.objectContaining({ name: 'sales-ringall', outcome: 'abandoned' })]);
  });

  it('attended transfer: the consult call (101 → 200) is an internal call of its own that ends when 101 hands over', () => {
    const records = recordsOf('attended_transfer');
    const consult = records.filter((record) => record.direction === 'internal');
    expect(consult).toHaveLength(1);
    expect(consult[0]).toMatchObject({ caller: '101', answeredBy: '200', disposition: 'answered' });
    expect(consult[0].talkSeconds).toBeLessThan(2.5);
  });
});
