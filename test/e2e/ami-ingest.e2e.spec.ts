import request from 'supertest';
import { DataSource } from 'typeorm';
import { rebuildStoredCalls } from '../../src/cli/rebuild-calls';
import { dataSourceOptions } from '../../src/database/data-source';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { CallTrackerService } from '../../src/telephony/calls/call-tracker.service';
import { rebuildCalls } from '../../src/telephony/calls/rebuild';
import { AmiSimulator, type SimulatorOptions } from '../../src/simulator/ami-simulator';
import { expectCallMatchesTruth, LAB, LAB_PASSWORD, recordedEvents, seedLab, truthOf, type CallRow, type SeededLab, type TruthCall } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';
import { testDatabaseUrl, truncateAll } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

const file = transcript;

interface LegRow {
  linkedid: string;
  seq: number;
  extension: string;
  user_id: string | null;
  step: string | null;
  outcome: string;
}

describe('AMI ingestion end to end (replay server over TCP → app → Postgres)', () => {
  let seedSource: DataSource;
  let lab: SeededLab;
  let server: { port: number; close(): Promise<void> } | null = null;
  let replay: AmiSimulator | null = null;
  let t: TestApp | null = null;

  beforeAll(async () => {
    seedSource = new DataSource(dataSourceOptions(testDatabaseUrl()));
    await seedSource.initialize();
  });

  afterAll(async () => {
    await truncateAll(seedSource);
    await seedSource.destroy();
  });

  beforeEach(async () => {
    lab = await seedLab(seedSource);
  });

  afterEach(async () => {
    await t?.close();
    await server?.close();
    t = null;
    server = null;
    replay = null;
  });

  async function boot(options: SimulatorOptions): Promise<TestApp> {
    replay = new AmiSimulator(options);
    server = await replay.listen(0);
    t = await createTestApp({ AMI_HOST: '127.0.0.1', AMI_PORT: String(server.port), STEP_VARIABLE: 'ESC_STEP', AMI_SECRET: 'x' });
    return t;
  }

  async function restartApp(): Promise<TestApp> {
    await t?.close();
    if (!server) throw new Error('no server');
    t = await createTestApp({ AMI_HOST: '127.0.0.1', AMI_PORT: String(server.port), STEP_VARIABLE: 'ESC_STEP', AMI_SECRET: 'x' });
    return t;
  }

  const calls = (): Promise<CallRow[]> => seedSource.query('SELECT * FROM calls ORDER BY linkedid');
  const legs = (linkedid: string): Promise<LegRow[]> => seedSource.query('SELECT * FROM call_legs WHERE linkedid = $1 ORDER BY seq', [linkedid]);
  const callCount = async (): Promise<number> => Number((await seedSource.query('SELECT count(*)::int AS n FROM calls'))[0].n);
  const waitForCalls = (n: number): Promise<CallRow[]> =>
    until(`${n} call rows`, async () => {
      const rows = await calls();
      return rows.length >= n ? rows : null;
    });

  const expectMatchesTruth = (row: CallRow, truth: TruthCall): void => expectCallMatchesTruth(row, truth, lab.userIds);

  async function expectBurstMatchesTruth(): Promise<void> {
    const truth = truthOf('burst1_20_calls');
    const rows = await waitForCalls(truth.length);
    expect(rows).toHaveLength(20);
    const count = (rs: { disposition: string; abandoned: boolean }[], d: string, a: boolean): number =>
      rs.filter((r) => r.disposition === d && r.abandoned === a).length;
    const truthRows = truth.map((c) => ({ disposition: c.missed ? 'missed' : 'answered', abandoned: c.abandoned }));
    expect([count(rows, 'answered', false), count(rows, 'missed', false), count(rows, 'missed', true)]).toEqual([
      count(truthRows, 'answered', false),
      count(truthRows, 'missed', false),
      count(truthRows, 'missed', true),
    ]);
    expect([count(rows, 'answered', false), count(rows, 'missed', true)]).toEqual([13, 5]);
    for (const call of truth) {
      const row = rows.find((r) => r.linkedid === call.linkedid);
      expect(row).toBeDefined();
      if (row) expectMatchesTruth(row, call);
    }
    const legCount = Number((await seedSource.query('SELECT count(*)::int AS n FROM call_legs'))[0].n);
    const expectedLegs = rebuildCalls(recordedEvents('burst1_20_calls'), LAB).records.reduce((sum, r) => sum + r.legs.length, 0);
    expect(legCount).toBe(expectedLegs);
  }

  it('a_known_responsible_answers: answered by 101 at step responsible, legs and raw events stored; /health shows the link', async () => {
    const app = await boot({ recordings: [file('a_known_responsible_answers.ami')] });
    const [truth] = truthOf('a_known_responsible_answers');
    const [row] = await waitForCalls(1);
    expectMatchesTruth(row, truth);
    expect(row.answered_by_user_id).toBe(lab.userIds.get('101'));
    expect(row.step_reached).toBe('responsible');
    expect(row.closed_by).toBe('hangup');
    const rowLegs = await legs(row.linkedid);
    expect(rowLegs.map((l) => [l.extension, l.user_id, l.step, l.outcome])).toEqual([['101', lab.userIds.get('101'), 'responsible', 'answered']]);
    const [raw] = await seedSource.query('SELECT jsonb_array_length(events) AS n FROM call_raw_events WHERE linkedid = $1', [row.linkedid]);
    expect(raw.n).toBeGreaterThan(10);
    const health = await app.http.get('/health').expect(200);
    expect(health.body.ami).toMatchObject({ state: 'connected', connections: 1 });
  });

  it('c_new_nobody_answers: missed, voicemail, not abandoned; every step rang and nobody answered', async () => {
    await boot({ recordings: [file('c_new_nobody_answers.ami')] });
    const [truth] = truthOf('c_new_nobody_answers');
    const [row] = await waitForCalls(1);
    expectMatchesTruth(row, truth);
    expect(row).toMatchObject({ disposition: 'missed', voicemail: true, abandoned: false, step_reached: 'voicemail', answered_by_user_id: null });
    const rowLegs = await legs(row.linkedid);
    expect(rowLegs.map((l) => [l.extension, l.step])).toEqual([
      ['101', 'department'],
      ['102', 'department'],
      ['103', 'department'],
      ['200', 'head_of_sales'],
      ['300', 'ceo'],
      ['400', 'owner'],
    ]);
    expect(rowLegs.every((l) => l.outcome === 'no_answer' && l.user_id === lab.userIds.get(l.extension))).toBe(true);
  });

  it('burst of 20 interleaved calls: 20 rows, each matching burst1_20_calls.truth.json', async () => {
    await boot({ recordings: [file('burst1_20_calls.ami')] });
    await expectBurstMatchesTruth();
  });

  it('is idempotent: the same stream again on a new connection, then again after a restart, gives the same rows', async () => {
    const a = file('a_known_responsible_answers.ami');
    const c = file('c_new_nobody_answers.ami');
    await boot({ recordings: [a, c, a, c], betweenRecordings: 'drop' });
    await until('the whole stream served', async () => (replay?.remainingEvents === 0 ? true : null));
    await waitForCalls(2);
    const tracker = t?.app.get(CallTrackerService);
    await until('the tracker to go idle', async () => (tracker && tracker.liveCallIds().length === 0 && (await callCount()) === 2 ? true : null));
    const strip = (rows: CallRow[]): Omit<CallRow, 'updated_at'>[] => rows.map(({ updated_at: _u, ...rest }: CallRow & { updated_at?: Date }) => rest);
    const first = strip(await calls());
    const firstLegs = await seedSource.query('SELECT * FROM call_legs ORDER BY linkedid, seq');
    expect(first).toHaveLength(2);
    expect(replay?.connections.filter((conn) => conn.loggedIn).length).toBeGreaterThanOrEqual(4);

    // A fresh process (empty tracker) served the same recording writes the same rows again.
    const [before] = await seedSource.query('SELECT max(updated_at) AS at FROM calls');
    replay = new AmiSimulator({ recordings: [a, c], betweenRecordings: 'drop' });
    await server?.close();
    server = await replay.listen(0);
    await t?.close();
    t = await createTestApp({ AMI_HOST: '127.0.0.1', AMI_PORT: String(server.port), STEP_VARIABLE: 'ESC_STEP', AMI_SECRET: 'x' });
    await until('both calls rewritten', async () => {
      const [after] = await seedSource.query('SELECT count(*)::int AS n FROM calls WHERE updated_at > $1', [before.at]);
      return after.n === 2 ? true : null;
    });
    expect(strip(await calls())).toEqual(first);
    expect(await seedSource.query('SELECT * FROM call_legs ORDER BY linkedid, seq')).toEqual(firstLegs);
    expect(Number((await seedSource.query('SELECT count(*)::int AS n FROM call_raw_events'))[0].n)).toBe(2);
  });

  it('a resync whose channel list times out is asked again on the same link', async () => {
    await boot({ recordings: [file('a_known_responsible_answers.ami')], ignoreActions: ['CoreShowChannels'] });
    const listRequests = (): number =>
      (replay?.connections ?? []).flatMap((c) => c.actions).filter((a) => a.Action?.toLowerCase() === 'coreshowchannels').length;
    await until('the first channel list request', () => listRequests() >= 1);
    replay?.setIgnoredActions([]);
    // the client's action timeout (10 s) fails the first one; the tracker asks again 1 s later
    await until('the retried channel list request', () => listRequests() >= 2, 30_000);
    expect(replay?.connections.filter((c) => c.loggedIn)).toHaveLength(1);
  }, 45_000);

  it('a link cut in the middle of the burst: reconnect + resync, all 20 calls right, none lost or doubled', async () => {
    const cutAt = 2000;
    await boot({ recordings: [file('burst1_20_calls.ami')], dropAfter: cutAt });
    // The second connection's CoreShowChannels lists what the simulator has alive at the cut.
    let liveAtCut = 0;
    replay?.on('connection', (connection) => {
      if (connection.id === 2) liveAtCut = replay?.liveChannels().length ?? 0;
    });
    await expectBurstMatchesTruth();
    expect(liveAtCut).toBeGreaterThan(5);
    expect(replay?.connections.filter((conn) => conn.loggedIn)).toHaveLength(2);
    const resyncs = replay?.connections.map((conn) => conn.actions.filter((action) => action.Action === 'CoreShowChannels').length);
    expect(resyncs).toEqual([1, 1]);
    const rows = await calls();
    expect(rows.every((r) => r.closed_by === 'hangup')).toBe(true);
  });

  it('a connection killed during a call: the call is still recorded once, answered, with its whole talk time', async () => {
    const scenario = 'a_known_responsible_answers';
    await boot({ recordings: [file(`${scenario}.ami`)], speed: 4 });
    const events = recordedEvents(scenario);
    const answerAt = events.findIndex((m) => m.Event === 'DialEnd' && m.DialStatus === 'ANSWER');
    const firstHangup = events.findIndex((m) => m.Event === 'Hangup');
    expect(answerAt).toBeGreaterThan(0);
    const streamer = await until('the answer to be sent', async () => replay?.connections.find((conn) => conn.eventsSent > answerAt + 5) ?? null);
    expect(streamer.eventsSent).toBeLessThan(firstHangup);
    expect(replay?.liveChannels().length ?? 0).toBeGreaterThan(0); // the reconnected client's resync lists the call
    replay?.killConnections();
    const [row] = await waitForCalls(1);
    expectMatchesTruth(row, truthOf(scenario)[0]);
    expect(row.closed_by).toBe('hangup');
    expect(replay?.connections.filter((conn) => conn.loggedIn)).toHaveLength(2);
    expect(await callCount()).toBe(1);
  });

  it('keeps finalized calls while the database refuses writes and stores them once it is back', async () => {
    await seedSource.query('ALTER TABLE call_raw_events RENAME TO call_raw_events_away');
    let renamed = true;
    try {
      const app = await boot({ recordings: [file('a_known_responsible_answers.ami'), file('c_new_nobody_answers.ami')], betweenRecordings: 'continue' });
      const repository = app.app.get(CallsRepository);
      await until('both calls buffered', async () => (repository.pending === 2 && app.app.get(CallTrackerService).finalized === 2 ? true : null));
      expect(await callCount()).toBe(0);
      await seedSource.query('ALTER TABLE call_raw_events_away RENAME TO call_raw_events');
      renamed = false;
      const rows = await waitForCalls(2);
      expect(rows.map((r) => r.disposition).sort()).toEqual(['answered', 'missed']);
      expect(repository.pending).toBe(0);
    } finally {
      if (renamed) await seedSource.query('ALTER TABLE call_raw_events_away RENAME TO call_raw_events');
    }
  });

  it('rebuild-calls rewrites every call from its stored raw events, the same as ingested', async () => {
    const app = await boot({ recordings: [file('burst1_20_calls.ami')] });
    await waitForCalls(20);
    const before = await calls();
    const legsBefore = await seedSource.query('SELECT * FROM call_legs ORDER BY linkedid, seq');
    await seedSource.query(`UPDATE calls SET disposition = 'answered', step_reached = 'broken', answered_by_user_id = NULL`);
    await seedSource.query('DELETE FROM call_legs WHERE seq > 0');
    const progress: string[] = [];
    const summary = await rebuildStoredCalls(seedSource, app.config, (line) => progress.push(line));
    expect(summary).toEqual({ calls: 20, rewritten: 20, skipped: [] });
    expect(progress).toContain('20/20 calls rebuilt');
    const strip = (rows: CallRow[]): unknown[] => rows.map(({ updated_at: _u, ...rest }: CallRow & { updated_at?: Date }) => rest);
    expect(strip(await calls())).toEqual(strip(before));
    expect(await seedSource.query('SELECT * FROM call_legs ORDER BY linkedid, seq')).toEqual(legsBefore);
  });

  describe('GET /api/calls', () => {
    let burstIds: string[] = [];

    beforeEach(async () => {
      t = await createTestApp();
      const records = rebuildCalls(recordedEvents('burst1_20_calls'), LAB).records;
      burstIds = records.map((r) => r.linkedid);
      await t.app.get(CallsRepository).saveFinalizedCalls(records.map((record) => ({ record, events: [] })));
    });

    const login = async (extension: string): Promise<string> => {
      const response = await request((t as TestApp).app.getHttpServer())
        .post('/api/auth/login')
        .send({ email: lab.emails.get(extension), password: LAB_PASSWORD })
        .expect(200);
      return (response.body as { accessToken: string }).accessToken;
    };

    it('needs a login', async () => {
      await t?.http.get('/api/calls').expect(401);
      await t?.http.get(`/api/calls/${burstIds[0]}`).expect(401);
    });

    it('supervisors see every call, filtered and paginated', async () => {
      const token = await login('200');
      const all = await t?.http.get('/api/calls?limit=200').set('Authorization', `Bearer ${token}`).expect(200);
      expect(all?.body.total).toBe(20);
      const missed = await t?.http.get('/api/calls?disposition=missed').set('Authorization', `Bearer ${token}`).expect(200);
      expect(missed?.body.total).toBe(7);
      const page = await t?.http.get('/api/calls?limit=5&offset=5').set('Authorization', `Bearer ${token}`).expect(200);
      expect(page?.body.items).toHaveLength(5);
      expect(page?.body.items[0].linkedid).toBe(all?.body.items[5].linkedid);
      const known = await t?.http.get('/api/calls?caller=8%20916%20123-45-67').set('Authorization', `Bearer ${token}`).expect(200);
      expect(known?.body.items.map((c: { caller: string }) => c.caller)).toEqual(['+79161234567']);
      const line = await t?.http.get('/api/calls?did=74951112244').set('Authorization', `Bearer ${token}`).expect(200);
      expect(line?.body.total).toBe(truthOf('burst1_20_calls').filter((c) => c.did === '74951112244').length);
      const by400 = await t?.http.get(`/api/calls?userId=${lab.userIds.get('400')}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(by400?.body.items.every((c: { answeredByExtension: string | null }) => c.answeredByExtension === '400' || c.answeredByExtension === null)).toBe(true);
      const empty = await t?.http.get('/api/calls?from=2030-01-01T00:00:00Z').set('Authorization', `Bearer ${token}`).expect(200);
      expect(empty?.body.total).toBe(0);
    });

    it('a manager sees only calls that rang them or that they answered', async () => {
      const token = await login('101');
      const mine = await t?.http.get('/api/calls?limit=200').set('Authorization', `Bearer ${token}`).expect(200);
      const [expected] = await seedSource.query(
        `SELECT count(*)::int AS n FROM calls c WHERE c.answered_by_user_id = $1 OR EXISTS (SELECT 1 FROM call_legs l WHERE l.linkedid = c.linkedid AND l.user_id = $1)`,
        [lab.userIds.get('101')],
      );
      expect(mine?.body.total).toBe(expected.n);
      expect(expected.n).toBeGreaterThan(0);
      expect(expected.n).toBeLessThan(20);
      const seen = new Set<string>(mine?.body.items.map((c: { linkedid: string }) => c.linkedid));
      const other = burstIds.find((id) => !seen.has(id)) as string;
      await t?.http.get(`/api/calls/${other}`).set('Authorization', `Bearer ${token}`).expect(404);
      const own = await t?.http.get(`/api/calls/${[...seen][0]}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(own?.body.legs.some((l: { extension: string }) => l.extension === '101')).toBe(true);
    });

    it('GET /api/calls/:linkedid gives the call with its legs', async () => {
      const token = await login('300');
      const [truth] = truthOf('burst1_20_calls');
      const response = await t?.http.get(`/api/calls/${truth.linkedid}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(response?.body).toMatchObject({ linkedid: truth.linkedid, answeredByExtension: '101', stepReached: 'responsible' });
      expect(response?.body.legs).toEqual([expect.objectContaining({ seq: 0, extension: '101', userId: lab.userIds.get('101'), outcome: 'answered' })]);
      await t?.http.get('/api/calls/nope').set('Authorization', `Bearer ${token}`).expect(404);
    });

    it('rejects a bad query with 400', async () => {
      const token = await login('200');
      for (const query of ['limit=1000', 'limit=0', 'offset=-1', 'disposition=lost', 'from=yesterday', 'userId=42', 'caller=drop%20table', 'unknown=1']) {
        const response = await t?.http.get(`/api/calls?${query}`).set('Authorization', `Bearer ${token}`);
        expect([query, response?.status]).toEqual([query, 400]);
      }
      await t?.http.get('/api/calls?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z').set('Authorization', `Bearer ${token}`).expect(400);
    });
  });
});
