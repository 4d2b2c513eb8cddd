import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config';
import { MetricsService } from '../../metrics/metrics.service';
import { DELETE_CALL_PEOPLE_SQL, INSERT_CALL_PEOPLE_SQL } from '../../stats/call-people';
import type { AmiMessage } from '../ami/ami-frame-parser';
import type { CallRecord } from './call-record';
import { DirectoryError, parseDirectory, type Directory } from './directory';
import { normalizePhone } from './phone-number';

export interface LoadedDirectory {
  directory: Directory;
  /** Extension → user id of the person it belongs to. */
  userIds: Map<string, string>;
}

export interface FinalizedCall {
  record: CallRecord;
  events: AmiMessage[];
}

/** Our own step names; the dialplan may use these directly (identity) or aliases from STEP_ALIASES. */
const STEP_NAMES = ['responsible', 'department', 'head_of_sales', 'ceo', 'owner', 'voicemail'] as const;

const MAX_BATCH = 50;
/** Transactions in flight at once: the database works on one batch while the next is sent. */
const MAX_WRITERS = 2;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

const CALL_COLUMNS = `linkedid text, direction text, caller text, caller_name text, callee text, did text,
  started_at float8, answered_at float8, ended_at float8, ring_seconds real, talk_seconds real,
  answered_by_extension text, disposition text, abandoned boolean, voicemail boolean, step_reached text,
  step_index int, hangup_cause int, hung_up_by text, transferred_to text, recording_file text, closed_by text,
  "record" jsonb`;

const UPSERT_CALLS = `
INSERT INTO calls (linkedid, direction, caller, caller_name, callee, did, started_at, answered_at, ended_at,
  ring_seconds, talk_seconds, answered_by_extension, answered_by_user_id, disposition, abandoned, voicemail,
  step_reached, step_index, hangup_cause, hung_up_by, transferred_to, recording_file, closed_by, record, updated_at)
SELECT r.linkedid, r.direction, r.caller, r.caller_name, r.callee, r.did, to_timestamp(r.started_at),
  to_timestamp(r.answered_at), to_timestamp(r.ended_at), r.ring_seconds, r.talk_seconds, r.answered_by_extension,
  (SELECT u.id FROM users u WHERE r.answered_by_extension = ANY(u.extensions) ORDER BY u.active DESC, u.created_at LIMIT 1),
  r.disposition, r.abandoned, r.voicemail, r.step_reached, r.step_index, r.hangup_cause, r.hung_up_by,
  r.transferred_to, r.recording_file, r.closed_by, r."record", now()
FROM jsonb_to_recordset($1::jsonb) AS r(${CALL_COLUMNS})
ON CONFLICT (linkedid) DO UPDATE SET
  direction = EXCLUDED.direction, caller = EXCLUDED.caller, caller_name = EXCLUDED.caller_name,
  callee = EXCLUDED.callee, did = EXCLUDED.did, started_at = EXCLUDED.started_at,
  answered_at = EXCLUDED.answered_at, ended_at = EXCLUDED.ended_at, ring_seconds = EXCLUDED.ring_seconds,
  talk_seconds = EXCLUDED.talk_seconds, answered_by_extension = EXCLUDED.answered_by_extension,
  answered_by_user_id = EXCLUDED.answered_by_user_id, disposition = EXCLUDED.disposition,
  abandoned = EXCLUDED.abandoned, voicemail = EXCLUDED.voicemail, step_reached = EXCLUDED.step_reached,
  step_index = EXCLUDED.step_index, hangup_cause = EXCLUDED.hangup_cause, hung_up_by = EXCLUDED.hung_up_by,
  transferred_to = EXCLUDED.transferred_to, recording_file = EXCLUDED.recording_file,
  closed_by = EXCLUDED.closed_by, record = EXCLUDED.record, updated_at = now()`;

const INSERT_LEGS = `
INSERT INTO call_legs (linkedid, seq, extension, user_id, step, rang_from, rang_to, outcome)
SELECT r.linkedid, r.seq, r.extension,
  (SELECT u.id FROM users u WHERE r.extension = ANY(u.extensions) ORDER BY u.active DESC, u.created_at LIMIT 1),
  r.step, to_timestamp(r.rang_from), to_timestamp(r.rang_to), r.outcome
FROM jsonb_to_recordset($1::jsonb) AS r(linkedid text, seq int, extension text, step text, rang_from float8, rang_to float8, outcome text)`;

const UPSERT_RAW_EVENTS = `
INSERT INTO call_raw_events (linkedid, events, updated_at)
SELECT r.linkedid, r.events, now() FROM jsonb_to_recordset($1::jsonb) AS r(linkedid text, events jsonb)
ON CONFLICT (linkedid) DO UPDATE SET events = EXCLUDED.events, updated_at = now()`;

interface DirectoryUserRow {
  id: string;
  extensions: string[];
  devices: string[];
  name: string;
  role: string;
  department: string | null;
}

interface KnownCallerRow {
  e164: string;
  extensions: string[];
  contact: string | null;
  company: string | null;
}

/**
 * Storage of finished calls, and the directory the tracker reads from the database.
 *
 * Writes are idempotent (a call is keyed by its Linkedid: upsert, legs replaced, raw events
 * upserted) and go through a bounded in-memory queue: finalized calls are written in batches,
 * one transaction per batch; when the database is down the queue keeps them and retries with
 * backoff, so a database outage loses nothing short of CALLS_BUFFER_MAX calls (the oldest is then
 * dropped, logged as an error with its linkedid, and counted in calls_dropped_total).
 */
@Injectable()
export class CallsRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CallsRepository.name);
  private queue = new Map<string, FinalizedCall>();
  private writers = 0;
  private inFlight = 0;
  private readonly inFlightIds = new Set<string>();
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Calls written since start (batched path). */
  written = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    metrics.gauge('calls_buffered', 'Finalized calls waiting to be written (queued, in flight, or buffered while the database is down)', () => this.pending);
  }

  /** Calls waiting to be written (new, or buffered while the database is unreachable). */
  get pending(): number {
    return this.queue.size + this.inFlight;
  }

  /** Writes one finalized call now, in one transaction (throws on database errors). */
  async saveFinalizedCall(record: CallRecord, events: AmiMessage[]): Promise<void> {
    await this.saveFinalizedCalls([{ record, events }]);
  }

  /** Writes finalized calls in one transaction; the same call written twice gives the same rows. */
  async saveFinalizedCalls(batch: readonly FinalizedCall[]): Promise<void> {
    const unique = [...new Map(batch.map((item) => [item.record.linkedid, item])).values()];
    if (unique.length === 0) return;
    const calls = JSON.stringify(unique.map(({ record }) => callRow(record)));
    const legs = JSON.stringify(unique.flatMap(({ record }) => legRows(record)));
    const raw = JSON.stringify(unique.map(({ record, events }) => ({ linkedid: record.linkedid, events })));
    const linkedids = unique.map(({ record }) => record.linkedid);
    // Straight on the pg client: TypeORM's error logging would print megabytes of parameters
    // for every failed batch while the database is down (the retry queue logs one line instead).
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      await client.query('BEGIN');
      try {
        await client.query(UPSERT_CALLS, [calls]);
        await client.query('DELETE FROM call_legs WHERE linkedid = ANY($1::text[])', [linkedids]);
        await client.query(INSERT_LEGS, [legs]);
        // Per-person figures of the calls for the statistics, from the rows just written.
        await client.query(DELETE_CALL_PEOPLE_SQL, [linkedids]);
        await client.query(INSERT_CALL_PEOPLE_SQL, [linkedids]);
        await client.query(UPSERT_RAW_EVENTS, [raw]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Queues a finalized call for writing and returns at once (never throws). A newer record of the
   * same Linkedid replaces a queued one.
   */
  enqueue(record: CallRecord, events: AmiMessage[]): void {
    this.queue.delete(record.linkedid);
    this.queue.set(record.linkedid, { record, events });
    if (this.queue.size > this.config.CALLS_BUFFER_MAX) {
      const [oldest] = this.queue.keys();
      this.queue.delete(oldest);
      this.metrics.callsDropped.inc();
      this.logger.error(`call ${oldest} dropped: ${this.config.CALLS_BUFFER_MAX} calls already buffered and the database is still unreachable`);
    }
    this.pump();
  }

  /** Resolves once everything queued so far is written, or after `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    if (this.pending === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    return result;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.pump();
    }
    const drained = await this.drain(5_000);
    this.stopped = true;
    if (!drained) this.logger.error(`${this.pending} finalized call(s) not written at shutdown (database unreachable)`);
  }

  private pump(): void {
    if (this.retryTimer || this.stopped) return;
    while (this.writers < MAX_WRITERS && this.startBatch()) {
      // keep starting batches while there is work and a free writer
    }
    if (this.writers === 0 && this.queue.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /**
   * Takes up to MAX_BATCH queued calls (none whose older record is still being written, so the
   * newest record of a call always lands last) and writes them in one transaction.
   */
  private startBatch(): boolean {
    const batch: FinalizedCall[] = [];
    for (const [linkedid, item] of this.queue) {
      if (this.inFlightIds.has(linkedid)) continue;
      batch.push(item);
      this.queue.delete(linkedid);
      if (batch.length >= MAX_BATCH) break;
    }
    if (batch.length === 0) return false;
    this.writers++;
    this.inFlight += batch.length;
    for (const { record } of batch) this.inFlightIds.add(record.linkedid);
    void this.saveFinalizedCalls(batch)
      .then(
        () => {
          this.written += batch.length;
          if (this.failures > 0) {
            this.logger.log(`database writable again: ${batch.length} buffered call(s) written, ${this.queue.size} still queued`);
          }
          this.failures = 0;
          for (const { record } of batch) this.logger.debug(`call ${record.linkedid} stored (${record.disposition})`);
        },
        (error: unknown) => this.requeue(batch, error),
      )
      .finally(() => {
        this.writers--;
        this.inFlight -= batch.length;
        for (const { record } of batch) this.inFlightIds.delete(record.linkedid);
        this.pump();
      });
    return true;
  }

  private requeue(batch: FinalizedCall[], error: unknown): void {
    // Put the failed batch back in front, unless a newer record of the same call arrived meanwhile.
    const merged = new Map<string, FinalizedCall>();
    for (const item of batch) if (!this.queue.has(item.record.linkedid)) merged.set(item.record.linkedid, item);
    for (const [linkedid, item] of this.queue) merged.set(linkedid, item);
    this.queue = merged;
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures, 10));
    this.failures++;
    this.metrics.dbErrors.inc({ operation: 'store_calls' });
    const ids = batch.slice(0, 3).map((item) => item.record.linkedid).join(', ');
    this.logger.warn(
      `writing ${batch.length} call(s) failed (${ids}${batch.length > 3 ? ', …' : ''}): ${error instanceof Error ? error.message : String(error)}; ` +
        `${this.queue.size} call(s) buffered, retry in ${delay} ms`,
    );
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, delay);
    this.retryTimer.unref();
  }

  // ---- the directory -------------------------------------------------------------------------

  /**
   * People (active users with extensions), their devices, and known callers (phone numbers whose
   * contact, else company, has a responsible user with an extension), validated by parseDirectory.
   */
  async loadDirectory(): Promise<LoadedDirectory> {
    const users: DirectoryUserRow[] = await this.dataSource.query(
      `SELECT u.id, u.extensions, u.devices, u.name, u.role, d.name AS department
         FROM users u LEFT JOIN departments d ON d.id = u.department_id
        WHERE u.active AND cardinality(u.extensions) > 0
        ORDER BY u.created_at, u.id`,
    );
    const callers: KnownCallerRow[] = await this.dataSource.query(
      `SELECT p.e164, r.extensions, ct.name AS contact, co.name AS company
         FROM phone_numbers p
         LEFT JOIN contacts ct ON ct.id = p.contact_id
         LEFT JOIN companies co ON co.id = COALESCE(p.company_id, ct.company_id)
         JOIN users r ON r.id = COALESCE(ct.responsible_id, co.responsible_id)
        WHERE r.active AND cardinality(r.extensions) > 0`,
    );
    const userIds = new Map<string, string>();
    const people: Record<string, unknown>[] = [];
    for (const user of users) {
      user.extensions.forEach((extension, i) => {
        if (userIds.has(extension)) {
          this.logger.warn(`extension ${extension} belongs to more than one active user; ${user.name}'s is ignored`);
          return;
        }
        userIds.set(extension, user.id);
        people.push({ extension, name: user.name, role: user.role, department: user.department, devices: i === 0 ? user.devices : [] });
      });
    }
    const region = this.config.DEFAULT_REGION;
    const stepNames: Record<string, string> = Object.fromEntries(STEP_NAMES.map((name) => [name, name]));
    Object.assign(stepNames, this.config.stepAliases);
    const knownCallers = callers
      .filter((row) => normalizePhone(row.e164, region) !== null)
      .map((row) => ({ phone: row.e164, responsible: row.extensions[0], contact: row.contact, company: row.company }));
    try {
      const directory = parseDirectory({
        defaultRegion: region,
        stepVariable: this.config.STEP_VARIABLE,
        stepNames,
        lines: [],
        users: people,
        knownCallers,
      });
      return { directory, userIds };
    } catch (error) {
      if (error instanceof DirectoryError) this.logger.error(`directory from the database is invalid: ${error.message}`);
      throw error;
    }
  }
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
    closed_by: record.closedBy,
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
  }));
}
