/**
 * The live PBX: calls that reach people through the customer's own dialplan shapes, not ours —
 * Queue() (ringall, rrmemory, linear; a caller abandoning; a member declining), FreePBX ring and
 * hunt groups over Local channels, an IVR answered by the PBX, follow-me to a mobile through the
 * trunk, VoiceMail() with a message left, call parking. Each DID of test/live/support/customer-pbx.ts
 * goes to the customer's context, never to switchboard-inbound: the calls have no escalation step.
 * Each test asserts what the phones saw and what the service stored (record, legs, who missed it,
 * desk events, lead capture). With RECORD_LIVE_AMI=<dir> each scenario's AMI stream is saved
 * there (test/fixtures/ami/live/<name>.ami once renamed).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AmiCapture } from './support/ami-capture';
import { CLOSED_QUEUE_WAIT, CUSTOMER_GLOBALS, CUSTOMER_PBX, HUNT_TIMEOUT, PARK_TIMEOUT, IVR_WAIT, MOBILE_101, QUEUE_MEMBER_TIMEOUT, SHAPE_DIDS } from './support/customer-pbx';
import { type CallRow, expectAround, type LegRow, LiveLab, liveSuite, report, seconds, useLiveLab } from './support/live-lab';
import type { SipCall } from './support/sip-agent';

const KNOWN = '+79161234567'; // Remstroy — Alexey Smirnov, responsible 101
const RETRY = 1; // queues.conf retry: the pause between two members

/** When each phone got its INVITEs (seconds after the trunk's). */
function invitesAt(lab: LiveLab, extension: string, at: number): number[] {
  return lab.phone(extension).seen('invite', at).map((event) => seconds(at, event.at));
}

/** When a phone saw `type` (waiting up to 3 s: the far side may still be in flight when the trunk's call ends). */
async function eventAt(lab: LiveLab, extension: string, type: 'cancel' | 'answered' | 'rejected', at: number): Promise<number> {
  const phone = lab.phone(extension);
  await phone.waitUntil(() => phone.seen(type, at).length > 0, 3_000, `${extension}: ${type}`).catch(() => undefined);
  const events = phone.seen(type, at);
  expect(events).toHaveLength(1);
  return seconds(at, events[0].at);
}

const legsOf = (legs: LegRow[]): [string, string | null, string, boolean][] => legs.map((leg) => [leg.extension, leg.step, leg.outcome, leg.missed]);

/** The one call stored since `at` (a pickup or a parking slot dialed is no call of its own), and its legs. */
async function theCall(lab: LiveLab, caller: string, at: number): Promise<{ record: CallRow; legs: LegRow[] }> {
  const record = await lab.callRecord({ caller, since: at });
  await report(lab, at, record.linkedid);
  const all: { linkedid: string }[] = await lab.dataSource.query('SELECT linkedid FROM calls WHERE started_at >= $1', [new Date(at - 250)]);
  expect(all.map((row) => row.linkedid)).toEqual([record.linkedid]);
  return { record, legs: await lab.legs(record.linkedid) };
}

/** Who the statistics count as having missed the call (call_people, written with the call). */
async function missedBy(lab: LiveLab, linkedid: string): Promise<string[]> {
  const rows: { extension: string }[] = await lab.dataSource.query(
    `SELECT u.extensions[1] AS extension FROM call_people cp JOIN users u ON u.id = cp.user_id WHERE cp.linkedid = $1 AND cp.missed ORDER BY 1`,
    [linkedid],
  );
  return rows.map((row) => row.extension);
}

/** The caller's stays in queues as stored: in the call's record and in call_queues (what the queue statistics count). */
async function queuesOf(lab: LiveLab, linkedid: string): Promise<{ record: unknown; rows: { queue: string; outcome: string; answered_by_extension: string | null; wait_seconds: number }[] }> {
  const [call]: { queues: unknown }[] = await lab.dataSource.query(`SELECT record->'queues' AS queues FROM calls WHERE linkedid = $1`, [linkedid]);
  const rows = await lab.dataSource.query('SELECT queue, outcome, answered_by_extension, wait_seconds FROM call_queues WHERE linkedid = $1 ORDER BY seq', [linkedid]);
  return { record: call?.queues, rows };
}

/** The customer's calls: inbound on the shape's DID, no escalation step. */
function expectCustomerCall(record: CallRow, did: string, fields: Partial<CallRow>): void {
  expect(record).toMatchObject({ direction: 'inbound', did, step_reached: null, step_index: 0, transferred_to: null, ...fields });
}

/** A call to the IVR: the PBX answers at once; after 1 s the caller presses `digit` (RFC 4733 DTMF in its RTP stream). */
async function callIvr(lab: LiveLab, caller: string, digit?: string): Promise<{ call: SipCall; at: number }> {
  return callIvrLine(lab, caller, SHAPE_DIDS.ivr, digit);
}

async function callIvrLine(lab: LiveLab, caller: string, did: string, digit?: string): Promise<{ call: SipCall; at: number }> {
  lab.trunk.sendsAudio = true; // a caller's RTP stream, as a real one's: DTMF rides in it, the mailbox records it
  const { call, at } = lab.callIn(caller, did);
  expect(await call.answered(10_000)).toBe(true);
  expect(seconds(at, call.answeredAt as number)).toBeLessThan(1); // the PBX's Answer()
  if (digit) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await call.dtmf(digit);
  }
  return { call, at };
}

/** A call on the parking line: 101 answers, and after 1 s blind-transfers (REFER) the caller to `parkExten`. */
async function park(lab: LiveLab, parkExten: string): Promise<{ call: SipCall; at: number }> {
  lab.phone('101').behaviour = { kind: 'answer', afterMs: 1000 };
  const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.parking);
  expect(await call.answered(15_000)).toBe(true);
  const leg101 = [...lab.phone('101').calls.values()].find((c) => c.answeredAt !== null && c.state === 'confirmed');
  if (!leg101) throw new Error('101 has no answered call');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(await leg101.refer(parkExten)).toBe(202);
  await leg101.ended(10_000);
  return { call, at };
}

liveSuite('live PBX: the customer’s own dialplan shapes (queues, ring groups, IVR, follow-me, voicemail, parking)', () => {
  let lab: LiveLab;
  useLiveLab((started) => (lab = started), { customer: CUSTOMER_PBX, globals: CUSTOMER_GLOBALS });

  it('Queue ringall: 101, 102 and 103 ring at once, 102 answers after 2 s; 101 and 103 were not missed — queue_ringall', async () => {
    const desks = { '101': await lab.desk('101'), '102': await lab.desk('102'), '103': await lab.desk('103') };
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 2000, hangUpAfterMs: 2000 };
    const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.queueRingall);
    expect(await call.answered(15_000)).toBe(true);
    await call.ended(15_000);
    await lab.waitIdle();

    for (const ext of ['101', '102', '103']) expect(invitesAt(lab, ext, at)).toEqual([expect.any(Number)]);
    for (const ext of ['101', '102', '103']) expect(invitesAt(lab, ext, at)[0]).toBeLessThan(1);
    expectAround(await eventAt(lab, '102', 'answered', at), 2);
    for (const ext of ['101', '103']) expectAround(await eventAt(lab, ext, 'cancel', at), 2);

    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.queueRingall, { disposition: 'answered', answered_by_extension: '102', abandoned: false, voicemail: false });
    expectAround(record.ring_seconds, 2);
    expectAround(record.talk_seconds, 2);
    expect(legsOf(legs)).toEqual([
      ['101', null, 'cancelled_other_answered', false],
      ['102', null, 'answered', false],
      ['103', null, 'cancelled_other_answered', false],
    ]);
    expect(await missedBy(lab, record.linkedid)).toEqual([]);
    // The caller waited in sales-ringall until 102 answered (the AMI user's filter lets QueueCaller* through).
    const queues = await queuesOf(lab, record.linkedid);
    expect(queues.record).toEqual([expect.objectContaining({ name: 'sales-ringall', outcome: 'answered', answeredBy: '102' })]);
    expect(queues.rows).toEqual([expect.objectContaining({ queue: 'sales-ringall', outcome: 'answered', answered_by_extension: '102' })]);
    expectAround(queues.rows[0].wait_seconds, 2);
    for (const ext of ['101', '102', '103'] as const) {
      expect(desks[ext].of('call.ringing', record.linkedid)).toEqual([expect.objectContaining({ step: null, card: expect.objectContaining({ phone: KNOWN, line: SHAPE_DIDS.queueRingall }) })]);
    }
    expect(desks['102'].of('call.answered', record.linkedid)).toHaveLength(1);
    for (const ext of ['101', '103'] as const) expect(desks[ext].of('call.taken', record.linkedid)[0]?.answeredBy.extension).toBe('102');
  }, 40_000);

  it('Queue rrmemory: 101 rings alone 3 s, then 102 alone and answers; 101 missed it — queue_rrmemory', async () => {
    const desk101 = await lab.desk('101');
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 2000 };
    const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.queueRrmemory);
    expect(await call.answered(20_000)).toBe(true);
    await call.ended(15_000);
    await lab.waitIdle();

    expect(invitesAt(lab, '101', at)).toEqual([expect.any(Number)]);
    expectAround(await eventAt(lab, '101', 'cancel', at), QUEUE_MEMBER_TIMEOUT);
    expect(invitesAt(lab, '102', at)).toHaveLength(1);
    expectAround(invitesAt(lab, '102', at)[0], QUEUE_MEMBER_TIMEOUT + RETRY);
    expect(invitesAt(lab, '103', at)).toEqual([]);

    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.queueRrmemory, { disposition: 'answered', answered_by_extension: '102' });
    expectAround(record.ring_seconds, QUEUE_MEMBER_TIMEOUT + RETRY + 1);
    expect(legsOf(legs)).toEqual([
      ['101', null, 'no_answer', true],
      ['102', null, 'answered', false],
    ]);
    expect(await missedBy(lab, record.linkedid)).toEqual(['101']);
    expect(desk101.of('call.withdrawn', record.linkedid)).toEqual([expect.objectContaining({ outcome: 'no_answer' })]);
  }, 40_000);

  it('Queue linear: 101, then 102, then 103 who answers; 101 and 102 missed it — queue_linear', async () => {
    lab.phone('103').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 2000 };
    const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.queueLinear);
    expect(await call.answered(25_000)).toBe(true);
    await call.ended(15_000);
    await lab.waitIdle();

    const turn = QUEUE_MEMBER_TIMEOUT + RETRY;
    expect([invitesAt(lab, '101', at), invitesAt(lab, '102', at), invitesAt(lab, '103', at)].map((list) => list.length)).toEqual([1, 1, 1]);
    expectAround(invitesAt(lab, '102', at)[0], turn);
    expectAround(invitesAt(lab, '103', at)[0], 2 * turn);
    expectAround(await eventAt(lab, '103', 'answered', at), 2 * turn + 1);

    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.queueLinear, { disposition: 'answered', answered_by_extension: '103' });
    expectAround(record.ring_seconds, 2 * turn + 1);
    expect(legsOf(legs)).toEqual([
      ['101', null, 'no_answer', true],
      ['102', null, 'no_answer', true],
      ['103', null, 'answered', false],
    ]);
    expect(await missedBy(lab, record.linkedid)).toEqual(['101', '102']);
  }, 40_000);

  it('Queue ringall: a new caller waits 4 s and hangs up (CANCEL) before anyone answers: abandoned, missed by all three, a lead — queue_abandoned', async () => {
    const caller = '+79035557001';
    const head = await lab.desk('200', 'all');
    const { call, at } = lab.callIn(caller, SHAPE_DIDS.queueRingall);
    await lab.phone('101').nextInvite(at, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    for (const ext of ['101', '102', '103']) expectAround(await eventAt(lab, ext, 'cancel', at), 4);
    const { record, legs } = await theCall(lab, caller, at);
    expectCustomerCall(record, SHAPE_DIDS.queueRingall, { disposition: 'missed', abandoned: true, voicemail: false, answered_by_extension: null, hung_up_by: 'caller' });
    expectAround(record.ring_seconds, 4);
    expect(legsOf(legs)).toEqual(['101', '102', '103'].map((ext) => [ext, null, 'cancelled_caller_hung_up', true]));
    expect(await missedBy(lab, record.linkedid)).toEqual(['101', '102', '103']);
    expect((await queuesOf(lab, record.linkedid)).rows).toEqual([expect.objectContaining({ queue: 'sales-ringall', outcome: 'abandoned', answered_by_extension: null })]);
    await lab.leadCaptured(record.linkedid);
    const deals: { stage: string }[] = await lab.dataSource.query(
      'SELECT d.stage_id AS stage FROM deals d JOIN phone_numbers p ON p.contact_id = d.contact_id WHERE p.e164 = $1',
      [caller],
    );
    expect(deals).toEqual([{ stage: 'unsorted' }]);
    expect(head.of('call.missed', record.linkedid)).toEqual([expect.objectContaining({ abandoned: true, voicemail: false, responsibleId: null })]);
  }, 40_000);

  it('Queue ringall: 101 declines (603), 102 answers after 2 s; declining a call a colleague took is no miss — queue_member_declines', async () => {
    const desk101 = await lab.desk('101');
    lab.phone('101').behaviour = { kind: 'decline' };
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 2000, hangUpAfterMs: 2000 };
    const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.queueRingall);
    expect(await call.answered(15_000)).toBe(true);
    await call.ended(15_000);
    await lab.waitIdle();

    expect(await eventAt(lab, '101', 'rejected', at)).toBeLessThan(1);
    expect(invitesAt(lab, '101', at)).toHaveLength(1); // not rung again while the others ring
    expectAround(await eventAt(lab, '102', 'answered', at), 2);
    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.queueRingall, { disposition: 'answered', answered_by_extension: '102' });
    expect(legsOf(legs)).toEqual([
      ['101', null, 'rejected', false],
      ['102', null, 'answered', false],
      ['103', null, 'cancelled_other_answered', false],
    ]);
    expect(await missedBy(lab, record.linkedid)).toEqual([]);
    // 101's phone declined the INVITE without ringing (no 180): no popup on 101's desk
    expect(desk101.of('call.ringing', record.linkedid)).toEqual([]);
  }, 40_000);

  it('Queue with one member: two callers wait at once; 103 takes the first, then the second once free; each waited its own time — queue_two_callers', async () => {
    const first = '+79035557011';
    const second = '+79035557012';
    lab.phone('103').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 3000 };
    const a = lab.callIn(first, SHAPE_DIDS.queueSupport);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const b = lab.callIn(second, SHAPE_DIDS.queueSupport);
    expect(await a.call.answered(10_000)).toBe(true);
    expect(await b.call.answered(20_000)).toBe(true);
    await b.call.ended(15_000);
    await lab.waitIdle();

    // 103 rang twice, the second time only after the first call ended (ringinuse = no)
    const invites = invitesAt(lab, '103', a.at);
    expect(invites).toHaveLength(2);
    expectAround(invites[1], 1 + 3 + RETRY, 1.5);
    const one = await lab.callRecord({ caller: first, since: a.at });
    const two = await lab.callRecord({ caller: second, since: a.at });
    expectCustomerCall(one, SHAPE_DIDS.queueSupport, { disposition: 'answered', answered_by_extension: '103' });
    expectCustomerCall(two, SHAPE_DIDS.queueSupport, { disposition: 'answered', answered_by_extension: '103' });
    const waitOne = (await queuesOf(lab, one.linkedid)).rows;
    const waitTwo = (await queuesOf(lab, two.linkedid)).rows;
    expect(waitOne).toEqual([expect.objectContaining({ queue: 'support', outcome: 'answered', answered_by_extension: '103' })]);
    expect(waitTwo).toEqual([expect.objectContaining({ queue: 'support', outcome: 'answered', answered_by_extension: '103' })]);
    expectAround(waitOne[0].wait_seconds, 1);
    expect(waitTwo[0].wait_seconds).toBeGreaterThan(waitOne[0].wait_seconds + 3);
    expectAround(two.ring_seconds, waitTwo[0].wait_seconds);
    expect(legsOf(await lab.legs(two.linkedid))).toEqual([['103', null, 'answered', false]]);
    await report(lab, a.at, two.linkedid);
  }, 60_000);

  it('Queue with nobody in it: the caller waits the Queue() timeout, then leaves a message: voicemail, left the queue, a lead with the message — queue_closed_voicemail', async () => {
    const caller = '+79035557013';
    lab.trunk.sendsAudio = true;
    const { call, at } = lab.callIn(caller, SHAPE_DIDS.queueClosed);
    expect(await call.answered(10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, CLOSED_QUEUE_WAIT * 1000 + 16_000)); // the greeting, then a few seconds of message
    call.hangUp();
    await call.ended(10_000);
    const inbox = join(lab.pbx.dir, 'spool', 'voicemail', 'default', '100', 'INBOX');
    await lab.trunk.waitUntil(() => existsSync(inbox) && readdirSync(inbox).some((name) => name.endsWith('.txt')), 5_000, 'a voicemail message');
    await lab.waitIdle();

    for (const ext of ['101', '102', '103']) expect(invitesAt(lab, ext, at)).toEqual([]);
    const { record, legs } = await theCall(lab, caller, at);
    expectCustomerCall(record, SHAPE_DIDS.queueClosed, { disposition: 'missed', abandoned: false, voicemail: true, hung_up_by: 'caller' });
    expect(legs).toEqual([]);
    const queues = await queuesOf(lab, record.linkedid);
    expect(queues.rows).toEqual([expect.objectContaining({ queue: 'sales-closed', outcome: 'left', answered_by_extension: null })]);
    expectAround(queues.rows[0].wait_seconds, CLOSED_QUEUE_WAIT);
    const messages = readdirSync(inbox).filter((name) => name.endsWith('.txt')).map((name) => join(inbox, name.replace(/\.txt$/, '')));
    expect(messages).toContain(record.voicemail_message);
    await lab.leadCaptured(record.linkedid);
    const tasks: { voicemail_message: string | null }[] = await lab.dataSource.query('SELECT voicemail_message FROM tasks WHERE phone = $1', [caller]);
    expect(tasks).toEqual([{ voicemail_message: record.voicemail_message }]);
  }, 60_000);

  it('FreePBX queue: members are Local/<ext>@from-queue/n; 101 and 102 ring, 102 answers; one leg per person, popups on both desks — queue_freepbx', async () => {
    const desks = { '101': await lab.desk('101'), '102': await lab.desk('102') };
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 2000, hangUpAfterMs: 2000 };
    const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.queueFreepbx);
    expect(await call.answered(15_000)).toBe(true);
    await call.ended(15_000);
    await lab.waitIdle();

    for (const ext of ['101', '102']) expect(invitesAt(lab, ext, at)).toEqual([expect.any(Number)]);
    expect(invitesAt(lab, '103', at)).toEqual([]);
    expectAround(await eventAt(lab, '101', 'cancel', at), 2);
    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.queueFreepbx, { disposition: 'answered', answered_by_extension: '102', hung_up_by: 'manager:102' });
    expectAround(record.ring_seconds, 2);
    expect(legsOf(legs)).toEqual([
      ['101', null, 'cancelled_other_answered', false],
      ['102', null, 'answered', false],
    ]);
    expect(await missedBy(lab, record.linkedid)).toEqual([]);
    const queues = await queuesOf(lab, record.linkedid);
    expect(queues.rows).toEqual([expect.objectContaining({ queue: 'sales-freepbx', outcome: 'answered', answered_by_extension: '102' })]);
    for (const ext of ['101', '102'] as const) {
      expect(desks[ext].of('call.ringing', record.linkedid)).toEqual([expect.objectContaining({ card: expect.objectContaining({ phone: KNOWN }) })]);
    }
    expect(desks['101'].of('call.taken', record.linkedid)[0]?.answeredBy.extension).toBe('102');
  }, 40_000);

  it('FreePBX ring group: Local/101 and Local/102 ring at once, 101 answers after 2 s; one leg per person — ring_group', async () => {
    const desk102 = await lab.desk('102');
    lab.phone('101').behaviour = { kind: 'answer', afterMs: 2000, hangUpAfterMs: 2000 };
    const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.ringGroup);
    expect(await call.answered(15_000)).toBe(true);
    await call.ended(15_000);
    await lab.waitIdle();

    for (const ext of ['101', '102']) expect(invitesAt(lab, ext, at)).toEqual([expect.any(Number)]);
    expectAround(await eventAt(lab, '101', 'answered', at), 2);
    expectAround(await eventAt(lab, '102', 'cancel', at), 2);
    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.ringGroup, { disposition: 'answered', answered_by_extension: '101' });
    expectAround(record.ring_seconds, 2);
    expectAround(record.talk_seconds, 2);
    expect(legsOf(legs)).toEqual([
      ['101', null, 'answered', false],
      ['102', null, 'cancelled_other_answered', false],
    ]);
    expect(await missedBy(lab, record.linkedid)).toEqual([]);
    expect(desk102.of('call.ringing', record.linkedid)).toHaveLength(1);
    expect(desk102.of('call.taken', record.linkedid)[0]?.answeredBy.extension).toBe('101');
  }, 40_000);

  it('FreePBX hunt group: 101 rings 3 s, then 102 who answers; 101 missed it — hunt_group', async () => {
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 2000 };
    const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.huntGroup);
    expect(await call.answered(15_000)).toBe(true);
    await call.ended(15_000);
    await lab.waitIdle();

    expectAround(await eventAt(lab, '101', 'cancel', at), HUNT_TIMEOUT);
    expectAround(invitesAt(lab, '102', at)[0], HUNT_TIMEOUT);
    expect(invitesAt(lab, '103', at)).toEqual([]);
    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.huntGroup, { disposition: 'answered', answered_by_extension: '102' });
    expectAround(record.ring_seconds, HUNT_TIMEOUT + 1);
    expect(legsOf(legs)).toEqual([
      ['101', null, 'no_answer', true],
      ['102', null, 'answered', false],
    ]);
    expect(await missedBy(lab, record.linkedid)).toEqual(['101']);
  }, 40_000);

  it('IVR: the PBX answers, the caller presses 1 (RFC 4733), 101 and 102 ring, 102 answers: answered by 102, not by the PBX — ivr_answered', async () => {
    const desk102 = await lab.desk('102');
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 2000, hangUpAfterMs: 2000 };
    const { call, at } = await callIvr(lab, KNOWN, '1');
    await call.ended(20_000);
    await lab.waitIdle();

    for (const ext of ['101', '102']) expectAround(invitesAt(lab, ext, at)[0], 1.5);
    expect(invitesAt(lab, '103', at)).toEqual([]);
    expectAround(await eventAt(lab, '102', 'answered', at), 3.5);
    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.ivr, { disposition: 'answered', answered_by_extension: '102', voicemail: false });
    expectAround(record.ring_seconds, 3.5); // the caller's wait for a person, IVR included
    expectAround(record.talk_seconds, 2);
    expect(legsOf(legs)).toEqual([
      ['101', null, 'cancelled_other_answered', false],
      ['102', null, 'answered', false],
    ]);
    expect(await missedBy(lab, record.linkedid)).toEqual([]);
    expect(desk102.of('call.answered', record.linkedid)[0]?.card.phone).toBe(KNOWN);
  }, 40_000);

  it('IVR: the PBX answers, the caller presses 1, 101 and 102 ring, the caller hangs up after 3 s: abandoned, not voicemail — ivr_abandoned', async () => {
    const caller = '+79035557004';
    const head = await lab.desk('200', 'all');
    const { call, at } = await callIvr(lab, caller, '1');
    await lab.phone('101').nextInvite(at, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    for (const ext of ['101', '102']) expectAround(await eventAt(lab, ext, 'cancel', at), 4.5);
    const { record, legs } = await theCall(lab, caller, at);
    expectCustomerCall(record, SHAPE_DIDS.ivr, { disposition: 'missed', abandoned: true, voicemail: false, hung_up_by: 'caller' });
    expect(legsOf(legs)).toEqual(['101', '102'].map((ext) => [ext, null, 'cancelled_caller_hung_up', true]));
    expect(await missedBy(lab, record.linkedid)).toEqual(['101', '102']);
    await lab.leadCaptured(record.linkedid);
    expect(head.of('call.missed', record.linkedid)).toEqual([expect.objectContaining({ abandoned: true, voicemail: false })]);
  }, 40_000);

  it('IVR: the PBX answers, the caller presses 2, 103 rings 3 s, nobody answers, "nobody available", the PBX hangs up: unanswered — ivr_nobody', async () => {
    const caller = '+79035557002';
    const { call, at } = await callIvr(lab, caller, '2');
    await call.ended(30_000);
    await lab.waitIdle();

    expectAround(invitesAt(lab, '103', at)[0], 1.5);
    expectAround(await eventAt(lab, '103', 'cancel', at), 1.5 + HUNT_TIMEOUT);
    expect(lab.trunk.seen('bye-received', at)).toHaveLength(1); // the PBX hung up
    const { record, legs } = await theCall(lab, caller, at);
    expectCustomerCall(record, SHAPE_DIDS.ivr, { disposition: 'missed', abandoned: false, voicemail: false, hung_up_by: 'pbx' });
    expect(legsOf(legs)).toEqual([['103', null, 'no_answer', true]]);
    expect(await missedBy(lab, record.linkedid)).toEqual(['103']);
  }, 40_000);

  it('IVR: the PBX answers, no digit, 103 rings 3 s, then the sales mailbox takes a message: voicemail, not abandoned — ivr_voicemail', async () => {
    const caller = '+79035557005';
    // a session of the AMI user as config/manager.conf.example ships it: of the dialplan's steps only VoiceMail() reaches it
    const capture = await AmiCapture.open(lab.pbx.amiPort, 'switchboard', lab.pbx.amiSecret);
    let newexten: string[];
    let at: number;
    try {
      const ivr = await callIvr(lab, caller);
      at = ivr.at;
      const invite = await lab.phone('103').nextInvite(at, 10_000);
      expectAround(seconds(at, invite.at), IVR_WAIT + 0.5);
      // the greeting (~12 s), then the caller speaks (a tone) for a few seconds and hangs up
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      ivr.call.hangUp();
      await ivr.call.ended(10_000);
      const inbox = join(lab.pbx.dir, 'spool', 'voicemail', 'default', '100', 'INBOX');
      await lab.trunk.waitUntil(() => existsSync(inbox) && readdirSync(inbox).some((name) => name.endsWith('.txt')), 5_000, 'a voicemail message');
      await lab.waitIdle();
      newexten = capture.events().filter((event) => event.Event === 'Newexten').map((event) => `${(event.Channel ?? '').replace(/-[0-9a-f]+$/, '')} ${event.Application}`);
    } finally {
      capture.close();
    }

    expect(newexten).toEqual(['PJSIP/trunk VoiceMail']);
    const { record, legs } = await theCall(lab, caller, at);
    expectCustomerCall(record, SHAPE_DIDS.ivr, { disposition: 'missed', abandoned: false, voicemail: true, hung_up_by: 'caller' });
    // the sales mailbox's newest message (an earlier test may have left one there too)
    const salesInbox = join(lab.pbx.dir, 'spool', 'voicemail', 'default', '100', 'INBOX');
    const newest = readdirSync(salesInbox).filter((name) => /^msg\d+\.txt$/.test(name)).sort().at(-1);
    expect(record.voicemail_message).toBe(join(salesInbox, (newest ?? '').replace(/\.txt$/, '')));
    expect(legsOf(legs)).toEqual([['103', null, 'no_answer', true]]);
    expect(await missedBy(lab, record.linkedid)).toEqual(['103']);
  }, 60_000);

  it('IVR: the PBX answers, the caller hangs up in the menu after 1.5 s, before any phone rang: abandoned, no legs, a lead — ivr_menu_hangup', async () => {
    const caller = '+79035557006';
    const head = await lab.desk('200', 'all');
    const { call, at } = await callIvr(lab, caller);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    for (const ext of ['101', '102', '103']) expect(invitesAt(lab, ext, at)).toEqual([]);
    const { record, legs } = await theCall(lab, caller, at);
    expectCustomerCall(record, SHAPE_DIDS.ivr, { disposition: 'missed', abandoned: true, voicemail: false, hung_up_by: 'caller', answered_by_extension: null });
    expectAround(record.ring_seconds, 1.5);
    expect(legs).toEqual([]);
    expect(await missedBy(lab, record.linkedid)).toEqual([]);
    await lab.leadCaptured(record.linkedid);
    const tasks: { kind: string }[] = await lab.dataSource.query('SELECT kind FROM tasks WHERE phone = $1', [caller]);
    expect(tasks).toEqual([{ kind: 'callback' }]);
    expect(head.of('call.missed', record.linkedid)).toEqual([expect.objectContaining({ abandoned: true, voicemail: false })]);
  }, 40_000);

  it('IVR into a queue: the PBX answers, no digit, the menu times out into the ringall queue, 101 answers: answered by 101, the stay answered — ivr_queue', async () => {
    const desk102 = await lab.desk('102');
    lab.phone('101').behaviour = { kind: 'answer', afterMs: 1500, hangUpAfterMs: 2000 };
    const { call, at } = await callIvrLine(lab, KNOWN, SHAPE_DIDS.ivrQueue);
    await call.ended(25_000);
    await lab.waitIdle();

    for (const ext of ['101', '102', '103']) expect(invitesAt(lab, ext, at)).toHaveLength(1);
    expectAround(invitesAt(lab, '101', at)[0], IVR_WAIT + 0.5);
    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.ivrQueue, { disposition: 'answered', answered_by_extension: '101', voicemail: false, abandoned: false, hung_up_by: 'manager:101' });
    expect(legsOf(legs)).toEqual([
      ['101', null, 'answered', false],
      ['102', null, 'cancelled_other_answered', false],
      ['103', null, 'cancelled_other_answered', false],
    ]);
    const queues = await queuesOf(lab, record.linkedid);
    expect(queues.rows).toEqual([expect.objectContaining({ queue: 'sales-ringall', outcome: 'answered', answered_by_extension: '101' })]);
    expectAround(queues.rows[0].wait_seconds, 1.5);
    expect(desk102.of('call.ringing', record.linkedid)).toHaveLength(1);
    expect(desk102.of('call.taken', record.linkedid)[0]?.answeredBy.extension).toBe('101');
  }, 40_000);

  it('follow-me: 101’s desk phone rings 3 s, then 101’s mobile through the trunk answers: answered by 101, one leg — follow_me', async () => {
    const desk101 = await lab.desk('101');
    const { call, at } = lab.callIn(KNOWN, SHAPE_DIDS.followMe);
    lab.trunk.behaviour = { kind: 'answer', afterMs: 1500, hangUpAfterMs: 2500 };
    expect(await call.answered(20_000)).toBe(true);
    await call.ended(15_000);
    await lab.waitIdle();

    expectAround(await eventAt(lab, '101', 'cancel', at), HUNT_TIMEOUT);
    const mobile = lab.trunk.seen('invite', at);
    expect(mobile.map((invite) => invite.toUser)).toEqual([MOBILE_101]);
    expectAround(seconds(at, mobile[0].at), HUNT_TIMEOUT);
    expectAround(seconds(at, call.answeredAt as number), HUNT_TIMEOUT + 1.5);
    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.followMe, { disposition: 'answered', answered_by_extension: '101', hung_up_by: 'manager:101' });
    expectAround(record.ring_seconds, HUNT_TIMEOUT + 1.5);
    expectAround(record.talk_seconds, 2.5);
    expect(legsOf(legs)).toEqual([['101', null, 'answered', false]]);
    expect(await missedBy(lab, record.linkedid)).toEqual([]);
    expect(desk101.of('call.ringing', record.linkedid)).toHaveLength(1);
    expect(desk101.of('call.ended', record.linkedid)).toEqual([expect.objectContaining({ disposition: 'answered', answeredBy: expect.objectContaining({ extension: '101' }) })]);
  }, 40_000);

  it('VoiceMail(): 101 rings 3 s, then its mailbox answers and the caller leaves a message: voicemail, no step — voicemail_direct', async () => {
    const caller = '+79035557003';
    const head = await lab.desk('200', 'all');
    lab.trunk.sendsAudio = true; // the caller speaks: the mailbox records a message
    const { call, at } = lab.callIn(caller, SHAPE_DIDS.voicemail);
    expect(await call.answered(20_000)).toBe(true);
    expectAround(seconds(at, call.answeredAt as number), HUNT_TIMEOUT);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    call.hangUp();
    await call.ended(10_000);
    const inbox = join(lab.pbx.dir, 'spool', 'voicemail', 'default', '101', 'INBOX');
    await lab.trunk.waitUntil(() => existsSync(inbox) && readdirSync(inbox).some((name) => name.endsWith('.txt')), 5_000, 'a voicemail message');
    await lab.waitIdle();

    expectAround(await eventAt(lab, '101', 'cancel', at), HUNT_TIMEOUT);
    const { record, legs } = await theCall(lab, caller, at);
    expectCustomerCall(record, SHAPE_DIDS.voicemail, { disposition: 'missed', abandoned: false, voicemail: true, answered_by_extension: null });
    expect(legsOf(legs)).toEqual([['101', null, 'no_answer', true]]);
    expect(await missedBy(lab, record.linkedid)).toEqual(['101']);
    // The message app_voicemail saved (VM_MESSAGEFILE, through the shipped filter) is on the record,
    // on the lead's callback task and on the caller card; it is the file the mailbox really holds.
    expect(record.voicemail_message).toBe(join(inbox, 'msg0000'));
    expect(existsSync(`${record.voicemail_message}.txt`)).toBe(true);
    await lab.leadCaptured(record.linkedid);
    const tasks: { kind: string; voicemail_message: string | null }[] = await lab.dataSource.query('SELECT kind, voicemail_message FROM tasks WHERE phone = $1', [caller]);
    expect(tasks).toEqual([{ kind: 'callback', voicemail_message: record.voicemail_message }]);
    const card = await lab.service.api<{ openTasks: { voicemail: unknown }[]; lastCalls: { linkedid: string; voicemail: unknown }[] }>(
      'GET', `/api/clients/lookup?phone=${encodeURIComponent(caller)}`, await lab.token('200'));
    expect(card.body.openTasks.map((task) => task.voicemail)).toEqual([{ file: record.voicemail_message, mailbox: '101@default' }]);
    expect(card.body.lastCalls.find((c) => c.linkedid === record.linkedid)?.voicemail).toEqual({ file: record.voicemail_message, mailbox: '101@default' });
    expect(head.of('call.missed', record.linkedid)).toEqual([expect.objectContaining({ voicemail: true, abandoned: false })]);
  }, 60_000);

  it('parking: 101 answers, blind-transfers the caller to 700 (parked at 701), 102 dials 701 and takes the call: answered by 101, transferred to 102 — parking', async () => {
    const desk102 = await lab.desk('102');
    const { call, at } = await park(lab, '700');
    expect(await lab.pbx.cli('parking show default')).toMatch(/Space\s+:\s+701\b/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const retrieve = lab.phone('102').call('701');
    expect(await retrieve.answered(10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(call.state).toBe('confirmed'); // the caller talks to 102 now
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    expect(invitesAt(lab, '102', at)).toEqual([]); // 102 called the slot, nobody rang it
    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.parking, { disposition: 'answered', answered_by_extension: '101', transferred_to: '102', hung_up_by: 'caller' });
    expectAround(record.ring_seconds, 1);
    expectAround(record.talk_seconds, seconds(call.answeredAt as number, call.endedAt as number));
    expect(legsOf(legs)).toEqual([['101', null, 'answered', false]]);
    expect(desk102.of('call.answered', record.linkedid)[0]?.card.phone).toBe(KNOWN);
  }, 60_000);

  it('parking nobody takes: 101 parks the caller in a lot of 3 s; the call rings 101 again, 101 answers: answered by 101, no transfer — parking_timeout', async () => {
    const desk101 = await lab.desk('101');
    const { call, at } = await park(lab, '730');
    const back = await lab.phone('101').nextInvite(at + 2500, 10_000); // the parked call comes back
    expectAround(seconds(at, back.at), 1 + 1 + PARK_TIMEOUT, 1.5);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(call.state).toBe('confirmed'); // the caller talks to 101 again
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    const { record, legs } = await theCall(lab, KNOWN, at);
    expectCustomerCall(record, SHAPE_DIDS.parking, { disposition: 'answered', answered_by_extension: '101', transferred_to: null, hung_up_by: 'caller' });
    expectAround(record.ring_seconds, 1);
    expect(legsOf(legs).map(([ext, , outcome]) => [ext, outcome])).toEqual(legsOf(legs).map(() => ['101', 'answered']));
    expect(desk101.of('call.ringing', record.linkedid).length).toBeGreaterThanOrEqual(1);
    expect(desk101.of('call.ended', record.linkedid)).toHaveLength(1);
  }, 60_000);
});
