import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmiFrameParser } from '../../src/telephony/ami/ami-frame-parser';
import type { CallRecord } from '../../src/telephony/calls/call-record';
import type { QueueStatsResponse } from '../../src/stats/queue-stats.service';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { parseDirectory } from '../../src/telephony/calls/directory';
import { rebuildCalls } from '../../src/telephony/calls/rebuild';
import { leadCaptureIdle, storeAsLive } from '../support/recorded-calls';
import { transcript } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * The customer's app_queue queues, from the five queue calls the live suite recorded on the real
 * Asterisk (test/fixtures/ami/live/queue_*.ami), stored through the production writer. Their
 * truth files (make_truth.py, from the events) give each stay:
 *   queue_ringall          sales-ringall   answered by 102  wait 2.015
 *   queue_rrmemory         sales-rrmemory  answered by 102  wait 5.010
 *   queue_linear           sales-linear    answered by 103  wait 9.016
 *   queue_abandoned        sales-ringall   abandoned        wait 4.007
 *   queue_member_declines  sales-ringall   answered by 102  wait 2.008
 * on the lines 74951113301 (ringall, abandoned, declines), 74951113302 (rrmemory), 74951113303 (linear).
 * All five joined their queue on 2026-12-02 between 13:00:03 and 13:00:36 UTC.
 */
const QUEUE_RECORDINGS = ['queue_ringall', 'queue_rrmemory', 'queue_linear', 'queue_abandoned', 'queue_member_declines'];
const PERIOD = { from: '2026-12-02T13:00:00Z', to: '2026-12-02T14:00:00Z' };

function queueRecords(names = QUEUE_RECORDINGS): CallRecord[] {
  const directory = parseDirectory(JSON.parse(readFileSync(join(__dirname, '../live/fixtures/live-directory.json'), 'utf8')));
  return names.flatMap((name) => {
    const { messages } = new AmiFrameParser().push(readFileSync(transcript(`live/${name}.ami`)));
    return rebuildCalls(messages, directory).records;
  });
}

interface StoredStay {
  linkedid: string;
  seq: number;
  queue: string;
  joined_at: Date;
  left_at: Date | null;
  outcome: string;
  wait_seconds: number;
  answered_by_extension: string | null;
}

async function login(t: TestApp, role: 'head_of_sales' | 'manager'): Promise<string> {
  const who = { email: `${role}@queues.example`, password: 'password-123' };
  await t.factories.user({ role, ...who });
  const response = await t.http.post('/api/auth/login').send(who).expect(200);
  return (response.body as { accessToken: string }).accessToken;
}

describe('queue calls (app_queue) on real PostgreSQL', () => {
  let t: TestApp;
  let records: CallRecord[];
  let head: string;
  let manager: string;

  beforeAll(async () => {
    t = await createTestApp();
    await leadCaptureIdle(t);
    await t.reset();
    records = queueRecords();
    await storeAsLive(t, records);
    head = await login(t, 'head_of_sales');
    manager = await login(t, 'manager');
  });

  const queueStats = async (query: Record<string, string | number>, token = head): Promise<QueueStatsResponse> => {
    const response = await t.http.get('/api/stats/queues').query(query).set('Authorization', `Bearer ${token}`);
    if (response.status !== 200) throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
    return response.body as QueueStatsResponse;
  };

  afterAll(async () => {
    await t.reset();
    await t.close();
  });

  const stays = async (): Promise<StoredStay[]> =>
    (await t.dataSource.query('SELECT * FROM call_queues ORDER BY joined_at, seq')) as StoredStay[];

  it('the writer stores each stay of each call in call_queues, as the record has it', async () => {
    expect(records).toHaveLength(5);
    const rows = await stays();
    expect(rows.map((row) => [row.queue, row.outcome, row.answered_by_extension, row.wait_seconds, row.seq])).toEqual([
      ['sales-ringall', 'answered', '102', 2.015, 0],
      ['sales-rrmemory', 'answered', '102', 5.01, 0],
      ['sales-linear', 'answered', '103', 9.016, 0],
      ['sales-ringall', 'abandoned', null, 4.007, 0],
      ['sales-ringall', 'answered', '102', 2.008, 0],
    ]);
    for (const row of rows) {
      const visit = records.find((record) => record.linkedid === row.linkedid)?.queues[row.seq];
      expect(visit).toBeDefined();
      expect(row.joined_at.getTime()).toBe(Math.floor((visit?.joinedAt ?? 0) * 1000)) // microseconds stored, a Date holds ms;
      expect(row.left_at?.getTime()).toBe(Math.floor((visit?.leftAt ?? 0) * 1000));
    }
  });

  it('writing the calls again replaces their stays (no duplicates); a call without queues has none', async () => {
    const repository = t.app.get(CallsRepository);
    await repository.saveFinalizedCalls(records.map((record) => ({ record, events: [] })));
    expect(await stays()).toHaveLength(5);
    const [first] = records;
    await repository.saveFinalizedCalls([{ record: { ...first, queues: [] }, events: [] }]);
    const rows = await stays();
    expect(rows).toHaveLength(4);
    expect(rows.some((row) => row.linkedid === first.linkedid)).toBe(false);
    await repository.saveFinalizedCalls([{ record: first, events: [] }]);
    expect(await stays()).toHaveLength(5);
  });

  it('per queue: offered, answered, abandoned, left, answered within 20 s (the default) and the service level, the waits', async () => {
    const stats = await queueStats(PERIOD);
    expect(stats.answeredWithinSeconds).toBe(20);
    expect(stats.period).toEqual({ from: '2026-12-02T13:00:00.000Z', to: '2026-12-02T14:00:00.000Z', timezone: expect.any(String), did: null });
    expect(stats.queues).toEqual([
      {
        queue: 'sales-linear', offered: 1, answered: 1, abandoned: 0, left: 0, answeredWithin: 1, serviceLevel: 1,
        answerWaitAvg: 9.016, abandonedWaitAvg: null, abandonedWaitMax: null,
      },
      {
        // answered 2.015 and 2.008 (mean 2.0115), abandoned after 4.007
        queue: 'sales-ringall', offered: 3, answered: 2, abandoned: 1, left: 0, answeredWithin: 2, serviceLevel: 0.6667,
        answerWaitAvg: 2.012, abandonedWaitAvg: 4.007, abandonedWaitMax: 4.007,
      },
      {
        queue: 'sales-rrmemory', offered: 1, answered: 1, abandoned: 0, left: 0, answeredWithin: 1, serviceLevel: 1,
        answerWaitAvg: 5.01, abandonedWaitAvg: null, abandonedWaitMax: null,
      },
    ]);
    // (2.015 + 5.010 + 9.016 + 2.008) / 4 = 4.51225
    expect(stats.total).toEqual({
      offered: 5, answered: 4, abandoned: 1, left: 0, answeredWithin: 4, serviceLevel: 0.8,
      answerWaitAvg: 4.512, abandonedWaitAvg: 4.007, abandonedWaitMax: 4.007,
    });
  });

  it('answered within N s counts the answers with a wait of at most N', async () => {
    const within = async (n: number): Promise<[string, number, number | null][]> => {
      const stats = await queueStats({ ...PERIOD, answeredWithin: n });
      expect(stats.answeredWithinSeconds).toBe(n);
      return [...stats.queues.map((q): [string, number, number | null] => [q.queue, q.answeredWithin, q.serviceLevel]), ['total', stats.total.answeredWithin, stats.total.serviceLevel]];
    };
    expect(await within(5)).toEqual([['sales-linear', 0, 0], ['sales-ringall', 2, 0.6667], ['sales-rrmemory', 0, 0], ['total', 2, 0.4]]);
    expect(await within(6)).toEqual([['sales-linear', 0, 0], ['sales-ringall', 2, 0.6667], ['sales-rrmemory', 1, 1], ['total', 3, 0.6]]);
    expect(await within(2)).toEqual([['sales-linear', 0, 0], ['sales-ringall', 0, 0], ['sales-rrmemory', 0, 0], ['total', 0, 0]]);
  });

  it('a period or line without queue calls: no queues, a total of zeros', async () => {
    const empty = {
      offered: 0, answered: 0, abandoned: 0, left: 0, answeredWithin: 0, serviceLevel: null,
      answerWaitAvg: null, abandonedWaitAvg: null, abandonedWaitMax: null,
    };
    expect(await queueStats({ from: '2026-12-01T23:00:00Z', to: '2026-12-02T00:00:00Z' })).toMatchObject({ queues: [], total: empty });
    expect(await queueStats({ ...PERIOD, did: '74950000000' })).toMatchObject({ queues: [], total: empty });
    // The customer's lines: 74951113301 → sales-ringall (ringall, abandoned, declines), …302 rrmemory, …303 linear.
    const ringallLine = await queueStats({ ...PERIOD, did: '74951113301' });
    expect(ringallLine.queues.map((q) => [q.queue, q.offered, q.answered, q.abandoned])).toEqual([['sales-ringall', 3, 2, 1]]);
    expect(ringallLine.period.did).toBe('74951113301');
  });

  it('supervisors only, and the threshold is validated', async () => {
    await t.http.get('/api/stats/queues').query(PERIOD).set('Authorization', `Bearer ${manager}`).expect(403);
    await t.http.get('/api/stats/queues').query(PERIOD).expect(401);
    for (const bad of ['0', '-5', '3601', 'soon']) {
      await t.http.get('/api/stats/queues').query({ ...PERIOD, answeredWithin: bad }).set('Authorization', `Bearer ${head}`).expect(400);
    }
    await t.http.get('/api/stats/queues').query({ from: PERIOD.from }).set('Authorization', `Bearer ${head}`).expect(400);
  });
  it('the PBX figures: callers who hung up before anyone rang (an IVR menu) and voicemail messages left, per period and line', async () => {
    // all on 2026-12-02 between 13:00 and 13:03 UTC: ivr_menu_hangup (no legs, no queue), ivr_abandoned (101 and
    // 102 rang: not counted), voicemail_direct and ivr_voicemail (messages), queue_closed_voicemail (a message after the empty queue)
    await storeAsLive(t, queueRecords(['ivr_menu_hangup', 'ivr_abandoned', 'voicemail_direct', 'ivr_voicemail', 'queue_closed_voicemail']));
    expect((await queueStats(PERIOD)).pbx).toEqual({ abandonedBeforeRinging: 1, voicemailMessages: 3 });
    expect((await queueStats({ from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' })).pbx).toEqual({ abandonedBeforeRinging: 0, voicemailMessages: 0 });
    expect((await queueStats({ ...PERIOD, did: '74951113321' })).pbx).toEqual({ abandonedBeforeRinging: 1, voicemailMessages: 1 });
    expect((await queueStats({ ...PERIOD, did: '74951113305' }))).toMatchObject({
      pbx: { abandonedBeforeRinging: 0, voicemailMessages: 1 },
      queues: [expect.objectContaining({ queue: 'sales-closed', offered: 1, answered: 0, abandoned: 0, left: 1 })],
    });
  });
});
