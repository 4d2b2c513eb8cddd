import type { EntityManager } from 'typeorm';
import { date, nullable, readRows, text } from '../../common/sql-rows';

/**
 * Callback tasks — "call this number back" — as lead capture and the lead exchange write them:
 * one function per thing done, each a statement or two inside the caller's transaction. The
 * rules deciding when to write them are elsewhere (missed-call-policy.ts); these only write.
 */

export interface OpenCallbackTask {
  id: string;
  firstMissedAt: Date | null;
  createdAt: Date;
}

/** The open callback tasks for a number, oldest first. */
export async function openCallbackTasks(manager: EntityManager, phone: string): Promise<OpenCallbackTask[]> {
  const rows = readRows(
    'open callback tasks',
    await manager.query(`SELECT id, first_missed_at, created_at FROM tasks WHERE phone = $1 AND kind = 'callback' AND done_at IS NULL ORDER BY created_at`, [phone]),
    { id: text, first_missed_at: nullable(date), created_at: date },
  );
  return rows.map((row) => ({ id: row.id, firstMissedAt: row.first_missed_at, createdAt: row.created_at }));
}

export interface NewCallbackTask {
  title: string;
  phone: string;
  dealId: string | null;
  contactId: string | null;
  companyId: string | null;
  assigneeUserId: string | null;
  dueAt: Date;
  /** When the missed call that asks for it began. */
  missedAt: Date;
  /** The voicemail message the caller left (the file on the PBX), or null. */
  voicemailMessage: string | null;
}

/** A callback task for a missed call (its first missed call counted). Returns its id. */
export async function createCallbackTask(manager: EntityManager, task: NewCallbackTask): Promise<string> {
  const [row] = readRows(
    'new callback task',
    await manager.query(
      `INSERT INTO tasks (title, kind, deal_id, contact_id, company_id, phone, assignee_id, due_at, missed_calls, first_missed_at, last_missed_at, voicemail_message)
       VALUES ($1, 'callback', $2, $3, $4, $5, $6, $7, 1, $8, $8, $9) RETURNING id`,
      [task.title, task.dealId, task.contactId, task.companyId, task.phone, task.assigneeUserId, task.dueAt, task.missedAt, task.voicemailMessage],
    ),
    { id: text },
  );
  return row!.id;
}

/**
 * Another missed call of the same number while its task is open: counted on it; a voicemail
 * message it left becomes the task's (the latest missed call's message wins).
 */
export async function countMissedCall(manager: EntityManager, taskId: string, missedAt: Date, voicemailMessage: string | null): Promise<void> {
  await manager.query(
    `UPDATE tasks SET missed_calls = missed_calls + 1, last_missed_at = greatest(last_missed_at, $2),
       voicemail_message = CASE WHEN $3::text IS NOT NULL AND $2 >= coalesce(last_missed_at, $2) THEN $3::text ELSE voicemail_message END
     WHERE id = $1`,
    [taskId, missedAt, voicemailMessage],
  );
}

/** Someone talked to the caller: the tasks close with how long the callback took. */
export async function closeCallbackTasks(
  manager: EntityManager,
  tasks: readonly { id: string; callbackSeconds: number }[],
  talkedAt: Date,
  byUserId: string | null,
): Promise<void> {
  for (const task of tasks) {
    await manager.query(`UPDATE tasks SET done_at = $2, callback_seconds = $3, closed_by_user_id = $4 WHERE id = $1 AND done_at IS NULL`, [
      task.id,
      talkedAt,
      task.callbackSeconds,
      byUserId,
    ]);
  }
}

/** An outbound call to the number that nobody answered: an attempt on each open task. */
export async function recordCallbackAttempt(manager: EntityManager, taskIds: readonly string[], at: Date): Promise<void> {
  await manager.query(`UPDATE tasks SET callback_attempts = callback_attempts + 1, last_attempt_at = $2 WHERE id = ANY($1::uuid[])`, [taskIds, at]);
}

/** The open tasks of a deal nobody was assigned go to whoever claimed the deal. */
export async function assignOpenTasksOfDeal(manager: EntityManager, dealId: string, userId: string): Promise<void> {
  await manager.query(`UPDATE tasks SET assignee_id = $2 WHERE deal_id = $1 AND assignee_id IS NULL AND done_at IS NULL`, [dealId, userId]);
}

/** A deal back in the exchange: its open callback tasks are nobody's again. */
export async function unassignOpenCallbacksOfDeal(manager: EntityManager, dealId: string): Promise<void> {
  await manager.query(`UPDATE tasks SET assignee_id = NULL WHERE deal_id = $1 AND done_at IS NULL AND kind = 'callback'`, [dealId]);
}
