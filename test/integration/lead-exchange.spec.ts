import { createTestApp, type TestApp } from '../support/test-app';

describe('lead exchange (real Postgres)', () => {
  let t: TestApp;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(() => t.reset());

  async function unsortedLead(): Promise<string> {
    const admin = await t.tokenFor('admin');
    const contact = await t.http.post('/api/contacts').set(auth(admin)).send({ name: '+79031112233', phones: ['+79031112233'] }).expect(201);
    const deal = await t.http.post('/api/deals').set(auth(admin)).send({ title: 'Missed call from +79031112233', contactId: contact.body.id, source: 'phone' }).expect(201);
    await t.http.post('/api/tasks').set(auth(admin)).send({ title: 'Call back', kind: 'callback', dealId: deal.body.id, assigneeId: null }).expect(201);
    return deal.body.id as string;
  }

  it('lists Unsorted deals without a responsible', async () => {
    const dealId = await unsortedLead();
    const manager = await t.tokenFor('manager');
    const list = await t.http.get('/api/lead-exchange').set(auth(manager)).expect(200);
    expect(list.body).toEqual([expect.objectContaining({ id: dealId, phones: ['+79031112233'], calls: [] })]);
  });

  it('of two simultaneous claims exactly one wins; the other gets 409 naming the owner', async () => {
    const dealId = await unsortedLead();
    const [anna, boris] = await Promise.all([t.tokenFor('manager', { name: 'Anna' }), t.tokenFor('manager', { name: 'Boris' })]);
    const results = await Promise.all([anna, boris].map((token) => t.http.post(`/api/deals/${dealId}/claim`).set(auth(token))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    const winner = results.find((r) => r.status === 200)!;
    expect(loser.body.message).toMatch(/already claimed by (Anna|Boris)/);
    const deal = await t.http.get(`/api/deals/${dealId}`).set(auth(anna)).expect(200);
    expect(deal.body.responsibleId).toBe(winner.body.responsibleId);
    // Read as the winner: a manager lists only their own and unassigned tasks, so when Boris won, Anna saw none.
    const winnerToken = [anna, boris][results.indexOf(winner)];
    const tasks = await t.http.get('/api/tasks').query({ kind: 'callback', open: 'true' }).set(auth(winnerToken)).expect(200);
    expect(tasks.body).toHaveLength(1);
    expect(tasks.body[0].assigneeId).toBe(winner.body.responsibleId);
    const list = await t.http.get('/api/lead-exchange').set(auth(anna)).expect(200);
    expect(list.body).toEqual([]);
  });

  it('returning a deal puts it back in the exchange; only its owner or a supervisor may', async () => {
    const dealId = await unsortedLead();
    const anna = await t.tokenFor('manager');
    const boris = await t.tokenFor('manager');
    await t.http.post(`/api/deals/${dealId}/claim`).set(auth(anna)).expect(200);
    await t.http.post(`/api/deals/${dealId}/return`).set(auth(boris)).expect(403);
    await t.http.post(`/api/deals/${dealId}/return`).set(auth(anna)).expect(200);
    const list = await t.http.get('/api/lead-exchange').set(auth(boris)).expect(200);
    expect(list.body.map((d: { id: string }) => d.id)).toEqual([dealId]);
    await t.http.post(`/api/deals/${dealId}/claim`).set(auth(boris)).expect(200);
  });

  it('unknown deals are 404', async () => {
    const anna = await t.tokenFor('manager');
    await t.http.post('/api/deals/00000000-0000-4000-8000-000000000000/claim').set(auth(anna)).expect(404);
  });
});
