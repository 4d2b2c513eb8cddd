/**
 * The route plan (what the dialplan executes) and its compact text form for func_curl.
 *
 * Wire format (one line, `|` between fields, no trailing newline):
 *
 *   SB1|<display name>|<final>|<step>:<timeout>:<dial string>|…|END
 *
 * - `SB1` — magic and version: anything else is garbage and the dialplan falls back.
 * - display name — `Company — Contact` for a known caller, empty otherwise; stripped of every
 *   character that could break a dialplan application argument (`,|:;"'\()[]{}$` …, controls).
 * - final — what to do once every step rang out: `voicemail`, `after_hours` or `hangup`.
 * - each step — its name (`[a-z0-9_]`), timeout in whole seconds, and the Dial string
 *   (`PJSIP/101&PJSIP/102`); the dial string is the rest of the field (`CUT(step,:,3-)`), so a
 *   `:` inside it survives.
 * - `END` — the last field, so a body cut short (timeout mid-transfer) is detected.
 *
 * The dialplan walks fields 4 … FIELDQTY(plan,|)−1. Every part is whitelisted here, so stock
 * FIELDQTY/CUT/FILTER can walk it without escaping.
 */

export const PLAN_MAGIC = 'SB1';
export const PLAN_END = 'END';
export const PLAN_FIRST_STEP_FIELD = 4;

export const FINAL_ACTIONS = ['voicemail', 'after_hours', 'hangup'] as const;
export type FinalAction = (typeof FINAL_ACTIONS)[number];

export type SkipReason = 'offline' | 'dnd' | 'busy' | 'inactive' | 'no_device' | 'already_rung' | 'unknown_caller' | 'no_responsible';

export interface PlanStep {
  /** Step name the dialplan puts in the step variable (`responsible`, `department`, …). */
  name: string;
  /** Whole seconds to ring. */
  timeout: number;
  /** Dial string, devices joined with `&`. */
  dial: string;
  /** Extensions of the people rung (for the decision record). */
  extensions: string[];
  userIds: string[];
}

export interface SkippedPerson {
  step: string;
  userId: string | null;
  extension: string | null;
  reason: SkipReason;
}

export interface RoutePlan {
  /** Caller as E.164, or `anonymous`. */
  caller: string;
  known: boolean;
  displayName: string;
  responsibleId: string | null;
  /** Which chain ran and why (`line:74951112244`, `default`, `after_hours`, …). */
  chain: string;
  rule: string;
  afterHours: boolean;
  steps: PlanStep[];
  /** Steps of the chain that ended up empty, named. */
  emptySteps: string[];
  skipped: SkippedPerson[];
  final: FinalAction;
}

const STEP_NAME = /^[a-z0-9_]{1,32}$/;
// One device: technology/resource, e.g. PJSIP/101, Local/101@managers, PJSIP/101/sip:101@10.0.0.5:5060.
const DEVICE = /^[A-Za-z0-9]{1,16}\/[A-Za-z0-9_.@+#*:/\-]{1,120}$/;
// Letters and digits of any script, spaces and a few harmless marks; everything else is dropped.
const NAME_DROP = /[^\p{L}\p{M}\p{N} .\-_+#&/—–№]/gu;
const MAX_NAME_BYTES = 80;

export function isValidStepName(name: string): boolean {
  return STEP_NAME.test(name);
}

/** True for a device the plan may carry in a dial string. */
export function isDialableDevice(device: string): boolean {
  return DEVICE.test(device);
}

/** A caller display name safe for `Set(CALLERID(name)=…)`: no separators, quotes, brackets or controls; ≤ 80 UTF-8 bytes. */
export function sanitizeDisplayName(name: string): string {
  let clean = name.normalize('NFC').replace(NAME_DROP, ' ').replace(/\s+/g, ' ').trim();
  while (Buffer.byteLength(clean, 'utf8') > MAX_NAME_BYTES) clean = [...clean].slice(0, -1).join('').trimEnd();
  return clean;
}

/** `Company — Contact`, whichever parts exist. */
export function displayNameOf(company: string | null | undefined, contact: string | null | undefined): string {
  const parts = [company, contact].map((part) => sanitizeDisplayName(part ?? '')).filter((part) => part !== '');
  return sanitizeDisplayName(parts.join(' — '));
}

/** The compact text the dialplan reads. Steps that would not survive the format are left out. */
export function encodePlan(plan: Pick<RoutePlan, 'displayName' | 'final' | 'steps'>): string {
  const fields = [PLAN_MAGIC, sanitizeDisplayName(plan.displayName), plan.final];
  for (const step of plan.steps) {
    const timeout = Math.max(1, Math.min(600, Math.round(step.timeout)));
    const devices = step.dial.split('&').filter(isDialableDevice);
    if (!isValidStepName(step.name) || devices.length === 0) continue;
    fields.push(`${step.name}:${timeout}:${devices.join('&')}`);
  }
  fields.push(PLAN_END);
  return fields.join('|');
}

export interface DecodedPlan {
  displayName: string;
  final: FinalAction;
  steps: { name: string; timeout: number; dial: string }[];
}

/** The inverse of encodePlan (tests, tooling); null for anything the dialplan would reject. */
export function decodePlan(text: string): DecodedPlan | null {
  const fields = text.split('|');
  if (fields.length < PLAN_FIRST_STEP_FIELD || fields[0] !== PLAN_MAGIC || fields[fields.length - 1] !== PLAN_END) return null;
  const final = fields[2] as FinalAction;
  if (!FINAL_ACTIONS.includes(final)) return null;
  const steps: DecodedPlan['steps'] = [];
  for (const field of fields.slice(PLAN_FIRST_STEP_FIELD - 1, -1)) {
    const [name, timeout, ...dial] = field.split(':');
    if (!isValidStepName(name) || !/^\d+$/.test(timeout ?? '')) return null;
    steps.push({ name, timeout: Number(timeout), dial: dial.join(':') });
  }
  return { displayName: fields[1], final, steps };
}
