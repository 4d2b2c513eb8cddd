import type { Role } from '../../people/person';
import type { Verdict } from '../../common/verdict';

/** The pipeline's stages, in order: they name what has been done (the pipeline_stages rows). */
export const STAGE_IDS = [
  'unsorted',
  'qualified',
  'meeting_scheduled',
  'proposal_sent',
  'invoice_sent',
  'won',
  'conditional_refusal',
  'lost',
] as const;
export type StageId = (typeof STAGE_IDS)[number];

export type StageMoveVerdict = Verdict;

/** Who may close a deal as lost: quality control and the head of sales, nobody else. */
const MAY_MARK_LOST: readonly Role[] = ['qa', 'head_of_sales'];

/** Who may edit any deal and give deals to people: supervisors and quality control. */
const MAY_EDIT_ANY: readonly Role[] = ['head_of_sales', 'ceo', 'owner', 'admin', 'qa'];

/** The pipeline's rules for moving a deal to a stage (pure). `from` is null for a new deal. */
export function checkStageMove(from: StageId | null, to: StageId, role: Role, reason: string | null | undefined): StageMoveVerdict {
  if (to === 'lost' && !MAY_MARK_LOST.includes(role)) {
    return { ok: false, code: 'forbidden', message: 'only QA or the head of sales may mark a deal as lost' };
  }
  if (from === 'lost' && to !== 'lost' && !MAY_MARK_LOST.includes(role)) {
    return { ok: false, code: 'forbidden', message: 'only QA or the head of sales may reopen a lost deal' };
  }
  if (to === 'conditional_refusal' && !reason?.trim()) {
    return { ok: false, code: 'invalid', message: 'conditional refusal needs a reason', field: 'reason' };
  }
  return { ok: true };
}

/**
 * Who may change a deal (pure): its responsible manager, anyone while it has none (the exchange),
 * supervisors and QA. Only they may give a deal to someone else; a manager may take it for
 * themselves only through the exchange's claim.
 */
export function checkDealEdit(
  deal: { responsibleId: string | null } | null,
  user: { id: string; role: Role },
  newResponsibleId: string | null | undefined,
): StageMoveVerdict {
  if (MAY_EDIT_ANY.includes(user.role)) return { ok: true };
  if (deal && deal.responsibleId !== null && deal.responsibleId !== user.id) {
    return { ok: false, code: 'forbidden', message: 'only the deal\'s responsible manager or a supervisor may change it' };
  }
  const current = deal?.responsibleId ?? null;
  if (newResponsibleId !== undefined && newResponsibleId !== current && !(deal === null && newResponsibleId === user.id)) {
    return { ok: false, code: 'forbidden', message: 'only a supervisor may give a deal to someone (claim it from the exchange instead)', field: 'responsibleId' };
  }
  return { ok: true };
}
