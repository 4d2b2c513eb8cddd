import type { Role } from '../../auth/users/user.entity';
import type { StageId } from './pipeline-stage.entity';

export type StageMoveVerdict = { ok: true } | { ok: false; code: 'forbidden' | 'invalid'; message: string; field?: string };

/** Who may close a deal as lost: quality control and the head of sales, nobody else. */
const MAY_MARK_LOST: readonly Role[] = ['qa', 'head_of_sales'];

/** The pipeline's rules for moving a deal to a stage (pure). */
export function checkStageMove(to: StageId, role: Role, reason: string | null | undefined): StageMoveVerdict {
  if (to === 'lost' && !MAY_MARK_LOST.includes(role)) {
    return { ok: false, code: 'forbidden', message: 'only QA or the head of sales may mark a deal as lost' };
  }
  if (to === 'conditional_refusal' && !reason?.trim()) {
    return { ok: false, code: 'invalid', message: 'conditional refusal needs a reason', field: 'reason' };
  }
  return { ok: true };
}
