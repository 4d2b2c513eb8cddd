/**
 * One bad call never blocks the others (issue 12, row 2), on the real service, real Postgres and
 * real AMI bytes over TCP:
 *  - a NUL in a caller's CallerIDName: every call of the burst is stored as its truth says, the
 *    caller's name readable, the raw events kept exactly (decoded, they are the frames sent);
 *  - a call Postgres refuses (a CHECK constraint): retried alone, parked in calls_dead_letter with
 *    its raw events and the error, /health degraded naming it, /metrics counting it; the 19 others
 *    stored; `retry-calls` (the real command) writes it after the fix;
 *  - more calls than CALLS_BUFFER_MAX during an outage: the overflow waits on disk, nothing lost;
 *  - SIGTERM of a real service process while the database refuses writes: the calls are spilled
 *    to DATA_DIR, logged, and written by the next start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { retryParkedCalls } from '../../src/cli/retry-calls';
import { rebuildStoredCalls } from '../../src/cli/rebuild-calls';
import { AmiFrameParser } from '../../src/telephony/ami/ami-frame-parser';
import { decodeWireBytes, encodeWireText } from '../../src/telephony/ami/wire-text';
import { fromStoredEvents } from '../../src/telephony/calls/call-storage-text';
import { CallEventBus } from '../../src/telephony/calls/call-events';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { rebuildCalls } from '../../src/telephony/calls/rebuild';
import { AmiSimulator } from '../../src/simulator/ami-simulator';
import type { RecordingSource } from '../../src/simulator/recording';
import { LAB, amiEnv, burstMismatches, metric, recordedEvents, useLabCalls, storedCalls, trackedEventsOf, truthMismatches, truthOf, withCallerName } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';
import { freePort } from '../support/own-database';
import { LiveService } from '../live/support/live-service';
import { testDatabaseUrl } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

const BURST = 'burst1_20_calls';
/** The first call of the burst: every call after it used to be lost. */
const FIRST = { linkedid: '1795335774.84', digits: '79161234567', caller: '+79161234567' };
const ROOT = join(__dirname, '../..');

describe('poison calls (AMI over TCP from the simulated PBX → service → Postgres)', () => {
  const lab = useLabCalls();
  let dataSource: DataSource;
  let server: { port: number; close(): Promise<void> } | null = null;
  let t: TestApp | null = null;

  beforeAll(() => {
    dataSource = lab.dataSource;
  });

  afterEach(async () => {
    await t?.close();
    await server?.close();
    t = null;
    server = null;
  });

  async function boot(recordings: RecordingSource[], env: Record<string, string> = {}, options: { repeat?: number } = {}): Promise<TestApp> {
    const replay = new AmiSimulator({ recordings, repeat: options.repeat });
    server = await replay.listen(0);
    t = await createTestApp({ ...amiEnv(server.port), ...env });
    return t;
  }

  const waitForRows = (n: number, timeoutMs = 30_000): Promise<number> =>
    until(
      `${n} stored calls`,
      async () => {
        const [{ count }] = (await dataSource.query('SELECT count(*)::int AS count FROM calls')) as { count: number }[];
        return count >= n ? count : null;
      },
      timeoutMs,
    );

  it('a NUL in the first caller\'s name: all 20 calls stored as the truth says, the name readable, the raw events exact', async () => {
    const stream = withCallerName(BURST, FIRST.digits, 'Ivan\u0000Petrov');
    const app = await boot([{ name: 'burst with a NUL', data: stream }]);
    await waitForRows(20);
    expect(burstMismatches(await storedCalls(dataSource), truthOf(BURST))).toEqual([]);
    const [first] = (await dataSource.query('SELECT caller, caller_name, record FROM calls WHERE linkedid = $1', [FIRST.linkedid])) as {
      caller: string;
      caller_name: string;
      record: { callerName: string };
    }[];
    expect(first).toMatchObject({ caller: FIRST.caller, caller_name: 'IvanPetrov', record: { callerName: 'IvanPetrov' } });

    // The raw events, decoded, are exactly the frames the server sent for that call.
    const sent = trackedEventsOf(new AmiFrameParser().push(Buffer.from(stream, 'utf8')).messages, FIRST.linkedid);
    expect(sent.length).toBeGreaterThan(30);
    const [raw] = (await dataSource.query('SELECT events FROM call_raw_events WHERE linkedid = $1', [FIRST.linkedid])) as { events: unknown }[];
    const stored = fromStoredEvents(raw.events);
    // (and the items of the channel list the service asked for at connect, if the call was in it)
    expect(stored.filter((m) => m.Event !== 'CoreShowChannel')).toEqual(sent);
    expect(stored.filter((m) => m.Event === 'CoreShowChannel' && m.Linkedid !== FIRST.linkedid)).toEqual([]);
    const names = stored.flatMap((m) => (m.CallerIDName?.includes('\u0000') ? [m.CallerIDName] : []));
    expect(names.length).toBeGreaterThan(0);
    expect([...encodeWireText(names[0])]).toEqual([...Buffer.from('Ivan\u0000Petrov')]);

    const health = await app.http.get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', calls: { buffered: 0, deadLetter: { count: 0, linkedids: [] } } });
    const text = (await app.http.get('/metrics').expect(200)).text;
    expect([metric(text, 'calls_buffered'), metric(text, 'calls_dead_letter'), metric(text, 'calls_dead_lettered_total')]).toEqual([0, 0, 0]);

    // rebuild-calls gives the same records from the stored events.
    const before = await storedCalls(dataSource);
    expect(await rebuildStoredCalls(dataSource, app.config)).toEqual({ calls: 20, rewritten: 20, skipped: [] });
    expect(await storedCalls(dataSource)).toEqual(before);
  });

  it('events with NUL, non-UTF-8 bytes and lone surrogates round-trip exactly through Postgres', async () => {
    t = await createTestApp();
    const repository = t.app.get(CallsRepository);
    const [record] = rebuildCalls(recordedEvents('a_known_responsible_answers'), LAB).records;
    const hostile = [
      'Ivan\u0000Petrov',
      decodeWireBytes(Buffer.from([0xc8, 0xe2, 0xe0, 0xed, 0xff, 0x00])),
      'a\ud800b',
      'back\\slash \\u0000 literal',
    ];
    const events = hostile.map((name, i) => ({ Event: 'NewCallerid', Linkedid: record.linkedid, [`X-${name}`]: name, CallerIDName: name, Seq: String(i) }));
    await repository.saveFinalizedCalls([{ record: { ...record, callerName: hostile[1] }, events }]);
    const [raw] = (await dataSource.query('SELECT events FROM call_raw_events WHERE linkedid = $1', [record.linkedid])) as { events: unknown }[];
    expect(fromStoredEvents(raw.events)).toEqual(events);
    const [row] = (await dataSource.query('SELECT caller_name FROM calls WHERE linkedid = $1', [record.linkedid])) as { caller_name: string }[];
    expect(row.caller_name).toBe('Иваня');
  });

  it('a call the database refuses is retried alone, parked with its events and error, shown in /health; the 19 others are stored; retry-calls writes it after the fix', async () => {
    await dataSource.query(`ALTER TABLE calls ADD CONSTRAINT test_refuse_one_caller CHECK (caller <> '${FIRST.caller}')`);
    let constrained = true;
    try {
      const app = await boot([transcript(`${BURST}.ami`)], { CALL_WRITE_ATTEMPTS: '2' });
      // Announced as dead-lettered (the desks end it on that), never as stored.
      const announced: { stored: string[]; deadLettered: string[] } = { stored: [], deadLettered: [] };
      const bus = app.app.get(CallEventBus);
      bus.on('call.stored', ({ record }) => announced.stored.push(record.linkedid));
      bus.on('call.deadLettered', ({ record }) => announced.deadLettered.push(record.linkedid));
      const health = await until(
        'the refused call parked',
        async () => {
          const response = await app.http.get('/health');
          return response.body?.calls?.deadLetter?.count === 1 ? response : null;
        },
        30_000,
      );
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'degraded', database: 'up', calls: { buffered: 0, deadLetter: { count: 1, linkedids: [FIRST.linkedid] } } });
      const truth = truthOf(BURST);
      expect(burstMismatches(await storedCalls(dataSource), truth.filter((c) => c.linkedid !== FIRST.linkedid))).toEqual([]);
      expect(await storedCalls(dataSource, [FIRST.linkedid])).toEqual([]);
      expect(announced.deadLettered).toEqual([FIRST.linkedid]);
      expect(announced.stored).not.toContain(FIRST.linkedid);
      const [parked] = (await dataSource.query('SELECT linkedid, record, events, error, sqlstate, attempts FROM calls_dead_letter')) as {
        linkedid: string;
        record: { caller: string };
        events: unknown;
        error: string;
        sqlstate: string;
        attempts: number;
      }[];
      expect(parked).toMatchObject({ linkedid: FIRST.linkedid, record: { caller: FIRST.caller }, sqlstate: '23514', attempts: 2 });
      expect(parked.error).toContain('test_refuse_one_caller');
      expect(fromStoredEvents(parked.events).filter((m) => m.Event !== 'CoreShowChannel')).toEqual(trackedEventsOf(recordedEvents(BURST), FIRST.linkedid));
      const text = (await app.http.get('/metrics').expect(200)).text;
      expect([metric(text, 'calls_dead_letter'), metric(text, 'calls_dead_lettered_total'), metric(text, 'calls_buffered')]).toEqual([1, 1, 0]);

      // Still refused: retry-calls leaves it parked and says so.
      const refused = await retryParkedCalls(dataSource, app.config);
      expect(refused).toMatchObject({ parked: 1, written: [], refused: [{ linkedid: FIRST.linkedid }] });

      await dataSource.query('ALTER TABLE calls DROP CONSTRAINT test_refuse_one_caller');
      constrained = false;
      // The real command, as an admin runs it (`npm run retry-calls` runs the built copy of this file),
      // with the service's settings: the lab's dialplan marks its steps in ESC_STEP (amiEnv).
      const run = spawnSync(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/cli/retry-calls.ts')], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          CONFIG_FILE: '/nonexistent/switchboard.json',
          DATABASE_URL: testDatabaseUrl(),
          DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-retry-')),
          STEP_VARIABLE: app.config.STEP_VARIABLE,
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ parked: 1, written: [FIRST.linkedid], refused: [] });
      expect(burstMismatches(await storedCalls(dataSource), truth)).toEqual([]);
      expect(await dataSource.query('SELECT * FROM calls_dead_letter')).toEqual([]);
      const healed = await app.http.get('/health').expect(200);
      expect(healed.body).toMatchObject({ status: 'ok', calls: { deadLetter: { count: 0 } } });
    } finally {
      if (constrained) await dataSource.query('ALTER TABLE calls DROP CONSTRAINT IF EXISTS test_refuse_one_caller');
    }
  });

  it('more calls than CALLS_BUFFER_MAX while the database refuses writes: the overflow waits on disk and every call is written once it is back', async () => {
    await dataSource.query('ALTER TABLE call_raw_events RENAME TO call_raw_events_away');
    let renamed = true;
    try {
      // The burst six times over (IDs rewritten per repetition): 120 calls, 100 in memory at most.
      const app = await boot([transcript(`${BURST}.ami`)], { CALLS_BUFFER_MAX: '100' }, { repeat: 6 });
      const text = await until(
        '120 calls finished, 20 of them on disk only',
        async () => {
          const body = (await app.http.get('/metrics')).text;
          return metric(body, 'calls_finalized_total') === 120 && metric(body, 'calls_spooled') === 20 ? body : null;
        },
        60_000,
      );
      expect(metric(text, 'calls_buffered')).toBe(120);
      expect(metric(text, 'calls_dropped_total')).toBe(0);
      // The database answers, but writes fail: /health says so (the buffer is not growing behind an "ok").
      const failing = await app.http.get('/health').expect(200);
      expect(failing.body).toMatchObject({ status: 'degraded', database: 'up', calls: { buffered: 120, onDiskOnly: 20, writesFailing: { error: expect.stringContaining('call_raw_events') } } });
      expect(readdirSync(join(app.config.dataDir, 'calls-spool')).length).toBeGreaterThan(0);
      await dataSource.query('ALTER TABLE call_raw_events_away RENAME TO call_raw_events');
      renamed = false;
      await waitForRows(120, 60_000);
      await until('the queue to be empty', async () => (metric((await app.http.get('/metrics')).text, 'calls_buffered') === 0 ? true : null), 30_000);
      const first = await storedCalls(dataSource);
      expect(first).toHaveLength(120);
      // Each repetition is the burst again: 20 calls per repetition, each as its truth says.
      const truth = truthOf(BURST);
      for (let repetition = 0; repetition < 6; repetition++) {
        const rows = first
          .filter((row) => Math.floor(Number(row.linkedid.split('.')[1]) / 10_000_000) === repetition)
          .map((row) => ({ ...row, linkedid: `${row.linkedid.split('.')[0]}.${Number(row.linkedid.split('.')[1]) % 10_000_000}` }));
        expect([repetition, burstMismatches(rows, truth)]).toEqual([repetition, []]);
      }
      expect(readdirSync(join(app.config.dataDir, 'calls-spool'))).toEqual([]);
      expect((await app.http.get('/health').expect(200)).body).toMatchObject({ status: 'ok', calls: { buffered: 0, writesFailing: null } });
    } finally {
      if (renamed) await dataSource.query('ALTER TABLE call_raw_events_away RENAME TO call_raw_events');
    }
  }, 120_000);

  it('SIGTERM while the database refuses writes: the calls are spilled to DATA_DIR, logged, and written by the next start', async () => {
    const scenarios = ['a_known_responsible_answers', 'c_new_nobody_answers'];
    const replay = new AmiSimulator({ recordings: scenarios.map((s) => transcript(`${s}.ami`)), betweenRecordings: 'continue' });
    server = await replay.listen(0);
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-sigterm-'));
    const env = { DATABASE_URL: testDatabaseUrl(), DATA_DIR: dataDir, ...amiEnv(server.port) };
    await dataSource.query('ALTER TABLE call_raw_events RENAME TO call_raw_events_away');
    let renamed = true;
    try {
      const first = new LiveService(await freePort(), env);
      await first.start();
      await until('both calls finished and buffered', async () => {
        const text = await fetch(`${first.url}/metrics`).then((r) => r.text()).catch(() => '');
        return metric(text, 'calls_finalized_total') === 2 && metric(text, 'calls_buffered') === 2 ? true : null;
      }, 60_000);
      await first.stop();
      expect(first.exit).toEqual({ code: 0, signal: null });
      const spill = first.logs.find((line) => /not written at shutdown/.test(line.msg));
      expect(spill?.msg).toContain(join(dataDir, 'calls-spool'));
      expect(spill?.msg).toMatch(/2 finished call\(s\)/);
      expect(readdirSync(join(dataDir, 'calls-spool')).length).toBeGreaterThan(0);

      await dataSource.query('ALTER TABLE call_raw_events_away RENAME TO call_raw_events');
      renamed = false;
      const second = new LiveService(await freePort(), env);
      await second.start();
      try {
        await waitForRows(2, 60_000);
        expect(second.logs.some((line) => /2 finished call\(s\) left unwritten by the last run/.test(line.msg))).toBe(true);
        const rows = await storedCalls(dataSource);
        for (const scenario of scenarios) {
          const [truth] = truthOf(scenario);
          expect(truthMismatches(rows.find((row) => row.linkedid === truth.linkedid), truth)).toEqual([]);
        }
        await until('the spool emptied', () => (readdirSync(join(dataDir, 'calls-spool')).length === 0 ? true : null), 10_000);
      } finally {
        await second.stop();
      }
    } finally {
      if (renamed) await dataSource.query('ALTER TABLE call_raw_events_away RENAME TO call_raw_events');
    }
  }, 150_000);
});
