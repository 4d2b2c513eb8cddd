import { join } from 'node:path';
import { Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { writeFileAtomic } from '../../common/durable-file';
import { AppConfig } from '../../config';
import { LinkStatus, type CallStorageReport } from '../../health/link-status';
import { MetricsService } from '../../metrics/metrics.service';
import { int, json, nullable, readRows, text, type RowOf } from '../../common/sql-rows';
import { DELETE_CALL_PEOPLE_SQL, INSERT_CALL_PEOPLE_SQL } from './call-people';
import { callQueueRows, DELETE_CALL_QUEUES_SQL, INSERT_CALL_QUEUES_SQL } from './call-queues';
import type { AmiMessage } from '../ami/ami-frame-parser';
import { CallEventBus } from './call-events';
import { mergeCallEvents } from './call-merge';
import type { CallRecord } from './call-record';
import { CallRecordShapeError, parseCallRecord } from './call-record-json';
import { CallSpool } from './call-spool';
import { fromStoredEvents, readableRecord, readableText, storedEventsJson } from './call-storage-text';
import { CallPreparationError, classifyWriteError } from './call-write-policy';
import { CallWriteQueue, type FinalizedCall, type ParkedFailure } from './call-write-queue';
import { DirectoryError, parseDirectory, type Directory } from './directory';
import { normalizePhone } from '../../common/phone-number';
import { personById, type PeopleDirectory } from '../../people/people-directory';
import { loadPeople } from '../../people/people.service';
import type { Person } from '../../people/person';
import { STEP_NAMES } from '../step-names';
import { rebuildStoredCall } from './rebuild';

export type { FinalizedCall } from './call-write-queue';

export interface LoadedDirectory {
  directory: Directory;
  /** The people the directory was built from (extension → person: resolveExtension). */
  people: PeopleDirectory;
}

const CALL_COLUMNS = `linkedid text, direction text, caller text, caller_name text, callee text, did text,
  started_at float8, answered_at float8, ended_at float8, ring_seconds real, talk_seconds real,
  answered_by_extension text, disposition text, abandoned boolean, voicemail boolean, step_reached text,
  step_index int, hangup_cause int, hung_up_by text, transferred_to text, recording_file text, voicemail_message text, closed_by text,
  placed_by text, "record" jsonb`;

const UPSERT_CALLS = `
INSERT INTO calls (linkedid, direction, caller, caller_name, callee, did, started_at, answered_at, ended_at,
  ring_seconds, talk_seconds, answered_by_extension, answered_by_user_id, placed_by_user_id, disposition, abandoned, voicemail,
  step_reached, step_index, hangup_cause, hung_up_by, transferred_to, recording_file, voicemail_message, closed_by, record, updated_at)
SELECT r.linkedid, r.direction, r.caller, r.caller_name, r.callee, r.did, to_timestamp(r.started_at),
  to_timestamp(r.answered_at), to_timestamp(r.ended_at), r.ring_seconds, r.talk_seconds, r.answered_by_extension,
  eo.user_id, po.user_id, r.disposition, r.abandoned, r.voicemail, r.step_reached, r.step_index, r.hangup_cause, r.hung_up_by,
  r.transferred_to, r.recording_file, r.voicemail_message, r.closed_by, r."record", now()
FROM jsonb_to_recordset($1::jsonb) AS r(${CALL_COLUMNS})
LEFT JOIN extension_owners eo ON eo.extension = r.answered_by_extension
LEFT JOIN extension_owners po ON po.extension = r.placed_by
ON CONFLICT (linkedid) DO UPDATE SET
  direction = EXCLUDED.direction, caller = EXCLUDED.caller, caller_name = EXCLUDED.caller_name,
  callee = EXCLUDED.callee, did = EXCLUDED.did, started_at = EXCLUDED.started_at,
  answered_at = EXCLUDED.answered_at, ended_at = EXCLUDED.ended_at, ring_seconds = EXCLUDED.ring_seconds,
  talk_seconds = EXCLUDED.talk_seconds, answered_by_extension = EXCLUDED.answered_by_extension,
  answered_by_user_id = EXCLUDED.answered_by_user_id, placed_by_user_id = EXCLUDED.placed_by_user_id, disposition = EXCLUDED.disposition,
  abandoned = EXCLUDED.abandoned, voicemail = EXCLUDED.voicemail, step_reached = EXCLUDED.step_reached,
  step_index = EXCLUDED.step_index, hangup_cause = EXCLUDED.hangup_cause, hung_up_by = EXCLUDED.hung_up_by,
  transferred_to = EXCLUDED.transferred_to, recording_file = EXCLUDED.recording_file, voicemail_message = EXCLUDED.voicemail_message,
  closed_by = EXCLUDED.closed_by, record = EXCLUDED.record, updated_at = now()`;

const INSERT_LEGS = `
INSERT INTO call_legs (linkedid, seq, extension, user_id, step, rang_from, rang_to, outcome, missed)
SELECT r.linkedid, r.seq, r.extension, eo.user_id, r.step, to_timestamp(r.rang_from), to_timestamp(r.rang_to), r.outcome, r.missed
FROM jsonb_to_recordset($1::jsonb) AS r(linkedid text, seq int, extension text, step text, rang_from float8, rang_to float8, outcome text, missed boolean)
LEFT JOIN extension_owners eo ON eo.extension = r.extension`;

const UPSERT_RAW_EVENTS = `
INSERT INTO call_raw_events (linkedid, events, updated_at)
SELECT r.linkedid, r.events, now() FROM jsonb_to_recordset($1::jsonb) AS r(linkedid text, events jsonb)
ON CONFLICT (linkedid) DO UPDATE SET events = EXCLUDED.events, updated_at = now()`;

/** Phone numbers whose contact, else company, has a responsible user. */
const KNOWN_CALLERS = `
SELECT p.e164, COALESCE(ct.responsible_id, co.responsible_id) AS responsible_id, ct.name AS contact, co.name AS company
  FROM phone_numbers p
  LEFT JOIN contacts ct ON ct.id = p.contact_id
  LEFT JOIN companies co ON co.id = COALESCE(p.company_id, ct.company_id)
 WHERE COALESCE(ct.responsible_id, co.responsible_id) IS NOT NULL`;

/** How many parked linkedids /health names. */
const HEALTH_LINKEDIDS = 20;
const DEAD_LETTER_REFRESH_MS = 60_000;

const SELECT_STORED = `
SELECT r.linkedid, r.events, c.closed_by, c.record FROM call_raw_events r LEFT JOIN calls c ON c.linkedid = r.linkedid
 WHERE r.linkedid = ANY($1::text[]) FOR UPDATE OF r`;
/** A call's stored events, and its record (null when only the raw events were written). */
const STORED_SHAPE = { linkedid: text, events: json, closed_by: nullable(text), record: json };
type StoredRow = RowOf<typeof STORED_SHAPE>;

const PARK_CALL = `
INSERT INTO calls_dead_letter (linkedid, record, events, error, sqlstate, attempts, first_failed_at, parked_at)
VALUES ($1, $2::jsonb, $3::jsonb, $4, $5, $6, $7, now())
ON CONFLICT (linkedid) DO UPDATE SET record = EXCLUDED.record, events = EXCLUDED.events, error = EXCLUDED.error,
  sqlstate = EXCLUDED.sqlstate, attempts = calls_dead_letter.attempts + EXCLUDED.attempts, parked_at = now()`;

/** What writing one call alone gave (rebuild-calls, retry-calls). */
export interface CallWriteOutcome {
  linkedid: string;
  written: boolean;
  error: string | null;
}

/**
 * Storage of finished calls, and the directory the tracker reads from the database.
 *
 * Writes are idempotent and keyed by Linkedid; a call written again is merged with what is stored
 * (call-merge.ts: a partial view never replaces a fuller record). Finished calls go through
 * CallWriteQueue: appended to the spool on disk (DATA_DIR/calls-spool) first, written in batches,
 * buffered with backoff while the database is down, a refused call retried alone and then parked
 * in `calls_dead_letter` (call-write-policy.ts). Text Postgres refuses is stored as
 * call-storage-text.ts says. At shutdown what could not be written stays in the spool and is
 * written at the next start.
 */
@Injectable()
export class CallsRepository implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(CallsRepository.name);
  private spool: CallSpool | null = null;
  private readonly queue: CallWriteQueue;
  private directorySource: (() => Directory) | null = null;
  private deadLetter = { count: 0, linkedids: [] as string[] };
  private deadLetterTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @Optional() linkStatus?: LinkStatus,
    @Optional() private readonly bus?: CallEventBus,
  ) {
    this.queue = this.createQueue();
    metrics.gauge('calls_buffered', 'Finished calls waiting to be written (queued, in flight, retried alone, or on disk only while the database is down)', () => this.pending);
    metrics.gauge('calls_spooled', 'Finished calls waiting on disk only (the in-memory bound CALLS_BUFFER_MAX was reached)', () => this.queue.onDiskOnly);
    metrics.gauge('calls_isolated', 'Calls the database refused, retried alone now', () => this.queue.isolated.length);
    metrics.gauge('calls_dead_letter', 'Calls parked in calls_dead_letter (refused by the database; `npm run retry-calls` after a fix)', () => this.deadLetter.count);
    linkStatus?.setCallsSource(() => this.storageReport());
  }

  /** Calls waiting to be written (new, or buffered while the database is unreachable). */
  get pending(): number {
    return this.queue.pending;
  }

  /** Calls written by the queue since start. */
  get written(): number {
    return this.queue.written;
  }

  /** Starts the spool (only in the service: CLIs that build a repository write directly) and writes what the last run left. */
  onModuleInit(): void {
    const spool = new CallSpool(join(this.config.dataDir, 'calls-spool'), this.logger);
    this.spool = spool;
    this.queue.useSpool(spool);
    const recovered = spool.recover();
    for (const { call, ref } of recovered) this.queue.enqueue(call.record, call.events, ref);
    if (recovered.length > 0) {
      this.logger.warn(`${recovered.length} finished call(s) left unwritten by the last run read back from ${spool.dir}; writing them`);
    }
    // fsync of the spool once a second (a power cut loses at most that); the parked count for /metrics.
    this.flushTimer = setInterval(() => this.spool?.flush(), 1_000);
    this.flushTimer.unref();
    this.deadLetterTimer = setInterval(() => void this.refreshDeadLetter(), DEAD_LETTER_REFRESH_MS);
    this.deadLetterTimer.unref();
    void this.refreshDeadLetter();
  }

  /** The tracker's directory, used when a call written again must be rebuilt from merged events. */
  useDirectory(source: () => Directory): void {
    this.directorySource = source;
  }

  /** Writes one finished call now, in one transaction (throws on database errors); returns it as stored. */
  async saveFinalizedCall(record: CallRecord, events: AmiMessage[]): Promise<CallRecord | null> {
    return (await this.saveFinalizedCalls([{ record, events }]))[0] ?? null;
  }

  /**
   * Writes finished calls in one transaction. A call already stored is merged with it
   * (mergeCallEvents): kept as stored, replaced, or rebuilt from the union of both event sets.
   * Returns the calls as stored: those written (readable text), then those whose events were all
   * stored already (the stored record, not written again).
   * Nothing is published here: the queue publishes `call.stored` after the commit.
   */
  async saveFinalizedCalls(batch: readonly FinalizedCall[]): Promise<CallRecord[]> {
    const unique = [...new Map(batch.map((item) => [item.record.linkedid, item])).values()];
    if (unique.length === 0) return [];
    // Straight on the pg client: TypeORM's error logging would print megabytes of parameters
    // for every failed batch while the database is down (the queue logs one line instead).
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      await client.query('BEGIN');
      try {
        const stored = readRows('stored calls', await client.query(SELECT_STORED, [unique.map((item) => item.record.linkedid)]), STORED_SHAPE);
        const { toWrite, unchanged } = await this.mergeWithStored(unique, stored);
        let written: CallRecord[] = [];
        if (toWrite.length > 0) {
          const { calls, legs, queues, raw, linkedids, records } = prepareRows(toWrite);
          written = records;
          await client.query(UPSERT_CALLS, [calls]);
          await client.query('DELETE FROM call_legs WHERE linkedid = ANY($1::text[])', [linkedids]);
          await client.query(INSERT_LEGS, [legs]);
          // Per-person figures of the calls for the statistics, from the rows just written.
          await client.query(DELETE_CALL_PEOPLE_SQL, [linkedids]);
          await client.query(INSERT_CALL_PEOPLE_SQL, [linkedids]);
          await client.query(DELETE_CALL_QUEUES_SQL, [linkedids]);
          await client.query(INSERT_CALL_QUEUES_SQL, [queues]);
          await client.query(UPSERT_RAW_EVENTS, [raw]);
        }
        await client.query('COMMIT');
        return [...written, ...unchanged];
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Writes calls outside the queue (CLIs): the batch in one transaction, and if the database
   * refuses one of them, each alone, so one bad call costs only itself. Database trouble throws.
   */
  async saveEach(batch: readonly FinalizedCall[]): Promise<CallWriteOutcome[]> {
    try {
      await this.saveFinalizedCalls(batch);
      return batch.map((item) => ({ linkedid: item.record.linkedid, written: true, error: null }));
    } catch (error) {
      if (classifyWriteError(error) === 'database' || batch.length === 1) {
        if (classifyWriteError(error) === 'database') throw error;
        return [{ linkedid: batch[0].record.linkedid, written: false, error: errorText(error) }];
      }
    }
    const outcomes: CallWriteOutcome[] = [];
    for (const item of batch) outcomes.push(...(await this.saveEach([item])));
    return outcomes;
  }

  /** Queues a finished call for writing and returns at once (never throws). */
  enqueue(record: CallRecord, events: AmiMessage[]): void {
    this.queue.enqueue(record, events);
  }

  /** Resolves once everything queued so far is written (or parked), or after `timeoutMs`. */
  drain(timeoutMs = 10_000): Promise<boolean> {
    return this.queue.drain(timeoutMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.deadLetterTimer) clearInterval(this.deadLetterTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.deadLetterTimer = this.flushTimer = null;
    const { left, notOnDisk } = await this.queue.stop(5_000);
    const files = this.spool?.close() ?? [];
    if (left.length === 0) return;
    const onDisk = left.length - notOnDisk.length;
    if (onDisk > 0) {
      this.logger.warn(
        `${onDisk} finished call(s) not written at shutdown (database unreachable or refusing): kept in ${this.spool?.dir} (${files.length} file(s)); ` +
          `they are written at the next start: ${preview(left.filter((id) => !notOnDisk.includes(id)))}`,
      );
    }
    if (notOnDisk.length > 0) {
      this.logger.error(`${notOnDisk.length} finished call(s) lost at shutdown: neither written nor on disk: ${preview(notOnDisk)}`);
    }
  }

  // ---- the dead letter -----------------------------------------------------------------------

  /** Parks a call the database keeps refusing: its record, raw events (escaped) and the error. */
  async park(call: FinalizedCall, failure: ParkedFailure): Promise<void> {
    const record = readableRecord(call.record);
    const params = [
      record.linkedid,
      JSON.stringify(record),
      storedEventsJson(call.events),
      readableText(failure.error),
      failure.sqlState,
      failure.attempts,
      failure.firstFailedAt,
    ];
    try {
      await this.dataSource.query(PARK_CALL, params);
    } catch (error) {
      if (classifyWriteError(error) === 'database') throw error;
      // Not even the dead letter takes it: a file beside the spool, for an admin.
      const file = join(this.config.dataDir, 'calls-dead-letter', `${safeFileName(record.linkedid)}.json`);
      writeFileAtomic(file, JSON.stringify({ ...call, failure, parkError: errorText(error) }));
      this.logger.error(`call ${record.linkedid}: calls_dead_letter refused it too (${errorText(error)}); written to ${file}`);
    }
    this.deadLetter = { count: this.deadLetter.count + 1, linkedids: [record.linkedid, ...this.deadLetter.linkedids.filter((id) => id !== record.linkedid)].slice(0, HEALTH_LINKEDIDS) };
    void this.refreshDeadLetter();
  }

  /** Parked calls, oldest first. */
  async deadLetterCalls(): Promise<{ linkedid: string; record: CallRecord; events: AmiMessage[]; error: string; attempts: number }[]> {
    const rows = readRows(
      'calls_dead_letter',
      await this.dataSource.query('SELECT linkedid, record, events, error, attempts FROM calls_dead_letter ORDER BY parked_at, linkedid'),
      { linkedid: text, record: parseCallRecord, events: json, error: text, attempts: int },
    );
    return rows.map((row) => ({ ...row, events: fromStoredEvents(row.events) }));
  }

  async forgetDeadLetter(linkedid: string): Promise<void> {
    await this.dataSource.query('DELETE FROM calls_dead_letter WHERE linkedid = $1', [linkedid]);
  }

  async recordRetryFailure(linkedid: string, error: string): Promise<void> {
    await this.dataSource.query('UPDATE calls_dead_letter SET error = $2, attempts = attempts + 1, parked_at = now() WHERE linkedid = $1', [
      linkedid,
      readableText(error),
    ]);
  }

  /** What /health shows of call storage. */
  async storageReport(): Promise<CallStorageReport> {
    await this.refreshDeadLetter();
    return {
      buffered: this.pending,
      onDiskOnly: this.queue.onDiskOnly,
      retryingAlone: this.queue.isolated.slice(0, HEALTH_LINKEDIDS),
      writesFailing: this.queue.failing ? { since: this.queue.failing.since.toISOString(), error: readableText(this.queue.failing.error) } : null,
      deadLetter: this.deadLetter,
    };
  }

  private async refreshDeadLetter(): Promise<void> {
    try {
      const rows = readRows(
        'calls_dead_letter count',
        await this.dataSource.query(`SELECT linkedid, count(*) OVER ()::int AS total FROM calls_dead_letter ORDER BY parked_at DESC, linkedid LIMIT ${HEALTH_LINKEDIDS}`),
        { linkedid: text, total: int },
      );
      this.deadLetter = { count: rows[0]?.total ?? 0, linkedids: rows.map((row) => row.linkedid) };
    } catch {
      // database down: keep the last known figures
    }
  }

  private createQueue(): CallWriteQueue {
    return new CallWriteQueue(
      { write: (batch) => this.saveFinalizedCalls(batch), park: (call, failure) => this.park(call, failure) },
      {
        maxInMemory: this.config.CALLS_BUFFER_MAX,
        writeAttempts: this.config.CALL_WRITE_ATTEMPTS,
        spool: null,
        logger: this.logger,
        onDropped: () => this.metrics.callsDropped.inc(),
        onDatabaseError: () => this.metrics.dbErrors.inc({ operation: 'store_calls' }),
        onParked: (record) => {
          this.metrics.callsDeadLettered.inc();
          this.bus?.emit('call.deadLettered', { record: readableRecord(record) });
        },
        onStored: (records) => {
          for (const record of records) this.bus?.emit('call.stored', { record });
        },
      },
    );
  }

  /**
   * The calls of a batch as they are to be written, after merging with what is stored; and the
   * stored records of the calls whose events were all stored already (not written again).
   */
  private async mergeWithStored(batch: readonly FinalizedCall[], stored: readonly StoredRow[]): Promise<{ toWrite: FinalizedCall[]; unchanged: CallRecord[] }> {
    if (stored.length === 0) return { toWrite: [...batch], unchanged: [] };
    const unchanged: CallRecord[] = [];
    const byId = new Map(stored.map((row) => [row.linkedid, row]));
    const result: FinalizedCall[] = [];
    let directory: Directory | null = null;
    for (const item of batch) {
      const row = byId.get(item.record.linkedid);
      if (!row) {
        result.push(item);
        continue;
      }
      const merged = mergeCallEvents(fromStoredEvents(row.events), item.events);
      const kept = merged.verdict === 'keep-stored' ? storedRecord(row.record) : null;
      if (merged.verdict === 'keep-stored' && (kept !== null || row.record === null)) {
        this.logger.log(`call ${item.record.linkedid}: events seen again, all already stored; the stored record stays`);
        if (kept !== null) unchanged.push(kept);
        continue;
      }
      if (merged.verdict === 'keep-stored') {
        // The stored record cannot be read (another shape): rebuilt from the stored events below.
        this.logger.warn(`call ${item.record.linkedid}: events seen again, but the stored record cannot be read; rebuilt from its events`);
      } else if (merged.verdict === 'take-incoming') {
        result.push(item);
        continue;
      }
      directory ??= this.directorySource?.() ?? (await this.loadDirectory()).directory;
      const { record } = rebuildStoredCall(item.record.linkedid, merged.events, directory, row.closed_by);
      this.logger.log(`call ${item.record.linkedid}: stored and new events merged (${merged.events.length}); record rebuilt from both`);
      result.push({ record: record ?? item.record, events: merged.events });
    }
    return { toWrite: result, unchanged };
  }

  // ---- the directory -------------------------------------------------------------------------

  /**
   * The tracker's directory: every extension of the people directory (`people`, else loaded now)
   * with its person, their devices, and known callers (phone numbers whose contact, else
   * company, has a responsible person who has an extension), validated by parseDirectory.
   */
  async loadDirectory(people?: PeopleDirectory): Promise<LoadedDirectory> {
    const directoryOfPeople = people ?? (await loadPeople(this.dataSource));
    const callers = readRows('known callers', await this.dataSource.query(KNOWN_CALLERS), {
      e164: text,
      responsible_id: text,
      contact: nullable(text),
      company: nullable(text),
    });
    const region = this.config.DEFAULT_REGION;
    const stepNames: Record<string, string> = Object.fromEntries(STEP_NAMES.map((name) => [name, name]));
    Object.assign(stepNames, this.config.stepAliases);
    const knownCallers = callers.flatMap((row) => {
      const responsible = personById(directoryOfPeople, row.responsible_id)?.extensions[0];
      return responsible !== undefined && normalizePhone(row.e164, region) !== null
        ? [{ phone: row.e164, responsible, contact: row.contact, company: row.company }]
        : [];
    });
    try {
      const directory = parseDirectory({
        defaultRegion: region,
        stepVariable: this.config.STEP_VARIABLE,
        stepNames,
        lines: [],
        users: directoryOfPeople.people.flatMap(extensionsOf),
        knownCallers,
      });
      return { directory, people: directoryOfPeople };
    } catch (error) {
      if (error instanceof DirectoryError) this.logger.error(`directory from the database is invalid: ${error.message}`);
      throw error;
    }
  }
}

/** A person's entries in the tracker's directory: one per extension, the devices on the first. */
function extensionsOf(person: Person): Record<string, unknown>[] {
  return person.extensions.map((extension, i) => ({
    extension,
    name: person.name,
    role: person.role,
    department: person.department,
    devices: i === 0 ? person.devices : [],
  }));
}

/** The JSON parameters of a batch write; records made readable, raw events escaped (call-storage-text.ts). */
function prepareRows(batch: readonly FinalizedCall[]): { calls: string; legs: string; queues: string; raw: string; linkedids: string[]; records: CallRecord[] } {
  const records: CallRecord[] = [];
  const calls: Record<string, unknown>[] = [];
  const legs: Record<string, unknown>[] = [];
  const queues: Record<string, unknown>[] = [];
  const raw: string[] = [];
  for (const { record: original, events } of batch) {
    try {
      const record = readableRecord(original);
      records.push(record);
      calls.push(callRow(record));
      legs.push(...legRows(record));
      queues.push(...callQueueRows(record));
      raw.push(`{"linkedid":${JSON.stringify(record.linkedid)},"events":${storedEventsJson(events)}}`);
    } catch (error) {
      throw new CallPreparationError(original.linkedid, error);
    }
  }
  return {
    calls: JSON.stringify(calls),
    legs: JSON.stringify(legs),
    queues: JSON.stringify(queues),
    raw: `[${raw.join(',')}]`,
    linkedids: batch.map((item) => readableText(item.record.linkedid)),
    records,
  };
}

/** A stored record as the current tracker's CallRecord, or null when it cannot be read (another shape). */
function storedRecord(value: unknown): CallRecord | null {
  if (value === null) return null;
  try {
    return parseCallRecord(value);
  } catch (error) {
    if (error instanceof CallRecordShapeError) return null;
    throw error;
  }
}

function preview(linkedids: readonly string[]): string {
  return linkedids.length > 5 ? `${linkedids.slice(0, 5).join(', ')}, …` : linkedids.join(', ');
}

function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function callRow(record: CallRecord): Record<string, unknown> {
  return {
    linkedid: record.linkedid,
    direction: record.direction,
    caller: record.caller,
    caller_name: record.callerName,
    callee: record.direction === 'outbound' ? record.caller : null,
    did: record.did,
    started_at: record.startedAt,
    answered_at: record.answeredAt,
    ended_at: record.endedAt,
    ring_seconds: record.ringSeconds,
    talk_seconds: record.talkSeconds,
    answered_by_extension: record.answeredBy,
    disposition: record.disposition,
    abandoned: record.abandoned,
    voicemail: record.voicemail,
    step_reached: record.stepReached,
    step_index: record.stepIndex,
    hangup_cause: record.hangupCause,
    hung_up_by: record.hungUpBy,
    transferred_to: record.transferredTo,
    recording_file: record.recordingFile,
    voicemail_message: record.voicemailMessage,
    closed_by: record.closedBy,
    placed_by: record.placedBy,
    record,
  };
}

function legRows(record: CallRecord): Record<string, unknown>[] {
  return record.legs.map((leg, seq) => ({
    linkedid: record.linkedid,
    seq,
    extension: leg.extension,
    step: leg.step,
    rang_from: leg.startedAt,
    rang_to: leg.answeredAt ?? leg.endedAt,
    outcome: leg.outcome,
    missed: leg.missed,
  }));
}
