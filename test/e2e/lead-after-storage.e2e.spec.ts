import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { LeadCaptureService } from '../../src/crm/lead-capture/lead-capture.service';
import { AmiSimulator } from '../../src/simulator/ami-simulator';
import { CallTrackerService } from '../../src/telephony/calls/call-tracker.service';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { transcript } from '../support/fixtures';
import { amiEnv, seedLab } from '../support/lab';
import { recordsOf } from '../support/recorded-calls';
import { createTestApp, type TestApp } from '../support/test-app';
import { testDatabaseUrl } from '../support/test-database';
import { until } from '../support/until';

/**
 * Finished calls flow one way: written, then published (`call.stored`), then lead capture. Here
 * the writer is held by a real lock on call_raw_events (the table its transaction locks first),
 * taken by another connection before the call ends: while it holds, the call is finalized but
 * not stored, and no lead exists — even when lead capture is asked for the call by hand. Once
 * the lock goes, the call is written and its lead made exactly once.
 */
describe('lead capture never reads a call that is not stored', () => {
  let t: TestApp;
  let replay: TestApp | null = null;
  let server: { close(): Promise<void> } | null = null;
  let blocker: Client | null = null;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await blocker?.end().catch(() => undefined);
    await replay?.close();
    await server?.close();
    await t.close();
  });

  it('holds the lead while the writer is blocked, and makes it once the call is written', async () => {
    await seedLab(t.dataSource); // every table emptied, the lab's people and clients
    const counts = async (): Promise<{ calls: number; logged: number; deals: number; tasks: number }> => {
      const [row] = (await t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM calls) AS calls, (SELECT count(*)::int FROM lead_capture_log) AS logged,
                (SELECT count(*)::int FROM deals) AS deals, (SELECT count(*)::int FROM tasks) AS tasks`,
      )) as { calls: number; logged: number; deals: number; tasks: number }[];
      return row!;
    };
    expect(await counts()).toEqual({ calls: 0, logged: 0, deals: 0, tasks: 0 });

    blocker = new Client({ connectionString: testDatabaseUrl() });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE call_raw_events IN ACCESS EXCLUSIVE MODE');

    const simulator = await new AmiSimulator({ recordings: [transcript('c_new_nobody_answers.ami')] }).listen(0);
    server = simulator;
    replay = await createTestApp(amiEnv(simulator.port));
    const tracker = replay.app.get(CallTrackerService);
    await until('the call finalized', async () => tracker.finalized >= 1);
    // The writer's transaction is waiting on the lock (seen in pg_stat_activity), not finished.
    await until('the writer waiting on the lock', async () => {
      const waiting = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%call_raw_events%' AND datname = current_database()`,
      )) as { n: number }[];
      return waiting[0]!.n > 0;
    });
    const capture = replay.app.get(LeadCaptureService);
    await capture.drained();
    expect(await counts()).toEqual({ calls: 0, logged: 0, deals: 0, tasks: 0 });
    // Asked directly for the call, lead capture finds nothing stored and writes nothing.
    const linkedid = (JSON.parse(readFileSync(transcript('c_new_nobody_answers.truth.json'), 'utf8')) as { calls: { linkedid: string }[] }).calls[0]!.linkedid;
    expect(replay.app.get(CallsRepository).pending).toBe(1);
    await expect(capture.process(linkedid)).resolves.toEqual({ linkedid, applied: false, skipped: 'not-stored', plan: null });
    expect(await counts()).toEqual({ calls: 0, logged: 0, deals: 0, tasks: 0 });

    await blocker.query('COMMIT');
    await replay.app.get(CallsRepository).drain();
    await capture.drained();
    expect(await counts()).toEqual({ calls: 1, logged: 1, deals: 1, tasks: 1 });
    const [lead] = (await t.dataSource.query(
      `SELECT l.linkedid, l.reason, d.stage_id, p.e164 FROM lead_capture_log l
         JOIN phone_numbers p ON p.e164 = l.phone JOIN deals d ON d.contact_id = p.contact_id`,
    )) as { linkedid: string; reason: string; stage_id: string; e164: string }[];
    expect(lead).toEqual({ linkedid, reason: 'missed-new-number', stage_id: 'unsorted', e164: '+79031112233' });
    // Nothing more arrives for it: handled once, and asked again it is already handled.
    await expect(capture.process(linkedid)).resolves.toMatchObject({ applied: false, skipped: 'already-handled' });
    expect(await counts()).toEqual({ calls: 1, logged: 1, deals: 1, tasks: 1 });
  });

  it('a call written without call.stored (a command, another process) is captured by the outbox at start, exactly once', async () => {
    await seedLab(t.dataSource);
    const record = recordsOf().find((r) => r.direction === 'inbound' && r.disposition === 'missed' && r.caller.startsWith('+'));
    if (!record) throw new Error('no recorded missed inbound call');
    // Written as retry-calls does: straight through the writer, nobody told.
    await t.app.get(CallsRepository).saveEach([{ record, events: [] }]);
    expect(((await t.dataSource.query('SELECT count(*)::int AS n FROM lead_capture_log')) as { n: number }[])[0]!.n).toBe(0);
    const restarted = await createTestApp();
    try {
      await restarted.app.get(LeadCaptureService).drained();
      const logged = (await t.dataSource.query('SELECT linkedid FROM lead_capture_log')) as { linkedid: string }[];
      expect(logged).toEqual([{ linkedid: record.linkedid }]);
      await expect(restarted.app.get(LeadCaptureService).process(record.linkedid)).resolves.toMatchObject({ applied: false, skipped: 'already-handled' });
    } finally {
      await restarted.close();
    }
  });
});
