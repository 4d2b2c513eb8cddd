import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AmiFrameParser, type AmiMessage } from '../ami/ami-frame-parser';
import type { CallRecord, LegOutcome } from './call-record';
import { createCallTrackerState, reduceCallEvent, type CallEffect } from './call-reducer';
import { parseDirectory } from './directory';
import { callerNumber } from './phone-number';
import { rebuildCalls } from './rebuild';

const TRANSCRIPTS = join(__dirname, '../../../../shared/ami-transcripts');
const directory = parseDirectory(JSON.parse(readFileSync(join(TRANSCRIPTS, 'lab-directory.json'), 'utf8')));

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

const recordings = readdirSync(TRANSCRIPTS)
  .filter((name) => name.endsWith('.truth.json'))
  .map((name) => name.replace(/\.truth\.json$/, ''))
  .sort();

const cases: [string, string, TruthCall][] = recordings.flatMap((scenario) => {
  const truth = JSON.parse(readFileSync(join(TRANSCRIPTS, `${scenario}.truth.json`), 'utf8')) as { calls: TruthCall[] };
  return truth.calls.map((call): [string, string, TruthCall] => [scenario, call.linkedid, call]);
});

const recordsByScenario = new Map<string, CallRecord[]>();
function recordsOf(scenario: string): CallRecord[] {
  let records = recordsByScenario.get(scenario);
  if (!records) {
    records = rebuildCalls(readMessages(join(TRANSCRIPTS, `${scenario}.ami`)), directory).records;
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
