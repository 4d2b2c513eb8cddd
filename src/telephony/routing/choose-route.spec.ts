import { normalizePhone } from '../../common/phone-number';
import { peopleDirectory } from '../../people/people-directory';
import { DEFAULT_ROUTING_CONFIG, isOpen, validateRoutingConfig, type RoutingConfig } from './chain-config';
import { chooseRoute, type CallerFacts, type RouteUser } from './choose-route';
import type { DeviceState } from './presence';
import { decodePlan, encodePlan, type RoutePlan } from './route-plan';

const user = (ext: string, role: RouteUser['role'], extra: Partial<RouteUser> = {}): RouteUser => ({
  id: `u${ext}`,
  name: `User ${ext}`,
  role,
  extensions: [ext],
  devices: [`PJSIP/${ext}`],
  department: role === 'manager' || role === 'head_of_sales' ? 'sales' : null,
  dnd: false,
  active: true,
  ...extra,
});

const TEAM: RouteUser[] = [
  user('101', 'manager'),
  user('102', 'manager'),
  user('103', 'manager'),
  user('200', 'head_of_sales'),
  user('300', 'ceo'),
  user('400', 'owner'),
  user('900', 'admin'),
];

/** Known callers of the lab (lab-directory.json). */
const KNOWN: Record<string, { responsible: string; company: string; contact: string }> = {
  '+79161234567': { responsible: 'u101', company: 'Remstroy', contact: 'Alexey Smirnov' },
  '+79035550101': { responsible: 'u102', company: 'Vintik LLC', contact: 'Irina Popova' },
};

function facts(raw: string): CallerFacts {
  const e164 = normalizePhone(raw, 'RU');
  const known = e164 ? KNOWN[e164] : undefined;
  return { e164, known: known !== undefined, responsibleId: known?.responsible ?? null, company: known?.company ?? null, contact: known?.contact ?? null };
}

function config(patch: unknown): RoutingConfig {
  const result = validateRoutingConfig(patch);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.config;
}

const PER_LINE = config({
  chains: {
    default: DEFAULT_ROUTING_CONFIG.chains.default,
    after_hours: { steps: [{ name: 'owner', kind: 'role', roles: ['owner'], timeout: 15 }], final: 'after_hours' },
    second_line: { steps: [{ name: 'desk', kind: 'users', extensions: ['103', '102'], timeout: 20 }], final: 'hangup' },
  },
  defaultChain: 'default',
  afterHoursChain: 'after_hours',
  workingHours: { timezone: 'Europe/Moscow', week: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '19:00' }], holidays: ['2027-01-01'] },
  lines: { '+7 495 111-22-44': { chain: 'second_line', workingHours: null } },
});

// Wednesday 2026-11-25 12:00 Moscow (UTC+3) = 09:00 UTC; 23:00 Moscow = 20:00 UTC
const NOON = new Date('2026-11-25T09:00:00Z');
const NIGHT = new Date('2026-11-25T20:00:00Z');

interface Case {
  title: string;
  caller: string;
  did?: string;
  now?: Date;
  users?: RouteUser[];
  presence?: Record<string, DeviceState>;
  config?: RoutingConfig;
  steps: string[];
  final?: RoutePlan['final'];
  skipped?: string[];
  display?: string;
}

const CASES: Case[] = [
  {
    title: 'known caller: responsible alone, then the rest of the department, head, CEO, owner',
    caller: '+79161234567',
    steps: ['responsible=PJSIP/101', 'department=PJSIP/102&PJSIP/103', 'head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
    skipped: ['department:101:already_rung'],
    display: 'Remstroy — Alexey Smirnov',
  },
  {
    title: 'known caller in any format (8 916 …) is the same client',
    caller: '8 (916) 123-45-67',
    steps: ['responsible=PJSIP/101', 'department=PJSIP/102&PJSIP/103', 'head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
  },
  {
    title: 'new caller: the department at once, no responsible step',
    caller: '+79031112233',
    steps: ['department=PJSIP/101&PJSIP/102&PJSIP/103', 'head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
    skipped: ['responsible:-:unknown_caller'],
    display: '',
  },
  {
    title: 'responsible on DND: skipped, and not rung in the department either',
    caller: '+79161234567',
    users: TEAM.map((u) => (u.id === 'u101' ? { ...u, dnd: true } : u)),
    steps: ['department=PJSIP/102&PJSIP/103', 'head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
    skipped: ['responsible:101:dnd', 'department:101:dnd'],
  },
  {
    title: 'responsible busy on another call: straight to the others',
    caller: '+79035550101',
    presence: { 'PJSIP/102': 'INUSE' },
    steps: ['department=PJSIP/101&PJSIP/103', 'head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
    skipped: ['responsible:102:busy', 'department:102:busy'],
  },
  {
    title: 'offline (unregistered) people are skipped; ringing people are not',
    caller: '+79031112233',
    presence: { 'PJSIP/101': 'UNAVAILABLE', 'PJSIP/102': 'RINGING', 'PJSIP/300': 'INVALID' },
    steps: ['department=PJSIP/102&PJSIP/103', 'head_of_sales=PJSIP/200', 'owner=PJSIP/400'],
    skipped: ['responsible:-:unknown_caller', 'department:101:offline', 'ceo:300:offline'],
  },
  {
    title: 'a department with nobody available falls through to the head of sales',
    caller: '+79031112233',
    presence: { 'PJSIP/101': 'INUSE', 'PJSIP/102': 'UNAVAILABLE', 'PJSIP/103': 'BUSY' },
    steps: ['head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
  },
  {
    title: 'nobody available at all: an empty plan that goes straight to voicemail',
    caller: '+79161234567',
    users: TEAM.map((u) => ({ ...u, dnd: true })),
    steps: [],
    final: 'voicemail',
  },
  {
    title: 'inactive users and people without devices are skipped',
    caller: '+79031112233',
    users: TEAM.map((u) => (u.id === 'u101' ? { ...u, active: false } : u.id === 'u102' ? { ...u, devices: [], extensions: [] } : u)),
    steps: ['department=PJSIP/103', 'head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
    skipped: ['responsible:-:unknown_caller', 'department:101:inactive', 'department:-:no_device'],
  },
  {
    title: 'a person with several devices rings on all of them; none of them busy',
    caller: '+79031112233',
    users: TEAM.map((u) => (u.id === 'u200' ? { ...u, devices: ['PJSIP/200', 'PJSIP/200-mobile', 'bad device,x'] } : u)),
    presence: { 'PJSIP/200': 'UNAVAILABLE' },
    steps: ['department=PJSIP/101&PJSIP/102&PJSIP/103', 'head_of_sales=PJSIP/200&PJSIP/200-mobile', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
  },
  {
    title: 'after hours (default line): the after-hours chain',
    caller: '+79161234567',
    now: NIGHT,
    config: PER_LINE,
    steps: ['owner=PJSIP/400'],
    final: 'after_hours',
  },
  {
    title: 'holiday: closed all day',
    caller: '+79161234567',
    now: new Date('2027-01-01T09:00:00Z'),
    config: PER_LINE,
    steps: ['owner=PJSIP/400'],
    final: 'after_hours',
  },
  {
    title: 'in hours (default line): the default chain',
    caller: '+79161234567',
    now: NOON,
    config: PER_LINE,
    steps: ['responsible=PJSIP/101', 'department=PJSIP/102&PJSIP/103', 'head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
  },
  {
    title: 'per-line chain (second line, always open): listed extensions in order, even at night',
    caller: '+79161234567',
    did: '74951112244',
    now: NIGHT,
    config: PER_LINE,
    steps: ['desk=PJSIP/103&PJSIP/102'],
    final: 'hangup',
  },
  ...['anonymous', '', '+7 (916) 123', '1'.repeat(40), '<script>alert(1)</script>', "'; DROP TABLE users; --", 'Anonymous', '<unknown>'].map(
    (caller): Case => ({
      title: `garbage caller id ${JSON.stringify(caller)}: the new-caller chain`,
      caller,
      steps: ['department=PJSIP/101&PJSIP/102&PJSIP/103', 'head_of_sales=PJSIP/200', 'ceo=PJSIP/300', 'owner=PJSIP/400'],
      display: '',
    }),
  ),
];

describe('chooseRoute', () => {
  it.each(CASES)('$title', (c) => {
    const plan = chooseRoute({
      caller: facts(c.caller),
      did: c.did ?? '74951112233',
      now: c.now ?? NOON,
      people: peopleDirectory(c.users ?? TEAM),
      presence: new Map(Object.entries(c.presence ?? {})),
      config: c.config ?? DEFAULT_ROUTING_CONFIG,
      timezone: 'Europe/Moscow',
    });
    expect(plan.steps.map((s) => `${s.name}=${s.dial}`)).toEqual(c.steps);
    if (c.final) expect(plan.final).toBe(c.final);
    if (c.skipped) expect(plan.skipped.map((s) => `${s.step}:${s.extension ?? '-'}:${s.reason}`)).toEqual(c.skipped);
    if (c.display !== undefined) expect(plan.displayName).toBe(c.display);
    // nobody twice
    const everyone = plan.steps.flatMap((s) => s.userIds);
    expect(new Set(everyone).size).toBe(everyone.length);
    // the dialplan can always read it back
    const decoded = decodePlan(encodePlan(plan));
    expect(decoded?.steps.map((s) => `${s.name}=${s.dial}`)).toEqual(c.steps);
  });

  it('records which rule and chain decided', () => {
    const base = { caller: facts('+79161234567'), people: peopleDirectory(TEAM), presence: new Map(), config: PER_LINE, timezone: 'Europe/Moscow' };
    expect(chooseRoute({ ...base, did: '74951112244', now: NIGHT })).toMatchObject({ chain: 'second_line', rule: 'line:74951112244/open' });
    expect(chooseRoute({ ...base, did: '74951112233', now: NIGHT })).toMatchObject({ chain: 'after_hours', rule: 'default/after_hours', afterHours: true });
    expect(chooseRoute({ ...base, did: 'garbage', now: NOON })).toMatchObject({ chain: 'default', rule: 'default/open' });
  });
});

describe('working hours', () => {
  const hours = { timezone: 'Asia/Vladivostok', week: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }, { days: [5], from: '22:00', to: '02:00' }] };
  it.each([
    ['2026-11-24T23:30:00Z', true], // Wed 09:30 Vladivostok (UTC+10)
    ['2026-11-24T22:30:00Z', false], // Wed 08:30
    ['2026-11-25T08:00:00Z', false], // Wed 18:00 (end is exclusive)
    ['2026-11-27T12:30:00Z', true], // Fri 22:30 (overnight window)
    ['2026-11-27T15:30:00Z', true], // Sat 01:30 (overnight window from Friday)
    ['2026-11-27T16:30:00Z', false], // Sat 02:30
    ['2026-11-28T23:30:00Z', false], // Sun 09:30
  ])('%s → open %s', (iso, open) => {
    expect(isOpen(hours, new Date(iso), 'UTC')).toBe(open);
  });
});

describe('chain configuration validation', () => {
  it.each([
    [{ chains: {} }, 'chains'],
    [{ chains: { default: { steps: [{ name: 'x', kind: 'role', timeout: 10 }] } } }, 'chains.default.steps[0].roles'],
    [{ chains: { default: { steps: [{ name: 'Bad Name', kind: 'responsible', timeout: 10 }] } } }, 'chains.default.steps[0].name'],
    [{ chains: { default: { steps: [{ name: 'x', kind: 'responsible', timeout: 0 }] } } }, 'chains.default.steps[0].timeout'],
    [{ chains: { default: { steps: [{ name: 'x', kind: 'teleport', timeout: 5 }] } } }, 'chains.default.steps[0].kind'],
    [{ chains: { default: { steps: [], final: 'dance' } } }, 'chains.default.final'],
    [{ chains: { default: { steps: [] } }, defaultChain: 'nope' }, 'defaultChain'],
    [{ chains: { default: { steps: [] } }, lines: { '7495': { chain: 'nope' } } }, 'lines.7495.chain'],
    [{ chains: { default: { steps: [] } }, workingHours: { week: [{ days: [8], from: '9:00', to: '18:00' }] } }, 'workingHours.week[0].days'],
    [{ chains: { default: { steps: [] } }, workingHours: { timezone: 'Mars/Olympus', week: [] } }, 'workingHours.timezone'],
  ])('%j → problem at %s', (raw, path) => {
    const result = validateRoutingConfig(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.some((p) => p.startsWith(`${path}:`))).toBe(true);
  });

  it('accepts the default configuration as it is', () => {
    expect(validateRoutingConfig(DEFAULT_ROUTING_CONFIG)).toEqual({ ok: true, config: DEFAULT_ROUTING_CONFIG });
  });
});
