/**
 * Escalation chains (pure): types, the default chain, validation and working hours.
 *
 * Configuration, from `config/routing.json` or `PUT /api/routing/chains` (same shape):
 * {
 *   "chains": {
 *     "default":     { "steps": [ { "name": "responsible", "kind": "responsible", "timeout": 10 }, … ], "final": "voicemail" },
 *     "after_hours": { "steps": [], "final": "after_hours" }
 *   },
 *   "defaultChain": "default",
 *   "afterHoursChain": "after_hours",
 *   "workingHours": { "timezone": "Europe/Moscow", "week": [ { "days": [1,2,3,4,5], "from": "09:00", "to": "19:00" } ], "holidays": ["2027-01-01"] },
 *   "lines": { "74951112244": { "name": "Yandex.Direct", "chain": "second_line", "afterHoursChain": "after_hours", "workingHours": null } }
 * }
 * `workingHours: null` (the default) means always open. Days are ISO (1 = Monday … 7 = Sunday);
 * a window with `from` > `to` runs past midnight. Line keys are the DID's digits.
 */
import { ROLES, type Role } from '../../people/person';
import { FINAL_ACTIONS, isValidStepName, type FinalAction } from './route-plan';

export const STEP_KINDS = ['responsible', 'department', 'role', 'users'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface ChainStepConfig {
  /** Name put in the step variable before the Dial. */
  name: string;
  /**
   * responsible — the known caller's responsible manager alone;
   * department — every available member at once (roles, default `manager`; of `department` when named);
   * role — everyone with one of `roles` at once (head of sales, CEO, owner);
   * users — these `extensions` at once.
   */
  kind: StepKind;
  /** Seconds to ring, 1–600. */
  timeout: number;
  department?: string;
  roles?: Role[];
  extensions?: string[];
}

export interface ChainConfig {
  steps: ChainStepConfig[];
  final: FinalAction;
}

export interface WorkingWindow {
  days: number[];
  from: string;
  to: string;
}

export interface WorkingHours {
  /** IANA zone; defaults to the service's TIMEZONE. */
  timezone?: string;
  week: WorkingWindow[];
  /** Whole days closed, `YYYY-MM-DD` in the zone. */
  holidays?: string[];
}

export interface LineRule {
  /** What people call the line ("Yandex.Direct"): shown instead of the number on every screen. */
  name?: string;
  chain?: string;
  afterHoursChain?: string;
  /** Overrides the global working hours for this line; null = always open. */
  workingHours?: WorkingHours | null;
}

export interface RoutingConfig {
  chains: Record<string, ChainConfig>;
  defaultChain: string;
  afterHoursChain: string;
  workingHours: WorkingHours | null;
  lines: Record<string, LineRule>;
}

export const DEFAULT_CHAIN: ChainConfig = {
  steps: [
    { name: 'responsible', kind: 'responsible', timeout: 10 },
    { name: 'department', kind: 'department', timeout: 10, roles: ['manager'] },
    { name: 'head_of_sales', kind: 'role', timeout: 10, roles: ['head_of_sales'] },
    { name: 'ceo', kind: 'role', timeout: 10, roles: ['ceo'] },
    { name: 'owner', kind: 'role', timeout: 10, roles: ['owner'] },
  ],
  final: 'voicemail',
};

export const DEFAULT_ROUTING_CONFIG: RoutingConfig = {
  chains: {
    default: DEFAULT_CHAIN,
    after_hours: { steps: [], final: 'after_hours' },
  },
  defaultChain: 'default',
  afterHoursChain: 'after_hours',
  workingHours: null,
  lines: {},
};

export type ValidationResult = { ok: true; config: RoutingConfig } | { ok: false; problems: string[] };

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CHAIN_NAME = /^[A-Za-z0-9_-]{1,40}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Digits of a DID (`+7 495 111-22-33` → `74951112233`). */
export function lineKey(did: string): string {
  return did.replace(/\D/g, '');
}

export function isValidTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function validateStep(raw: unknown, path: string, problems: string[]): ChainStepConfig | null {
  if (!isObject(raw)) {
    problems.push(`${path}: must be an object`);
    return null;
  }
  const { name, kind, timeout, department, roles, extensions } = raw;
  const before = problems.length;
  if (typeof name !== 'string' || !isValidStepName(name)) problems.push(`${path}.name: must match [a-z0-9_]{1,32}`);
  if (typeof kind !== 'string' || !(STEP_KINDS as readonly string[]).includes(kind)) problems.push(`${path}.kind: must be one of ${STEP_KINDS.join(', ')}`);
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 600) problems.push(`${path}.timeout: must be whole seconds 1–600`);
  if (department !== undefined && (typeof department !== 'string' || department.trim() === '')) problems.push(`${path}.department: must be a department name`);
  if (roles !== undefined && (!isStringArray(roles) || roles.some((role) => !(ROLES as readonly string[]).includes(role)))) {
    problems.push(`${path}.roles: must be a list of ${ROLES.join(', ')}`);
  }
  if (kind === 'role' && (!isStringArray(roles) || roles.length === 0)) problems.push(`${path}.roles: a role step needs at least one role`);
  if (extensions !== undefined && (!isStringArray(extensions) || extensions.some((ext) => !/^[0-9A-Za-z*#+]{1,20}$/.test(ext)))) {
    problems.push(`${path}.extensions: must be a list of extensions`);
  }
  if (kind === 'users' && (!isStringArray(extensions) || extensions.length === 0)) problems.push(`${path}.extensions: a users step needs extensions`);
  if (problems.length > before) return null;
  const step: ChainStepConfig = { name: name as string, kind: kind as StepKind, timeout: timeout as number };
  if (typeof department === 'string') step.department = department.trim();
  if (isStringArray(roles)) step.roles = roles as Role[];
  if (isStringArray(extensions)) step.extensions = extensions;
  return step;
}

function validateChain(raw: unknown, path: string, problems: string[]): ChainConfig | null {
  if (!isObject(raw)) {
    problems.push(`${path}: must be an object with steps and final`);
    return null;
  }
  const before = problems.length;
  if (!Array.isArray(raw.steps)) problems.push(`${path}.steps: must be a list`);
  if (Array.isArray(raw.steps) && raw.steps.length > 20) problems.push(`${path}.steps: at most 20 steps`);
  const steps = Array.isArray(raw.steps) ? raw.steps.map((step, i) => validateStep(step, `${path}.steps[${i}]`, problems)) : [];
  const final = raw.final ?? 'voicemail';
  if (typeof final !== 'string' || !(FINAL_ACTIONS as readonly string[]).includes(final)) problems.push(`${path}.final: must be one of ${FINAL_ACTIONS.join(', ')}`);
  if (problems.length > before) return null;
  return { steps: steps as ChainStepConfig[], final: final as FinalAction };
}

function validateHours(raw: unknown, path: string, problems: string[]): WorkingHours | null {
  if (raw === null) return null;
  if (!isObject(raw) || !Array.isArray(raw.week)) {
    problems.push(`${path}: must be null or { timezone?, week: [{ days, from, to }], holidays? }`);
    return null;
  }
  const before = problems.length;
  if (raw.timezone !== undefined && (typeof raw.timezone !== 'string' || !isValidTimezone(raw.timezone))) problems.push(`${path}.timezone: unknown IANA time zone`);
  const week = raw.week.map((window, i): WorkingWindow => {
    const at = `${path}.week[${i}]`;
    if (!isObject(window)) {
      problems.push(`${at}: must be an object`);
      return { days: [], from: '00:00', to: '00:00' };
    }
    const days = window.days;
    if (!Array.isArray(days) || days.length === 0 || days.some((d) => !Number.isInteger(d) || (d as number) < 1 || (d as number) > 7)) {
      problems.push(`${at}.days: must be ISO weekdays 1–7`);
    }
    if (typeof window.from !== 'string' || !TIME.test(window.from)) problems.push(`${at}.from: must be HH:MM`);
    if (typeof window.to !== 'string' || !TIME.test(window.to)) problems.push(`${at}.to: must be HH:MM`);
    return { days: (days as number[]) ?? [], from: String(window.from), to: String(window.to) };
  });
  if (raw.holidays !== undefined && (!isStringArray(raw.holidays) || raw.holidays.some((d) => !DATE.test(d)))) problems.push(`${path}.holidays: must be YYYY-MM-DD dates`);
  if (problems.length > before) return null;
  const hours: WorkingHours = { week };
  if (typeof raw.timezone === 'string') hours.timezone = raw.timezone;
  if (isStringArray(raw.holidays)) hours.holidays = raw.holidays;
  return hours;
}

/** Validates a whole routing configuration; every problem is named with its path. */
export function validateRoutingConfig(raw: unknown): ValidationResult {
  const problems: string[] = [];
  if (!isObject(raw)) return { ok: false, problems: ['routing configuration must be a JSON object'] };
  const chains: Record<string, ChainConfig> = {};
  if (!isObject(raw.chains) || Object.keys(raw.chains).length === 0) problems.push('chains: must name at least one chain');
  else {
    for (const [name, chain] of Object.entries(raw.chains)) {
      if (!CHAIN_NAME.test(name)) problems.push(`chains.${name}: chain names are [A-Za-z0-9_-]{1,40}`);
      const valid = validateChain(chain, `chains.${name}`, problems);
      if (valid) chains[name] = valid;
    }
  }
  const known = (name: unknown, path: string): string => {
    if (typeof name !== 'string' || !(isObject(raw.chains) && name in raw.chains)) problems.push(`${path}: must name a chain in chains`);
    return String(name);
  };
  const defaultChain = known(raw.defaultChain ?? 'default', 'defaultChain');
  const afterHoursChain = known(raw.afterHoursChain ?? raw.defaultChain ?? 'default', 'afterHoursChain');
  const workingHours = raw.workingHours === undefined ? null : validateHours(raw.workingHours, 'workingHours', problems);
  const lines: Record<string, LineRule> = {};
  if (raw.lines !== undefined && !isObject(raw.lines)) problems.push('lines: must be an object keyed by DID');
  for (const [did, rule] of Object.entries(isObject(raw.lines) ? raw.lines : {})) {
    const key = lineKey(did);
    const path = `lines.${did}`;
    if (key === '') problems.push(`${path}: the DID must contain digits`);
    if (!isObject(rule)) {
      problems.push(`${path}: must be an object`);
      continue;
    }
    const line: LineRule = {};
    if (rule.name !== undefined) {
      if (typeof rule.name !== 'string' || rule.name.trim() === '' || rule.name.length > 80 || /[\u0000-\u001f\u007f]/.test(rule.name)) {
        problems.push(`${path}.name: must be 1–80 characters of text`);
      } else line.name = rule.name.trim();
    }
    if (rule.chain !== undefined) line.chain = known(rule.chain, `${path}.chain`);
    if (rule.afterHoursChain !== undefined) line.afterHoursChain = known(rule.afterHoursChain, `${path}.afterHoursChain`);
    if (rule.workingHours !== undefined) line.workingHours = validateHours(rule.workingHours, `${path}.workingHours`, problems);
    lines[key] = line;
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { chains, defaultChain, afterHoursChain, workingHours, lines } };
}

// ---- working hours ------------------------------------------------------------------------

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatter(zone: string): Intl.DateTimeFormat {
  let format = FORMATTERS.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    FORMATTERS.set(zone, format);
  }
  return format;
}

/** Local weekday (1–7), minutes since midnight and date in a zone. */
export function localTime(now: Date, zone: string): { weekday: number; minutes: number; date: string } {
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(now)) parts[part.type] = part.value;
  return {
    weekday: WEEKDAYS[parts.weekday] ?? 1,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` falls in the working hours (null = always open). */
export function isOpen(hours: WorkingHours | null, now: Date, defaultZone: string): boolean {
  if (hours === null) return true;
  const { weekday, minutes, date } = localTime(now, hours.timezone ?? defaultZone);
  if (hours.holidays?.includes(date)) return false;
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return hours.week.some((window) => {
    const from = toMinutes(window.from);
    const to = toMinutes(window.to);
    if (from < to) return window.days.includes(weekday) && minutes >= from && minutes < to;
    // past midnight: the evening part on a listed day, the morning part on the day after one
    return (window.days.includes(weekday) && minutes >= from) || (window.days.includes(yesterday) && minutes < to);
  });
}
