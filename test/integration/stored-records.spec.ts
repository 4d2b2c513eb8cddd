import { LeadCaptureService } from '../../src/crm/lead-capture/lead-capture.service';
import { parseCallRecord } from '../../src/telephony/calls/call-record-json';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { rebuildCalls } from '../../src/telephony/calls/rebuild';
import { LAB, recordedEvents } from '../support/lab';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * A call seen again whose stored record is of another shape (written by an older version, edited
 * by hand) neither stalls the writer nor is kept unreadable: it is rebuilt from its stored events.
 * A record of the first versions (legs without `missed`) is read as it is.
 */
describe('stored records of another shape (real Postgres, the production writer)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(() => t.reset());

  const events = recordedEvents('a_known_responsible_answers');
  const [record] = rebuildCalls(events, LAB).records;
  const storedRecord = async (): Promise<Record<string, unknown>> =>
    ((await t.dataSource.query('SELECT record FROM calls WHERE linkedid = $1', [record!.linkedid])) as { record: Record<string, unknown> }[])[0]!.record;

  it('an unreadable stored record is rebuilt from the stored events when the call is seen again', async () => {
    const repository = t.app.get(CallsRepository);
    await repository.saveFinalizedCalls([{ record: record!, events }]);
    await t.dataSource.query(`UPDATE calls SET record = record - 'legs' - 'disposition' WHERE linkedid = $1`, [record!.linkedid]);
    const again = await repository.saveFinalizedCalls([{ record: record!, events }]);
    // Rebuilt (with this database's directory) and written: readable again, the writer not held.
    expect(again.map((r) => r.linkedid)).toEqual([record!.linkedid]);
    expect(parseCallRecord(await storedRecord())).toEqual(again[0]);
  });

  it('a record of the first versions (legs without missed or transfer) is read as it is: lead capture handles the call', async () => {
    const repository = t.app.get(CallsRepository);
    const missed = rebuildCalls(recordedEvents('c_new_nobody_answers'), LAB).records[0]!;
    await repository.saveFinalizedCalls([{ record: missed, events: [] }]);
    await t.dataSource.query(
      `UPDATE calls c SET record = jsonb_set(c.record, '{legs}', (SELECT coalesce(jsonb_agg(l.value - 'missed' - 'transfer'), '[]'::jsonb) FROM jsonb_array_elements(c.record->'legs') AS l(value)))
        WHERE c.linkedid = $1`,
      [missed.linkedid],
    );
    const legs = ((await t.dataSource.query('SELECT record FROM calls WHERE linkedid = $1', [missed.linkedid])) as { record: { legs: Record<string, unknown>[] } }[])[0]!.record.legs;
    expect(legs.length).toBeGreaterThan(0);
    expect(legs.every((leg) => !('missed' in leg) && !('transfer' in leg))).toBe(true);
    await expect(t.app.get(LeadCaptureService).process(missed.linkedid)).resolves.toMatchObject({ applied: true, plan: { reason: 'missed-new-number' } });
  });
});
