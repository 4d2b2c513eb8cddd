import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../../config';
import type { CallRecord } from '../../telephony/calls/call-record';
import { CallEventBus } from '../../telephony/calls/call-events';
import { planLeadCapture, type LeadFacts, type LeadPlan, type LeadWrite } from './missed-call-policy';

export interface LeadCaptureResult {
  linkedid: string;
  applied: boolean;
  plan: LeadPlan | null;
}

const RETRY_DELAYS_MS = [500, 2_000, 10_000, 30_000];
const CATCH_UP_INTERVAL_MS = 60_000;

/**
 * Carries out lead capture for every finished call: loads the facts about the number, asks the
 * pure policy, applies its writes in one transaction. Calls of one number are serialised by an
 * advisory lock, and `lead_capture_log` makes each call count once (replays, restarts, two
 * instances). Records are processed one after another in the tracker's order.
 */
@Injectable()
export class LeadCaptureService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeadCaptureService.name);
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private sweep: NodeJS.Timeout | null = null;
  private readonly conversations = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly bus: CallEventBus,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.on('call.finalized', ({ record }) => this.enqueue(record));
    this.queue = this.queue.then(() => this.catchUp());
    // Calls whose capture gave up (a long database outage) are picked up again once it is back.
    this.sweep = setInterval(() => {
      this.queue = this.queue.then(() => this.catchUp());
    }, CATCH_UP_INTERVAL_MS);
    this.sweep.unref();
  }

  /**
   * Calls stored but never handled (the service stopped between storing a call and capturing
   * its lead, or the database was down) are handled at start.
   */
  private async catchUp(): Promise<void> {
    try {
      const rows = (await this.dataSource.query(
        `SELECT c.record FROM calls c
          WHERE c.ended_at > now() - interval '7 days'
            AND NOT EXISTS (SELECT 1 FROM lead_capture_log l WHERE l.linkedid = c.linkedid)
          ORDER BY c.ended_at LIMIT 10000`,
      )) as { record: CallRecord }[];
      if (rows.length > 0) this.logger.log(`catching up lead capture for ${rows.length} stored calls`);
      for (const { record } of rows) {
        if (this.stopped) return;
        await this.processWithRetry(record);
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

  /** Resolves when every record handed over so far has been handled. */
  drained(): Promise<void> {
    return this.queue;
  }

  private enqueue(record: CallRecord): void {
    const endedAt = Date.now();
    this.queue = this.queue.then(() => this.processWithRetry(record, endedAt));
  }

  private async processWithRetry(record: CallRecord, endedAt?: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.process(record, endedAt);
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        const text = error instanceof Error ? error.message : String(error);
        if (delay === undefined || this.stopped) {
          this.logger.error(`call ${record.linkedid}: lead capture failed (${text}); the next catch-up (within a minute, once the call is stored) retries it`);
          return;
        }
        this.logger.warn(`call ${record.linkedid}: lead capture failed (${text}); retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Handles one finished call (idempotent). */
  async process(record: CallRecord, endedAt = Date.now()): Promise<LeadCaptureResult> {
    const started = Date.now();
    const result = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lead:${record.caller}`]);
      const seen: unknown[] = await manager.query('SELECT 1 FROM lead_capture_log WHERE linkedid = $1', [record.linkedid]);
      if (seen.length > 0) return { linkedid: record.linkedid, applied: false, plan: null };
      const facts = await this.loadFacts(manager, record);
      const plan = planLeadCapture(record, facts, this.policyConfig());
      if (record.disposition === 'answered' && record.direction !== 'internal') this.rememberConversation(record);
      for (const write of plan.writes) await this.apply(manager, write, record);
      await manager.query('INSERT INTO lead_capture_log (linkedid, phone, reason) VALUES ($1, $2, $3)', [record.linkedid, record.caller, plan.reason]);
      return { linkedid: record.linkedid, applied: true, plan };
    });
    if (result.applied && result.plan && result.plan.writes.length > 0) {
      this.logger.log(
        `call ${record.linkedid} ${record.caller}: ${result.plan.reason} → ${result.plan.writes.map((w) => w.type).join(', ')} ` +
          `(written in ${Date.now() - started} ms, ${Date.now() - endedAt} ms after the call ended)`,
      );
    }
    return result;
  }

  /** Conversations handled by this process, newest per number (the calls table may lag behind). */
  private rememberConversation(record: CallRecord): void {
    const at = record.answeredAt ?? record.startedAt;
    if ((this.conversations.get(record.caller) ?? 0) < at) this.conversations.set(record.caller, at);
    if (this.conversations.size > 10_000) this.conversations.delete(this.conversations.keys().next().value as string);
  }

  private policyConfig() {
    return { callbackSlaMinutes: this.config.CALLBACK_SLA_MINUTES, dealOnAnsweredNewCaller: this.config.LEAD_ON_ANSWERED_NEW_CALLER, language: this.config.CRM_LANGUAGE };
  }

  private async loadFacts(manager: EntityManager, record: CallRecord): Promise<LeadFacts> {
    const [owner] = (await manager.query(
      `SELECT ct.id AS contact_id, coalesce(ct.company_id, p.company_id) AS company_id,
              coalesce(ct.responsible_id, co.responsible_id) AS responsible_id
         FROM phone_numbers p
         LEFT JOIN contacts ct ON ct.id = p.contact_id
         LEFT JOIN companies co ON co.id = coalesce(ct.company_id, p.company_id)
        WHERE p.e164 = $1`,
      [record.caller],
    )) as { contact_id: string | null; company_id: string | null; responsible_id: string | null }[];
    const [deal] = owner
      ? ((await manager.query(
          `SELECT d.id FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id
            WHERE NOT s.is_closed AND (d.contact_id = $1 OR d.company_id = $2)
            ORDER BY d.created_at DESC LIMIT 1`,
          [owner.contact_id, owner.company_id],
        )) as { id: string }[])
      : [];
    const tasks = (await manager.query(
      `SELECT id, first_missed_at, created_at FROM tasks
        WHERE phone = $1 AND kind = 'callback' AND done_at IS NULL ORDER BY created_at`,
      [record.caller],
    )) as { id: string; first_missed_at: Date | null; created_at: Date }[];
    const [talked] = (await manager.query(
      `SELECT max(coalesce(answered_at, started_at)) AS at FROM calls
        WHERE (caller = $1 OR callee = $1) AND disposition = 'answered' AND direction <> 'internal'
          AND started_at BETWEEN to_timestamp($2) AND to_timestamp($3)`,
      [record.caller, record.startedAt, record.endedAt],
    )) as { at: Date | null }[];
    // Only a call that overlapped this one counts; a later answered call is a callback (it closes the task).
    const remembered = this.conversations.get(record.caller);
    const overlapped = remembered !== undefined && remembered >= record.startedAt && remembered <= record.endedAt;
    const talkedSince = latest(talked?.at ?? null, overlapped ? new Date(remembered * 1000) : null);
    const people = [record.answeredBy, record.placedBy].filter((ext): ext is string => ext !== null);
    const users = people.length
      ? ((await manager.query(`SELECT id, extensions FROM users WHERE extensions && $1::text[] AND active`, [people])) as { id: string; extensions: string[] }[])
      : [];
    const userOf = (extension: string | null): string | null =>
      extension === null ? null : (users.find((u) => u.extensions.includes(extension))?.id ?? null);
    return {
      owner: owner ? { contactId: owner.contact_id, companyId: owner.company_id, responsibleUserId: owner.responsible_id } : null,
      openDealId: deal?.id ?? null,
      openCallbackTasks: tasks.map((t) => ({ id: t.id, firstMissedAt: t.first_missed_at, createdAt: t.created_at })),
      answeredByUserId: userOf(record.answeredBy),
      placedByUserId: userOf(record.placedBy),
      talkedSince,
    };
  }

  private async apply(manager: EntityManager, write: LeadWrite, record: CallRecord): Promise<void> {
    switch (write.type) {
      case 'createLead': {
        const name = displayName(record.callerName) ?? write.phone;
        const [contact] = (await manager.query(`INSERT INTO contacts (name, responsible_id) VALUES ($1, $2) RETURNING id`, [name, write.responsibleUserId])) as { id: string }[];
        await manager.query(`INSERT INTO phone_numbers (e164, raw, contact_id) VALUES ($1, $2, $3)`, [write.phone, write.phone, contact!.id]);
        const [deal] = (await manager.query(
          `INSERT INTO deals (title, stage_id, responsible_id, contact_id, source, line) VALUES ($1, 'unsorted', $2, $3, 'phone', $4) RETURNING id`,
          [write.title, write.responsibleUserId, contact!.id, write.line],
        )) as { id: string }[];
        if (write.taskTitle !== null) {
          await manager.query(
            `INSERT INTO tasks (title, kind, deal_id, contact_id, phone, assignee_id, due_at, missed_calls, first_missed_at, last_missed_at)
             VALUES ($1, 'callback', $2, $3, $4, NULL, $5, 1, $6, $6)`,
            [write.taskTitle, deal!.id, contact!.id, write.phone, write.dueAt, write.missedAt],
          );
        }
        return;
      }
      case 'createCallbackTask':
        await manager.query(
          `INSERT INTO tasks (title, kind, deal_id, contact_id, company_id, phone, assignee_id, due_at, missed_calls, first_missed_at, last_missed_at)
           VALUES ($1, 'callback', $2, $3, $4, $5, $6, $7, 1, $8, $8)`,
          [write.title, write.dealId, write.contactId, write.companyId, write.phone, write.assigneeUserId, write.dueAt, write.missedAt],
        );
        return;
      case 'mergeMissedCall':
        await manager.query(`UPDATE tasks SET missed_calls = missed_calls + 1, last_missed_at = greatest(last_missed_at, $2) WHERE id = $1`, [write.taskId, write.missedAt]);
        return;
      case 'closeCallbackTasks':
        for (const task of write.tasks) {
          await manager.query(`UPDATE tasks SET done_at = $2, callback_seconds = $3, closed_by_user_id = $4 WHERE id = $1 AND done_at IS NULL`, [
            task.id,
            write.talkedAt,
            task.callbackSeconds,
            write.byUserId,
          ]);
        }
        return;
      case 'recordCallbackAttempt':
        await manager.query(`UPDATE tasks SET callback_attempts = callback_attempts + 1, last_attempt_at = $2 WHERE id = ANY($1::uuid[])`, [write.taskIds, write.at]);
        return;
    }
  }
}

/** A caller-ID name worth keeping as the new contact's name (stored as plain text, never HTML). */
function displayName(name: string | null): string | null {
  const trimmed = name?.replace(/[\u0000-\u001f\u007f]/g, '').trim() ?? '';
  if (!trimmed || /^(<unknown>|unknown|anonymous)$/i.test(trimmed) || /^\+?\d[\d\s-]*$/.test(trimmed)) return null;
  return trimmed.slice(0, 200);
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
