/**
 * `npm run simulate` as users run it: the CLI in its own process (node + test/support/ts-register.js
 * running src/cli/simulate.ts), serving the real 20-call burst over TCP to a bare TCP client, to the
 * project's AmiClient and to a real switchboard (test app on the test database) at once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { projectRoot } from '../../src/common/project-paths';
import { dataSourceOptions } from '../../src/database/data-source';
import { loadRecording } from '../../src/simulator/recording';
import { parseMessageText, type AmiMessage } from '../../src/telephony/ami/ami-frame-parser';
import { AmiClient } from '../../src/telephony/ami/ami.client';
import { amiEnv, expectCallMatchesTruth, seedLab, truthOf, type CallRow, type SeededLab } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';
import { RawAmiClient } from '../support/raw-ami-client';
import { testDatabaseUrl, truncateAll } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

const ROOT = projectRoot();
const BURST = 'burst1_20_calls';
const SECRET = 'simulated-pbx-secret';
const RECORDING = loadRecording(transcript(`${BURST}.ami`));
const N = RECORDING.blocks.length;
const TRUTH = truthOf(BURST);
const LIVE_ITEM_FIELDS = Object.keys(
  parseMessageText(
    readFileSync(transcript('live/core_show_channels.ami'), 'utf8')
      .split('\r\n\r\n')
      .find((frame) => frame.startsWith('Event: CoreShowChannel\r\n')) ?? '',
  ) ?? {},
);

/** The CLI in a child process; resolves once its startup line names the port. */
class SimulateCli {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/cli/simulate.ts'), ...args], { cwd: ROOT });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async port(): Promise<number> {
    const match = await until('the startup line', () => /simulated PBX on 127\.0\.0\.1:(\d+)/.exec(this.stderr), 30_000);
    return Number(match[1]);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.exited;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Lines a replay may change: ids, channel names (and where they show up), bridge ids, clocks. */
const REWRITTEN_KEYS = /^(?:[A-Za-z]*Uniqueid|[A-Za-z]*Linkedid|UniqueID|[A-Za-z]*Channel|Timestamp|StartTime|AnswerTime|EndTime|EventTV|SessionTV|Value|AppData|LastData)$/;

/**
 * Compares received frames with the recording, line by line: everything equal byte for byte except
 * the values of REWRITTEN_KEYS, which must map one-to-one (same recorded value → same new value),
 * with every recorded id replaced and one whole-second clock shift for every Timestamp.
 */
function compareWithRecording(frames: string[]): { problems: string[]; ids: Map<string, string>; shift: number } {
  const problems: string[] = [];
  const forward = new Map<string, string>();
  const backward = new Map<string, string>();
  const ids = new Map<string, string>();
  const shifts = new Set<string>();
  if (frames.length !== N) problems.push(`${frames.length} frames for ${N} recorded`);
  RECORDING.blocks.forEach((block, i) => {
    const before = `${block.text}\r\n\r\n`.split('\r\n');
    const after = (frames[i] ?? '').split('\r\n');
    if (before.length !== after.length) return void problems.push(`frame ${i}: ${after.length} lines for ${before.length}`);
    before.forEach((line, j) => {
      const key = line.slice(0, line.indexOf(':'));
      const old = line.slice(key.length + 2);
      const now = after[j].startsWith(`${key}: `) ? after[j].slice(key.length + 2) : null;
      if (/(?:Uniqueid|Linkedid|UniqueID)$/.test(key) && /^\d+\.\d+$/.test(old)) {
        if (now === old) problems.push(`frame ${i}: ${key} ${old} not rewritten`);
        ids.set(old, now ?? '');
      }
      if (line === after[j]) return;
      if (now === null || !REWRITTEN_KEYS.test(key)) return void problems.push(`frame ${i}: "${line}" became "${after[j]}"`);
      if (key === 'Timestamp') shifts.add((Number(now) - Number(old)).toFixed(3));
      if ((forward.get(old) ?? now) !== now || (backward.get(now) ?? old) !== old) problems.push(`frame ${i}: ${key} ${old} → ${now} is not one-to-one`);
      forward.set(old, now);
      backward.set(now, old);
    });
  });
  if (shifts.size !== 1) problems.push(`Timestamp shifts: ${[...shifts].join(', ')}`);
  const shift = Number([...shifts][0]);
  if (!Number.isInteger(shift)) problems.push(`shift ${shift} is not whole seconds`);
  return { problems, ids, shift };
}

describe('npm run simulate (the CLI in a child process)', () => {
  let seedSource: DataSource;
  let lab: SeededLab;
  let cli: SimulateCli | null = null;
  let app: TestApp | null = null;
  let raws: RawAmiClient[] = [];
  let amiClients: AmiClient[] = [];

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
    for (const raw of raws) raw.close();
    raws = [];
    await Promise.all(amiClients.map((c) => c.close()));
    amiClients = [];
    await app?.close();
    app = null;
    cli?.kill();
    cli = null;
  });

  async function rawClient(port: number, secret = SECRET, user = 'switchboard'): Promise<RawAmiClient> {
    const raw = await RawAmiClient.connect(port);
    raws.push(raw);
    raw.action(['Action: Login', 'ActionID: raw-1', `Username: ${user}`, `Secret: ${secret}`, 'Events: on']);
    return raw;
  }

  function amiClient(port: number, secret = SECRET): AmiClient {
    const client = new AmiClient({ host: '127.0.0.1', port, username: 'switchboard', secret, heartbeatIntervalMs: 0, reconnect: { minMs: 200, maxMs: 1000, jitter: 0 } });
    amiClients.push(client);
    return client;
  }

  const callRows = (): Promise<(CallRow & { started_at: Date })[]> => seedSource.query('SELECT * FROM calls ORDER BY linkedid');

  /** The switchboard recorded every call of every round right: rewritten linkedid, truth's outcome, today. */
  async function expectSwitchboardRecorded(rounds: Map<string, string>[]): Promise<void> {
    const rows = await until(`${20 * rounds.length} calls stored`, async () => {
      const list = await callRows();
      return list.length >= 20 * rounds.length ? list : null;
    }, 60_000);
    expect(rows).toHaveLength(20 * rounds.length);
    for (const ids of rounds) {
      for (const truth of TRUTH) {
        const linkedid = ids.get(truth.linkedid) as string;
        expect(linkedid).toBeDefined();
        const row = rows.find((r) => r.linkedid === linkedid);
        expect(row).toBeDefined();
        if (!row) continue;
        expectCallMatchesTruth(row, truth, lab.userIds, linkedid);
        expect(Date.now() - new Date(row.started_at).getTime()).toBeLessThan(10 * 60_000); // a call of today, minutes ago
        expect(Date.now() - new Date(row.started_at).getTime()).toBeGreaterThan(-5 * 60_000);
      }
    }
  }

  it.each([
    [0, 60_000],
    [4, 90_000],
    [1, 150_000],
  ])(
    '--speed %p: a raw client, the AmiClient and a switchboard all get every event of the burst; the switchboard records all 20 calls right',
    async (speed) => {
      cli = new SimulateCli(['--port', '0', '--speed', String(speed), '--clients', '3', '--secret', SECRET, `${BURST}.ami`]);
      const port = await cli.port();
      expect(cli.stderr).toContain(`${BURST}.ami (${N} events over 48 s)`);

      const raw = await rawClient(port);
      const client = amiClient(port);
      const received: AmiMessage[] = [];
      client.on('message', (message) => received.push(message));
      client.start();
      app = await createTestApp({ ...amiEnv(port), AMI_SECRET: SECRET });

      await raw.waitFor('the first event', (r) => r.frameCount >= 2, 30_000);
      const firstAt = Date.now();
      const expectedSeconds = speed === 0 ? 0 : RECORDING.spanSeconds / speed;
      // halfway through, the raw client asks what is alive
      await raw.waitFor('half of the burst', (r) => r.frameCount >= N / 2, 30_000 + expectedSeconds * 1000);
      raw.action(['Action: CoreShowChannels', 'ActionID: mid-1']);
      await raw.waitFor('the list', (r) => r.received.includes('Event: CoreShowChannelsComplete\r\nActionID: mid-1\r\n'), 30_000);
      const listed = Number(/^Event: CoreShowChannelsComplete\r\nActionID: mid-1\r\nEventList: Complete\r\nListItems: (\d+)\r$/m.exec(raw.received)?.[1]);
      await raw.waitFor('every event', (r) => r.frameCount >= 1 + N + listed + 2, 30_000 + expectedSeconds * 1000);
      const lastAt = Date.now();
      await until('the AmiClient to get every event', () => received.length >= N, 20_000);
      // The stream is over (the raw client has all of it); a Ping answered on each link after that
      // comes behind anything else the simulator wrote there.
      await client.action({ Action: 'Ping' });
      raw.action(['Action: Ping', 'ActionID: last-1']);
      await raw.waitFor('the answer to the last Ping', (r) => r.received.includes('ActionID: last-1\r\n'), 10_000);

      // the raw client: every recorded frame, in order, byte for byte apart from ids and clocks
      const { banner, frames } = raw.frames();
      expect(banner).toBe(RECORDING.banner);
      expect(frames[0]).toBe('Response: Success\r\nActionID: raw-1\r\nMessage: Authentication accepted\r\n\r\n');
      const mine = (frame: string): boolean => /^ActionID: mid-1\r$/m.test(frame);
      const events = frames.slice(1).filter((frame) => !mine(frame) && !/^ActionID: last-1\r$/m.test(frame));
      expect(events).toHaveLength(N);
      const { problems, ids, shift } = compareWithRecording(events);
      expect(problems).toEqual([]);
      // the recording starts "now": its first Timestamp moved to when the stream began
      expect(Math.abs((RECORDING.firstTimestamp ?? 0) + shift - firstAt / 1000)).toBeLessThan(3);
      expect(new Set(TRUTH.map((c) => ids.get(c.linkedid))).size).toBe(20);

      // paced by the recorded Timestamps / speed
      const took = (lastAt - firstAt) / 1000;
      if (speed > 0) {
        expect(took).toBeGreaterThan(expectedSeconds * 0.95 - 0.5);
        expect(took).toBeLessThan(expectedSeconds + 5);
      }

      // CoreShowChannels halfway: exactly the channels the events before it created and did not hang up
      const answer = frames.findIndex((frame) => frame.startsWith('Response: Success\r\nActionID: mid-1\r\n'));
      const alive = new Map<string, AmiMessage>();
      for (const frame of frames.slice(1, answer)) {
        const message = parseMessageText(frame) as AmiMessage;
        if (message.Event === 'Newchannel') alive.set(message.Uniqueid, message);
        else if (message.Event === 'Hangup') alive.delete(message.Uniqueid);
      }
      const items = frames.filter((frame) => mine(frame) && frame.startsWith('Event: CoreShowChannel\r\n')).map((frame) => parseMessageText(frame) as AmiMessage);
      // (at speed 0 the whole burst may already be in the socket buffers when the action arrives: an empty list is then right)
      if (speed > 0) expect(alive.size).toBeGreaterThan(5);
      expect(items.map((item) => item.Uniqueid).sort()).toEqual([...alive.keys()].sort());
      for (const item of items) expect(Object.keys(item)).toEqual(LIVE_ITEM_FIELDS);

      // the project's AmiClient: the same events
      expect(received).toHaveLength(N);
      expect(received).toEqual(events.map((frame) => ({ ...parseMessageText(frame) })));

      // the switchboard: all 20 calls right, as new calls of today
      await expectSwitchboardRecorded([ids]);
      const health = await app.http.get('/health').expect(200);
      expect(health.body.ami).toMatchObject({ state: 'connected', connections: 1 });

      const exit = await cli.stop('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
      expect(cli.stderr).toMatch(/SIGTERM: stopping after \d+ connection\(s\)/);
      expect(cli.stdout).toBe('');
    },
  );

  it('--rounds 2: each round is new calls (fresh ids, current timestamps); the switchboard stores 40 calls', async () => {
    cli = new SimulateCli(['--port', '0', '--speed', '0', '--rounds', '2', '--clients', '2', '--secret', SECRET, transcript(`${BURST}.ami`)]);
    const port = await cli.port();
    const raw = await rawClient(port);
    app = await createTestApp({ ...amiEnv(port), AMI_SECRET: SECRET });
    await raw.waitFor('two rounds', (r) => r.frameCount >= 1 + 2 * N, 60_000);
    const frames = raw.frames().frames.slice(1);
    const first = compareWithRecording(frames.slice(0, N));
    const second = compareWithRecording(frames.slice(N, 2 * N));
    expect([first.problems, second.problems]).toEqual([[], []]);
    const firstIds = new Set(first.ids.values());
    expect([...second.ids.values()].filter((id) => firstIds.has(id))).toEqual([]);
    await expectSwitchboardRecorded([first.ids, second.ids]);
    expect(cli.stderr).toMatch(/round 2\/2: burst1_20_calls\.ami \(\d+ events\), ids generation 2, clock \+\d+ s/);
  }, 90_000);

  it('--loop: round after round with fresh ids until stopped; SIGINT stops it cleanly', async () => {
    cli = new SimulateCli(['--port', '0', '--speed', '0', '--loop', '--secret', SECRET, 'a_known_responsible_answers']);
    const port = await cli.port();
    const raw = await rawClient(port);
    const n = loadRecording(transcript('a_known_responsible_answers.ami')).blocks.length;
    await raw.waitFor('four rounds', (r) => r.frameCount >= 1 + 4 * n, 30_000);
    const frames = raw.frames().frames.slice(1);
    const linkedids = [0, 1, 2, 3].map((r) => new Set(frames.slice(r * n, (r + 1) * n).flatMap((f) => [...f.matchAll(/^Linkedid: (\S+)\r$/gm)].map((m) => m[1]))));
    expect(linkedids.map((s) => s.size)).toEqual([1, 1, 1, 1]);
    expect(new Set(linkedids.flatMap((s) => [...s])).size).toBe(4);
    expect(linkedids.flatMap((s) => [...s])).not.toContain(truthOf('a_known_responsible_answers')[0].linkedid);
    expect(await cli.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(cli.stderr).toContain('SIGINT: stopping');
  }, 60_000);

  it('a wrong secret is refused exactly as Asterisk does (k_login_failed), a right one accepted', async () => {
    cli = new SimulateCli(['--port', '0', '--speed', '0', '--user', 'lab', '--secret', 'labsecret', `${BURST}.ami`]);
    const port = await cli.port();
    const raw = await RawAmiClient.connect(port);
    raws.push(raw);
    const startedAt = Date.now();
    raw.send(readFileSync(transcript('k_login_failed.sent.txt'), 'utf8').replace(/\r?\n/g, '\r\n'));
    await raw.waitFor('the connection closed', (r) => r.closed, 10_000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(raw.received).toBe(readFileSync(transcript('k_login_failed.ami'), 'utf8'));

    const wrong = amiClient(port, 'not-the-secret');
    const failed = new Promise<string>((resolve) => wrong.once('loginFailed', ({ message }) => resolve(message)));
    wrong.start();
    expect(await failed).toBe('AMI login failed: Authentication failed');
    await wrong.close();
    expect(cli.stderr).toContain('login as "lab" refused (wrong user or secret)');

    const right = await rawClient(port, 'labsecret', 'lab');
    await right.waitFor('the whole burst', (r) => r.frameCount >= 1 + N, 30_000);
    expect(right.frames().frames[0]).toBe('Response: Success\r\nActionID: raw-1\r\nMessage: Authentication accepted\r\n\r\n');
  }, 60_000);
});
