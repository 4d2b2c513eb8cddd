/**
 * The live PBX: what the phones themselves do — click-to-call from the service, blind and
 * attended transfers (REFER), directed and group pickup — on the real Asterisk, asserted at the
 * phones and in the stored records. With RECORD_LIVE_AMI=<dir> each scenario's AMI stream (a
 * read=all session, the format of test/fixtures/ami) is saved there.
 */
import { LiveLab, liveSuite, report, seconds, useLiveLab } from './support/live-lab';
import type { SipCall } from './support/sip-agent';

const KNOWN = '+79161234567'; // Remstroy — Alexey Smirnov, responsible 101

/** `caller` calls the main line; once 101 rings, `picker` dials `code` and takes the call. */
async function pickUp(lab: LiveLab, caller: string, picker: string, code: string): Promise<{ call: SipCall; pickup: SipCall; at: number }> {
  const { call, at } = lab.callIn(caller);
  await lab.phone('101').nextInvite(at, 5_000);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const pickup = lab.phone(picker).call(code);
  expect(await pickup.answered(10_000)).toBe(true);
  expect(await call.answered(5_000)).toBe(true);
  return { call, pickup, at };
}

/**
 * The client calls the main line, 101 answers, calls 200 (who answers and, with `hangUpAfterMs`,
 * hangs up that long after answering), then REFERs the client with Replaces; returns once 101's
 * two calls have ended.
 */
async function attendedTransfer(lab: LiveLab, hangUpAfterMs?: number): Promise<{ call: SipCall; at: number }> {
  lab.phone('101').behaviour = { kind: 'answer', afterMs: 1000 };
  lab.phone('200').behaviour = { kind: 'answer', afterMs: 1000, hangUpAfterMs };
  const { call, at } = lab.callIn(KNOWN);
  expect(await call.answered(15_000)).toBe(true);
  const client = [...lab.phone('101').calls.values()].find((c) => c.answeredAt !== null && c.state === 'confirmed');
  if (!client) throw new Error('101 has no answered call');
  const consult = lab.phone('101').call('200');
  expect(await consult.answered(10_000)).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await client.refer('200', consult)).toBe(202);
  await client.ended(10_000);
  await consult.ended(10_000);
  return { call, at };
}

liveSuite('live PBX: click-to-call, transfers and pickups made by the phones', () => {
  let lab: LiveLab;
  useLiveLab((started) => (lab = started));

  it('click-to-call: the manager’s phone rings showing the client, then the trunk gets the outbound INVITE; the record is outbound, placed by 101 — click_to_call', async () => {
    const desk = await lab.desk('101');
    lab.phone('101').behaviour = { kind: 'answer', afterMs: 1000 };
    lab.trunk.behaviour = { kind: 'answer', afterMs: 1500, hangUpAfterMs: 2000 };
    const at = Date.now();
    const { status, body } = await lab.service.api<{ status: string; channel: string }>('POST', '/api/calls/originate', await lab.token('101'), { number: '8 916 123-45-67' });
    expect(status).toBe(202);
    expect(body).toMatchObject({ status: 'originating', channel: 'PJSIP/101' });

    const invite = await lab.phone('101').nextInvite(at, 5_000);
    expect(invite.display).toBe('Remstroy — Alexey Smirnov');
    const out = await lab.trunk.nextInvite(at, 10_000);
    expect(out.toUser).toBe('79161234567');
    expect(out.fromUser).toBe('101');
    expect(seconds(invite.at, out.at)).toBeGreaterThan(0.8);
    await lab.trunk.waitUntil(() => lab.trunk.seen('bye-sent', at).length > 0, 10_000, 'the client hangs up');
    await lab.waitIdle();

    const record = await lab.callRecord({ direction: 'outbound', since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ direction: 'outbound', disposition: 'answered', placed_by: '101' });
    expect(record.callee).toBe(KNOWN);
    expect(record.talk_seconds).toBeGreaterThan(1);
    expect(desk.of('call.ended', record.linkedid)).toHaveLength(1);
  }, 40_000);

  it('click-to-call to a busy client: 101 answers, the trunk says 486; the PBX ends the call, not 101 — click_to_call_busy', async () => {
    lab.phone('101').behaviour = { kind: 'answer', afterMs: 1000 };
    lab.trunk.behaviour = { kind: 'busy' };
    const at = Date.now();
    const { status } = await lab.service.api('POST', '/api/calls/originate', await lab.token('101'), { number: '8 916 123-45-67' });
    expect(status).toBe(202);
    await lab.trunk.nextInvite(at, 10_000);
    const phone = lab.phone('101');
    await phone.waitUntil(() => phone.seen('bye-received', at).length > 0, 10_000, 'the PBX hangs up on 101');
    expect(phone.seen('bye-sent', at)).toEqual([]);
    await lab.waitIdle();

    const record = await lab.callRecord({ direction: 'outbound', since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ direction: 'outbound', disposition: 'missed', placed_by: '101', hung_up_by: 'pbx' });
    expect(record.talk_seconds).toBe(0);
  }, 40_000);

  it('blind transfer: 101 answers, REFERs the client to 200; 200 rings with the client, answers; the record keeps 101 as the answerer and 200 as the target — blind_transfer', async () => {
    const desk200 = await lab.desk('200');
    lab.phone('101').behaviour = { kind: 'answer', afterMs: 1000 };
    lab.phone('200').behaviour = { kind: 'answer', afterMs: 1500 };
    const { call, at } = lab.callIn(KNOWN);
    expect(await call.answered(15_000)).toBe(true);
    const leg101 = [...lab.phone('101').calls.values()].find((c) => c.answeredAt !== null && c.state === 'confirmed');
    if (!leg101) throw new Error('101 has no answered call');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await leg101.refer('200')).toBe(202);
    const transferred = await lab.phone('200').nextInvite(at, 10_000);
    await leg101.ended(10_000);
    await lab.phone('200').waitUntil(() => lab.phone('200').seen('answered', at).length > 0, 10_000, '200 answers');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    const record = await lab.callRecord({ caller: KNOWN, direction: 'inbound', since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '101', step_reached: 'responsible', transferred_to: '200' });
    expect(record.talk_seconds).toBeGreaterThan(3);
    expect(transferred.display === 'Remstroy — Alexey Smirnov' || transferred.fromUser === '79161234567' || transferred.fromUser === KNOWN).toBe(true);
    const popup = desk200.of('call.ringing').at(-1);
    expect(popup?.card.phone).toBe(KNOWN);
  }, 60_000);

  it('attended transfer: 101 answers, calls 200, 200 answers, 101 REFERs with Replaces; the client talks to 200 until it hangs up — attended_transfer', async () => {
    const desk200 = await lab.desk('200');
    const { call, at } = await attendedTransfer(lab);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(call.state).toBe('confirmed'); // the client is still talking (to 200 now)
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    const record = await lab.callRecord({ caller: KNOWN, direction: 'inbound', since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '101', transferred_to: '200' });
    expect(record.talk_seconds).toBeGreaterThan(4);
    // 200's desk shows the client, not 101, once the transfer completes.
    const shown = [...desk200.of('call.answered'), ...desk200.of('call.ringing')].map((event) => event.card.phone);
    expect(shown).toContain(KNOWN);
  }, 60_000);

  it('attended transfer, then 200 hangs up: the record says 200 ended the call (manager:200), not the PBX — attended_transfer_target_hangs_up', async () => {
    const desk200 = await lab.desk('200');
    const { call, at } = await attendedTransfer(lab, 5000);
    await call.ended(15_000); // 200 hangs up 5 s after answering; the PBX sends the client BYE
    expect(lab.trunk.seen('bye-received', at).length).toBeGreaterThan(0);
    await lab.waitIdle();

    const record = await lab.callRecord({ caller: KNOWN, direction: 'inbound', since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '101', transferred_to: '200', hung_up_by: 'manager:200' });
    // 200's desk shows the client, never 101 (the consult call's caller), once the transfer completes.
    const shown = [...desk200.of('call.answered', record.linkedid), ...desk200.of('call.ringing', record.linkedid)].map((event) => event.card.phone);
    expect(shown).toContain(KNOWN);
    expect(shown.every((phone) => phone === KNOWN)).toBe(true);
  }, 60_000);

  it('directed pickup: 101 rings, 102 dials **101 and takes the call; the record credits 102 — directed_pickup', async () => {
    const desk101 = await lab.desk('101');
    const desk102 = await lab.desk('102');
    const { call, at } = lab.callIn(KNOWN);
    await lab.phone('101').nextInvite(at, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const pickup = lab.phone('102').call('**101');
    expect(await pickup.answered(10_000)).toBe(true);
    expect(await call.answered(5_000)).toBe(true);
    await lab.phone('101').waitUntil(() => lab.phone('101').seen('cancel', at).length > 0, 5_000, '101 stops ringing');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    const record = await lab.callRecord({ caller: KNOWN, direction: 'inbound', since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '102' });
    const legs = await lab.legs(record.linkedid);
    expect(legs.find((leg) => leg.extension === '101')?.outcome).not.toBe('answered');
    // 101's popup closes as taken by 102; 102's desk shows the client it picked up
    expect(desk101.of('call.taken', record.linkedid)[0]?.answeredBy.extension).toBe('102');
    expect(desk102.of('call.answered', record.linkedid)[0]?.card.phone).toBe(KNOWN);
  }, 40_000);

  it('directed pickup, then the picker hangs up: 102 takes 101’s call with **101 and ends it; the record says manager:102 — directed_pickup_picker_hangs_up', async () => {
    const { call, pickup, at } = await pickUp(lab, KNOWN, '102', '**101');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    pickup.hangUp();
    await call.ended(10_000);
    expect(lab.trunk.seen('bye-received', at).length).toBeGreaterThan(0);
    await lab.waitIdle();

    const record = await lab.callRecord({ caller: KNOWN, direction: 'inbound', since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '102', hung_up_by: 'manager:102' });
    expect(record.talk_seconds).toBeGreaterThan(1.5);
    const all: { linkedid: string }[] = await lab.dataSource.query('SELECT linkedid FROM calls WHERE started_at >= $1', [new Date(at - 250)]);
    expect(all.map((row) => row.linkedid)).toEqual([record.linkedid]); // the **101 call is no call of its own
  }, 40_000);

  it('group pickup: the department rings a new caller, 200 is not in the group; 103 dials *8 and takes it; the record credits 103 — group_pickup', async () => {
    const caller = '+79035551234';
    const desk103 = await lab.desk('103');
    const { call, at } = await pickUp(lab, caller, '103', '*8');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    call.hangUp();
    await call.ended(10_000);
    await lab.waitIdle();

    const record = await lab.callRecord({ caller, direction: 'inbound', since: at });
    await report(lab, at, record.linkedid);
    expect(record).toMatchObject({ disposition: 'answered', answered_by_extension: '103' });
    await lab.leadCaptured(record.linkedid);
    const deals: { responsible_id: string | null }[] = await lab.dataSource.query(
      'SELECT d.responsible_id FROM deals d JOIN phone_numbers p ON p.contact_id = d.contact_id WHERE p.e164 = $1',
      [caller],
    );
    expect(deals).toEqual([{ responsible_id: lab.userIds.get('103') }]);
    expect(desk103.of('call.answered', record.linkedid)[0]?.card).toMatchObject({ phone: caller, newCaller: true });
  }, 40_000);
});
