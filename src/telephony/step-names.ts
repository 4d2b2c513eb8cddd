/**
 * Our names of the escalation steps, in chain order (DESIGN.md "Escalation chain"), plus the step
 * a call reached when the PBX's voicemail took it. The tracker maps the dialplan's own names to
 * these (identity, or STEP_ALIASES); the statistics list steps in this order.
 */
export const STEP_NAMES = ['responsible', 'department', 'head_of_sales', 'ceo', 'owner', 'voicemail'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const VOICEMAIL_STEP: StepName = 'voicemail';
