import { createHash } from 'node:crypto';
import { RoutingService } from '../../src/telephony/routing/routing.service';
import { createTestApp, type TestApp } from '../support/test-app';

const TOKEN = 'test-routing-token-0123';
const LINE = '74951119999';

/** The admin screen's routing API on real Postgres: line names, "test this route", the last decisions, the PBX's devices. */
describe('routing administration API', () => {
  let t: TestApp;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const config = (name: unknown) => ({
    chains: {
      default: { steps: [{ name: 'department', kind: 'department', timeout: 10 }], final: 'voicemail' },
      direct: { steps: [{ name: 'direct_desk', kind: 'users', timeout: 15, extensions: ['105'] }], final: 'voicemail' },
      after_hours: { steps: [], final: 'after_hours' },
    },
    defaultChain: 'default',
    afterHoursChain: 'after_hours',
    workingHours: null,
    lines: { [LINE]: { name, chain: 'direct' } },
  });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('a named line with its own chain: the test box shows the plan, the lines list names it, the dialplan gets that plan and the decision is listed', async () => {
    await t.reset();
    const admin = await t.tokenFor('admin');
    const olga = await t.factories.user({ role: 'manager', name: 'Olga Belova', extensions: ['105'], devices: ['PJSIP/105'] });
    await t.http.put('/api/routing/chains').set(auth(admin)).send(config('Yandex.Direct')).expect(200);

    const head = await t.tokenFor('head_of_sales');
    const plan = (await t.http.get('/api/routing/test').query({ caller: '8 903 111-22-33', did: LINE, at: '2026-12-02T12:00:00+03:00' }).set(auth(head)).expect(200)).body;
    expect(plan).toMatchObject({ caller: '+79031112233', known: false, chain: 'direct', steps: [{ name: 'direct_desk', timeout: 15, dial: 'PJSIP/105', extensions: ['105'], userIds: [olga.id] }] });

    const manager = await t.tokenFor('manager');
    expect((await t.http.get('/api/routing/lines').set(auth(manager)).expect(200)).body).toEqual({ [LINE]: 'Yandex.Direct' });
    await t.http.get('/api/routing/test').query({ caller: '+79031112233', did: LINE }).set(auth(manager)).expect(403);

    // The dialplan's own request, signed as dialplans/switchboard.conf signs it.
    const uniqueid = '1796230000.7';
    const signature = createHash('sha1').update(`${TOKEN}/${uniqueid}`).digest('hex');
    const routed = await t.http.get('/api/asterisk/route').set('X-Switchboard-Signature', signature).query({ caller: '+79031112233', did: LINE, uniqueid }).expect(200);
    expect(routed.text).toContain('PJSIP/105');
    await t.app.get(RoutingService).flush();
    const recent = (await t.http.get('/api/routing/decisions/recent').query({ limit: 5 }).set(auth(head)).expect(200)).body as { uniqueid: string; did: string; chain: string; steps: unknown[] }[];
    expect(recent[0]).toMatchObject({ uniqueid, did: LINE, chain: 'direct' });
    await t.http.get('/api/routing/decisions/recent').query({ limit: 0 }).set(auth(head)).expect(400);
  });

  it.each([
    ['empty', ''],
    ['a control character', 'Yandex\u0000Direct'],
    ['too long', 'x'.repeat(81)],
    ['not text', 42],
  ])('a line name that is %s is refused with the line named', async (_what, name) => {
    const admin = await t.tokenFor('admin');
    const response = await t.http.put('/api/routing/chains').set(auth(admin)).send(config(name)).expect(400);
    expect(JSON.stringify(response.body)).toContain(`lines.${LINE}.name`);
  });

  it.each([
    [{ caller: '<script>', did: LINE }],
    [{ caller: '+79031112233', did: 'abc' }],
    [{ caller: '+79031112233', did: LINE, at: 'tomorrow' }],
  ])('the test box refuses %j with the field named', async (query) => {
    const response = await t.http.get('/api/routing/test').query(query).set(auth(await t.tokenFor('admin'))).expect(400);
    expect(JSON.stringify(response.body)).toMatch(/caller|did|at/);
  });

  it('the PBX devices list is for admins', async () => {
    expect((await t.http.get('/api/routing/devices').set(auth(await t.tokenFor('admin'))).expect(200)).body).toEqual(expect.any(Array));
    await t.http.get('/api/routing/devices').set(auth(await t.tokenFor('head_of_sales'))).expect(403);
  });
});
