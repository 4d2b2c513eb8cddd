import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMI_RECORDINGS_DIR } from '../../src/common/project-paths';
import { AmiFrameParser } from '../../src/telephony/ami/ami-frame-parser';
import type { CallRecord } from '../../src/telephony/calls/call-record';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { parseDirectory } from '../../src/telephony/calls/directory';
import { rebuildCalls } from '../../src/telephony/calls/rebuild';
import { leadCaptureIdle, storeAsLive } from '../support/recorded-calls';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * The customer's app_queue queues, from the five queue calls the live suite recorded on the real
 * Asterisk (test/fixtures/ami/live/queue_*.ami), stored through the production writer. Their
 * truth files (make_truth.py, from the events) give each stay:
 *   queue_ringall          sales-ringall   answered by 102  wait 2.022
 *   queue_rrmemory         sales-rrmemory  answered by 102  wait 5.009
 *   queue_linear           sales-linear    answered by 103  wait 9.041
 *   queue_abandoned        sales-ringall   abandoned        wait 4.013
 *   queue_member_declines  sales-ringall   answered by 102  wait 2.009
 * All five joined their queue on 2026-12-01 between 22:42:00 and 22:42:34 UTC.
 */
const LIVE = join(AMI_RECORDINGS_DIR, 'live');
const QUEUE_RECORDINGS = ['queue_ringall', 'queue_rrmemory', 'queue_linear', 'queue_abandoned', 'queue_member_declines'];
const PERIOD = { from: '2026-12-01T22:00:00Z', to: '2026-12-01T23:00:00Z' };

function queueRecords(): CallRecord[] {
  const directory = parseDirectory(JSON.parse(readFileSync(join(__dirname, '../live/fixtures/live-directory.json'), 'utf8')));
  return QUEUE_RECORDINGS.flatMap((name) => {
    const { messages } = new AmiFrameParser().push(readFileSync(join(LIVE, `${name}.ami`)));
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

describe('queue calls (app_queue) on real PostgreSQL', () => {
  let t: TestApp;
  let records: CallRecord[];

  beforeAll(async () => {
    t = await createTestApp();
    await leadCaptureIdle(t);
    await t.reset();
    records = queueRecords();
    await storeAsLive(t, records);
  });

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
      ['sales-ringall', 'answered', '102', 2.022, 0],
      ['sales-rrmemory', 'answered', '102', 5.009, 0],
      ['sales-linear', 'answered', '103', 9.041, 0],
      ['sales-ringall', 'abandoned', null, 4.013, 0],
      ['sales-ringall', 'answered', '102', 2.009, 0],
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
});
