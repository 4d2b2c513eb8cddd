import { readFileSync } from 'node:fs';
import { LeadCaptureService, type LeadCaptureResult } from '../../src/crm/lead-capture/lead-capture.service';
import { CallEventBus } from '../../src/telephony/calls/call-events';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { CallTrackerService } from '../../src/telephony/calls/call-tracker.service';
import type { CallRecord } from '../../src/telephony/calls/call-record';
import { AmiSimulator } from '../../src/simulator/ami-simulator';
import { amiEnv, seedLab, type SeededLab } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';
import { ioDesk } from '../support/desks';
import { createTestApp, type TestApp } from '../support/test-app';


interface DealRow { id: string; title: string; stage_id: string; responsible_id: string | null; contact_id: string | null; source: string; line: string | null; phone: string }
interface TaskRow { id: string; title: string; kind: string; phone: string; assignee_id: string | null; deal_id: string | null; due_at: Date; done_at: Date | null; missed_calls: number; first_missed_at: Date; callback_seconds: number | null; callback_attempts: number }

describe('lead capture from recorded calls (replay server over TCP → app → Postgres)', () => {
  let t: TestApp;
  let lab: SeededLab;
  let replays: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    lab = await seedLab(t.dataSource);
  });
  afterEach(async () => {
    await Promise.all(replays.map((r) => r.close()));
    replays = [];
  });

  /** Boots a second app instance whose AMI side consumes the recordings, waits until every call's lead capture ran. */
  async function replay(recordings: string[], expectedCalls: number, env: Record<string, string> = {}): Promise<void> {
    // One AMI consumer at a time (the leader): the previous replay's app goes first.
    await Promise.all(replays.map((r) => r.close()));
    replays = [];
    const server = await new AmiSimulator({ recordings: recordings.map((name) => transcript(`${name}.ami`)), betweenRecordings: 'continue' }).listen(0);
    const app = await createTestApp({ ...amiEnv(server.port), ...env });
    replays.push(server, app);
    const tracker = app.app.get(CallTrackerService);
    await until(`${expectedCalls} calls finalized`, async () => tracker.finalized >= expectedCalls);
    // Lead capture follows the write (call.stored): every call written, then every capture done.
    await app.app.get(CallsRepository).drain();
    await app.app.get(LeadCaptureService).drained();
  }

  const deals = (): Promise<DealRow[]> =>
    t.dataSource.query(`SELECT d.*, p.e164 AS phone FROM deals d JOIN phone_numbers p ON p.contact_id = d.contact_id ORDER BY p.e164`);
  const tasks = (): Promise<TaskRow[]> => t.dataSource.query(`SELECT * FROM tasks ORDER BY phone, created_at`);
  /** Stores the call as the writer does, then hands its linkedid to lead capture (its only input). */
  const storeAndCapture = async (record: CallRecord): Promise<LeadCaptureResult> => {
    await t.app.get(CallsRepository).saveFinalizedCall(record, []);
    return t.app.get(LeadCaptureService).process(record.linkedid);
  };

  it('a missed call from a new number: exactly one contact, one Unsorted deal in the exchange, one callback task due within the SLA; every desk is told its lists changed', async () => {
    // A manager's desk on the other instance: the lead's news reaches it through the fan-out.
    const desk = await ioDesk(await t.app.getUrl(), await t.tokenFor('manager'));
    // LOG_LEVEL=log: the log shows "written in N ms, M ms after the call ended" for the lead.
    await replay(['c_new_nobody_answers'], 1, { LOG_LEVEL: 'log' });
    await until('the desk told its lists changed', () => desk.of('desk.listsChanged').find((event) => event.reason === 'missed-new-number'), 10_000);
    desk.close();
    const [deal, ...moreDeals] = await deals();
    expect(moreDeals).toEqual([]);
    // Titles in CRM_LANGUAGE (default ru).
    expect(deal).toMatchObject({ title: 'Пропущенный звонок с +79031112233', phone: '+79031112233', stage_id: 'unsorted', responsible_id: null, source: 'phone', line: '74951112233' });
    const [task, ...moreTasks] = await tasks();
    expect(moreTasks).toEqual([]);
    expect(task).toMatchObject({ title: 'Перезвонить +79031112233', kind: 'callback', phone: '+79031112233', assignee_id: null, deal_id: deal!.id, missed_calls: 1, done_at: null });
    const slaMs = task!.due_at.getTime() - task!.first_missed_at.getTime();
    expect(slaMs).toBeGreaterThan(15 * 60_000);
    expect(slaMs).toBeLessThan(16 * 60_000);
    const [{ n: contacts }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM contacts c JOIN phone_numbers p ON p.contact_id = c.id WHERE p.e164 = '+79031112233'`)) as { n: number }[];
    expect(contacts).toBe(1);
  });

  it('the abandoned known caller becomes a callback task for their responsible; the next answered call from them closes it with the delay', async () => {
    await replay(['d_known_abandoned'], 1);
    const [task, ...more] = await tasks();
    expect(more).toEqual([]);
    expect(task).toMatchObject({ kind: 'callback', phone: '+79161234567', assignee_id: lab.userIds.get('101'), done_at: null, missed_calls: 1 });
    expect(await deals()).toEqual([]); // a known client's missed call creates no deal

    // The click-to-call recording talks to the same number, but it was recorded before the
    // missed call: an earlier conversation is no callback.
    await replay(['f_click_to_call'], 1);
    expect((await tasks())[0]!.done_at).toBeNull();

    // In the burst, recorded after it, +79161234567 calls again and 101 answers: that closes it.
    await replay(['burst1_20_calls'], 20);
    const closed = (await tasks()).find((x) => x.phone === '+79161234567')!;
    const truth = (name: string) => JSON.parse(readFileSync(transcript(`${name}.truth.json`), 'utf8')) as { calls: { caller_number: string; ring_start_ts: number; answer_ts?: number }[] };
    const missedAt = truth('d_known_abandoned').calls[0]!.ring_start_ts;
    const answeredAt = truth('burst1_20_calls').calls.find((c) => c.caller_number === '+79161234567')!.answer_ts!;
    expect(closed.done_at!.getTime() / 1000).toBeCloseTo(answeredAt, 0);
    expect(closed.callback_seconds).toBe(Math.round(answeredAt - missedAt));
  });

  it('the 20-call burst produces exactly the expected deals and tasks; replaying it again changes nothing', async () => {
    await replay(['burst1_20_calls'], 20);
    const expectExactly = async (): Promise<void> => {
      const allDeals = await deals();
      const exchange = allDeals.filter((d) => d.responsible_id === null).map((d) => d.phone);
      // Missed from new numbers (5): voicemail .128/.202, abandoned .140/.174/.210.
      expect(exchange).toEqual(['+79278683873', '+79828836075', '+79836859574', '+79184011070', '+79956042304'].sort());
      // Answered from new numbers (9): a deal owned by whoever answered.
      const owned = allDeals.filter((d) => d.responsible_id !== null).map((d) => [d.phone, d.responsible_id]);
      const by = (ext: string): string => lab.userIds.get(ext)!;
      expect(owned).toEqual(
        [
          ['+79083778353', by('103')], ['+79068124158', by('102')], ['+79786907366', by('200')], ['+79517812865', by('300')],
          ['+79499962283', by('400')], ['+79412248244', by('102')], ['+79414839603', by('400')], ['+79694208093', by('300')],
          ['+79635139693', by('102')],
        ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
      );
      const callbackTasks = (await tasks()).map((task) => [task.phone, task.assignee_id, task.missed_calls]);
      // 5 in the exchange + the two abandoned known callers: 79997770011 (→103) and 79035550101 (→102).
      expect(callbackTasks).toEqual(
        [
          ['+79035550101', by('102'), 1], ['+79184011070', null, 1], ['+79278683873', null, 1], ['+79828836075', null, 1],
          ['+79836859574', null, 1], ['+79956042304', null, 1], ['+79997770011', by('103'), 1],
        ],
      );
    };
    await expectExactly();
    await replay(['burst1_20_calls'], 20);
    await expectExactly();
  });

  it('two missed calls from one number ending at the same moment merge into one deal and one task', async () => {
    const service = t.app.get(LeadCaptureService);
    const missed = (linkedid: string): CallRecord => ({
      linkedid, direction: 'inbound', caller: '+79261234567', callerName: null, did: '74951112233', placedBy: null,
      startedAt: 1_795_400_000, answeredAt: null, endedAt: 1_795_400_030, ringSeconds: 30, talkSeconds: 0, answeredBy: null,
      disposition: 'missed', abandoned: true, voicemail: false, stepReached: 'department', stepIndex: 1, hangupCause: 16,
      hangupCauseText: null, hungUpBy: 'caller', transferredTo: null, recordingFile: null, voicemailMessage: null, closedBy: 'hangup', legs: [], queues: [],
    });
    await t.app.get(CallsRepository).saveFinalizedCalls([{ record: missed('9.1'), events: [] }, { record: missed('9.2'), events: [] }]);
    const results = await Promise.all([service.process('9.1'), service.process('9.2'), service.process('9.1')]);
    expect(results.filter((r) => r.applied)).toHaveLength(2);
    expect((await deals()).map((d) => d.phone)).toEqual(['+79261234567']);
    const [task, ...more] = (await tasks()).filter((x) => x.phone === '+79261234567');
    expect(more).toEqual([]);
    expect(task).toMatchObject({ phone: '+79261234567', missed_calls: 2, assignee_id: null });
  });

  it('a missed call whose caller got through on a second, overlapping call leaves no callback task', async () => {
    const base: CallRecord = {
      linkedid: '7.1', direction: 'inbound', caller: '+79267778899', callerName: null, did: '74951112233', placedBy: null,
      startedAt: 1_795_400_000, answeredAt: null, endedAt: 1_795_400_040, ringSeconds: 40, talkSeconds: 0, answeredBy: null,
      disposition: 'missed', abandoned: false, voicemail: true, stepReached: 'voicemail', stepIndex: 4, hangupCause: 16,
      hangupCauseText: null, hungUpBy: 'pbx', transferredTo: null, recordingFile: null, voicemailMessage: null, closedBy: 'hangup', legs: [], queues: [],
    };
    // The second call (on the other line) is answered and ends first; then the first one ends in voicemail.
    await storeAndCapture({ ...base, linkedid: '7.2', did: '74951112244', startedAt: base.startedAt + 5, answeredAt: base.startedAt + 8, endedAt: base.startedAt + 20, disposition: 'answered', answeredBy: '102', voicemail: false, stepReached: 'department', stepIndex: 1 });
    const result = await storeAndCapture(base);
    expect(result.plan?.reason).toBe('missed-but-reached');
    expect((await tasks()).filter((x) => x.phone === '+79267778899')).toEqual([]);
  });

  it('an unanswered outbound call to the number is an attempt, not a callback', async () => {
    const base: CallRecord = {
      linkedid: '8.1', direction: 'inbound', caller: '+79261112233', callerName: '<img src=x onerror=alert(1)>', did: '74951112233', placedBy: null,
      startedAt: 1_795_400_000, answeredAt: null, endedAt: 1_795_400_030, ringSeconds: 30, talkSeconds: 0, answeredBy: null,
      disposition: 'missed', abandoned: true, voicemail: false, stepReached: 'department', stepIndex: 1, hangupCause: 16,
      hangupCauseText: null, hungUpBy: 'caller', transferredTo: null, recordingFile: null, voicemailMessage: null, closedBy: 'hangup', legs: [], queues: [],
    };
    await storeAndCapture(base);
    await storeAndCapture({ ...base, linkedid: '8.2', direction: 'outbound', placedBy: '101', startedAt: base.startedAt + 300, endedAt: base.startedAt + 330 });
    const [task] = (await tasks()).filter((x) => x.phone === '+79261112233');
    expect(task).toMatchObject({ callback_attempts: 1, done_at: null });
    const [contact] = (await t.dataSource.query(`SELECT c.name FROM contacts c JOIN phone_numbers p ON p.contact_id = c.id WHERE p.e164 = '+79261112233'`)) as { name: string }[];
    expect(contact!.name).toBe('<img src=x onerror=alert(1)>'); // stored as text; pages render it with textContent
  });

  it('a stored call whose record cannot be read is skipped at once, naming it; the calls after it get their leads', async () => {
    const base: CallRecord = {
      linkedid: '6.1', direction: 'inbound', caller: '+79265550001', callerName: null, did: '74951112233', placedBy: null,
      startedAt: 1_795_400_000, answeredAt: null, endedAt: 1_795_400_030, ringSeconds: 30, talkSeconds: 0, answeredBy: null,
      disposition: 'missed', abandoned: true, voicemail: false, stepReached: 'department', stepIndex: 1, hangupCause: 16,
      hangupCauseText: null, hungUpBy: 'caller', transferredTo: null, recordingFile: null, voicemailMessage: null, closedBy: 'hangup', legs: [], queues: [],
    };
    const repository = t.app.get(CallsRepository);
    const saved = await repository.saveFinalizedCalls([{ record: base, events: [] }, { record: { ...base, linkedid: '6.2', caller: '+79265550002' }, events: [] }]);
    // A record of another shape in the table (an old version, a hand edit): its legs are gone.
    await t.dataSource.query(`UPDATE calls SET record = record - 'legs' WHERE linkedid = '6.1'`);
    // Announced in order, as the writer does; retrying the unreadable one (0.5 + 2 + 10 + 30 s)
    // would hold the second one past this test's 20 s.
    const bus = t.app.get(CallEventBus);
    for (const record of saved) bus.emit('call.stored', { record });
    await t.app.get(LeadCaptureService).drained();
    const logged = (await t.dataSource.query(`SELECT linkedid, reason FROM lead_capture_log WHERE linkedid IN ('6.1', '6.2') ORDER BY linkedid`)) as { linkedid: string; reason: string }[];
    expect(logged).toEqual([{ linkedid: '6.2', reason: 'missed-new-number' }]);
    expect((await deals()).map((d) => d.phone)).toEqual(['+79265550002']);
  }, 20_000);
});
