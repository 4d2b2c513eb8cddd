import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { testDatabaseUrl, truncateAll } from './test-database';
import { AmiFrameParser, type AmiMessage } from '../../src/telephony/ami/ami-frame-parser';
import { createCallTrackerState, reduceCallEvent } from '../../src/telephony/calls/call-reducer';
import type { Directory } from '../../src/telephony/calls/directory';
import { PbxState } from '../../src/simulator/pbx-state';
import { callerNumber } from '../../src/common/phone-number';
import { rebuildCalls } from '../../src/telephony/calls/rebuild';
import { Factories } from './factories';
import { labDirectory, transcript } from './fixtures';
import { until } from './until';

/** The lab PBX of test/fixtures/ami: recordings, directory, and its people seeded in the database. */
export const LAB: Directory = labDirectory();
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
 * responsible manager on the contact). Empties every table first (truncateAll).
 */
export async function seedLab(dataSource: DataSource): Promise<SeededLab> {
  await truncateAll(dataSource);
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
    await factories.phone({ e164: caller.phoneE164, raw: caller.phone, contactId: contact.id });
    seeded.callers.set(caller.phoneE164, { contactId: contact.id, companyId: company.id, contact: contactName, company: companyName });
  }
  return seeded;
}

const parsedRecordings = new Map<string, readonly AmiMessage[]>();

/**
 * The Jest hooks of a spec that stores calls: a DataSource on the test database, every table
 * emptied and the lab seeded again before every test, emptied after the last. Read `.dataSource` in tests.
 */
export function useLabCalls(): { readonly dataSource: DataSource } {
  const lab = {} as { dataSource: DataSource };
  beforeAll(async () => {
    lab.dataSource = new DataSource(dataSourceOptions(testDatabaseUrl()));
    await lab.dataSource.initialize();
  });
  beforeEach(() => seedLab(lab.dataSource));
  afterAll(async () => {
    await truncateAll(lab.dataSource);
    await lab.dataSource.destroy();
  });
  return lab;
}

/** The recorded messages after the login response, as the replay server streams them (a fresh array; parsed once). */
export function recordedEvents(scenario: string): AmiMessage[] {
  let messages = parsedRecordings.get(scenario);
  if (!messages) {
    messages = new AmiFrameParser()
      .push(readFileSync(transcript(`${scenario}.ami`)))
      .messages.filter((message) => !(message.Response === 'Success' && /Authentication accepted/.test(message.Message ?? '')));
    parsedRecordings.set(scenario, messages);
  }
  return messages.map((message) => ({ ...message }));
}

/** The raw events the production tracker keeps for one call of a stream (what is stored with it). */
export function trackedEventsOf(messages: readonly AmiMessage[], linkedid: string): AmiMessage[] {
  const state = createCallTrackerState(LAB);
  for (const message of messages) {
    for (const effect of reduceCallEvent(state, message).effects) {
      if (effect.type === 'callFinalized' && effect.record.linkedid === linkedid) return effect.events;
    }
  }
  throw new Error(`call ${linkedid} is not finished in the stream`);
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

/** The recording cut after its first `events` events (head and tail as in splitRecording). */
export function splitAfter(scenario: string, events: number): { head: string; tail: string; headEvents: number } {
  let seen = 0;
  return splitRecording(scenario, () => ++seen === events);
}

/**
 * How many events of the recording are sent when the calls `linkedids` all ring `extension` at
 * once (the first such moment, from the production tracker's legs of the whole recording).
 */
export function eventsUntilRinging(scenario: string, extension: string, linkedids: readonly string[]): number {
  const events = recordedEvents(scenario);
  const records = rebuildCalls(events, LAB).records;
  const ringing = (at: number): boolean =>
    linkedids.every((id) =>
      records
        .find((record) => record.linkedid === id)
        ?.legs.some((leg) => leg.extension === extension && leg.startedAt <= at && (leg.answeredAt ?? leg.endedAt ?? Infinity) > at),
    );
  const index = events.findIndex((message) => message.Timestamp !== undefined && ringing(Number(message.Timestamp)));
  if (index < 0) throw new Error(`${scenario}: ${linkedids.join(', ')} never ring ${extension} at once`);
  return index + 1;
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
export function liveChannelsAfter(scenario: string, sent: number, order: 'as-listed' | 'newest-first' = 'as-listed'): AmiMessage[] {
  const state = new PbxState();
  let lastTs = 0;
  for (const message of recordedEvents(scenario).slice(0, sent)) {
    if (message.Timestamp) lastTs = Number(message.Timestamp);
    state.apply(message);
  }
  const items = state.coreShowChannels(lastTs);
  // A real Asterisk lists its channel container in no particular order: a tracker must not depend on it.
  return order === 'as-listed' ? items : items.reverse();
}

/**
 * One call of a `<scenario>.truth.json` (test/fixtures/ami/README.md), the fields the tests
 * compare. An originated (click-to-call) call has the outbound fields instead of the inbound ones.
 */
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
  direction?: 'inbound' | 'outbound_click_to_call';
  manager_ext?: string;
  external_number?: string;
  external_dial_status?: string;
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

const CALL_ROW_COLUMNS =
  'linkedid, direction, caller, did, disposition, abandoned, voicemail, answered_by_extension, answered_by_user_id, step_reached, step_index, ring_seconds, talk_seconds, closed_by';

/** Stored calls (all, or those of `linkedids`), by linkedid. */
export async function storedCalls(dataSource: DataSource, linkedids?: readonly string[]): Promise<CallRow[]> {
  return linkedids
    ? dataSource.query(`SELECT ${CALL_ROW_COLUMNS} FROM calls WHERE linkedid = ANY($1::text[]) ORDER BY linkedid`, [linkedids])
    : dataSource.query(`SELECT ${CALL_ROW_COLUMNS} FROM calls ORDER BY linkedid`);
}

export interface TruthOptions {
  /** The linkedid the row must have (the truth's, unless the ids were rewritten). */
  linkedid?: string;
  /** Extension → user id: the row's answered_by_user_id is checked too. */
  userIds?: Map<string, string>;
  /**
   * Compare step_index and the ring/talk seconds (±0.05 s) too (default true). A call first seen in
   * a channel list cannot know the steps before it, nor its start better than to the second
   * (false); a call whose end was lost in a gap knows its steps but not when it ended ('steps').
   */
  exactHistory?: boolean | 'steps';
}

/** What differs between a stored call and its truth, one line per field (empty: it matches). */
export function truthMismatches(row: CallRow | undefined, truth: TruthCall, options: TruthOptions = {}): string[] {
  const linkedid = options.linkedid ?? truth.linkedid;
  if (!row) return [`${linkedid}: not stored`];
  const exact = options.exactHistory ?? true;
  const expected: Record<string, unknown> =
    truth.direction === 'outbound_click_to_call'
      ? {
          linkedid,
          direction: 'outbound',
          caller: callerNumber(truth.external_number, 'RU'),
          answered_by_extension: truth.manager_ext,
          disposition: truth.external_dial_status === 'ANSWER' ? 'answered' : 'missed',
          abandoned: false,
        }
      : {
          linkedid,
          direction: 'inbound',
          caller: callerNumber(truth.caller_number, 'RU'),
          did: truth.did,
          answered_by_extension: truth.answered_by ?? null,
          disposition: truth.missed ? 'missed' : 'answered',
          abandoned: truth.abandoned,
          voicemail: truth.voicemail,
          step_reached: LAB.stepNames[truth.escalation_step_reached] ?? truth.escalation_step_reached,
          ...(exact === false ? {} : { step_index: truth.escalation_step_index }),
        };
  if (options.userIds) {
    const answeredBy = expected.answered_by_extension as string | null | undefined;
    expected.answered_by_user_id = answeredBy ? options.userIds.get(answeredBy) : null;
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(expected)) {
    const got = (row as unknown as Record<string, unknown>)[key];
    if (got !== value) problems.push(`${linkedid}: ${key} ${JSON.stringify(got)}, truth ${JSON.stringify(value)}`);
  }
  if (exact === true) {
    const seconds: [string, number, number | undefined][] = [
      ['talk_seconds', row.talk_seconds, truth.talk_duration_s],
      ['ring_seconds', row.ring_seconds, truth.direction === 'outbound_click_to_call' ? undefined : truth.ring_duration_s],
    ];
    for (const [key, got, want] of seconds) {
      if (want !== undefined && Math.abs(got - want) > 0.05) problems.push(`${linkedid}: ${key} ${got}, truth ${want}`);
    }
  }
  return problems;
}

/** Every call of the truth against the stored rows (found by linkedid). */
export function burstMismatches(rows: readonly CallRow[], truth: readonly TruthCall[], options: Omit<TruthOptions, 'linkedid'> = {}): string[] {
  const byId = new Map(rows.map((row) => [row.linkedid, row]));
  return truth.flatMap((call) => truthMismatches(byId.get(call.linkedid), call, options));
}

/**
 * A stored call against its truth: who answered (extension and user), outcome, step, ring and talk
 * time (±0.05 s). `linkedid` is the one the row must have (the truth's, unless the ids were rewritten).
 */
export function expectCallMatchesTruth(row: CallRow, truth: TruthCall, userIds: Map<string, string>, linkedid = truth.linkedid): void {
  expect(truthMismatches(row, truth, { linkedid, userIds })).toEqual([]);
}

/** The value of a Prometheus metric in a /metrics text (the first series of that name), NaN when absent. */
export function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/**
 * Waits until a service has no call open nor waiting to be written, and has read every event of
 * `link` (its /metrics text; `link` only when the service's ami_events_total counts that link alone,
 * i.e. it is the process's only event link): after that no call row of the stream is on its way,
 * so a count of rows is final without sleeping.
 */
export async function untilSettled(metricsText: () => Promise<string>, link: { readonly eventsSent: number } | null, timeoutMs = 30_000): Promise<void> {
  await until(
    'the service to store everything it read',
    async () => {
      const text = await metricsText();
      const read = link === null || metric(text, 'ami_events_total') >= link.eventsSent;
      return read && metric(text, 'calls_active') === 0 && metric(text, 'calls_buffered') === 0;
    },
    timeoutMs,
  );
}

export { gatedAmi } from '../../bench/ami-gate';
