import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { PhoneNumber } from '../../src/crm/phones/phone-number.entity';
import { AmiFrameParser, type AmiMessage } from '../../src/telephony/ami/ami-frame-parser';
import { parseDirectory, type Directory } from '../../src/telephony/calls/directory';
import { PbxState } from '../../src/simulator/pbx-state';
import { callerNumber } from '../../src/telephony/calls/phone-number';
import { Factories } from './factories';
import { AMI_RECORDINGS_DIR } from '../../src/common/project-paths';

/** The lab PBX of test/fixtures/ami: recordings, directory, and its people seeded in the database. */
export const TRANSCRIPTS = AMI_RECORDINGS_DIR;
export const transcript = (name: string): string => join(TRANSCRIPTS, name);
export const LAB: Directory = parseDirectory(JSON.parse(readFileSync(transcript('lab-directory.json'), 'utf8')));
export const LAB_PASSWORD = 'password-123';

/** Env that points a test app's AMI side at a replay server. */
export const amiEnv = (port: number): Record<string, string> => ({
  AMI_HOST: '127.0.0.1',
  AMI_PORT: String(port),
  STEP_VARIABLE: 'ESC_STEP',
  AMI_SECRET: 'x',
});

export interface SeededLab {
  /** extension → user id */
  userIds: Map<string, string>;
  /** extension → login email (password LAB_PASSWORD) */
  emails: Map<string, string>;
  /** phone (E.164) → { contactId, companyId, contact, company } */
  callers: Map<string, { contactId: string; companyId: string; contact: string; company: string }>;
}

/**
 * Seeds the lab's people (with their devices) and known callers (contact + company, the
 * responsible manager on the contact). Empties calls, people and clients first.
 */
export async function seedLab(dataSource: DataSource): Promise<SeededLab> {
  await dataSource.query('TRUNCATE calls, call_legs, call_raw_events, tasks, deals, phone_numbers, contacts, companies, users CASCADE');
  const factories = new Factories(dataSource);
  const seeded: SeededLab = { userIds: new Map(), emails: new Map(), callers: new Map() };
  for (const person of LAB.users) {
    const user = await factories.user({
      role: person.role as Parameters<Factories['user']>[0]['role'],
      name: person.name,
      password: LAB_PASSWORD,
      extensions: [person.extension],
      devices: person.devices,
    });
    seeded.userIds.set(person.extension, user.id);
    seeded.emails.set(person.extension, user.email);
  }
  for (const caller of LAB.knownCallers) {
    const responsibleId = caller.responsible ? (seeded.userIds.get(caller.responsible) ?? null) : null;
    const companyName = caller.company ?? `Company of ${caller.phoneE164}`;
    const contactName = caller.contact ?? caller.phoneE164;
    const company = await factories.company({ name: companyName, tags: ['permanent'], abcCategory: 'A' });
    const contact = await factories.contact({ name: contactName, position: 'Director', companyId: company.id, responsibleId });
    await dataSource.getRepository(PhoneNumber).save({ e164: caller.phoneE164, raw: caller.phone, contactId: contact.id });
    seeded.callers.set(caller.phoneE164, { contactId: contact.id, companyId: company.id, contact: contactName, company: companyName });
  }
  return seeded;
}

/** The recorded messages after the login response, as the replay server streams them. */
export function recordedEvents(scenario: string): AmiMessage[] {
  const { messages } = new AmiFrameParser().push(readFileSync(transcript(`${scenario}.ami`)));
  return messages.filter((message) => !(message.Response === 'Success' && /Authentication accepted/.test(message.Message ?? '')));
}

/** A recording as its banner line and its CRLF-terminated blocks (byte-exact text). */
export function recordingBlocks(scenario: string): { banner: string; blocks: string[] } {
  const text = readFileSync(transcript(`${scenario}.ami`), 'latin1');
  const bannerEnd = text.indexOf('\r\n') + 2;
  const blocks = text
    .slice(bannerEnd)
    .split('\r\n\r\n')
    .filter((block) => block !== '')
    .map((block) => `${block}\r\n\r\n`);
  return { banner: text.slice(0, bannerEnd), blocks };
}

/**
 * The recording cut in two after the first block matching `cut`: the head (login and events up to
 * the cut) and the tail (the login response again, then the remaining events), as inline sources.
 */
export function splitRecording(scenario: string, cut: (block: string) => boolean): { head: string; tail: string; headEvents: number } {
  const { banner, blocks } = recordingBlocks(scenario);
  const [login, ...events] = blocks;
  const at = events.findIndex(cut);
  if (at < 0) throw new Error(`${scenario}: no block matches the cut`);
  return {
    head: banner + login + events.slice(0, at + 1).join(''),
    tail: banner + login + events.slice(at + 1).join(''),
    headEvents: at + 1,
  };
}

/**
 * The recording with the caller's name replaced by `name` wherever Asterisk shows the caller's
 * number (CallerIDName next to CallerIDNum, ConnectedLineName next to ConnectedLineNum, and the
 * Dest/LocalOne/LocalTwo variants) — what a caller who sets their own caller ID name produces.
 */
export function withCallerName(scenario: string, callerDigits: string, name: string): string {
  const { banner, blocks } = recordingBlocks(scenario);
  const rewritten = blocks.map((block) => {
    const lines = block.split('\r\n');
    const fields = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)] as const));
    return lines
      .map((line) => {
        const match = /^((?:Dest|LocalOne|LocalTwo)?)(CallerIDName|ConnectedLineName): /.exec(line);
        if (!match) return line;
        const numberKey = `${match[1]}${match[2] === 'CallerIDName' ? 'CallerIDNum' : 'ConnectedLineNum'}`;
        const number = (fields.get(numberKey) ?? '').replace(/\D/g, '');
        return number !== '' && number.endsWith(callerDigits) ? `${match[1]}${match[2]}: ${name}` : line;
      })
      .join('\r\n');
  });
  return banner + rewritten.join('');
}

/**
 * What CoreShowChannels lists after the first `sent` recorded events: the simulated PBX's live state
 * (PbxState) fed with them — for a server that must start as if those events had happened.
 */
export function liveChannelsAfter(scenario: string, sent: number): AmiMessage[] {
  const state = new PbxState();
  let lastTs = 0;
  for (const message of recordedEvents(scenario).slice(0, sent)) {
    if (message.Timestamp) lastTs = Number(message.Timestamp);
    state.apply(message);
  }
  return state.coreShowChannels(lastTs);
}

/** One call of a `<scenario>.truth.json` (test/fixtures/ami/README.md), the fields the tests compare. */
export interface TruthCall {
  linkedid: string;
  caller_number: string;
  did: string;
  answered_by?: string | null;
  missed: boolean;
  abandoned: boolean;
  voicemail: boolean;
  escalation_step_reached: string;
  escalation_step_index: number;
  ring_duration_s: number;
  talk_duration_s: number;
}

export function truthOf(scenario: string): TruthCall[] {
  return (JSON.parse(readFileSync(transcript(`${scenario}.truth.json`), 'utf8')) as { calls: TruthCall[] }).calls;
}

/** A row of `calls` as the tests read it. */
export interface CallRow {
  linkedid: string;
  direction: string;
  caller: string;
  did: string | null;
  disposition: string;
  abandoned: boolean;
  voicemail: boolean;
  answered_by_extension: string | null;
  answered_by_user_id: string | null;
  step_reached: string | null;
  step_index: number;
  ring_seconds: number;
  talk_seconds: number;
  closed_by: string;
}

/**
 * A stored call against its truth: who answered (extension and user), outcome, step, ring and talk
 * time (±0.05 s). `linkedid` is the one the row must have (the truth's, unless the ids were rewritten).
 */
export function expectCallMatchesTruth(row: CallRow, truth: TruthCall, userIds: Map<string, string>, linkedid = truth.linkedid): void {
  const stepName = (raw: string): string => LAB.stepNames[raw] ?? raw;
  expect({
    linkedid: row.linkedid,
    direction: row.direction,
    caller: row.caller,
    did: row.did,
    answeredBy: row.answered_by_extension,
    answeredByUserId: row.answered_by_user_id,
    disposition: row.disposition,
    abandoned: row.abandoned,
    voicemail: row.voicemail,
    stepReached: row.step_reached,
    stepIndex: row.step_index,
  }).toEqual({
    linkedid,
    direction: 'inbound',
    caller: callerNumber(truth.caller_number, 'RU'),
    did: truth.did,
    answeredBy: truth.answered_by ?? null,
    answeredByUserId: truth.answered_by ? userIds.get(truth.answered_by) : null,
    disposition: truth.missed ? 'missed' : 'answered',
    abandoned: truth.abandoned,
    voicemail: truth.voicemail,
    stepReached: stepName(truth.escalation_step_reached),
    stepIndex: truth.escalation_step_index,
  });
  expect(Math.abs(row.ring_seconds - truth.ring_duration_s)).toBeLessThanOrEqual(0.05);
  expect(Math.abs(row.talk_seconds - truth.talk_duration_s)).toBeLessThanOrEqual(0.05);
}

export async function until<T>(what: string, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export { gatedAmi } from '../../bench/ami-gate';
