import type { CallRecord } from '../../telephony/calls/call-record';
import { LEAD_TEXTS, type CrmLanguage } from './lead-texts';

/** What the CRM knows about the client's number when a call ends (loaded by the service). */
export interface LeadFacts {
  /** Who owns the number: a contact (maybe with its company) or a company; null for a new number. */
  owner: { contactId: string | null; companyId: string | null; responsibleUserId: string | null } | null;
  /** The open deal to attach a callback task to (most recent open deal of the owner), if any. */
  openDealId: string | null;
  /** Open callback tasks for this number (oldest first). */
  openCallbackTasks: { id: string; firstMissedAt: Date | null; createdAt: Date }[];
  /** Users of the people involved (by extension), for ownership of new deals and closed tasks. */
  answeredByUserId: string | null;
  placedByUserId: string | null;
  /**
   * A conversation with this number during this call (an overlapping call from the same number
   * that got through), or null.
   */
  talkedSince: Date | null;
}

export interface LeadPolicyConfig {
  callbackSlaMinutes: number;
  /** An answered call from a new number also creates a contact and an Unsorted deal owned by whoever answered. */
  dealOnAnsweredNewCaller: boolean;
  /** Language of the deal and task titles written (CRM_LANGUAGE). */
  language: CrmLanguage;
}

/** The writes a finished call asks for, applied by the service in one transaction. */
export type LeadWrite =
  | { type: 'createLead'; phone: string; line: string | null; responsibleUserId: string | null; title: string; taskTitle: string | null; dueAt: Date; missedAt: Date; voicemailMessage: string | null }
  | { type: 'createCallbackTask'; phone: string; title: string; contactId: string | null; companyId: string | null; dealId: string | null; assigneeUserId: string | null; dueAt: Date; missedAt: Date; voicemailMessage: string | null }
  | { type: 'mergeMissedCall'; taskId: string; missedAt: Date; voicemailMessage: string | null }
  | { type: 'closeCallbackTasks'; tasks: { id: string; callbackSeconds: number }[]; talkedAt: Date; byUserId: string | null }
  | { type: 'recordCallbackAttempt'; taskIds: string[]; at: Date };

export interface LeadPlan {
  /** Why the call led to these writes (for the log line and the lead log). */
  reason:
    | 'not-a-client-call'
    | 'anonymous'
    | 'missed-new-number'
    | 'missed-known-number'
    | 'missed-merged'
    | 'missed-but-reached'
    | 'answered'
    | 'answered-new-number'
    | 'callback-attempt'
    | 'nothing-to-do';
  writes: LeadWrite[];
}

const at = (epochSeconds: number): Date => new Date(Math.round(epochSeconds * 1000));

/**
 * Lead capture (pure): a finished call + what the CRM knows about the number → the writes.
 * - missed inbound from a new number → contact + Unsorted deal (no responsible) + callback task;
 * - missed inbound from a known number → callback task for the responsible (or the exchange);
 * - another missed call while a callback task is open → merged into it;
 * - a conversation with the number (answered inbound, answered outbound) closes open callback
 *   tasks and records the callback delay; an unanswered outbound call is only an attempt.
 */
export function planLeadCapture(record: CallRecord, facts: LeadFacts, config: LeadPolicyConfig): LeadPlan {
  if (record.direction === 'internal') return { reason: 'not-a-client-call', writes: [] };
  if (record.caller === 'anonymous' || !record.caller.startsWith('+')) return { reason: 'anonymous', writes: [] };
  const phone = record.caller;

  if (record.direction === 'outbound') {
    if (record.disposition === 'answered') return closeTasks(record, facts, facts.placedByUserId);
    if (facts.openCallbackTasks.length === 0) return { reason: 'nothing-to-do', writes: [] };
    return {
      reason: 'callback-attempt',
      writes: [{ type: 'recordCallbackAttempt', taskIds: facts.openCallbackTasks.map((t) => t.id), at: at(record.startedAt) }],
    };
  }

  if (record.disposition === 'answered') {
    const closing = closeTasks(record, facts, facts.answeredByUserId);
    if (facts.owner || !config.dealOnAnsweredNewCaller) return closing;
    const createLead: LeadWrite = {
      type: 'createLead',
      phone,
      line: record.did,
      responsibleUserId: facts.answeredByUserId,
      title: LEAD_TEXTS[config.language].answeredCallDeal(phone),
      taskTitle: null,
      dueAt: at(record.endedAt),
      missedAt: at(record.startedAt),
      voicemailMessage: null,
    };
    return { reason: 'answered-new-number', writes: [...closing.writes, createLead] };
  }

  // A missed inbound call.
  const missedAt = at(record.startedAt);
  // The client got through meanwhile (a second call of theirs was answered): nobody needs to call back.
  if (facts.talkedSince && facts.talkedSince.getTime() >= missedAt.getTime()) return { reason: 'missed-but-reached', writes: [] };
  const open = facts.openCallbackTasks[0];
  if (open) return { reason: 'missed-merged', writes: [{ type: 'mergeMissedCall', taskId: open.id, missedAt, voicemailMessage: record.voicemailMessage }] };
  const dueAt = new Date(at(record.endedAt).getTime() + config.callbackSlaMinutes * 60_000);
  const texts = LEAD_TEXTS[config.language];
  if (!facts.owner) {
    return {
      reason: 'missed-new-number',
      writes: [{ type: 'createLead', phone, line: record.did, responsibleUserId: null, title: texts.missedCallDeal(phone), taskTitle: texts.callbackTask(phone), dueAt, missedAt, voicemailMessage: record.voicemailMessage }],
    };
  }
  return {
    reason: 'missed-known-number',
    writes: [
      {
        type: 'createCallbackTask',
        phone,
        title: texts.callbackTask(phone),
        contactId: facts.owner.contactId,
        companyId: facts.owner.contactId ? null : facts.owner.companyId,
        dealId: facts.openDealId,
        assigneeUserId: facts.owner.responsibleUserId,
        dueAt,
        missedAt,
        voicemailMessage: record.voicemailMessage,
      },
    ],
  };
}

function closeTasks(record: CallRecord, facts: LeadFacts, byUserId: string | null): LeadPlan {
  const talkedAt = at(record.answeredAt ?? record.startedAt);
  // A conversation that took place before the missed call (a late or replayed record) closes nothing.
  const open = facts.openCallbackTasks.filter((task) => (task.firstMissedAt ?? task.createdAt).getTime() <= talkedAt.getTime());
  if (open.length === 0) return { reason: 'answered', writes: [] };
  const tasks = open.map((task) => {
    const since = task.firstMissedAt ?? task.createdAt;
    return { id: task.id, callbackSeconds: Math.max(0, Math.round((talkedAt.getTime() - since.getTime()) / 1000)) };
  });
  return { reason: 'answered', writes: [{ type: 'closeCallbackTasks', tasks, talkedAt, byUserId }] };
}
