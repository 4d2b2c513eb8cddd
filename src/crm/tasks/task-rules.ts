import type { AuthUser } from '../../auth/auth-user';
import { isSupervisor } from '../../auth/supervision';
import { ALLOWED, refused, type Verdict } from '../../common/verdict';

/** What a task asks for; `callback`: call back a missed caller (lead capture makes those). */
export const TASK_KINDS = ['callback', 'call', 'meeting', 'email', 'todo'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** What the rules need to know of a stored task. */
export interface TaskFacts {
  kind: TaskKind;
  assigneeId: string | null;
  doneAt: Date | null;
  /** Set when a conversation with the number closed the callback task by itself. */
  callbackSeconds: number | null;
  dealId: string | null;
  contactId: string | null;
  companyId: string | null;
  dueAt: Date | null;
}

/** A create or update as the API received it (undefined: not given). */
export interface TaskChange {
  kind?: TaskKind;
  assigneeId?: string | null;
  dealId?: string | null;
  contactId?: string | null;
  companyId?: string | null;
  dueAt?: string | null;
  done?: boolean;
}

/**
 * Whose tasks someone sees and changes: supervisors and QA every task; everyone else their own
 * and the unassigned ones (the lead exchange's callbacks anyone may take).
 */
export function taskScope(user: AuthUser): 'all' | 'own' {
  return isSupervisor(user) || user.role === 'qa' ? 'all' : 'own';
}

export function checkTaskAccess(task: Pick<TaskFacts, 'assigneeId'>, user: AuthUser): Verdict {
  if (taskScope(user) === 'all' || task.assigneeId === null || task.assigneeId === user.id) return ALLOWED;
  return refused('forbidden', 'this task belongs to someone else');
}

/** A list filtered by assignee: others' tasks only for those who see every task. */
export function checkTaskListFilter(assigneeId: string | undefined, user: AuthUser): Verdict {
  if (assigneeId === undefined || assigneeId === user.id || taskScope(user) === 'all') return ALLOWED;
  return refused('forbidden', 'managers see their own and unassigned tasks only', 'assigneeId');
}

/** Only supervisors create tasks for someone else or for the exchange (no assignee); everyone else for themselves. */
export function checkTaskCreate(change: TaskChange, user: AuthUser): Verdict {
  if (change.assigneeId === undefined || change.assigneeId === user.id || isSupervisor(user)) return ALLOWED;
  return refused('forbidden', 'you create tasks for yourself only; a supervisor gives tasks to others or to the exchange', 'assigneeId');
}

/**
 * Who may change what of a task (pure).
 *
 * Every task: whoever may see it changes title, notes and done; a task is given to someone else
 * only by a supervisor (a manager may take an unassigned one for themselves).
 *
 * Callback tasks are the evidence behind the callback statistics (missed calls, callback speed,
 * overdue callbacks), so besides that:
 * - `kind` never changes, either way: a callback task is created as one (by lead capture or
 *   POST) and stays one — it cannot be re-typed into something a manager may delete;
 * - the client it is about (`dealId`, `contactId`, `companyId`) and its due time (the callback
 *   SLA, which decides what is overdue) are changed by supervisors only;
 * - it is closed by hand by anyone who may change it (counted as not called back), reopened by
 *   a supervisor only, and never once a conversation closed it (its callback speed is recorded);
 * - it is deleted by supervisors only (see checkTaskDelete).
 * The fields lead capture keeps (phone, missed calls, callback speed, attempts) are not in the API.
 */
export function checkTaskEdit(task: TaskFacts, change: TaskChange, user: AuthUser): Verdict {
  const access = checkTaskAccess(task, user);
  if (!access.ok) return access;
  if (change.assigneeId !== undefined && change.assigneeId !== task.assigneeId && change.assigneeId !== user.id && !isSupervisor(user)) {
    return refused('forbidden', 'only a supervisor may give a task to someone else', 'assigneeId');
  }
  if (change.kind !== undefined && change.kind !== task.kind && (task.kind === 'callback' || change.kind === 'callback')) {
    return refused(
      'forbidden',
      task.kind === 'callback'
        ? 'a callback task stays a callback task: it records a missed call the statistics count'
        : 'a task becomes a callback task only when it is created as one',
      'kind',
    );
  }
  if (task.kind !== 'callback') return ALLOWED;
  if (!isSupervisor(user)) {
    for (const field of ['dealId', 'contactId', 'companyId'] as const) {
      if (change[field] !== undefined && change[field] !== task[field]) {
        return refused('forbidden', 'only a supervisor may change which client a callback task is about', field);
      }
    }
    if (change.dueAt !== undefined && !sameInstant(change.dueAt, task.dueAt)) {
      return refused('forbidden', 'only a supervisor may move the due time of a callback task (the callback SLA)', 'dueAt');
    }
  }
  if (change.done === false && task.doneAt !== null) {
    if (task.callbackSeconds !== null) {
      return refused('conflict', 'this callback task was closed by a conversation with the client; its callback speed is recorded', 'done');
    }
    if (!isSupervisor(user)) return refused('forbidden', 'only a supervisor may reopen a callback task', 'done');
  }
  return ALLOWED;
}

export function checkTaskDelete(task: TaskFacts, user: AuthUser): Verdict {
  const access = checkTaskAccess(task, user);
  if (!access.ok) return access;
  if (task.kind === 'callback' && !isSupervisor(user)) return refused('forbidden', 'callback tasks are closed, not deleted');
  return ALLOWED;
}

function sameInstant(given: string | null, stored: Date | null): boolean {
  if (given === null || stored === null) return given === stored;
  return new Date(given).getTime() === stored.getTime();
}
