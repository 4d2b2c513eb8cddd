/**
 * The live PBX: what the shipped dialplan does when the service cannot answer (down, hung, wrong
 * token), the final actions (voicemail with a message left, hang up), a second line with its own
 * chain, the after-hours chain — and that Asterisk loads the files exactly as shipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_ROUTING_CONFIG, type RoutingConfig } from '../../src/telephony/routing/chain-config';
import { AmiCapture } from './support/ami-capture';
import { expectAround, LiveLab, liveSuite, MAIN_LINE, report, ROUTING_TOKEN, SECOND_LINE, seconds, useLiveLab } from './support/live-lab';

const KNOWN = '+79161234567'; // Remstroy — Alexey Smirnov, responsible 101
const FALLBACK_TIMEOUT = 3;

/** Today's date in the company's time zone (TIMEZONE default Europe/Moscow). */
function todayInMoscow(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

liveSuite('live PBX: the static fallback, final actions, lines and hours', () => {
  let lab: LiveLab;
  useLiveLab((started) => (lab = started), { globals: { SWITCHBOARD_FALLBACK_TIMEOUT: String(FALLBACK_TIMEOUT) } });

  afterEach(async () => {
    if (!lab.service.running) await lab.service.start();
    lab.service.resume();
    await lab.setRouting(DEFAULT_ROUTING_CONFIG);
  }, 90_000);

  it('Asterisk loads the shipped dialplan byte for byte: dialplan reload logs no WARNING or ERROR', async () => {
    const { loaded, shipped } = lab.pbx.dialplanHashes();
    expect(loaded).toBe(shipped);
    const { problems } = await lab.pbx.reloadDialplan();
    expect(problems).toEqual([]);
    for (const context of ['switchboard-inbound', 'switchboard-fallback', 'switchboard-final', 'switchboard-click-to-call', 'switchboard-settings']) {
      expect(await lab.pbx.cli(`dialplan show ${context}`)).toContain(`'${context}'`);
    }
  });

  it('the AMI user exactly as config/manager.conf.example ships it gets the call events and none of the noise', async () => {
    const capture = await AmiCapture.open(lab.pbx.amiPort, 'switchboard', lab.pbx.amiSecret);
    try {
      lab.phone('101').behaviour = { kind: 'answer', afterMs: 500, hangUpAfterMs: 500 };
      const { call } = lab.callIn(KNOWN);
      await call.ended(20_000);
      await lab.waitIdle();
      const names = new Set(capture.events().map((event) => event.Event));
      for (const name of ['Newchannel', 'NewCallerid', 'DialBegin', 'DialEnd', 'Hangup', 'BridgeEnter', 'VarSet']) expect(names).toContain(name);
      expect(names).not.toContain('Newexten');
      const variables = new Set(capture.events().filter((event) => event.Event === 'VarSet').map((event) => event.Variable));
      expect([...variables]).toEqual(['SWITCHBOARD_STEP']);
    } finally {
      capture.close();
    }
  }, 40_000);

  it('service down: the static chain rings the department at once; the token is not in Asterisk’s log — service_down', async () => {
    await lab.service.stop();
    const logFrom = lab.pbx.logSize();
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 1000 };
    const { call, at } = lab.callIn(KNOWN);
    expect(await call.answered(20_000)).toBe(true);
    await call.ended(10_000);
    for (const ext of ['101', '102', '103']) expect(seconds(at, (await lab.phone(ext).nextInvite(at, 1)).at)).toBeLessThan(1.5);
    const log = lab.pbx.logSince(logFrom);
    expect(log).toMatch(/func_curl\.c: Failed to connect/);
    expect(log).toContain('switchboard: no usable plan');
    expect(log).not.toContain(ROUTING_TOKEN);
    await report(lab, at, null);
  }, 60_000);

  it('an Asterisk without func_sha1: the dialplan sends the token itself and routing works — no_sha1', async () => {
    expect(await lab.pbx.cli('module unload func_sha1.so')).toMatch(/Unloaded|unloaded/);
    try {
      lab.phone('101').behaviour = { kind: 'answer', afterMs: 500, hangUpAfterMs: 500 };
      const { call, at } = lab.callIn(KNOWN);
      expect(await call.answered(20_000)).toBe(true);
      await call.ended(10_000);
      const invite = await lab.phone('101').nextInvite(at, 1);
      expect(invite.display).toBe('Remstroy — Alexey Smirnov'); // the service's plan, not the static chain
      expect(lab.phone('102').seen('invite', at)).toHaveLength(0);
      const record = await lab.callRecord({ caller: KNOWN, since: at });
      await report(lab, at, record.linkedid);
      expect(record).toMatchObject({ answered_by_extension: '101', step_reached: 'responsible' });
    } finally {
      await lab.pbx.cli('module load func_sha1.so');
    }
  }, 40_000);

  it('service hung (SIGSTOP): curl gives up after 2 s, the static chain rings; the call is recorded once the service runs again — service_hung', async () => {
    lab.service.pause();
    lab.phone('103').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 1000 };
    const { call, at } = lab.callIn(KNOWN);
    expect(await call.answered(20_000)).toBe(true);
    const invite = await lab.phone('103').nextInvite(at, 1);
    expectAround(seconds(at, invite.at), 2, 0.6);
    await call.ended(10_000);
    lab.service.resume();
    const record = await lab.callRecord({ caller: KNOWN, since: at }, 30_000);
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '103', step_reached: 'department' });
    expect((await lab.legs(record.linkedid)).map((leg) => [leg.extension, leg.step, leg.outcome])).toEqual([
      ['101', 'department', 'cancelled_other_answered'],
      ['102', 'department', 'cancelled_other_answered'],
      ['103', 'department', 'answered'],
    ]);
  }, 90_000);

  it('wrong token: the service refuses (403, logged), the static chain rings; the call is recorded at the department step — wrong_token', async () => {
    await lab.pbx.setGlobal('SWITCHBOARD_TOKEN', 'not-the-routing-token-000');
    try {
      const desk102 = await lab.desk('102');
      lab.phone('101').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 1000 };
      const { call, at } = lab.callIn(KNOWN);
      expect(await call.answered(20_000)).toBe(true);
      await call.ended(10_000);
      expect(seconds(at, (await lab.phone('102').nextInvite(at, 1)).at)).toBeLessThan(1.5);
      const record = await lab.callRecord({ caller: KNOWN, since: at });
      await report(lab, at, record.linkedid);
      expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '101', step_reached: 'department' });
      expect(lab.service.logs.some((line) => /route refused: wrong token/.test(line.msg))).toBe(true);
      // the static chain's calls pop cards too (the service hears them over AMI)
      expect(desk102.of('call.ringing', record.linkedid)[0]?.card.company?.name).toBe('Remstroy');
      expect(desk102.of('call.taken', record.linkedid)[0]?.answeredBy.extension).toBe('101');
    } finally {
      await lab.pbx.setGlobal('SWITCHBOARD_TOKEN', ROUTING_TOKEN);
    }
  }, 40_000);

  it.each([
    ['an HTML error page of a proxy', 502, '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['a plan cut short (no END)', 200, 'SB1|Remstroy|voicemail|responsible:10:PJSIP/101|department:10:PJSIP/102'],
    ['another plan version', 200, 'SB9|x|voicemail|responsible:10:PJSIP/101|END'],
    ['an empty body', 200, ''],
  ])('the route answer is %s: the static chain rings the department', async (_label, status, body) => {
    const proxy = createServer((_request, response) => response.writeHead(status, { 'content-type': 'text/html' }).end(body));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    const { port } = proxy.address() as AddressInfo;
    await lab.pbx.setGlobal('SWITCHBOARD_URL', `http://127.0.0.1:${port}`);
    try {
      lab.phone('102').behaviour = { kind: 'answer', afterMs: 500, hangUpAfterMs: 500 };
      const { call, at } = lab.callIn(KNOWN);
      expect(await call.answered(20_000)).toBe(true);
      await call.ended(10_000);
      for (const ext of ['101', '102', '103']) expect(seconds(at, (await lab.phone(ext).nextInvite(at, 1)).at)).toBeLessThan(1.5);
      expect(lab.phone('101').seen('invite', at)[0].display).not.toBe('Remstroy');
    } finally {
      await lab.pbx.setGlobal('SWITCHBOARD_URL', lab.service.url);
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 30_000);

  it('a second line with its own chain, ending in hang up: the trunk gets 480 (no answer), not 603 — second_line_hangup', async () => {
    const routing: RoutingConfig = {
      ...DEFAULT_ROUTING_CONFIG,
      chains: {
        ...DEFAULT_ROUTING_CONFIG.chains,
        second_line: {
          steps: [
            { name: 'department', kind: 'users', extensions: ['103'], timeout: 3 },
            { name: 'head_of_sales', kind: 'role', roles: ['head_of_sales'], timeout: 3 },
          ],
          final: 'hangup',
        },
      },
      lines: { [SECOND_LINE]: { chain: 'second_line' } },
    };
    await lab.setRouting(routing);
    const desk103 = await lab.desk('103');
    const { call, at } = lab.callIn(KNOWN, SECOND_LINE);
    expect(await call.answered(20_000)).toBe(false);
    expect(call.status).toBe(480);
    expect(lab.phone('101').seen('invite', at)).toHaveLength(0);
    expect(seconds(at, (await lab.phone('103').nextInvite(at, 1)).at)).toBeLessThan(1.5);
    expectAround(seconds(at, (await lab.phone('200').nextInvite(at, 1)).at), 3);
    const record = await lab.callRecord({ caller: KNOWN, since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ did: SECOND_LINE, disposition: 'missed', abandoned: false, voicemail: false, step_reached: 'head_of_sales' });
    const [decision] = await lab.decisions(record.linkedid);
    expect(decision.chain).toBe('second_line');
    expect(desk103.of('call.ringing', record.linkedid)[0]?.card.line).toBe(SECOND_LINE);
    expect(desk103.of('call.withdrawn', record.linkedid)).toHaveLength(1);
  }, 40_000);

  it('after hours (a holiday today): the after-hours chain rings the owner, then the PBX plays its prompt; the main line chain is not used — after_hours', async () => {
    await lab.pbx.setGlobal('SWITCHBOARD_AFTER_HOURS_PROMPT', 'vm-goodbye');
    const routing: RoutingConfig = {
      ...DEFAULT_ROUTING_CONFIG,
      chains: { ...DEFAULT_ROUTING_CONFIG.chains, after_hours: { steps: [{ name: 'owner', kind: 'role', roles: ['owner'], timeout: 3 }], final: 'after_hours' } },
      workingHours: { timezone: 'Europe/Moscow', week: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '23:59' }], holidays: [todayInMoscow()] },
    };
    await lab.setRouting(routing);
    const logFrom = lab.pbx.logSize();
    try {
      const { call, at } = lab.callIn(KNOWN, MAIN_LINE);
      expect(await call.answered(20_000)).toBe(true);
      await call.ended(20_000);
      expect(seconds(at, (await lab.phone('400').nextInvite(at, 1)).at)).toBeLessThan(1.5);
      for (const ext of ['101', '102', '103', '200', '300']) expect(lab.phone(ext).seen('invite', at)).toHaveLength(0);
      expectAround(seconds(at, lab.trunk.seen('answered', at)[0].at), 3);
      const log = lab.pbx.logSince(logFrom);
      expect(log).toMatch(/Playback\("PJSIP\/trunk-[0-9a-f]+", "vm-goodbye"\)/);
      expect(log).toMatch(/Playback\("PJSIP\/trunk-[0-9a-f]+", "vm-nobodyavail"\)/);
      const record = await lab.callRecord({ caller: KNOWN, since: at });
      await report(lab, at, record.linkedid);
      expect(record).toMatchObject({ disposition: 'missed', voicemail: true, abandoned: false });
      const [decision] = await lab.decisions(record.linkedid);
      expect(decision.chain).toBe('after_hours');
    } finally {
      await lab.pbx.setGlobal('SWITCHBOARD_AFTER_HOURS_PROMPT', '');
    }
  }, 40_000);

  it('SWITCHBOARD_VOICEMAIL set: after the chain VoiceMail() answers and the caller leaves a message in the mailbox — voicemail_message', async () => {
    await lab.pbx.setGlobal('SWITCHBOARD_VOICEMAIL', '100@default');
    await lab.setRouting({ ...DEFAULT_ROUTING_CONFIG, chains: { ...DEFAULT_ROUTING_CONFIG.chains, default: { steps: [{ name: 'department', kind: 'users', extensions: ['102'], timeout: 2 }], final: 'voicemail' } } });
    const logFrom = lab.pbx.logSize();
    const caller = '+79035559988';
    const head = await lab.desk('200', 'all');
    lab.trunk.sendsAudio = true;
    try {
      const { call, at } = lab.callIn(caller);
      expect(await call.answered(20_000)).toBe(true);
      // The stock greeting ("the person at extension 1 0 0 is unavailable… record your message") takes
      // about 12 s; then the caller speaks (a tone) for a few seconds and hangs up.
      await new Promise((resolve) => setTimeout(resolve, 17_000));
      call.hangUp();
      await call.ended(10_000);
      expect(lab.pbx.logSince(logFrom)).toMatch(/VoiceMail\("PJSIP\/trunk-[0-9a-f]+", "100@default,u"\)/);
      const inbox = join(lab.pbx.dir, 'spool', 'voicemail', 'default', '100', 'INBOX');
      await lab.trunk.waitUntil(() => existsSync(inbox) && readdirSync(inbox).some((name) => name.endsWith('.txt')), 5_000, 'a voicemail message');
      const meta = readFileSync(join(inbox, readdirSync(inbox).find((name) => name.endsWith('.txt')) as string), 'utf8');
      expect(meta).toContain(caller.slice(1));
      expect(Number(/^duration=(\d+)/m.exec(meta)?.[1])).toBeGreaterThanOrEqual(2);
      const record = await lab.callRecord({ caller, since: at });
      await report(lab, at, record.linkedid);
      expect(record).toMatchObject({ disposition: 'missed', voicemail: true, answered_by_extension: null });
      await lab.leadCaptured(record.linkedid);
      const tasks: { kind: string }[] = await lab.dataSource.query('SELECT kind FROM tasks WHERE phone = $1', [caller]);
      expect(tasks).toEqual([{ kind: 'callback' }]);
      expect(head.of('call.missed', record.linkedid)).toEqual([expect.objectContaining({ voicemail: true, abandoned: false, responsibleId: null })]);
    } finally {
      lab.trunk.sendsAudio = false;
      await lab.pbx.setGlobal('SWITCHBOARD_VOICEMAIL', '');
    }
  }, 60_000);
});
