import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { WebSocket } from 'ws';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { AmiSimulator, type SimulatorOptions } from '../../src/simulator/ami-simulator';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config';
import { RealtimeService } from '../../src/realtime/realtime.service';
import { amiEnv, gatedAmi, LAB_PASSWORD, liveChannelsAfter, recordingBlocks, seedLab, splitRecording, type SeededLab } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';
import { ioDesk, reconnectingDesk, wsDesk, type Desk } from '../support/desks';
import { testDatabaseUrl, truncateAll } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

describe('realtime desks end to end (replay server → service → socket.io and /ws desks)', () => {
  let seedSource: DataSource;
  let lab: SeededLab;
  let t: TestApp | null = null;
  let replay: AmiSimulator | null = null;
  let server: { port: number; close(): Promise<void> } | null = null;
  let gate: Awaited<ReturnType<typeof gatedAmi>> | null = null;
  const desks: Desk[] = [];

  beforeAll(async () => {
    seedSource = new DataSource(dataSourceOptions(testDatabaseUrl()));
    await seedSource.initialize();
  });

  afterAll(async () => {
    await truncateAll(seedSource);
    await seedSource.destroy();
  });

  afterEach(async () => {
    for (const desk of desks.splice(0)) desk.close();
    await t?.close();
    await gate?.close();
    await server?.close();
    t = null;
    gate = null;
    server = null;
    replay = null;
  });

  /** Boots the app on a replay server behind a closed gate: nothing streams until `gate.open()`. */
  async function boot(options: SimulatorOptions): Promise<{ app: TestApp; url: string }> {
    lab = await seedLab(seedSource);
    replay = new AmiSimulator(options);
    server = await replay.listen(0);
    gate = await gatedAmi(server.port);
    t = await createTestApp(amiEnv(gate.port));
    return { app: t, url: await t.app.getUrl() };
  }

  async function login(extension: string): Promise<string> {
    const response = await request((t as TestApp).app.getHttpServer())
      .post('/api/auth/login')
      .send({ email: lab.emails.get(extension), password: LAB_PASSWORD })
      .expect(200);
    return (response.body as { accessToken: string }).accessToken;
  }

  async function desk(kind: 'io' | 'ws', url: string, extension: string, scope?: 'all'): Promise<Desk> {
    const token = await login(extension);
    const d = kind === 'io' ? await ioDesk(url, token, scope) : await wsDesk(url, token);
    desks.push(d);
    await until('the desk snapshot', () => d.of('desk.snapshot').length > 0);
    return d;
  }

  it('burst of 20 calls: each desk gets exactly its own calls, the right card, call.taken when a colleague answers, call.missed as responsible', async () => {
    const { url } = await boot({ recordings: [transcript('burst1_20_calls.ami')] });
    const vera = await desk('io', url, '103');
    const anna = await desk('io', url, '101');
    const boris = await desk('ws', url, '102');
    const head = await desk('io', url, '200', 'all');
    expect(boris.of('desk.snapshot')[0]).toMatchObject({ user: { id: lab.userIds.get('102'), name: 'Boris Ivanov' }, scope: 'own', calls: [] });
    gate?.open();
    await until('all 20 calls ended for the head of sales', () => new Set(head.of('call.ended').map((e) => e.linkedid)).size === 20, 30_000);
    // A call's end reaches desks once it is stored, on each desk's own socket: wait until every
    // call that rang a desk has ended there (withdrawn, taken by a colleague, or ended).
    const settled = (d: typeof vera): boolean => {
      const done = new Set([...d.of('call.withdrawn'), ...d.of('call.taken'), ...d.of('call.ended')].map((e) => e.linkedid));
      return d.of('call.ringing').every((e) => done.has(e.linkedid));
    };
    await until('every ringing call ended on every desk', () => [vera, anna, boris, head].every(settled), 30_000);
    // The missed-call notices go out with a call's end, after it: wait for the ones asserted below.
    await until('the missed-call notices', () => vera.of('call.missed', '1795335776.136').length > 0 && boris.of('call.missed', '1795335778.190').length > 0 && head.of('call.missed', '1795335775.128').length > 0, 30_000);

    // Maria Kozlova (+79104445566, Optima Trade, responsible 102): 102 rang alone, then the group; 103 answered.
    // Maria Kozlova (+79104445566, Optima Trade, responsible 102): 102 was busy at both steps (its
    // phone never rang: no popup), the group rang 101 and 103, and 103 answered.
    const maria = '1795335776.156';
    expect(boris.events.filter((e) => 'linkedid' in e.data && e.data.linkedid === maria)).toEqual([]);
    const [veraRinging] = vera.of('call.ringing', maria);
    const card = veraRinging.card;
    expect(veraRinging).toMatchObject({ step: 'department', ringing: { extension: '103', userId: lab.userIds.get('103'), name: 'Vera Sidorova' } });
    expect(card).toMatchObject({
      linkedid: maria,
      phone: '+79104445566',
      line: '74951112233',
      newCaller: false,
      direction: 'inbound',
      contact: { name: 'Maria Kozlova', position: 'Director' },
      company: { name: 'Optima Trade', tags: ['permanent'], abcCategory: 'A' },
      responsible: { id: lab.userIds.get('102'), name: 'Boris Ivanov' },
      lookupFailed: false,
    });
    expect(anna.of('call.ringing', maria).map((e) => e.card)).toEqual([card]);
    expect(vera.of('call.answered', maria)).toEqual([expect.objectContaining({ answeredBy: expect.objectContaining({ userId: lab.userIds.get('103'), name: 'Vera Sidorova' }), card })]);
    expect(vera.of('call.taken', maria)).toEqual([]);
    expect(anna.of('call.taken', maria)).toEqual([expect.objectContaining({ answeredBy: expect.objectContaining({ extension: '103', name: 'Vera Sidorova' }) })]);
    expect(anna.of('call.answered', maria)).toEqual([]);
    expect(anna.of('call.withdrawn', maria)).toEqual([]);

    // The ws desk works the same: 1795335774.96 (+79068124158, new) rang the group; 102 answered,
    // 101 was busy and 103 rejected before ringing: neither phone rang, so neither desk saw the call.
    expect(boris.of('call.ringing', '1795335774.96')[0].card).toMatchObject({ newCaller: true, contact: null, line: '74951112244' });
    expect(boris.of('call.answered', '1795335774.96')).toHaveLength(1);
    for (const d of [anna, vera]) expect(d.events.filter((e) => 'linkedid' in e.data && e.data.linkedid === '1795335774.96')).toEqual([]);
    const ended = vera.of('call.ended', maria)[0];
    expect(ended).toMatchObject({ disposition: 'answered', prompt: { kind: 'note_or_task', phone: '+79104445566' } });
    expect(ended.talkSeconds).toBeGreaterThan(0);
    // Ordering per call: ringing, answered, ended.
    const veraOrder = vera.events.filter((e) => 'linkedid' in e.data && e.data.linkedid === maria).map((e) => e.event);
    expect(veraOrder).toEqual(['call.ringing', 'call.answered', 'call.ended']);

    // Nobody receives a call that never rang them: every linkedid a desk saw rang its own user.
    for (const [d, ext] of [[vera, '103'], [anna, '101'], [boris, '102']] as const) {
      const rang = new Set(d.of('call.ringing').filter((e) => e.ringing.extension === ext).map((e) => e.linkedid));
      const missedAsResponsible = new Set(d.of('call.missed').map((e) => e.linkedid));
      for (const e of d.events) {
        if (!('linkedid' in e.data)) continue;
        expect(rang.has(e.data.linkedid) || missedAsResponsible.has(e.data.linkedid)).toBe(true);
      }
      expect(d.of('call.ringing').every((e) => e.ringing.userId === lab.userIds.get(ext))).toBe(true);
    }
    // The head of sales watching all calls saw every call ring.
    expect(new Set(head.of('call.ringing').map((e) => e.linkedid)).size).toBeGreaterThanOrEqual(19);

    // Missed calls of known callers go to their responsible manager.
    expect(vera.of('call.missed', '1795335776.136')).toEqual([expect.objectContaining({ abandoned: true, responsibleId: lab.userIds.get('103') })]);
    expect(boris.of('call.missed', '1795335778.190')[0].card.contact?.name).toBe('Irina Popova');
    expect(anna.of('call.missed', '1795335778.190')).toEqual([]);
    // A new caller's missed call goes to supervisors only.
    const newMissed = head.of('call.missed', '1795335775.128')[0];
    expect(newMissed).toMatchObject({ responsibleId: null, card: { newCaller: true, contact: null } });

    // One card lookup per call with a real number (no N+1, cached per call).
    const { CallerCardCache } = await import('../../src/realtime/caller-card');
    const cache = t?.app.get(CallerCardCache);
    expect(cache?.lookups).toBe(18);
  });

  it('refuses wrong, expired and missing tokens on both transports, and "all" for a manager', async () => {
    const { app, url } = await boot({ recordings: [transcript('k_login_failed.ami')] });
    const jwt = app.app.get(JwtService);
    const expired = await jwt.signAsync({ sub: lab.userIds.get('101'), role: 'manager', name: 'Anna Petrova', ext: ['101'] }, { expiresIn: -60 });
    const forged = `${expired.slice(0, -4)}AAAA`;
    for (const token of ['not-a-token', expired, forged, '']) {
      await expect(ioDesk(url, token)).rejects.toThrow('unauthorized');
      await expect(wsDesk(url, token)).rejects.toThrow('HTTP 401');
    }
    await expect(ioDesk(url, await login('101'), 'all')).rejects.toThrow('forbidden');
    const good = await ioDesk(url, await login('101'));
    desks.push(good);
    await until('snapshot', () => good.of('desk.snapshot').length > 0);
    // Upgrades on other paths are refused, not left hanging.
    await expect(
      new Promise((resolve, reject) => {
        const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/elsewhere`);
        socket.once('unexpected-response', (_req, response) => resolve(response.statusCode));
        socket.once('error', reject);
      }),
    ).resolves.toBe(404);
  });
  it('popups survive a service restart: a desk reconnecting during a ringing call gets the call back with its card', async () => {
    const scenario = 'a_known_responsible_answers';
    const { head, headEvents } = splitRecording(scenario, (block) => /Event: DialState\r\n/.test(block) && /DialStatus: RINGING/.test(block));
    const channels = liveChannelsAfter(scenario, headEvents);
    expect(channels.some((c) => c.ChannelState === '5' && c.Application === 'AppDial')).toBe(true);
    // The link stays up after the last event (as a PBX mid-call): no drop, no resync closing the call.
    const { url } = await boot({ recordings: [{ name: 'until-ringing', data: head }], betweenRecordings: 'continue', channels });
    const port = Number(new URL(url).port);
    const token = await login('101');
    const borisToken = await login('102');
    const { desk: anna } = reconnectingDesk(url, token);
    desks.push(anna);
    await until('the first snapshot', () => anna.of('desk.snapshot').length > 0);
    gate?.open();
    const [ringing] = await until('the ringing popup', () => (anna.of('call.ringing').length > 0 ? anna.of('call.ringing') : null));
    expect(ringing.card.contact?.name).toBe('Alexey Smirnov');

    // The service stops mid-ring; the PBX's call goes on. A new process starts on the same port
    // and its AMI link lists the live channels (the phone still ringing).
    await t?.close();
    t = null;
    await gate?.close();
    await server?.close();
    const { banner, blocks } = recordingBlocks(scenario);
    replay = new AmiSimulator({ recordings: [{ name: 'after-restart', data: banner + blocks[0] }], channels });
    server = await replay.listen(0);
    const before = anna.events.length;
    const app2 = await listenOn(port, amiEnv(server.port));
    try {
      // The reconnected desk gets its popup back: in its snapshot, or as call.ringing once the resync saw the phone.
      await until('the popup back after the restart', () => {
        const after = anna.events.slice(before);
        return after.some((e) => (e.event === 'desk.snapshot' && e.data.calls.some((c) => c.linkedid === ringing.linkedid)) || (e.event === 'call.ringing' && e.data.linkedid === ringing.linkedid));
      });
      await until('the restarted service to show the call', () => app2.get(RealtimeService).liveCallIds().includes(ringing.linkedid));
      // A desk opened now gets the ringing call, with the same card, in its snapshot.
      const fresh = await ioDesk(url, token);
      desks.push(fresh);
      const snapshot = await until('the snapshot', () => fresh.of('desk.snapshot')[0]);
      expect(snapshot.calls).toEqual([
        expect.objectContaining({ linkedid: ringing.linkedid, state: 'ringing', person: expect.objectContaining({ extension: '101' }), card: ringing.card }),
      ]);
      // Nobody else is shown the call.
      const boris = await ioDesk(url, borisToken);
      desks.push(boris);
      expect((await until('snapshot', () => boris.of('desk.snapshot')[0])).calls).toEqual([]);
    } finally {
      for (const desk of desks.splice(0)) desk.close();
      await app2.close();
    }
  });

  /** A second process of the service on a given port (as after a restart). */
  async function listenOn(port: number, env: Record<string, string>): Promise<INestApplication> {
    const config = loadConfig(
      { DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-test-')), JWT_SECRET: 'test-secret-test-secret-test-secret-42', ROUTING_TOKEN: 'test-routing-token-0123', LOG_LEVEL: 'warn', PORT: '3000', ...env },
      '/nonexistent',
    );
    const app = await createApp(config, testDatabaseUrl());
    await app.listen(port, '127.0.0.1');
    return app;
  }
});
