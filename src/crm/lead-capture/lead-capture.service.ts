import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { date, json, nullable, readRow, readRows, text } from '../../common/sql-rows';
import { AppConfig } from '../../config';
import { CallEventBus } from '../../telephony/calls/call-events';
import type { CallRecord } from '../../telephony/calls/call-record';
import { CallRecordShapeError, parseCallRecord } from '../../telephony/calls/call-record-json';
import { createLeadFromCall, latestOpenDeal } from '../deals/phone-leads';
import { closeCallbackTasks, countMissedCall, createCallbackTask, openCallbackTasks, recordCallbackAttempt } from '../tasks/callback-tasks';
import { planLeadCapture, type LeadFacts, type LeadPlan, type LeadWrite } from './missed-call-policy';

export interface LeadCaptureResult {
  linkedid: string;
  applied: boolean;
  /** Why nothing was applied: handled before, or not in the calls table (yet). */
  skipped?: 'already-handled' | 'not-stored';
  plan: LeadPlan | null;
}

const RETRY_DELAYS_MS = [500, 2_000, 10_000, 30_000];
const CATCH_UP_INTERVAL_MS = 60_000;

/**
 * Lead capture for every stored call. Its only input is a linkedid: the record is read from the
 * `calls` table inside the transaction that applies the writes, so a call that is not stored is
 * never acted on (`call.stored` says when one is, and the outbox query finds any it missed).
 * The facts about the number are loaded, the pure policy decides, its writes go through the
 * CRM's own functions (phone-leads.ts, callback-tasks.ts) in that one transaction. Calls of one
 * number are serialised by an advisory lock, and `lead_capture_log` makes each call count once
 * (replays, restarts, two instances).
 */
@Injectable()
export class LeadCaptureService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeadCaptureService.name);
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private sweep: NodeJS.Timeout | null = null;
  /** Stored calls whose record cannot be read (another shape): said once, skipped by the catch-up. */
  private readonly unreadable = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly bus: CallEventBus,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.on('call.stored', ({ record }) => this.enqueue(record.linkedid, Date.now()));
    this.queue = this.queue.then(() => this.catchUp());
    // The outbox: stored calls with no lead_capture_log row — capture gave up (a long database
    // outage), the service stopped in between, or a command wrote them (retry-calls).
    this.sweep = setInterval(() => {
      this.queue = this.queue.then(() => this.catchUp());
    }, CATCH_UP_INTERVAL_MS);
    this.sweep.unref();
  }

  /**
   * Handles the calls written in the last 7 days (calls.updated_at: a call parked for longer and
   * written by retry-calls counts from then) that lead capture has not handled, oldest first.
   */
  private async catchUp(): Promise<void> {
    try {
      const rows = readRows(
        'lead capture outbox',
        await this.dataSource.query(
          `SELECT c.linkedid FROM calls c
            WHERE c.updated_at > now() - interval '7 days'
              AND NOT EXISTS (SELECT 1 FROM lead_capture_log l WHERE l.linkedid = c.linkedid)
            ORDER BY c.ended_at LIMIT 10000`,
        ),
        { linkedid: text },
      );
      const due = rows.filter((row) => !this.unreadable.has(row.linkedid));
      if (due.length > 0) this.logger.log(`catching up lead capture for ${due.length} stored calls`);
      for (const { linkedid } of due) {
        if (this.stopped) return;
        await this.processWithRetry(linkedid);
      }
    } catch (error) {
      this.logger.warn(`lead capture catch-up skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.sweep) clearInterval(this.sweep);
    this.unsubscribe?.();
    await this.queue;
  }

  /** Resolves when every call announced so far has been handled. */
  drained(): Promise<void> {
    return this.queue;
  }

  private enqueue(linkedid: string, storedAt: number): void {
    this.queue = this.queue.then(() => this.processWithRetry(linkedid, storedAt));
  }

  private async processWithRetry(linkedid: string, storedAt?: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.process(linkedid, storedAt);
        return;
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (error instanceof UnreadableStoredCall) {
          // Retrying cannot help, and waiting on it would hold every call behind it.
          this.unreadable.add(linkedid);
          this.logger.error(`call ${linkedid}: lead capture skipped, its stored record cannot be read (${text}); \`npm run rebuild-calls\` rewrites it from its events`);
          return;
        }
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined || this.stopped) {
          this.logger.error(`call ${linkedid}: lead capture failed (${text}); the next catch-up (within a minute) retries it`);
          return;
        }
        this.logger.warn(`call ${linkedid}: lead capture failed (${text}); retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Handles one stored call (idempotent); a linkedid not in `calls` is skipped. */
  async process(linkedid: string, storedAt = Date.now()): Promise<LeadCaptureResult> {
    const started = Date.now();
    const result = await this.dataSource.transaction(async (manager): Promise<LeadCaptureResult & { record?: CallRecord }> => {
      const stored = readRow(
        'stored call',
        await manager.query('SELECT record, answered_by_user_id, placed_by_user_id FROM calls WHERE linkedid = $1', [linkedid]),
        { record: json, answered_by_user_id: nullable(text), placed_by_user_id: nullable(text) },
      );
      if (!stored) return { linkedid, applied: false, skipped: 'not-stored', plan: null };
      const record = readStoredRecord(linkedid, stored.record);
      // The people as the call writer stored them (extension_owners when the call was written).
      const people = { answeredByUserId: stored.answered_by_user_id, placedByUserId: stored.placed_by_user_id };
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lead:${record.caller}`]);
      const seen: unknown[] = await manager.query('SELECT 1 FROM lead_capture_log WHERE linkedid = $1', [linkedid]);
      if (seen.length > 0) return { linkedid, applied: false, skipped: 'already-handled', plan: null };
      const plan = planLeadCapture(record, await loadFacts(manager, record, people), this.policyConfig());
      for (const write of plan.writes) await apply(manager, write, record);
      await manager.query('INSERT INTO lead_capture_log (linkedid, phone, reason) VALUES ($1, $2, $3)', [linkedid, record.caller, plan.reason]);
      return { linkedid, applied: true, plan, record };
    });
    const { record, ...outcome } = result;
    if (record && outcome.plan && outcome.plan.writes.length > 0) {
      this.bus.emit('call.leadCaptured', { linkedid, reason: outcome.plan.reason });
      this.logger.log(
        `call ${linkedid} ${record.caller}: ${outcome.plan.reason} → ${outcome.plan.writes.map((w) => w.type).join(', ')} ` +
          `(written in ${Date.now() - started} ms, ${Date.now() - storedAt} ms after the call was stored)`,
      );
    }
    return outcome;
  }

  private policyConfig() {
    return { callbackSlaMinutes: this.config.CALLBACK_SLA_MINUTES, dealOnAnsweredNewCaller: this.config.LEAD_ON_ANSWERED_NEW_CALLER, language: this.config.CRM_LANGUAGE };
  }
}

/** The stored record of a call whose JSON is of another shape: retrying cannot help. */
class UnreadableStoredCall extends Error {}

function readStoredRecord(linkedid: string, value: unknown): CallRecord {
  try {
    return parseCallRecord(value);
  } catch (error) {
    if (error instanceof CallRecordShapeError) throw new UnreadableStoredCall(error.message);
    throw error;
  }
}

/** What the CRM knows about the call's number, read inside the capture's transaction. */
async function loadFacts(
  manager: EntityManager,
  record: CallRecord,
  people: { answeredByUserId: string | null; placedByUserId: string | null },
): Promise<LeadFacts> {
  const owner = readRow(
    'owner of the number',
    await manager.query(
      `SELECT ct.id AS contact_id, coalesce(ct.company_id, p.company_id) AS company_id,
              coalesce(ct.responsible_id, co.responsible_id) AS responsible_id
         FROM phone_numbers p
         LEFT JOIN contacts ct ON ct.id = p.contact_id
         LEFT JOIN companies co ON co.id = coalesce(ct.company_id, p.company_id)
        WHERE p.e164 = $1`,
      [record.caller],
    ),
    { contact_id: nullable(text), company_id: nullable(text), responsible_id: nullable(text) },
  );
  const openDealId = owner ? await latestOpenDeal(manager, { contactId: owner.contact_id, companyId: owner.company_id }) : null;
  // A conversation with the number during this call: another stored call of theirs that got
  // through and began while this one was in progress (a later one is a callback: it closes the task).
  const talked = readRow(
    'conversation during the call',
    await manager.query(
      `SELECT max(coalesce(answered_at, started_at)) AS at FROM calls
        WHERE (caller = $1 OR callee = $1) AND disposition = 'answered' AND direction <> 'internal'
          AND started_at BETWEEN to_timestamp($2) AND to_timestamp($3)`,
      [record.caller, record.startedAt, record.endedAt],
    ),
    { at: nullable(date) },
  );
  return {
    owner: owner ? { contactId: owner.contact_id, companyId: owner.company_id, responsibleUserId: owner.responsible_id } : null,
    openDealId,
    openCallbackTasks: await openCallbackTasks(manager, record.caller),
    answeredByUserId: people.answeredByUserId,
    placedByUserId: people.placedByUserId,
    talkedSince: talked?.at ?? null,
  };
}

/** Carries out one write of the plan through the CRM's functions. */
async function apply(manager: EntityManager, write: LeadWrite, record: CallRecord): Promise<void> {
  switch (write.type) {
    case 'createLead':
      await createLeadFromCall(manager, {
        phone: write.phone,
        contactName: displayName(record.callerName) ?? write.phone,
        line: write.line,
        responsibleUserId: write.responsibleUserId,
        dealTitle: write.title,
        callback: write.taskTitle === null ? null : { title: write.taskTitle, dueAt: write.dueAt, missedAt: write.missedAt, voicemailMessage: write.voicemailMessage },
      });
      return;
    case 'createCallbackTask':
      await createCallbackTask(manager, {
        title: write.title,
        phone: write.phone,
        dealId: write.dealId,
        contactId: write.contactId,
        companyId: write.companyId,
        assigneeUserId: write.assigneeUserId,
        dueAt: write.dueAt,
        missedAt: write.missedAt,
        voicemailMessage: write.voicemailMessage,
      });
      return;
    case 'mergeMissedCall':
      await countMissedCall(manager, write.taskId, write.missedAt, write.voicemailMessage);
      return;
    case 'closeCallbackTasks':
      await closeCallbackTasks(manager, write.tasks, write.talkedAt, write.byUserId);
      return;
    case 'recordCallbackAttempt':
      await recordCallbackAttempt(manager, write.taskIds, write.at);
      return;
  }
}

/** A caller-ID name worth keeping as the new contact's name (stored as plain text, never HTML). */
function displayName(name: string | null): string | null {
  const trimmed = name?.replace(/[\u0000-\u001f\u007f]/g, '').trim() ?? '';
  if (!trimmed || /^(<unknown>|unknown|anonymous)$/i.test(trimmed) || /^\+?\d[\d\s-]*$/.test(trimmed)) return null;
  return trimmed.slice(0, 200);
}
