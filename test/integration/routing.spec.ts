import { createHash } from 'node:crypto';
import { User } from '../../src/auth/users/user.entity';
import type { Role } from '../../src/people/person';
import { PresenceService } from '../../src/telephony/routing/presence.service';
import { DEFAULT_ROUTING_CONFIG } from '../../src/telephony/routing/chain-config';
import { RouteDecision } from '../../src/telephony/routing/route-decision.entity';
import { decodePlan } from '../../src/telephony/routing/route-plan';
import { RoutingChainsService } from '../../src/telephony/routing/routing-chains.service';
import { RoutingService } from '../../src/telephony/routing/routing.service';
import { createTestApp, type TestApp } from '../support/test-app';

const TOKEN = 'test-routing-token-0123';

describe('GET /api/asterisk/route on real Postgres', () => {
  let t: TestApp;
  let team: Record<string, User>;

  // As the shipped dialplan asks: signed with sha1("<token>/<uniqueid>") (the token itself is in no Asterisk log).
  const sign = (uniqueid: string): string => createHash('sha1').update(`${TOKEN}/${uniqueid}`).digest('hex');
  const route = (query: Record<string, string>) => {
    const uniqueid = query.uniqueid ?? '1795336092.42';
    return t.http.get('/api/asterisk/route').set('X-Switchboard-Signature', sign(uniqueid)).query({ did: '74951112233', ...query, uniqueid });
  };
  const stepsOf = (text: string): string[] => (decodePlan(text)?.steps ?? []).map((s) => `${s.name}:${s.timeout}:${s.dial}`);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    await t.app.get(RoutingChainsService).refresh();
    const sales = await t.factories.department('sales');
    const people: [string, Role, string][] = [
      ['101', 'manager', 'Anna Petrova'],
      ['102', 'manager', 'Boris Ivanov'],
      ['103', 'manager', 'Vera Sidorova'],
      ['200', 'head_of_sales', 'Grigory Orlov'],
      ['300', 'ceo', 'Dmitry Volkov'],
      ['400', 'owner', 'Elena Sokolova'],
    ];
    team = {};
    for (const [ext, role, name] of people) {
      const user = await t.factories.user({ role, name, extensions: [ext], devices: [`PJSIP/${ext}`], departmentId: role === 'manager' || role === 'head_of_sales' ? sales.id : null });
      team[ext] = user;
    }
    const company = await t.factories.company({ name: 'Remstroy, "LLC" | Moscow', responsibleId: team['102'].id });
    const contact = await t.factories.contact({ name: 'Alexey Smirnov', companyId: company.id, responsibleId: team['101'].id });
    await t.factories.phone({ e164: '+74951234567', raw: '8 (495) 123-45-67', companyId: company.id });
    await t.factories.phone({ e164: '+79161234567', raw: '+7 916 123-45-67', contactId: contact.id });
  });

  it('known caller: the responsible first, then the rest of the department, head, CEO, owner; the phones show company — contact', async () => {
    const response = await route({ caller: '+79161234567' }).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toBe(
      'SB1|Remstroy LLC Moscow — Alexey Smirnov|voicemail|responsible:10:PJSIP/101|department:10:PJSIP/102&PJSIP/103|head_of_sales:10:PJSIP/200|ceo:10:PJSIP/300|owner:10:PJSIP/400|END',
    );
  });

  it('known company number in a local format: the company responsible', async () => {
    const response = await route({ caller: '8 (495) 123-45-67' }).expect(200);
    expect(stepsOf(response.text)[0]).toBe('responsible:10:PJSIP/102');
    expect(decodePlan(response.text)?.displayName).toBe('Remstroy LLC Moscow');
  });

  it('new caller: the department at once', async () => {
    const response = await route({ caller: '+79031112233' }).expect(200);
    expect(response.text).toBe('SB1||voicemail|department:10:PJSIP/101&PJSIP/102&PJSIP/103|head_of_sales:10:PJSIP/200|ceo:10:PJSIP/300|owner:10:PJSIP/400|END');
  });

  it.each(['anonymous', '', '+7 (916) 123', '1'.repeat(40), '<script>alert(1)</script>', "'; DROP TABLE users; --", '%00\r\nAction: Hangup', '+79161234567|x'])(
    'bad caller id %j: a valid new-caller plan',
    async (caller) => {
      const response = await route({ caller }).expect(200);
      expect(response.text.startsWith('SB1||voicemail|department:10:PJSIP/101&PJSIP/102&PJSIP/103|')).toBe(true);
      expect(response.text).toMatch(/^[A-Za-z0-9|:&/_]+$/);
    },
  );

  it('no caller, no did, no uniqueid: still a plan', async () => {
    const response = await t.http.get('/api/asterisk/route').query({ token: TOKEN }).expect(200);
    expect(response.text.startsWith('SB1||voicemail|department:')).toBe(true);
  });

  it('the query form of older dialplans (?token=) still works this release', async () => {
    const response = await t.http.get('/api/asterisk/route').query({ caller: '+79161234567', did: '74951112233', token: TOKEN }).expect(200);
    expect(response.text.startsWith('SB1|')).toBe(true);
  });

  it('the plain token header works; a wrong one, a signature of another uniqueid or of another token → 403', async () => {
    await t.http.get('/api/asterisk/route').set('X-Switchboard-Token', TOKEN).query({ caller: '+79161234567' }).expect(200);
    await t.http.get('/api/asterisk/route').set('X-Switchboard-Token', 'wrong-token-wrong-token').query({ caller: '+79161234567' }).expect(403);
    await t.http.get('/api/asterisk/route').set('X-Switchboard-Signature', sign('1.1')).query({ caller: '+79161234567', uniqueid: '1.2' }).expect(403);
    const foreign = createHash('sha1').update('another-token-0000000/1.1').digest('hex');
    const response = await t.http.get('/api/asterisk/route').set('X-Switchboard-Signature', foreign).query({ caller: '+79161234567', uniqueid: '1.1' }).expect(403);
    expect(response.text).toBe('ERR forbidden');
  });

  it.each([{ token: 'wrong-token-wrong-token' }, { token: '' }, {}])('wrong token %j → 403 with a body the dialplan rejects', async (query) => {
    const response = await t.http.get('/api/asterisk/route').query({ caller: '+79161234567', ...query }).expect(403);
    expect(response.text.startsWith('SB1')).toBe(false);
  });

  it('DND, busy and offline people are skipped live (DND from the users table, states from AMI events)', async () => {
    await t.dataSource.getRepository(User).update(team['101'].id, { dnd: true });
    const presence = t.app.get(PresenceService);
    presence.apply({ Event: 'DeviceStateChange', Device: 'PJSIP/102', State: 'INUSE' });
    presence.apply({ Event: 'ContactStatus', EndpointName: '300', AOR: '300', ContactStatus: 'Removed' });
    try {
      const response = await route({ caller: '+79161234567', uniqueid: 'u-dnd' }).expect(200);
      expect(stepsOf(response.text)).toEqual(['department:10:PJSIP/103', 'head_of_sales:10:PJSIP/200', 'owner:10:PJSIP/400']);
      await t.app.get(RoutingService).flush();
      const [decision] = await t.dataSource.getRepository(RouteDecision).findBy({ uniqueid: 'u-dnd' });
      expect(decision.skipped.map((s) => `${s.step}:${s.extension}:${s.reason}`)).toEqual([
        'responsible:101:dnd',
        'department:101:dnd',
        'department:102:busy',
        'ceo:300:offline',
      ]);
    } finally {
      presence.apply({ Event: 'DeviceStateChange', Device: 'PJSIP/102', State: 'NOT_INUSE' });
      presence.apply({ Event: 'ContactStatus', EndpointName: '300', AOR: '300', ContactStatus: 'Reachable' });
    }
  });

  it('records every decision (rule, chain, steps, skipped, timing) for the call record to join', async () => {
    await route({ caller: '+79161234567', uniqueid: '1795336092.7', linkedid: '1795336092.6' }).expect(200);
    await route({ caller: 'anonymous', uniqueid: '1795336093.9' }).expect(200);
    await t.app.get(RoutingService).flush();
    const rows = await t.dataSource.getRepository(RouteDecision).find({ order: { decidedAt: 'ASC' } });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      uniqueid: '1795336092.7',
      linkedid: '1795336092.6',
      caller: '+79161234567',
      did: '74951112233',
      known: true,
      responsibleId: team['101'].id,
      chain: 'default',
      rule: 'default/open',
      finalAction: 'voicemail',
      emptySteps: [],
      skipped: [{ step: 'department', userId: team['101'].id, extension: '101', reason: 'already_rung' }],
    });
    expect(rows[0].steps.map((s) => s.name)).toEqual(['responsible', 'department', 'head_of_sales', 'ceo', 'owner']);
    expect(rows[0].durationUs).toBeGreaterThan(0);
    expect(rows[1]).toMatchObject({ caller: 'anonymous', callerRaw: 'anonymous', known: false, skipped: [{ step: 'responsible', reason: 'unknown_caller' }] });

    const admin = await t.tokenFor('admin');
    const found = await t.http.get('/api/routing/decisions').query({ linkedid: '1795336092.6' }).set({ Authorization: `Bearer ${admin}` }).expect(200);
    expect(found.body).toEqual([expect.objectContaining({ uniqueid: '1795336092.7', chain: 'default' })]);
  });

  describe('chains REST', () => {
    const SECOND_LINE = {
      chains: {
        default: DEFAULT_ROUTING_CONFIG.chains.default,
        after_hours: { steps: [], final: 'after_hours' },
        second_line: { steps: [{ name: 'desk', kind: 'users', extensions: ['103'], timeout: 25 }], final: 'hangup' },
      },
      defaultChain: 'default',
      afterHoursChain: 'after_hours',
      workingHours: null,
      lines: { '74951112244': { chain: 'second_line' } },
    };

    it('admin only: a manager gets 403, no token 401', async () => {
      const manager = await t.tokenFor('manager');
      await t.http.get('/api/routing/chains').set({ Authorization: `Bearer ${manager}` }).expect(403);
      await t.http.put('/api/routing/chains').set({ Authorization: `Bearer ${manager}` }).send(SECOND_LINE).expect(403);
      await t.http.get('/api/routing/chains').expect(401);
    });

    it('an admin saves a per-line chain; the route follows it at once and other lines keep the default', async () => {
      const admin = { Authorization: `Bearer ${await t.tokenFor('admin')}` };
      const before = await t.http.get('/api/routing/chains').set(admin).expect(200);
      expect(before.body.source).toBe('default');
      await t.http.put('/api/routing/chains').set(admin).send(SECOND_LINE).expect(200);
      const after = await t.http.get('/api/routing/chains').set(admin).expect(200);
      expect(after.body).toMatchObject({ source: 'database', config: { lines: { '74951112244': { chain: 'second_line' } } } });

      expect((await route({ caller: '+79161234567', did: '74951112244' }).expect(200)).text).toBe('SB1|Remstroy LLC Moscow — Alexey Smirnov|hangup|desk:25:PJSIP/103|END');
      expect(stepsOf((await route({ caller: '+79161234567' }).expect(200)).text)[0]).toBe('responsible:10:PJSIP/101');
    });

    it.each([
      [{ chains: { default: { steps: [{ name: 'x', kind: 'responsible', timeout: 0 }] } } }, 'chains.default.steps[0].timeout'],
      [{ chains: { default: { steps: [] } }, defaultChain: 'missing' }, 'defaultChain'],
      [{ chains: 'all of them' }, 'chains'],
      [{ chains: { default: { steps: [] } }, workingHours: { week: [{ days: [1], from: '25:00', to: '18:00' }] } }, 'workingHours.week[0].from'],
    ])('invalid chain %j → 400 naming %s; the chains in force stay', async (body, field) => {
      const admin = { Authorization: `Bearer ${await t.tokenFor('admin')}` };
      const response = await t.http.put('/api/routing/chains').set(admin).send(body).expect(400);
      expect(response.body.field).toBe(field);
      expect((await t.http.get('/api/routing/chains').set(admin).expect(200)).body.source).toBe('default');
    });
  });
});

describe('GET /api/asterisk/route when the database is gone', () => {
  it('503 with a body the dialplan rejects (it falls back to its static chain)', async () => {
    const t = await createTestApp();
    try {
      await t.http.get('/api/asterisk/route').query({ caller: '+79161234567', token: TOKEN }).expect(200);
      await t.dataSource.destroy();
      const response = await t.http.get('/api/asterisk/route').query({ caller: '+79161234567', token: TOKEN }).expect(503);
      expect(response.text.startsWith('SB1')).toBe(false);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
