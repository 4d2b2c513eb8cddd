/**
 * The live PBX: the shipped dialplan on a real Asterisk 22, real SIP phones, the real service.
 * Each test asserts what the phones saw (INVITE times, the display name, CANCEL, BYE) and what the
 * service made of it (call record, legs, desk events over socket.io).
 */
import { LiveLab, liveSuite, MAIN_LINE, seconds } from './support/live-lab';

const KNOWN = '+79161234567'; // Remstroy — Alexey Smirnov, responsible 101

liveSuite('live PBX: inbound routing through the shipped dialplan', () => {
  let lab: LiveLab;

  beforeAll(async () => {
    lab = await LiveLab.start();
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  beforeEach(async () => {
    await lab.waitIdle();
    await lab.resetPhones();
  });

  it('known caller: the responsible manager rings first with the client name on the phone, answers; the record and the desk say so', async () => {
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
    expect(record).toMatchObject({ direction: 'inbound', did: MAIN_LINE, disposition: 'answered', answered_by_extension: '101', step_reached: 'responsible', abandoned: false });
    expect(record.ring_seconds).toBeGreaterThan(1.5);
    expect(record.ring_seconds).toBeLessThan(3.5);
    expect(record.talk_seconds).toBeGreaterThan(2);
    const legs = await lab.legs(record.linkedid);
    expect(legs.map((leg) => [leg.extension, leg.step, leg.outcome])).toEqual([['101', 'responsible', 'answered']]);
    const ringing = desk.of('call.ringing', record.linkedid);
    expect(ringing.length).toBeGreaterThan(0);
  }, 60_000);
});
