import { LAB, recordedEvents } from '../../test/support/lab';
import type { Person } from '../people/person';
import { createCallTrackerState, reduceCallEvent } from '../telephony/calls/call-reducer';
import { EMPTY_PRESENCE, reducePresence, type PresenceState } from '../telephony/routing/presence';
import { createDeskState, deskAnswered, deskFinalized, deskLegEnded, deskRinging } from './desk-state';
import { wallboardView, type WallboardView } from './wallboard';

/** The lab's people as the directory loads them (user id `u<extension>`), DND for whoever is named. */
const people = (dnd: readonly string[] = []): (Person & { dnd: boolean })[] =>
  LAB.users.map((user) => ({
    id: `u${user.extension}`,
    name: user.name,
    role: user.role,
    department: user.department,
    extensions: [user.extension],
    devices: user.devices,
    active: true,
    dnd: dnd.includes(user.extension),
  }));

/**
 * A recording through the production tracker, desk state and presence reducers, with the
 * wallboard taken after every event: what the wall showed, event by event.
 */
function replay(scenario: string, dnd: readonly string[] = []): WallboardView[] {
  const tracker = createCallTrackerState(LAB);
  const desks = createDeskState();
  let presence: PresenceState = EMPTY_PRESENCE;
  const views: WallboardView[] = [];
  for (const message of recordedEvents(scenario)) {
    presence = reducePresence(presence, message);
    for (const effect of reduceCallEvent(tracker, message).effects) {
      const userId = 'extension' in effect ? `u${effect.extension}` : null;
      if (effect.type === 'ringing') deskRinging(desks, { ...effect, userId });
      else if (effect.type === 'answered') deskAnswered(desks, { ...effect, userId });
      else if (effect.type === 'legEnded') deskLegEnded(desks, { ...effect, userId });
      else if (effect.type === 'callFinalized') deskFinalized(desks, effect.record, null);
    }
    const at = Number(message.Timestamp);
    views.push(wallboardView({ people: people(dnd), presence, calls: [...desks.calls.values()], clients: new Map(), now: Number.isFinite(at) ? at : 0 }));
  }
  return views;
}

/** A person's states in the order they showed, repeats collapsed. */
function statesOf(views: readonly WallboardView[], userId: string): string[] {
  const states: string[] = [];
  for (const view of views) {
    const state = view.people.find((person) => person.userId === userId)?.state ?? 'absent';
    if (states[states.length - 1] !== state) states.push(state);
  }
  return states;
}

describe('wallboard (pure) on real recordings', () => {
  it('a known client rings the responsible, who answers: Anna goes ringing → talking → available; the call waits until then', () => {
    const views = replay('a_known_responsible_answers');
    const anna = statesOf(views, 'u101');
    expect(anna.filter((state) => state === 'ringing' || state === 'talking')).toEqual(['ringing', 'talking']);
    expect(anna[anna.length - 1]).toBe('available');
    const ringing = views.find((view) => view.people.find((p) => p.userId === 'u101')?.state === 'ringing')!;
    expect(ringing.waiting).toEqual([expect.objectContaining({ phone: '+79161234567', step: 'responsible', ringing: ['Anna Petrova'] })]);
    const person = ringing.people.find((p) => p.userId === 'u101')!;
    expect(person.call).toMatchObject({ phone: '+79161234567', direction: 'inbound' });
    expect(person.since).toBeGreaterThan(0);
    const talking = views.find((view) => view.people.find((p) => p.userId === 'u101')?.state === 'talking')!;
    expect(talking.waiting).toEqual([]);
    // Nobody else's phone rang.
    for (const other of ['u102', 'u103', 'u200']) expect(statesOf(views, other)).not.toContain('ringing');
  });

  it('ring-all: every member of the group rings, the one who answers talks, the others go back', () => {
    const views = replay('h_anonymous_group_answers');
    const rang = ['u101', 'u102', 'u103'].filter((id) => statesOf(views, id).includes('ringing'));
    expect(rang.length).toBeGreaterThanOrEqual(2);
    const talkers = ['u101', 'u102', 'u103'].filter((id) => statesOf(views, id).includes('talking'));
    expect(talkers).toHaveLength(1);
    const group = views.find((view) => view.waiting.length > 0 && view.waiting[0]!.ringing.length >= 2)!;
    expect(group.waiting[0]).toMatchObject({ phone: 'anonymous', step: 'department' });
    expect(views[views.length - 1]!.waiting).toEqual([]);
  });

  it('DND shows unless a call of ours is on the phone; inactive people are not on the wall', () => {
    const views = replay('a_known_responsible_answers', ['102']);
    expect(statesOf(views, 'u102')).toEqual(['dnd']);
    const inactive = wallboardView({ people: people().map((p) => (p.id === 'u400' ? { ...p, active: false } : p)), presence: EMPTY_PRESENCE, calls: [], clients: new Map(), now: 0 });
    expect(inactive.people.map((p) => p.userId)).not.toContain('u400');
  });
});
