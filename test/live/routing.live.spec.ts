/**
 * The live PBX: the shipped dialplan on a real Asterisk 22, real SIP phones, the real service.
 * Each test asserts what the phones saw (INVITE times, the display name, CANCEL, BYE) and what the
 * service made of it (call record, legs, desk events over socket.io).
 */
import { expectAround, LiveLab, liveSuite, MAIN_LINE, report, seconds, useLiveLab } from './support/live-lab';

const KNOWN = '+79161234567'; // Remstroy — Alexey Smirnov, responsible 101
const KNOWN_102 = '+79035550101'; // Vintik LLC — Irina Popova, responsible 102

/** The one INVITE a phone got for a call placed at `at`, as seconds after the trunk's INVITE. */
function ringAt(lab: LiveLab, extension: string, at: number): number {
  const invites = lab.phone(extension).seen('invite', at);
  expect(invites).toHaveLength(1);
  return seconds(at, invites[0].at);
}

/** When a phone saw `type` (waiting up to 3 s: the far side may still be in flight when the trunk's call ends). */
async function eventAt(lab: LiveLab, extension: string, type: 'cancel' | 'answered' | 'rejected', at: number): Promise<number> {
  await lab.phone(extension).waitUntil(() => lab.phone(extension).seen(type, at).length > 0, 3_000, `${extension}: ${type}`).catch(() => undefined);
  const events = lab.phone(extension).seen(type, at);
  expect(events).toHaveLength(1);
  return seconds(at, events[0].at);
}

liveSuite('live PBX: inbound routing through the shipped dialplan', () => {
  let lab: LiveLab;
  useLiveLab((started) => (lab = started));

  it('known caller: the responsible manager rings first with the client name on the phone, answers; the record and the desk say so — known_responsible_answers', async () => {
    const desk = await lab.desk('101');
    lab.phone('101').behaviour = { kind: 'answer', afterMs: 2000, hangUpAfterMs: 3000 };
    const { call, at } = lab.callIn(KNOWN);
    expect(await call.answered(20_000)).toBe(true);
    await call.ended(20_000);

    const invite = await lab.phone('101').nextInvite(at, 1);
    expect(invite.display).toBe('Remstroy — Alexey Smirnov');
    expect(seconds(at, invite.at)).toBeLessThan(1.5);
    for (const other of ['102', '103', '200', '300', '400']) expect(lab.phone(other).seen('invite', at)).toHaveLength(0);

    const record = await lab.callRecord({ caller: KNOWN, since: at });

    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ direction: 'inbound', did: MAIN_LINE, disposition: 'answered', answered_by_extension: '101', step_reached: 'responsible', abandoned: false });
    expect(record.ring_seconds).toBeGreaterThan(1.5);
    expect(record.ring_seconds).toBeLessThan(3.5);
    expect(record.talk_seconds).toBeGreaterThan(2);
    const legs = await lab.legs(record.linkedid);
    expect(legs.map((leg) => [leg.extension, leg.step, leg.outcome])).toEqual([['101', 'responsible', 'answered']]);
    expect(record.caller_name).toBe('Remstroy — Alexey Smirnov');
    const [ringing] = desk.of('call.ringing', record.linkedid);
    expect(ringing.ringing.extension).toBe('101');
    expect(ringing.step).toBe('responsible');
    expect(ringing.card).toMatchObject({ phone: KNOWN, callerIdName: 'Remstroy — Alexey Smirnov', newCaller: false });
    expect(ringing.card.company?.name).toBe('Remstroy');
    expect(desk.of('call.answered', record.linkedid)).toHaveLength(1);
    const [ended] = desk.of('call.ended', record.linkedid);
    expect(ended).toMatchObject({ disposition: 'answered', answeredBy: { extension: '101' } });
    expect(ended.prompt).not.toBeNull();
  }, 60_000);

  it('responsible silent 10 s → the department rings at once (101 not again), 102 answers, 103 gets CANCEL; only 102 gets the note prompt — known_department_answers', async () => {
    const desks = { 101: await lab.desk('101'), 102: await lab.desk('102'), 103: await lab.desk('103'), head: await lab.desk('200', 'all') };
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 2000, hangUpAfterMs: 2000 };
    const { call, at } = lab.callIn(KNOWN);
    expect(await call.answered(30_000)).toBe(true);
    await call.ended(20_000);

    expect(ringAt(lab, '101', at)).toBeLessThan(1.5);
    expectAround(await eventAt(lab, '101', 'cancel', at), 10);
    const dept102 = ringAt(lab, '102', at);
    const dept103 = ringAt(lab, '103', at);
    for (const t of [dept102, dept103]) expect(t).toBeGreaterThan(9.5), expect(t).toBeLessThan(11.5);
    expectAround((await eventAt(lab, '102', 'answered', at)) - dept102, 2);
    expect(await eventAt(lab, '103', 'cancel', at)).toBeGreaterThan(dept103 + 1.5);
    for (const other of ['200', '300', '400']) expect(lab.phone(other).seen('invite', at)).toHaveLength(0);

    const record = await lab.callRecord({ caller: KNOWN, since: at });

    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '102', step_reached: 'department', step_index: 2 });
    expect(record.ring_seconds).toBeGreaterThan(11);
    expect(record.ring_seconds).toBeLessThan(14);
    const legs = await lab.legs(record.linkedid);
    expect(legs.map((leg) => [leg.extension, leg.step, leg.outcome])).toEqual([
      ['101', 'responsible', 'no_answer'],
      ['102', 'department', 'answered'],
      ['103', 'department', 'cancelled_other_answered'],
    ]);
    const ended = (desk: keyof typeof desks) => desks[desk].of('call.ended', record.linkedid);
    expect(ended(102)).toHaveLength(1);
    expect(ended(102)[0].prompt).toMatchObject({ kind: 'note_or_task', phone: KNOWN });
    for (const desk of [101, 103, 'head'] as const) {
      expect(ended(desk)).toHaveLength(1);
      expect(ended(desk)[0].prompt).toBeNull();
    }
    expect(desks[103].of('call.ringing', record.linkedid)).toHaveLength(1);
    expect(desks[103].of('call.taken', record.linkedid)[0]?.answeredBy.extension).toBe('102');
  }, 60_000);

  it('new caller, nobody answers: department → head of sales → CEO → owner, 10 s each (the shipped chain), then the final action; a lead lands in the exchange — new_nobody_answers', async () => {
    const caller = '+79031112233';
    const head = await lab.desk('200', 'all');
    const { call, at } = lab.callIn(caller);
    // The PBX answers the caller itself at the end (vm-nobodyavail) and hangs up.
    expect(await call.answered(60_000)).toBe(true);
    await call.ended(20_000);

    const dept = ['101', '102', '103'].map((ext) => ringAt(lab, ext, at));
    for (const t of dept) expect(t).toBeLessThan(1.5);
    expectAround(ringAt(lab, '200', at), 10);
    expectAround(ringAt(lab, '300', at), 20);
    expectAround(ringAt(lab, '400', at), 30);
    for (const ext of ['101', '102', '103', '200', '300', '400']) expect(lab.phone(ext).seen('cancel', at)).toHaveLength(1);
    const answeredByPbx = seconds(at, lab.trunk.seen('answered', at)[0].at);
    expectAround(answeredByPbx, 40);
    const byeAt = seconds(at, lab.trunk.seen('bye-received', at)[0].at);
    expect(byeAt - answeredByPbx).toBeGreaterThan(1); // vm-nobodyavail played

    const record = await lab.callRecord({ caller, since: at });

    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'missed', abandoned: false, voicemail: true, answered_by_extension: null, step_index: 4 });
    const legs = await lab.legs(record.linkedid);
    expect(legs.map((leg) => [leg.extension, leg.step, leg.outcome])).toEqual([
      ['101', 'department', 'no_answer'],
      ['102', 'department', 'no_answer'],
      ['103', 'department', 'no_answer'],
      ['200', 'head_of_sales', 'no_answer'],
      ['300', 'ceo', 'no_answer'],
      ['400', 'owner', 'no_answer'],
    ]);
    await lab.leadCaptured(record.linkedid);
    const deals: { stage: string; responsible_id: string | null }[] = await lab.dataSource.query(
      `SELECT d.stage_id AS stage, d.responsible_id FROM deals d JOIN contacts c ON c.id = d.contact_id JOIN phone_numbers p ON p.contact_id = c.id WHERE p.e164 = $1`,
      [caller],
    );
    expect(deals).toEqual([{ stage: 'unsorted', responsible_id: null }]);
    const tasks: { kind: string; done: boolean }[] = await lab.dataSource.query(`SELECT kind, (done_at IS NOT NULL) AS done FROM tasks WHERE phone = $1`, [caller]);
    expect(tasks).toEqual([{ kind: 'callback', done: false }]);
    expect(head.of('call.missed', record.linkedid)).toHaveLength(1);
  }, 90_000);

  it('caller gives up while the responsible rings: abandoned at responsible, 102 gets CANCEL, a callback task for 102 — known_abandoned', async () => {
    const desk = await lab.desk('102');
    const { call, at } = lab.callIn(KNOWN_102);
    await lab.phone('102').nextInvite(at, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    call.hangUp();
    await call.ended(10_000);
    expectAround(await eventAt(lab, '102', 'cancel', at), 4);

    const record = await lab.callRecord({ caller: KNOWN_102, since: at });

    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'missed', abandoned: true, voicemail: false, step_reached: 'responsible' });
    expect((await lab.legs(record.linkedid)).map((leg) => [leg.extension, leg.outcome])).toEqual([['102', 'cancelled_caller_hung_up']]);
    await lab.leadCaptured(record.linkedid);
    const tasks: { assignee_id: string | null; kind: string }[] = await lab.dataSource.query(`SELECT assignee_id, kind FROM tasks WHERE phone = $1 AND done_at IS NULL`, [KNOWN_102]);
    expect(tasks).toEqual([{ assignee_id: lab.userIds.get('102'), kind: 'callback' }]);
    // the responsible's desk: the card popped, then the missed call addressed to them
    expect(desk.of('call.ringing', record.linkedid).map((event) => event.card.company?.name)).toEqual(['Vintik LLC']);
    expect(desk.of('call.missed', record.linkedid)).toEqual([expect.objectContaining({ abandoned: true, responsibleId: lab.userIds.get('102') })]);
  }, 40_000);

  it.each([
    ['on DND', 'dnd'],
    ['unregistered', 'offline'],
  ] as const)('responsible %s: skipped by the service (the decision says %s), the department rings first and 101 gets no INVITE', async (_label, reason) => {
    if (reason === 'dnd') expect((await lab.service.api('PATCH', `/api/users/${lab.userIds.get('101')}`, lab.adminToken, { dnd: true })).status).toBe(200);
    else {
      await lab.phone('101').unregister();
      await new Promise((resolve) => setTimeout(resolve, 500)); // ContactStatus/DeviceStateChange reach the service
    }
    try {
      const desk101 = await lab.desk('101');
      const desk103 = await lab.desk('103');
      lab.phone('103').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 1000 };
      const { call, at } = lab.callIn(KNOWN);
      expect(await call.answered(20_000)).toBe(true);
      await call.ended(10_000);
      expect(lab.phone('101').seen('invite', at)).toHaveLength(0);
      expect(ringAt(lab, '102', at)).toBeLessThan(1.5);
      expect(ringAt(lab, '103', at)).toBeLessThan(1.5);
      const record = await lab.callRecord({ caller: KNOWN, since: at });
      await report(lab, at, record.linkedid);
      expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '103', step_reached: 'department' });
      const [decision] = await lab.decisions(record.linkedid);
      expect(decision.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ extension: '101', reason })]));
      expect(desk101.of('call.ringing', record.linkedid)).toHaveLength(0);
      expect(desk103.of('call.answered', record.linkedid)).toHaveLength(1);
    } finally {
      if (reason === 'dnd') await lab.service.api('PATCH', `/api/users/${lab.userIds.get('101')}`, lab.adminToken, { dnd: false });
      else await lab.phone('101').register();
    }
  }, 40_000);

  it.each([
    ['busy (486)', 'busy', 'busy'],
    ['declining (603)', 'decline', 'rejected'],
  ] as const)('responsible %s: the leg is %s, the department rings at once', async (_label, kind, outcome) => {
    const desk101 = await lab.desk('101');
    lab.phone('101').behaviour = { kind };
    lab.phone('102').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs: 1000 };
    const { call, at } = lab.callIn(KNOWN);
    expect(await call.answered(20_000)).toBe(true);
    await call.ended(10_000);
    expect(ringAt(lab, '101', at)).toBeLessThan(1.5);
    expect(lab.phone('101').seen('rejected', at)).toHaveLength(1);
    expect(ringAt(lab, '102', at)).toBeLessThan(2.5);
    const record = await lab.callRecord({ caller: KNOWN, since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '102', step_reached: 'department' });
    const legs = await lab.legs(record.linkedid);
    expect(legs.map((leg) => [leg.extension, leg.step, leg.outcome])).toEqual([
      ['101', 'responsible', outcome],
      ['102', 'department', 'answered'],
      ['103', 'department', 'cancelled_other_answered'],
    ]);
    // a phone that never rang gets no popup, or has it withdrawn at once
    const popped = desk101.of('call.ringing', record.linkedid).length;
    expect(desk101.of('call.withdrawn', record.linkedid)).toHaveLength(popped);
  }, 40_000);
});
