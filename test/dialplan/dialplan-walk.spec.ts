import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ROUTING_CONFIG, validateRoutingConfig } from '../../src/telephony/routing/chain-config';
import { chooseRoute, type RouteUser } from '../../src/telephony/routing/choose-route';
import { encodePlan } from '../../src/telephony/routing/route-plan';
import { cut, fieldQty, filterChars, MiniAsterisk, parseDialplan, type RunOptions } from './mini-asterisk';

const asterisk = new MiniAsterisk(parseDialplan(readFileSync(join(__dirname, '../../dialplans/switchboard.conf'), 'utf8')));
const GLOBALS = { SWITCHBOARD_URL: 'http://svc:3000', SWITCHBOARD_TOKEN: 'test-routing-token-0123' };
const FALLBACK = ['department PJSIP/101&PJSIP/102&PJSIP/103 10', 'head_of_sales PJSIP/200 10', 'ceo PJSIP/300 10', 'owner PJSIP/400 10'];

const user = (ext: string, role: RouteUser['role'], devices = [`PJSIP/${ext}`]): RouteUser => ({
  id: `u${ext}`, name: ext, role, extensions: [ext], devices, department: 'sales', dnd: false, active: true,
});
const TEAM = [user('101', 'manager'), user('102', 'manager', ['PJSIP/102', 'PJSIP/102-mobile', 'PJSIP/102/sip:102@10.0.0.7:5060']), user('200', 'head_of_sales'), user('300', 'ceo'), user('400', 'owner')];

function planFor(known: boolean, company = 'Remstroy, "LLC" | (Moscow); ${EXTEN}', contact = 'Алексей Смирнов\r\n'): string {
  return encodePlan(
    chooseRoute({
      caller: { e164: '+79161234567', known, responsibleId: known ? 'u101' : null, company, contact },
      did: '74951112233', now: new Date(), users: TEAM, presence: new Map(), config: DEFAULT_ROUTING_CONFIG, timezone: 'Europe/Moscow',
    }),
  );
}

function call(body: string | (() => string), extra: RunOptions = {}) {
  const result = asterisk.run('switchboard-inbound', '74951112233', {
    globals: GLOBALS, callerIdNum: '+79161234567', callerIdName: 'CID', uniqueid: '1795336092.42',
    curl: typeof body === 'string' ? () => body : body, ...extra,
  });
  return { ...result, steps: result.dials.map((d) => `${d.step} ${d.dial} ${d.timeout}`) };
}

describe('the dialplan walks the service’s plan (FIELDQTY/CUT/FILTER as Asterisk does them)', () => {
  it('emulated functions behave like func_cut/func_strings on the plan', () => {
    const plan = 'SB1|Name|voicemail|responsible:10:PJSIP/101|department:10:PJSIP/102/sip:102@10.0.0.7:5060|END';
    expect(fieldQty(plan, '|')).toBe(6);
    expect(cut(plan, '|', '1')).toBe('SB1');
    expect(cut(cut(plan, '|', '5'), ':', '3-')).toBe('PJSIP/102/sip:102@10.0.0.7:5060');
    expect(filterChars('A-Za-z0-9/@&._+#*:\\-', 'PJSIP/a-b,c(d)|e')).toBe('PJSIP/a-bcde');
  });

  it('known caller: asks once with the URL-encoded caller, shows the client’s name, rings the responsible first and escalates on timeout', () => {
    const run = call(planFor(true));
    expect(run.urls).toEqual([
      'http://svc:3000/api/asterisk/route?caller=%2B79161234567&did=74951112233&uniqueid=1795336092.42&linkedid=1795336092.42&token=test-routing-token-0123',
    ]);
    expect(run.curlopts).toEqual({ conntimeout: '1', httptimeout: '2' });
    expect(run.callerIdName).toBe('Remstroy LLC Moscow EXTEN — Алексей Смирнов');
    expect(run.steps).toEqual([
      'responsible PJSIP/101 10',
      'department PJSIP/102&PJSIP/102-mobile&PJSIP/102/sip:102@10.0.0.7:5060 10',
      'head_of_sales PJSIP/200 10',
      'ceo PJSIP/300 10',
      'owner PJSIP/400 10',
    ]);
    expect(run.vars.get('SWITCHBOARD_STEP')).toBe('voicemail');
    expect(run.apps.at(-2)).toBe('Playback(vm-nobodyavail)');
  });

  it('stops at the step that answers', () => {
    const run = call(planFor(true), { dial: (_a, i) => (i === 1 ? 'ANSWER' : 'NOANSWER') });
    expect(run.steps.map((s) => s.split(' ')[0])).toEqual(['responsible', 'department']);
    expect(run.vars.get('SWITCHBOARD_STEP')).toBe('department');
    expect(run.apps.at(-1)).toBe('Hangup()');
  });

  it('new caller: straight to the department; the caller name stays as the carrier sent it', () => {
    const run = call(planFor(false));
    expect(run.steps[0]).toBe('department PJSIP/101&PJSIP/102&PJSIP/102-mobile&PJSIP/102/sip:102@10.0.0.7:5060 10');
    expect(run.callerIdName).toBe('CID');
  });

  it.each([
    ['service down (CURL fails → empty)', () => { throw new Error('connection refused'); }],
    ['empty body', ''],
    ['403 body', 'ERR forbidden'],
    ['503 body', 'ERR unavailable'],
    ['an HTML error page', '<html><body>502 Bad Gateway, (nginx)</body></html>'],
    ['a body cut short', 'SB1|Remstroy|voicemail|responsible:10:PJSIP/101|depart'],
    ['another version', 'SB2|x|voicemail|responsible:10:PJSIP/101|END'],
    ['quotes and brackets', '"SB1"|$[1]|${X}|)(|END'],
  ])('%s → the static chain still rings people, then voicemail', (_title, body) => {
    const run = call(body as string | (() => string));
    expect(run.steps).toEqual(FALLBACK);
    expect(run.vars.get('SWITCHBOARD_STEP')).toBe('voicemail');
  });

  it('the fallback chain and the step variable come from globals', () => {
    const run = call('', { globals: { ...GLOBALS, SWITCHBOARD_STEP_VARIABLE: 'ESC_STEP', SWITCHBOARD_FALLBACK_DEPARTMENT: 'PJSIP/501&PJSIP/502', SWITCHBOARD_FALLBACK_CEO: 'PJSIP/777', SWITCHBOARD_FALLBACK_TIMEOUT: '15' } });
    expect(run.steps).toEqual(['department PJSIP/501&PJSIP/502 15', 'head_of_sales PJSIP/200 15', 'ceo PJSIP/777 15', 'owner PJSIP/400 15']);
    expect(run.vars.get('ESC_STEP')).toBe('voicemail');
    expect(run.vars.has('SWITCHBOARD_STEP')).toBe(false);
  });

  it('an empty plan (everyone DND) goes to voicemail; after hours plays the prompt first; hangup hangs up', () => {
    expect(call('SB1||voicemail|END').steps).toEqual([]);
    const after = call('SB1||after_hours|END', { globals: { ...GLOBALS, SWITCHBOARD_AFTER_HOURS_PROMPT: 'custom/closed', SWITCHBOARD_VOICEMAIL: '100@default' } });
    expect(after.apps.filter((a) => /^(Playback|VoiceMail)/.test(a))).toEqual(['Playback(custom/closed)', 'VoiceMail(100@default,u)']);
    expect(call('SB1||hangup|owner:5:PJSIP/400|END').apps.at(-1)).toBe('Hangup()');
    expect(call('SB1||teleport|owner:5:PJSIP/400|END').vars.get('SWITCHBOARD_STEP')).toBe('voicemail');
  });

  it('a per-line chain with custom steps walks the same way', () => {
    const config = validateRoutingConfig({ chains: { default: { steps: [{ name: 'desk', kind: 'users', extensions: ['300', '101'], timeout: 25 }], final: 'hangup' } } });
    if (!config.ok) throw new Error(config.problems.join());
    const body = encodePlan(chooseRoute({ caller: { e164: null, known: false, responsibleId: null, company: null, contact: null }, did: '1', now: new Date(), users: TEAM, presence: new Map(), config: config.config, timezone: 'UTC' }));
    expect(call(body).steps).toEqual(['desk PJSIP/300&PJSIP/101 25']);
  });

  it('click-to-call: the answered manager phone dials the client through the trunk with the manager’s caller id', () => {
    const run = asterisk.run('switchboard-click-to-call', '79161234567', { globals: GLOBALS, callerIdNum: '79161234567', callerIdName: 'Remstroy', channelVars: { SWITCHBOARD_EXTENSION: '101' } });
    expect(run.dials.map((d) => `${d.step} ${d.dial} ${d.timeout}`)).toEqual(['click_to_call PJSIP/79161234567@trunk 60']);
    expect(run.callerIdNum).toBe('101');
    const viaContext = asterisk.run('switchboard-click-to-call', '+79161234567', { globals: { ...GLOBALS, SWITCHBOARD_OUTBOUND_CONTEXT: 'from-internal', SWITCHBOARD_OUTBOUND_CID: '74951112233' }, channelVars: { SWITCHBOARD_EXTENSION: '101' } });
    expect(viaContext.apps.at(-1)).toBe('Goto(from-internal,79161234567,1)');
    expect(viaContext.callerIdNum).toBe('74951112233');
  });
});
