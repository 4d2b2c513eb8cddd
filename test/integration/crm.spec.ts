import { createTestApp, type TestApp } from '../support/test-app';

describe('CRM REST on real Postgres', () => {
  let t: TestApp;
  let admin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    admin = await t.tokenFor('admin');
  });

  it('stores company phones in E.164 whatever the format, and finds the caller card by any format', async () => {
    const manager = await t.factories.user({ role: 'manager', name: 'Anna Petrova', extensions: ['101'] });
    const company = await t.http
      .post('/api/companies')
      .set(auth(admin))
      .send({ name: 'Remstroy', tags: ['permanent'], abcCategory: 'A', responsibleId: manager.id, phones: ['8 (495) 123-45-67'] })
      .expect(201);
    expect(company.body.phones).toEqual([expect.objectContaining({ e164: '+74951234567', raw: '8 (495) 123-45-67' })]);
    const contact = await t.http
      .post('/api/contacts')
      .set(auth(admin))
      .send({ name: 'Alexey Viktorovich Smirnov', position: 'Marketing director', companyId: company.body.id, phones: ['+7 916 123-45-67'] })
      .expect(201);
    await t.http
      .post('/api/deals')
      .set(auth(admin))
      .send({ title: 'Website redesign', companyId: company.body.id, contactId: contact.body.id, budget: 450000, stageId: 'proposal_sent' })
      .expect(201);

    for (const format of ['79161234567', '8 916 123 45 67', '+7 (916) 123-45-67']) {
      const card = await t.http.get('/api/clients/lookup').query({ phone: format }).set(auth(admin)).expect(200);
      expect(card.body).toMatchObject({
        phone: '+79161234567',
        known: true,
        contact: { name: 'Alexey Viktorovich Smirnov', position: 'Marketing director' },
        company: { name: 'Remstroy', tags: ['permanent'], abcCategory: 'A' },
        responsible: { name: 'Anna Petrova', extensions: ['101'] },
        openDeals: [expect.objectContaining({ title: 'Website redesign', stageId: 'proposal_sent', budget: 450000 })],
      });
    }
    const companyCard = await t.http.get('/api/clients/lookup').query({ phone: '74951234567' }).set(auth(admin)).expect(200);
    expect(companyCard.body).toMatchObject({ known: true, contact: null, company: { name: 'Remstroy' }, responsible: { name: 'Anna Petrova' } });
  });

  it.each([
    { phone: '+79031112233', status: 200, known: false },
    { phone: 'anonymous', status: 400 },
    { phone: '<script>alert(1)</script>', status: 400 },
    { phone: "'; DROP TABLE users; --", status: 400 },
  ])('lookup of $phone → $status', async ({ phone, status, known }) => {
    const response = await t.http.get('/api/clients/lookup').query({ phone }).set(auth(admin)).expect(status);
    if (status === 200) expect(response.body).toMatchObject({ known, contact: null, company: null, openDeals: [], lastCalls: [] });
    else expect(response.body.field).toBe('phone');
  });

  it('a phone already owned by another company is a 409 that names the owner; nothing is written', async () => {
    await t.http.post('/api/companies').set(auth(admin)).send({ name: 'First', phones: ['+74951112233'] }).expect(201);
    const conflict = await t.http.post('/api/companies').set(auth(admin)).send({ name: 'Second', phones: ['8 495 111-22-33'] }).expect(409);
    expect(conflict.body.message).toContain('company "First"');
    const list = await t.http.get('/api/companies').set(auth(admin)).expect(200);
    expect((list.body as { name: string }[]).map((c) => c.name)).toEqual(['First']);
  });

  it('an invalid phone is a 400 naming the field; unknown ids are 404', async () => {
    const bad = await t.http.post('/api/contacts').set(auth(admin)).send({ name: 'X', phones: ['+74951112233', 'garbage'] }).expect(400);
    expect(bad.body.field).toBe('phones[1]');
    await t.http.get('/api/companies/00000000-0000-4000-8000-000000000000').set(auth(admin)).expect(404);
    await t.http.patch('/api/deals/00000000-0000-4000-8000-000000000000').set(auth(admin)).send({ title: 'x' }).expect(404);
    await t.http.get('/api/tasks/not-a-uuid').set(auth(admin)).expect(400);
  });

  it('replaces a contact\'s phones on update', async () => {
    const contact = await t.http.post('/api/contacts').set(auth(admin)).send({ name: 'Solo', phones: ['+79031234567', '+79037654321'] }).expect(201);
    const updated = await t.http.patch(`/api/contacts/${contact.body.id}`).set(auth(admin)).send({ phones: ['+79037654321'] }).expect(200);
    expect((updated.body.phones as { e164: string }[]).map((p) => p.e164)).toEqual(['+79037654321']);
  });

  describe('stage rules', () => {
    let dealId: string;
    beforeEach(async () => {
      const deal = await t.http.post('/api/deals').set(auth(admin)).send({ title: 'Lead from the site' }).expect(201);
      expect(deal.body.stageId).toBe('unsorted');
      dealId = deal.body.id;
    });

    it.each([
      { role: 'manager', stageId: 'lost', status: 403 },
      { role: 'ceo', stageId: 'lost', status: 403 },
      { role: 'qa', stageId: 'lost', status: 200 },
      { role: 'head_of_sales', stageId: 'lost', status: 200 },
      { role: 'manager', stageId: 'conditional_refusal', status: 400 },
      { role: 'manager', stageId: 'conditional_refusal', reason: 'budget frozen until Q2', status: 200 },
      { role: 'manager', stageId: 'qualified', status: 200 },
      { role: 'manager', stageId: 'nonsense', status: 400 },
    ] as const)('$role moves a deal to $stageId → $status', async ({ role, stageId, status, ...rest }) => {
      const token = await t.tokenFor(role);
      const reason = 'reason' in rest ? rest.reason : undefined;
      const response = await t.http.post(`/api/deals/${dealId}/stage`).set(auth(token)).send({ stageId, reason }).expect(status);
      const deal = await t.http.get(`/api/deals/${dealId}`).set(auth(admin)).expect(200);
      expect(deal.body.stageId).toBe(status === 200 ? stageId : 'unsorted');
      if (status === 200 && reason) expect(response.body.closeReason).toBe(reason);
    });

    it('GET /api/deals?stage=unsorted lists the exchange', async () => {
      const response = await t.http.get('/api/deals').query({ stage: 'unsorted' }).set(auth(admin)).expect(200);
      expect((response.body as { id: string }[]).map((d) => d.id)).toEqual([dealId]);
    });
  });

  it('tasks: create for myself, filter open callbacks, close', async () => {
    const token = await t.tokenFor('manager');
    const task = await t.http
      .post('/api/tasks')
      .set(auth(token))
      .send({ title: 'Call back +79031112233', kind: 'callback', dueAt: new Date(Date.now() + 900_000).toISOString() })
      .expect(201);
    const open = await t.http.get('/api/tasks').query({ kind: 'callback', open: 'true' }).set(auth(token)).expect(200);
    expect((open.body as { id: string }[]).map((x) => x.id)).toEqual([task.body.id]);
    await t.http.patch(`/api/tasks/${task.body.id}`).set(auth(token)).send({ done: true }).expect(200);
    const after = await t.http.get('/api/tasks').query({ kind: 'callback', open: 'true' }).set(auth(token)).expect(200);
    expect(after.body).toEqual([]);
  });
});

describe('references to missing rows', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('a body pointing at a row that does not exist is a 400 naming the field, not a 500', async () => {
    const admin = await t.tokenFor('admin');
    const response = await t.http
      .post('/api/deals')
      .set({ Authorization: `Bearer ${admin}` })
      .send({ title: 'Ghost', contactId: '00000000-0000-4000-8000-000000000000' })
      .expect(400);
    expect(response.body).toMatchObject({ error: 'invalid', field: 'contactId' });
  });
});

describe('who may change what', () => {
  let t: TestApp;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(() => t.reset());

  it('a manager cannot take or edit another manager\'s deal; a supervisor can', async () => {
    const anna = await t.factories.user({ role: 'manager', password: 'password-123' });
    const annaToken = (await t.http.post('/api/auth/login').send({ email: anna.email, password: 'password-123' })).body.accessToken as string;
    const boris = await t.tokenFor('manager');
    const head = await t.tokenFor('head_of_sales');
    const deal = await t.http.post('/api/deals').set(auth(annaToken)).send({ title: 'Anna\'s deal', responsibleId: anna.id }).expect(201);
    await t.http.patch(`/api/deals/${deal.body.id}`).set(auth(boris)).send({ title: 'mine now' }).expect(403);
    await t.http.post(`/api/deals/${deal.body.id}/stage`).set(auth(boris)).send({ stageId: 'qualified' }).expect(403);
    const bob = await t.http.get('/api/auth/me').set(auth(boris)).expect(200);
    await t.http.patch(`/api/deals/${deal.body.id}`).set(auth(annaToken)).send({ responsibleId: bob.body.id }).expect(403);
    await t.http.patch(`/api/deals/${deal.body.id}`).set(auth(head)).send({ responsibleId: bob.body.id }).expect(200);
  });

  it('a lost deal is reopened only by QA or the head of sales; the refusal reason cannot be patched away', async () => {
    const qa = await t.tokenFor('qa');
    const manager = await t.tokenFor('manager');
    const deal = await t.http.post('/api/deals').set(auth(manager)).send({ title: 'Gone' }).expect(201);
    await t.http.post(`/api/deals/${deal.body.id}/stage`).set(auth(qa)).send({ stageId: 'lost' }).expect(200);
    await t.http.post(`/api/deals/${deal.body.id}/stage`).set(auth(manager)).send({ stageId: 'qualified' }).expect(403);
    await t.http.post(`/api/deals/${deal.body.id}/stage`).set(auth(qa)).send({ stageId: 'qualified' }).expect(200);
    await t.http.patch(`/api/deals/${deal.body.id}`).set(auth(manager)).send({ closeReason: null }).expect(400);
  });

  it('only supervisors change a client\'s responsible manager; managers cannot delete callback tasks', async () => {
    const manager = await t.tokenFor('manager');
    const other = await t.factories.user({ role: 'manager' });
    await t.http.post('/api/companies').set(auth(manager)).send({ name: 'Acme', responsibleId: other.id }).expect(403);
    const company = await t.http.post('/api/companies').set(auth(manager)).send({ name: 'Acme' }).expect(201);
    await t.http.patch(`/api/companies/${company.body.id}`).set(auth(manager)).send({ responsibleId: other.id }).expect(403);
    const task = await t.http.post('/api/tasks').set(auth(manager)).send({ title: 'Call back', kind: 'callback' }).expect(201);
    await t.http.delete(`/api/tasks/${task.body.id}`).set(auth(manager)).expect(403);
    await t.http.patch(`/api/tasks/${task.body.id}`).set(auth(manager)).send({ done: true }).expect(200);
  });

  it('supervisors other than admin cannot edit users (no self-promotion)', async () => {
    const head = await t.tokenFor('head_of_sales');
    const me = await t.http.get('/api/auth/me').set(auth(head)).expect(200);
    await t.http.patch(`/api/users/${me.body.id}`).set(auth(head)).send({ role: 'admin' }).expect(403);
  });
});
