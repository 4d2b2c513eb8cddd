import type { CallRecord } from '../telephony/calls/call-record';
import type { RingingCall } from '../telephony/calls/call-reducer';
import { createDeskState, deskAnswered, deskFinalized, deskLegEnded, deskRinging, deskSnapshot, type DeskEffect, type DeskState } from './desk-state';

const call: RingingCall = { direction: 'inbound', caller: '+79161234567', callerName: null, did: '74951112233' };
const L = 'L1';
const ring = (state: DeskState, uniqueid: string, extension: string, userId: string | null, step = 'department'): DeskEffect[] =>
  deskRinging(state, { linkedid: L, uniqueid, extension, userId, step, call, at: 1 });
const record = (over: Partial<CallRecord>): CallRecord => ({ linkedid: L, direction: 'inbound', caller: '+79161234567', disposition: 'answered', ...over }) as CallRecord;
const types = (effects: DeskEffect[]): string[] => effects.map((e) => e.type);

describe('desk state (who sees what)', () => {
  it('ring-all: the answerer gets answered, the others who rang get taken; cancelled legs wait for the answer', () => {
    const state = createDeskState();
    ring(state, 'a', '101', 'u1');
    ring(state, 'b', '102', 'u2');
    ring(state, 'c', '103', 'u3');
    expect(deskLegEnded(state, { linkedid: L, uniqueid: 'a', extension: '101', userId: 'u1', outcome: 'cancelled_other_answered', at: 2 })).toEqual([]);
    const effects = deskAnswered(state, { linkedid: L, uniqueid: 'c', extension: '103', userId: 'u3', step: 'department', at: 2 });
    expect(types(effects)).toEqual(['answered', 'taken']);
    expect(effects[1]).toMatchObject({ to: ['u1', 'u2'], by: { userId: 'u3', extension: '103' } });
    expect(deskSnapshot(state, 'u3', false).map((i) => i.state)).toEqual(['answered']);
    expect(deskSnapshot(state, 'u1', false)).toEqual([]);
    expect(deskSnapshot(state, 'boss', true).map((i) => i.leg.extension)).toEqual(['103']);
  });

  it.each([
    ['no_answer' as const, ['withdrawn']],
    ['busy' as const, ['withdrawn']],
    ['rejected' as const, ['withdrawn']],
    ['cancelled_caller_hung_up' as const, ['withdrawn']],
    ['cancelled_other_answered' as const, []],
  ])('a ringing phone that ends with %s → %j', (outcome, expected) => {
    const state = createDeskState();
    ring(state, 'a', '101', 'u1', 'responsible');
    expect(types(deskLegEnded(state, { linkedid: L, uniqueid: 'a', extension: '101', userId: 'u1', outcome, at: 2 }))).toEqual(expected);
  });

  it('a person with two phones ringing keeps the popup until both stop; unknown legs are ignored', () => {
    const state = createDeskState();
    ring(state, 'a', '101', 'u1');
    ring(state, 'b', '101', 'u1');
    expect(deskLegEnded(state, { linkedid: L, uniqueid: 'a', extension: '101', userId: 'u1', outcome: 'rejected', at: 2 })).toEqual([]);
    expect(types(deskLegEnded(state, { linkedid: L, uniqueid: 'b', extension: '101', userId: 'u1', outcome: 'no_answer', at: 3 }))).toEqual(['withdrawn']);
    expect(deskLegEnded(state, { linkedid: L, uniqueid: 'zz', extension: '101', userId: 'u1', outcome: 'no_answer', at: 3 })).toEqual([]);
    expect(ring(state, 'a', '101', 'u1')).toEqual([]);
  });

  it('finalized: ended to everyone who rang, missed for missed inbound calls, state forgotten', () => {
    const state = createDeskState();
    ring(state, 'a', '101', 'u1', 'responsible');
    ring(state, 'b', '102', 'u2');
    const effects = deskFinalized(state, record({ disposition: 'missed', answeredBy: null }), null);
    expect(types(effects)).toEqual(['ended', 'missed']);
    expect(effects[0]).toMatchObject({ to: ['u1', 'u2'], answeredBy: null });
    expect(state.calls.size).toBe(0);
    expect(types(deskFinalized(createDeskState(), record({ direction: 'outbound', disposition: 'missed', answeredBy: null }), null))).toEqual(['ended']);
  });
});
