import { readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import type { User } from '../../src/auth/users/user.entity';
import { LeadCaptureService } from '../../src/crm/lead-capture/lead-capture.service';
import { AmiFrameParser } from '../../src/telephony/ami/ami-frame-parser';
import type { CallRecord } from '../../src/telephony/calls/call-record';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { normalizePhone } from '../../src/common/phone-number';
import { rebuildCalls } from '../../src/telephony/calls/rebuild';
import type { TestApp } from './test-app';
import { labDirectory, transcript } from './fixtures';

/** Every recording with calls in test/fixtures/ami (the bursts included). */
export const RECORDINGS = [
  'a_known_responsible_answers',
  'c_new_nobody_answers',
  'd_known_abandoned',
  'f_click_to_call',
  'h_anonymous_group_answers',
  'j_sip_known_responsible_answers',
  'j_sip_new_nobody_answers',
  'j_sip_known_abandoned',
  'burst1_20_calls',
] as const;

/** Call records of recordings, through the production parser and tracker, in start order. */
export function recordsOf(names: readonly string[] = RECORDINGS): CallRecord[] {
  const directory = labDirectory();
  const records: CallRecord[] = [];
  for (const name of names) {
    const parser = new AmiFrameParser();
    const { messages } = parser.push(readFileSync(transcript(`${name}.ami`)));
    records.push(...rebuildCalls(messages, directory).records);
  }
  return records.sort((a, b) => a.startedAt - b.startedAt);
}

export interface LabTeam {
  departmentId: string;
  byExtension: Record<string, User>;
  /** A head of sales who can log in (email, password). */
  head: { email: string; password: string };
  manager: { email: string; password: string };
}

/**
 * The lab's people as users (extensions, devices, the `sales` department) and its known callers as
 * contacts with a responsible manager, created long before the recordings.
 */
export async function seedLabTeam(t: TestApp): Promise<LabTeam> {
  const directory = labDirectory();
  const department = await t.factories.department('sales');
  const byExtension: Record<string, User> = {};
  const password = 'password-123';
  for (const person of directory.users) {
    const user = await t.factories.user({
      role: person.role,
      name: person.name,
      email: `ext${person.extension}@lab.example`,
      password,
      extensions: [person.extension],
      devices: person.devices,
      departmentId: person.department === 'sales' ? department.id : null,
    });
    byExtension[person.extension] = user;
  }
  for (const known of directory.knownCallers) {
    const responsible = known.responsible ? byExtension[known.responsible] : undefined;
    const company = await t.factories.company({ name: known.company ?? `Company of ${known.phone}`, responsibleId: responsible?.id ?? null });
    const contact = await t.factories.contact({ name: known.contact ?? known.phone, companyId: company.id, responsibleId: responsible?.id ?? null });
    const e164 = normalizePhone(known.phone, directory.defaultRegion) ?? known.phone;
    await t.factories.phone({ e164, raw: known.phone, contactId: contact.id });
  }
  // The CRM knew these clients long before the recorded calls.
  await t.dataSource.query(`UPDATE contacts SET created_at = '2026-01-01T00:00:00Z'`);
  await t.dataSource.query(`UPDATE companies SET created_at = '2026-01-01T00:00:00Z'`);
  return {
    departmentId: department.id,
    byExtension,
    head: { email: 'ext200@lab.example', password },
    manager: { email: 'ext101@lab.example', password },
  };
}

/**
 * Stores records as the service does when the calls end: the calls (the production writer), then
 * lead capture in the order the calls ended, as if it ran right then (what it creates is dated
 * at the end of the call, so "known at call time" works as in production). Lead capture runs the
 * production policy with the service's writes (captureLead), so this helper needs only committed code.
 */
export async function storeAsLive(t: TestApp, records: readonly CallRecord[]): Promise<void> {
  const repository = t.app.get(CallsRepository);
  await repository.saveFinalizedCalls(records.map((record) => ({ record, events: [] })));
  const since = await now(t.dataSource);
  for (const record of [...records].sort((a, b) => a.endedAt - b.endedAt)) {
    await t.app.get(LeadCaptureService, { strict: false }).process(record.linkedid);
    await t.dataSource.query(`UPDATE contacts SET created_at = to_timestamp($1) WHERE created_at >= $2`, [record.endedAt, since]);
    await t.dataSource.query(`UPDATE deals SET created_at = to_timestamp($1) WHERE created_at >= $2`, [record.endedAt, since]);
  }
}

/**
 * Waits until the service's lead capture has nothing queued (it catches up on stored calls at
 * start), so a test's reset is not followed by writes about another test's calls.
 */
export async function leadCaptureIdle(t: TestApp): Promise<void> {
  await t.app.get(LeadCaptureService, { strict: false }).drained();
}

async function now(dataSource: DataSource): Promise<Date> {
  const [row] = (await dataSource.query('SELECT clock_timestamp() AS now')) as { now: Date }[];
  return row.now;
}

/** A copy of a record moved in time (every timestamp by the same delta) under a new linkedid. */
export function moved(record: CallRecord, startAt: number, linkedid: string): CallRecord {
  const delta = startAt - record.startedAt;
  const at = (value: number | null): number | null => (value === null ? null : value + delta);
  return {
    ...record,
    linkedid,
    startedAt: record.startedAt + delta,
    answeredAt: at(record.answeredAt),
    endedAt: record.endedAt + delta,
    legs: record.legs.map((leg) => ({
      ...leg,
      uniqueid: `${linkedid}-${leg.uniqueid}`,
      startedAt: leg.startedAt + delta,
      ringingAt: at(leg.ringingAt),
      answeredAt: at(leg.answeredAt),
      endedAt: at(leg.endedAt),
    })),
  };
}
