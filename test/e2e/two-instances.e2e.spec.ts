/**
 * Two instances on one database, one AMI (the replay server). Instance A is a real service
 * process (node + test/support/ts-register.js running src/main.ts) so that it can really die:
 * SIGKILL mid-burst, no shutdown hooks, its lock connection dropped by the kernel — the honest
 * version of "the server died". (Terminating A's lock backend with pg_terminate_backend is not a
 * death: A reconnects and takes the lock again, by design — see LeaderLock.) Instance B is an
 * in-process Nest app. Exactly one of them consumes AMI; B takes over within seconds, resyncs
 * with CoreShowChannels and the 20 calls end up recorded exactly once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { AmiSimulator, type SimulatorConnection } from '../../src/simulator/ami-simulator';
import { amiEnv, seedLab, truthOf, untilSettled } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';
import { freePort } from '../support/own-database';
import { testDatabaseUrl, truncateAll } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

const SCENARIO = 'burst1_20_calls';
const ROOT = join(__dirname, '../..');

interface JsonLine {
  level: string;
  context?: string;
  msg: string;
  linkedid?: string;
}

describe('two instances, one database, one AMI', () => {
  let dataSource: DataSource;
  let replay: AmiSimulator;
  let server: { port: number; close(): Promise<void> };
  let a: ChildProcessWithoutNullStreams | null = null;
  let b: TestApp | null = null;
  const logsOfA: JsonLine[] = [];

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(testDatabaseUrl()));
    await dataSource.initialize();
    await seedLab(dataSource);
  });

  afterAll(async () => {
    if (a && a.exitCode === null) a.kill('SIGKILL');
    await b?.close();
    await server?.close();
    await truncateAll(dataSource);
    await dataSource.destroy();
  });

  async function startA(port: number): Promise<ChildProcessWithoutNullStreams> {
    const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      stdio: 'pipe',
      env: {
        PATH: process.env.PATH ?? '',
        CONFIG_FILE: '/nonexistent/switchboard.json',
        DATABASE_URL: testDatabaseUrl(),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-instance-a-')),
        PORT: String(await freePort()),
        JWT_SECRET: 'test-secret-test-secret-test-secret-42',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'log',
        AMI_LEADER_POLL_MS: '500',
        ...amiEnv(port),
      },
    });
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) logsOfA.push(JSON.parse(line) as JsonLine);
    });
    child.stderr.on('data', () => undefined);
    return child;
  }

  it('A leads, B stands by; A is killed mid-burst; B takes over within seconds and all 20 calls are recorded once', async () => {
    replay = new AmiSimulator({ recordings: [transcript(`${SCENARIO}.ami`)], speed: 4 });
    server = await replay.listen(0);
    const total = replay.remainingEvents;
    const streaming = (): SimulatorConnection[] => replay.connections.filter((c) => c.eventsSent > 0);

    a = await startA(server.port);
    await until('A to lead and stream', () => streaming().length === 1, 60_000);
    expect(logsOfA.some((line) => line.context === 'AmiService' && /AMI leader/.test(line.msg))).toBe(true);

    b = await createTestApp({ ...amiEnv(server.port), AMI_LEADER_POLL_MS: '500' });
    const standby = await b.http.get('/health').expect(200);
    expect(standby.body).toMatchObject({ database: 'up', ami: { leader: false } });
    // B has an actions-only session (Events: off) and gets no events.
    await until('B actions-only session', () => replay.connections.some((c) => c.loggedIn && /^off$/i.test(c.actions[0]?.Events ?? '')));
    expect(streaming()).toHaveLength(1);

    // Mid-burst: kill A. Whatever the server had written to A's socket is lost with A (as with a
    // real PBX); B's CoreShowChannels lists what is alive at that point.
    await until('40% of the burst', () => total - replay.remainingEvents >= total * 0.4, 60_000);
    // B's list is what was alive when A died (kept from then on, not the simulator's live state at the
    // moment B asks): a fresh process learns the calls in progress only from it, and a call whose
    // last channels hang up between B's login and its list would otherwise be unknowable to B.
    const [streamer] = streaming();
    replay.on('closed', (connection) => {
      if (connection === streamer) replay.setChannels(replay.liveChannels());
    });
    const storedBeforeKill = Number((await dataSource.query('SELECT count(*)::int AS n FROM calls'))[0].n);
    const child = a;
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    await until('B to lead', async () => ((await b?.http.get('/health'))?.body as { ami: { leader: boolean } }).ami.leader, 10_000);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(5_000);
    await until('B to stream', () => streaming().length === 2, 10_000);

    await until('the burst to end', () => replay.remainingEvents === 0, 60_000);
    const truth = truthOf(SCENARIO);
    const rows = await until(
      '20 calls stored',
      async () => {
        const list: { linkedid: string; disposition: string; answered_by_extension: string | null }[] = await dataSource.query(
          'SELECT linkedid, disposition, answered_by_extension FROM calls ORDER BY linkedid',
        );
        return list.length >= 20 ? list : null;
      },
      30_000,
    );
    // B read every event of its link and holds no call: no row is still on its way.
    const [, linkOfB] = streaming();
    const instanceB = b;
    await untilSettled(async () => (await instanceB.http.get('/metrics')).text, linkOfB);
    expect(Number((await dataSource.query('SELECT count(*)::int AS n FROM calls'))[0].n)).toBe(20);
    expect(rows.map((row) => row.linkedid)).toEqual(truth.map((call) => call.linkedid).sort());
    expect(rows.map((row) => [row.linkedid, row.disposition])).toEqual(
      [...truth].sort((x, y) => x.linkedid.localeCompare(y.linkedid)).map((call) => [call.linkedid, call.missed ? 'missed' : 'answered']),
    );
    expect(storedBeforeKill).toBeLessThan(20);
    // A logged one JSON object per line (LOG_FORMAT=json).
    expect(logsOfA.filter((line) => line.context === 'AmiService').length).toBeGreaterThan(0);
    const metrics = (await b.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^ami_leader 1$/m);
    expect(metrics).toMatch(/^ami_leadership_changes_total\{became="leader"\} 1$/m);
  }, 110_000);
});
