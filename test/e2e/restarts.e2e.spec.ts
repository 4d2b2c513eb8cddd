/**
 * Restart and reconnect keep calls right (issue 12, rows 4 and 8), on a real service process,
 * real Postgres and the real burst recording over AMI TCP, every call compared with its truth:
 *  - kill -9 of the service at several points while the burst streams, restarted each time: the
 *    calls in progress continue from the service's journal (DATA_DIR/calls-live.jsonl);
 *  - kill -9 while three calls ring the CEO, restarted with the journal and without it (a new
 *    disk, or another machine): inbound calls from the clients' numbers, two answered by the CEO,
 *    one abandoned with its callback task;
 *  - a recording served in two truncated sessions and then whole again, and the tail of a
 *    recording served again after a restart: no record is overwritten by a partial one, and
 *    rebuild-calls keeps them right.
 *
 * The channel list on each reconnect is the simulated PBX's live state where the stream stopped; a
 * PBX started for the tail of a recording lists what its head left alive (liveChannelsAfter: the
 * simulator's state fed with those events, not typed by hand).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { rebuildStoredCalls } from '../../src/cli/rebuild-calls';
import { callerNumber } from '../../src/common/phone-number';
import { AmiSimulator, type SimulatorConnection } from '../../src/simulator/ami-simulator';
import { amiEnv, burstMismatches, eventsUntilRinging, liveChannelsAfter, metric, recordedEvents, useLabCalls, splitAfter, storedCalls, truthMismatches, truthOf, untilSettled, type TruthCall } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';
import { freePort } from '../support/own-database';
import { LiveService } from '../live/support/live-service';
import { testDatabaseUrl } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

const BURST = 'burst1_20_calls';
const CEO_CALLS = { answered: ['1795335774.112', '1795335778.218'], abandoned: '1795335777.174' };
const ABANDONED_CALLER = '+79184011070';

describe('restarts and reconnects (service process, AMI replay over TCP, Postgres)', () => {
  const lab = useLabCalls();
  let dataSource: DataSource;
  const servers: { close(): Promise<void> }[] = [];
  const services: LiveService[] = [];
  let t: TestApp | null = null;
  const truth = truthOf(BURST);
  const total = recordedEvents(BURST).length;

  beforeAll(() => {
    dataSource = lab.dataSource;
  });

  afterEach(async () => {
    for (const service of services.splice(0)) await kill9(service);
    await t?.close();
    t = null;
    for (const server of servers.splice(0)) await server.close();
  });

  async function serve(replay: AmiSimulator): Promise<number> {
    const server = await replay.listen(0);
    servers.push(server);
    return server.port;
  }

  /** A real service process, started and connected to its PBX as AMI leader. */
  async function start(env: Record<string, string>): Promise<LiveService> {
    const service = new LiveService(await freePort(), { DATABASE_URL: testDatabaseUrl(), AMI_LEADER_POLL_MS: '500', ...env });
    services.push(service);
    await service.start();
    return service;
  }

  /** kill -9, and wait until the process is gone. */
  async function kill9(service: LiveService): Promise<void> {
    if (!service.running) return;
    service.signal('SIGKILL');
    await until('the killed process to exit', () => service.exit, 10_000);
    expect(service.exit).toEqual({ code: null, signal: 'SIGKILL' });
  }

  const rowsWhenStored = (n: number, timeoutMs = 60_000): ReturnType<typeof storedCalls> =>
    until(
      `${n} calls stored`,
      async () => {
        const rows = await storedCalls(dataSource);
        return rows.length >= n ? rows : null;
      },
      timeoutMs,
    );

  /** Waits until the service has read `events` AMI events (it counts them in /metrics). */
  const eventsRead = (service: LiveService, events: number): Promise<boolean> =>
    until(
      `${events} events read`,
      async () => {
        const text = await fetch(`${service.url}/metrics`).then((r) => r.text()).catch(() => '');
        return metric(text, 'ami_events_total') >= events ? true : null;
      },
      60_000,
    );

  it('kill -9 at a quarter, a half and three quarters of the burst while it streams, restarted each time: all 20 calls as the truth says', async () => {
    const replay = new AmiSimulator({ recordings: [transcript(`${BURST}.ami`)], speed: 4 });
    const port = await serve(replay);
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-kill9-')), ...amiEnv(port) };
    const streaming = (): SimulatorConnection | undefined => replay.connections.find((c) => c.loggedIn && !c.closed && c.eventsSent > 0);
    let service = await start(env);
    const resumed: string[] = [];
    /** Calls in progress at a kill: the events in flight then are lost, what they said may be missing. */
    const throughAKill = new Set<string>();
    const events = recordedEvents(BURST);
    for (const fraction of [0.25, 0.5, 0.75]) {
      await until(`${fraction} of the burst sent`, () => total - replay.remainingEvents >= total * fraction && streaming() !== undefined, 90_000);
      // Killed while events flow: what the simulated PBX had written to the dead process's socket is
      // lost (as with a real PBX); its channel list (its live state) shows what is alive now.
      const closed = new Promise<void>((resolve) => replay.once('closed', () => resolve()));
      await kill9(service);
      await closed;
      const sent = total - replay.remainingEvents;
      const before = new Set(events.slice(0, sent).flatMap((m) => (m.Linkedid ? [m.Linkedid] : [])));
      for (const message of events.slice(sent)) if (message.Linkedid && before.has(message.Linkedid)) throughAKill.add(message.Linkedid);
      service = await start(env);
      await until('the restarted service to resume', () => service.logs.find((line) => /resumed from .*calls-live\.jsonl/.test(line.msg)), 60_000).then((line) =>
        resumed.push(line.msg),
      );
    }
    await until('the burst to end', () => replay.remainingEvents === 0, 90_000);
    const rows = await rowsWhenStored(20);
    const link = streaming();
    if (!link) throw new Error('no AMI link streams the burst');
    await untilSettled(() => fetch(`${service.url}/metrics`).then((r) => r.text()), link);
    expect(await storedCalls(dataSource)).toHaveLength(20);
    // The events the simulated PBX had written to the dying process are lost, as with a real PBX.
    // A call in progress at a kill keeps its direction, caller, line, who answered, outcome and the
    // step it reached — but a step that began and ended within the lost events is not counted, and a
    // call whose end was among them is closed by the next channel list (closed_by resync), its end
    // time known only to lie in the gap. Every other call is exact.
    expect(throughAKill.size).toBeGreaterThan(3);
    expect(burstMismatches(rows, truth.filter((call) => !throughAKill.has(call.linkedid)))).toEqual([]);
    expect(burstMismatches(rows, truth.filter((call) => throughAKill.has(call.linkedid)), { exactHistory: false })).toEqual([]);
    expect(rows.filter((row) => row.closed_by !== 'hangup' && row.closed_by !== 'resync')).toEqual([]);
    // each restart continued calls that were in progress when the process died
    expect(resumed).toHaveLength(3);
    for (const line of resumed) expect(line).toMatch(/[1-9]\d* call\(s\) in progress continued/);
  }, 240_000);

  describe('kill -9 while three calls ring the CEO (row 4)', () => {
    const cut = eventsUntilRinging(BURST, '300', [...CEO_CALLS.answered, CEO_CALLS.abandoned]);
    const { head, tail } = splitAfter(BURST, cut);
    const inProgress = new Set(recordedEvents(BURST).slice(0, cut).flatMap((m) => (m.Linkedid ? [m.Linkedid] : [])));

    async function killAndRestart(journal: 'kept' | 'lost'): Promise<void> {
      const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-ceo-'));
      const first = await start({ DATA_DIR: dataDir, ...amiEnv(await serve(new AmiSimulator({ recordings: [{ name: 'head', data: head }] }))) });
      await eventsRead(first, cut);
      // The calls that ended before are written (a new disk must not lose them: that is the spool's job, tested elsewhere).
      await until('the finished calls written', async () => {
        const text = await fetch(`${first.url}/metrics`).then((r) => r.text()).catch(() => '');
        return metric(text, 'calls_finalized_total') > 0 && metric(text, 'calls_buffered') === 0 ? true : null;
      });
      await kill9(first);
      // At twice real time: the list (what was alive at the cut) is answered before the next events, as a PBX would.
      const rest = new AmiSimulator({ recordings: [{ name: 'tail', data: tail }], channels: liveChannelsAfter(BURST, cut, 'newest-first'), speed: 2 });
      const port = await serve(rest);
      await start({ DATA_DIR: journal === 'kept' ? dataDir : mkdtempSync(join(tmpdir(), 'switchboard-ceo-new-')), ...amiEnv(port) });
      await until('the tail sent', () => rest.remainingEvents === 0, 60_000);
    }

    async function expectCeoCalls(rows: Awaited<ReturnType<typeof storedCalls>>): Promise<void> {
      const view = (id: string): unknown => {
        const row = rows.find((r) => r.linkedid === id);
        return row && { id, direction: row.direction, caller: row.caller, answeredBy: row.answered_by_extension, disposition: row.disposition, abandoned: row.abandoned };
      };
      const callerOf = (id: string): string => callerNumber(truth.find((c) => c.linkedid === id)?.caller_number, 'RU');
      expect(CEO_CALLS.answered.map(view)).toEqual(
        CEO_CALLS.answered.map((id) => ({ id, direction: 'inbound', caller: callerOf(id), answeredBy: '300', disposition: 'answered', abandoned: false })),
      );
      expect(view(CEO_CALLS.abandoned)).toEqual({
        id: CEO_CALLS.abandoned,
        direction: 'inbound',
        caller: ABANDONED_CALLER,
        answeredBy: null,
        disposition: 'missed',
        abandoned: true,
      });
      const tasks = await until(
        'the callback task of the abandoned call',
        async () => {
          const found: { kind: string; phone: string | null }[] = await dataSource.query(
            `SELECT t.kind, p.e164 AS phone FROM tasks t
               LEFT JOIN deals d ON d.id = t.deal_id
               LEFT JOIN contacts c ON c.id = COALESCE(t.contact_id, d.contact_id)
               LEFT JOIN phone_numbers p ON p.contact_id = c.id
              WHERE t.kind = 'callback'`,
          );
          return found.some((task) => task.phone === ABANDONED_CALLER) ? found : null;
        },
        30_000,
      );
      expect(tasks.filter((task) => task.phone === ABANDONED_CALLER)).toHaveLength(1);
    }

    it('restarted with its journal: the calls in progress continue, all 20 as the truth says', async () => {
      expect(cut).toBeGreaterThan(total / 2);
      await killAndRestart('kept');
      const rows = await rowsWhenStored(20);
      expect(burstMismatches(rows, truth)).toEqual([]);
      await expectCeoCalls(rows);
    }, 180_000);

    it('restarted without its journal: the calls in progress are rebuilt from the channel list, never internal calls', async () => {
      await killAndRestart('lost');
      const rows = await rowsWhenStored(20);
      const before = (call: TruthCall): boolean => inProgress.has(call.linkedid);
      // Calls already over at the kill were stored before it; the others are exact.
      expect(burstMismatches(rows, truth.filter((call) => !before(call)))).toEqual([]);
      // A call first seen in the list cannot know its steps before the kill, nor the exact second it started.
      const continued = truth.filter(before);
      expect(continued.length).toBeGreaterThanOrEqual(3);
      expect(continued.flatMap((call) => truthMismatches(rows.find((row) => row.linkedid === call.linkedid), call, { exactHistory: false }))).toEqual([]);
      expect(rows.filter((row) => row.direction === 'internal')).toEqual([]);
      await expectCeoCalls(rows);
    }, 180_000);
  });

  describe('events seen again (row 8)', () => {
    const cuts = [Math.floor(total * 0.3), Math.floor(total * 0.6)];
    const sessions = [...cuts.map((n) => ({ name: `first ${n} events`, data: splitAfter(BURST, n).head })), transcript(`${BURST}.ami`)];

    test.each([
      ['an empty channel list (the PBX lost the calls)', false],
      ['the channels alive where the stream stopped', true],
    ])('two truncated sessions, then the whole recording again, %s on each reconnect: all 20 as the truth says, and after rebuild-calls', async (_label, listed) => {
      // The simulated PBX lists its live state on each reconnect (what the stream so far left alive), or nothing.
      const replay = new AmiSimulator({ recordings: sessions, betweenRecordings: 'drop', ...(listed ? {} : { channels: [] }) });
      const port = await serve(replay);
      t = await createTestApp(amiEnv(port));
      await until('every session served', () => replay.remainingEvents === 0, 60_000);
      await until('the queue empty', async () => (metric((await t?.http.get('/metrics'))?.text ?? '', 'calls_buffered') === 0 ? true : null), 30_000);
      const rows = await rowsWhenStored(20);
      expect(replay.connections.filter((c) => c.loggedIn).length).toBe(3);
      expect(burstMismatches(rows, truth)).toEqual([]);
      expect(await rebuildStoredCalls(dataSource, t.config)).toEqual({ calls: 20, rewritten: 20, skipped: [] });
      expect(burstMismatches(await storedCalls(dataSource), truth)).toEqual([]);
    }, 120_000);

    it('the tail of the recording served again to a restarted service: no stored call changes, rebuild-calls neither', async () => {
      const first = new AmiSimulator({ recordings: [transcript(`${BURST}.ami`)] });
      t = await createTestApp(amiEnv(await serve(first)));
      const stored = await rowsWhenStored(20);
      expect(burstMismatches(stored, truth)).toEqual([]);
      const legs = await dataSource.query('SELECT * FROM call_legs ORDER BY linkedid, seq');
      await t.close();
      // A fresh process (no journal, nothing remembered) gets the second half of the stream again.
      const again = new AmiSimulator({ recordings: [{ name: 'tail', data: splitAfter(BURST, Math.floor(total / 2)).tail }] });
      t = await createTestApp(amiEnv(await serve(again)));
      await until('the tail sent', () => again.remainingEvents === 0, 60_000);
      await until('the tail calls handled', async () => {
        const text = (await t?.http.get('/metrics'))?.text ?? '';
        return metric(text, 'calls_finalized_total') > 0 && metric(text, 'calls_buffered') === 0 && metric(text, 'calls_active') === 0 ? true : null;
      }, 30_000);
      expect(await storedCalls(dataSource)).toEqual(stored);
      expect(await dataSource.query('SELECT * FROM call_legs ORDER BY linkedid, seq')).toEqual(legs);
      expect(await rebuildStoredCalls(dataSource, t.config)).toEqual({ calls: 20, rewritten: 20, skipped: [] });
      expect(await storedCalls(dataSource)).toEqual(stored);
    }, 120_000);
  });
});
