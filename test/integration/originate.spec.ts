import { AmiService } from '../../src/telephony/ami/ami.service';
import { PresenceService } from '../../src/telephony/routing/presence.service';
import { personPresence } from '../../src/telephony/routing/presence';
import { AmiSimulator } from '../../src/simulator/ami-simulator';
import { createTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

/** A PBX with no calls: the banner, one event that says a phone is busy, then answers to actions. */
const QUIET_PBX = {
  name: 'quiet',
  data: [
    'Asterisk Call Manager/11.0.0\r\n',
    'Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n',
    'Event: DeviceStateChange\r\nPrivilege: call,all\r\nTimestamp: 1795336092.976275\r\nDevice: PJSIP/105\r\nState: INUSE\r\n\r\n',
  ].join(''),
};

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The service on the test database with its AMI link to a quiet PBX of its own, connected (one per describe: no test depends on another's link). */
function useQuietPbx(): { replay: AmiSimulator; server: { port: number; close(): Promise<void> }; t: TestApp } {
  const pbx = {} as { replay: AmiSimulator; server: { port: number; close(): Promise<void> }; t: TestApp };
  beforeAll(async () => {
    pbx.replay = new AmiSimulator({ recordings: [QUIET_PBX] });
    pbx.server = await pbx.replay.listen(0);
    pbx.t = await createTestApp({ AMI_HOST: '127.0.0.1', AMI_PORT: String(pbx.server.port), AMI_SECRET: 'x', ORIGINATE_PER_MINUTE: '3' });
    await until('AMI to connect', () => pbx.t.app.get(AmiService).report().state === 'connected', 5000);
  });
  afterAll(async () => {
    await pbx.t.close();
    await pbx.server.close();
  });
  beforeEach(() => pbx.t.reset());
  return pbx;
}

describe('POST /api/calls/originate over a real AMI TCP link', () => {
  const pbx = useQuietPbx();
  let t: TestApp;
  beforeAll(() => {
    t = pbx.t;
  });
  const originates = () => pbx.replay.connections.flatMap((conn) => conn.actions.filter((action) => action.Action === 'Originate'));

  it('rings the manager’s own phone first, then the client via the click-to-call context; digits only, name sanitised', async () => {
    const manager = await t.tokenFor('manager', { name: 'Anna', extensions: ['101'], devices: ['Local/101@managers', 'PJSIP/101'] });
    const company = await t.factories.company({ name: 'Remstroy\r\nAction: Hangup' });
    const contact = await t.factories.contact({ name: 'Alexey "Boss" Smirnov', companyId: company.id });
    await t.factories.phone({ e164: '+79161234567', contactId: contact.id });
    const before = originates().length;

    const byContact = await t.http.post('/api/calls/originate').set(auth(manager)).send({ contactId: contact.id }).expect(202);
    expect(byContact.body).toEqual({ status: 'originating', channel: 'Local/101@managers', number: '+79161234567', extension: '101' });
    await t.http.post('/api/calls/originate').set(auth(manager)).send({ number: '8 (903) 111-22-33' }).expect(202);

    const [first, second] = await until('two Originate actions', () => (originates().length >= before + 2 ? originates().slice(before) : null), 5000);
    expect(first).toMatchObject({
      Action: 'Originate',
      Channel: 'Local/101@managers',
      Context: 'switchboard-click-to-call',
      Exten: '79161234567',
      Priority: '1',
      CallerID: 'Remstroy Action Hangup — Alexey Boss Smirnov <79161234567>',
      Timeout: '30000',
      Async: 'true',
    });
    expect(first.Variable).toContain('SWITCHBOARD_TARGET=79161234567');
    expect(second).toMatchObject({ Exten: '79031112233', CallerID: '+79031112233 <79031112233>' });
    // on the wire: one Originate block per request, no forged header
    const wire = pbx.replay.connections.map((conn) => conn.received).join('');
    expect(wire.match(/^Action: Originate\r$/gm)).toHaveLength(before + 2);
    expect(wire).not.toMatch(/^Action: Hangup/m);
  });

  it.each([
    [{ number: '+7 916 123-45-67\r\nAction: Hangup' }, 'number'],
    [{ number: '<script>alert(1)</script>' }, 'number'],
    [{ number: '123' }, 'number'],
    [{}, 'number'],
    [{ number: '+79161234567', contactId: '7d3c1c4e-0000-4000-8000-000000000000' }, 'number'],
    [{ contactId: 'not-a-uuid' }, 'contactId'],
    [{ number: '+79161234567', channel: 'PJSIP/999' }, 'channel'],
  ])('%j → 400 naming %s, nothing sent to AMI', async (body, field) => {
    const before = originates().length;
    const manager = await t.tokenFor('manager', { extensions: ['101'] });
    const response = await t.http.post('/api/calls/originate').set(auth(manager)).send(body).expect(400);
    const named = response.body.field ?? response.body.fields?.map((f: { field: string }) => f.field).join(',');
    expect(named).toBe(field);
    expect(originates().length).toBe(before);
  });

  it("refuses another user's extension and unauthenticated calls", async () => {
    const manager = await t.tokenFor('manager', { extensions: ['101'] });
    await t.factories.user({ role: 'manager', extensions: ['102'] });
    await t.http.post('/api/calls/originate').set(auth(manager)).send({ number: '+79161234567', extension: '102' }).expect(403);
    await t.http.post('/api/calls/originate').send({ number: '+79161234567' }).expect(401);
  });

  it('rate-limits each user (429), not everyone', async () => {
    const busy = await t.tokenFor('manager', { extensions: ['103'] });
    const other = await t.tokenFor('manager', { extensions: ['104'] });
    for (let i = 0; i < 3; i++) await t.http.post('/api/calls/originate').set(auth(busy)).send({ number: '+79161234567' }).expect(202);
    const limited = await t.http.post('/api/calls/originate').set(auth(busy)).send({ number: '+79161234567' }).expect(429);
    expect(limited.body.retryAfter).toBeGreaterThan(0);
    await t.http.post('/api/calls/originate').set(auth(other)).send({ number: '+79161234567' }).expect(202);
  });

  it('presence comes from the same link (DeviceStateChange)', async () => {
    const presence = t.app.get(PresenceService);
    await until('the PBX event about PJSIP/105', () => presence.state.has('PJSIP/105'), 5000);
    expect(presence.state.get('PJSIP/105')).toBe('INUSE');
    expect(personPresence(['PJSIP/105'], presence.state)).toBe('busy');
    // a phone the PBX said nothing about stays available
    expect(personPresence(['PJSIP/101'], presence.state)).toBe('available');
  });
});

describe('POST /api/calls/originate with the AMI link down', () => {
  const pbx = useQuietPbx();

  it('AMI down → 503', async () => {
    const { t, server } = pbx;
    const manager = await t.tokenFor('manager', { extensions: ['105'] });
    await server.close();
    await until('AMI to drop', () => t.app.get(AmiService).report().state !== 'connected', 5000);
    const response = await t.http.post('/api/calls/originate').set(auth(manager)).send({ number: '+79161234567' }).expect(503);
    expect(response.body.error).toBe('unavailable');
  });
});
