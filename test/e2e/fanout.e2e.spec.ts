/**
 * Desk fan-out across instances: two in-process apps on the test database and one AMI (the
 * replay server behind a gate). A takes the AMI lock and consumes the recording; B stands by and
 * has the desks. B's desks (socket.io and /ws) get A's popups through the socket.io Postgres
 * adapter, exactly once, and only the desks of the audience.
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { RealtimeGateway } from '../../src/realtime/realtime.gateway';
import { RealtimeService } from '../../src/realtime/realtime.service';
import { AmiSimulator, type SimulatorOptions } from '../../src/simulator/ami-simulator';
import { amiEnv, gatedAmi, LAB_PASSWORD, liveChannelsAfter, seedLab, splitRecording, type SeededLab } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';
import { ioDesk, wsDesk, type Desk } from '../support/desks';
import { testDatabaseUrl, truncateAll } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

describe('desk fan-out across two instances (socket.io Postgres adapter)', () => {
  let seedSource: DataSource;
  let lab: SeededLab;
  let a: TestApp | null = null;
  let b: TestApp | null = null;
  let server: { port: number; close(): Promise<void> } | null = null;
  let gate: Awaited<ReturnType<typeof gatedAmi>> | null = null;
  const desks: Desk[] = [];

  beforeAll(async () => {
    seedSource = new DataSource(dataSourceOptions(testDatabaseUrl()));
    await seedSource.initialize();
  });

  afterEach(async () => {
    for (const d of desks.splice(0)) d.close();
    await b?.close();
    await a?.close();
    await gate?.close();
    await server?.close();
    a = b = null;
    gate = null;
    server = null;
  });

  afterAll(async () => {
    await truncateAll(seedSource);
    await seedSource.destroy();
  });

  async function login(app: TestApp, extension: string): Promise<string> {
    const response = await request(app.app.getHttpServer()).post('/api/auth/login').send({ email: lab.emails.get(extension), password: LAB_PASSWORD }).expect(200);
    return (response.body as { accessToken: string }).accessToken;
  }

  /** A leads (AMI behind a closed gate), B follows; both hear each other's adapter. */
  async function boot(options: SimulatorOptions): Promise<{ a: TestApp; b: TestApp }> {
    lab = await seedLab(seedSource);
    server = await new AmiSimulator(options).listen(0);
    gate = await gatedAmi(server.port);
    const leader = (a = await createTestApp({ ...amiEnv(gate.port), AMI_LEADER_POLL_MS: '500' }));
    await until('A to lead', async () => ((await leader.http.get('/health')).body as { ami: { leader: boolean } }).ami.leader);
    const follower = (b = await createTestApp({ ...amiEnv(gate.port), AMI_LEADER_POLL_MS: '500' }));
    expect((await follower.http.get('/health').expect(200)).body).toMatchObject({ ami: { leader: false } });
    // B hears A's adapter (its LISTEN is up, A's heartbeat arrived): from now on A's publications reach B.
    await until('B to see A', async () => (await follower.app.get(RealtimeGateway).instanceCount()) === 2, 15_000);
    await until('A to see B', async () => (await leader.app.get(RealtimeGateway).instanceCount()) === 2, 15_000);
    return { a: leader, b: follower };
  }

  it("a desk on the follower gets the leader's popups with the card, exactly once, on both transports; other desks get nothing", async () => {
    // The second recording is a marker: the same caller, 101 answers again. Its events travel the same
    // path (A's tracker → fan-out → B → desk) behind the first call's. A call's end follows its write
    // (call.stored), so the two ends may arrive in either order: once both are on a desk, anything
    // late or duplicated about the first call would be there too.
    const first = '1795335530.4';
    const marker = '1795336092.460';
    const { b } = await boot({
      recordings: [transcript('a_known_responsible_answers.ami'), transcript('j_sip_known_responsible_answers.ami')],
      betweenRecordings: 'continue',
    });
    const url = await b.app.getUrl();
    const annaIo = await ioDesk(url, await login(b, '101'));
    const annaWs = await wsDesk(url, await login(b, '101'));
    const vera = await ioDesk(url, await login(b, '103'));
    const veraWs = await wsDesk(url, await login(b, '103'));
    desks.push(annaIo, annaWs, vera, veraWs);
    for (const d of desks) await until('the snapshot', () => d.of('desk.snapshot').length > 0);
    expect(annaIo.of('desk.snapshot')[0]).toMatchObject({ user: { id: lab.userIds.get('101') }, calls: [] });

    gate?.open();
    for (const anna of [annaIo, annaWs]) {
      await until('both calls to end on the follower desk', () => anna.of('call.ended', marker).length > 0 && anna.of('call.ended', first).length > 0, 20_000);
    }

    for (const anna of [annaIo, annaWs]) {
      const ringing = anna.of('call.ringing', first);
      expect(ringing).toHaveLength(1);
      expect(ringing[0]).toMatchObject({ ringing: { extension: '101', userId: lab.userIds.get('101') } });
      expect(ringing[0].card.contact?.name).toBe('Alexey Smirnov');
      expect(anna.of('call.answered', first)).toHaveLength(1);
      expect(anna.of('call.ended', first)).toHaveLength(1);
      // Each call's events once, in the order A sent them; the second call rings after the first was answered.
      const seen = anna.events.filter((e) => e.event !== 'desk.snapshot').map((e) => [e.event, 'linkedid' in e.data ? e.data.linkedid : null]);
      const of = (linkedid: string): unknown[] => seen.filter((e) => e[1] === linkedid).map((e) => e[0]);
      expect(seen).toHaveLength(6);
      expect(of(first)).toEqual(['call.ringing', 'call.answered', 'call.ended']);
      expect(of(marker)).toEqual(['call.ringing', 'call.answered', 'call.ended']);
      expect(seen.findIndex((e) => e[0] === 'call.ringing' && e[1] === marker)).toBeGreaterThan(seen.findIndex((e) => e[0] === 'call.answered' && e[1] === first));
    }
    expect(annaWs.events.slice(1)).toEqual(annaIo.events.slice(1));
    expect(vera.events.map((e) => e.event)).toEqual(['desk.snapshot']);
    expect(veraWs.events.map((e) => e.event)).toEqual(['desk.snapshot']);
  }, 60_000);

  it("a desk connecting to the follower mid-call gets the leader's live call in its snapshot", async () => {
    const scenario = 'a_known_responsible_answers';
    const { head, headEvents } = splitRecording(scenario, (block) => /Event: DialState\r\n/.test(block) && /DialStatus: RINGING/.test(block));
    const { a, b } = await boot({ recordings: [{ name: 'until-ringing', data: head }], betweenRecordings: 'continue', channels: liveChannelsAfter(scenario, headEvents) });
    gate?.open();
    const [linkedid] = await until('A to show the ringing call', () => {
      const ids = a.app.get(RealtimeService).liveCallIds();
      return ids.length > 0 ? ids : null;
    });
    expect(b.app.get(RealtimeService).liveCallIds()).toEqual([]);

    const url = await b.app.getUrl();
    const anna = await wsDesk(url, await login(b, '101'));
    const vera = await ioDesk(url, await login(b, '103'));
    desks.push(anna, vera);
    const [snapshot] = await until('the snapshot', () => (anna.of('desk.snapshot').length > 0 ? anna.of('desk.snapshot') : null));
    expect(snapshot.calls).toHaveLength(1);
    expect(snapshot.calls[0]).toMatchObject({ linkedid, state: 'ringing', person: { extension: '101', userId: lab.userIds.get('101') } });
    expect(snapshot.calls[0].card.contact?.name).toBe('Alexey Smirnov');
    await until("Vera's snapshot", () => vera.of('desk.snapshot').length > 0);
    expect(vera.of('desk.snapshot')[0].calls).toEqual([]);
  }, 60_000);
});
