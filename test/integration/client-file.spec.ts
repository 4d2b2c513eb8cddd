import { createTestApp, type TestApp } from '../support/test-app';
import { leadCaptureIdle, recordsOf, seedLabTeam, storeAsLive } from '../support/recorded-calls';

/** GET /api/clients/file: the desk's client card page, on real Postgres with two recorded calls of a known client. */
describe('client card page data (GET /api/clients/file)', () => {
  let t: TestApp;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists the contact, company, every deal (open first), tasks (open first), the calls newest first and the stages', async () => {
    await t.reset();
    const team = await seedLabTeam(t);
    const anna = team.byExtension['101']!;
    // a_known_responsible_answers (answered by Anna) and d_known_abandoned: both from Remstroy's Alexey Smirnov.
    await storeAsLive(t, recordsOf(['a_known_responsible_answers', 'd_known_abandoned']));
    await leadCaptureIdle(t);
    const [owner] = (await t.dataSource.query(
      `SELECT c.id AS contact_id, c.company_id FROM phone_numbers p JOIN contacts c ON c.id = p.contact_id WHERE p.e164 = '+79161234567'`,
    )) as { contact_id: string; company_id: string }[];
    const admin = await t.tokenFor('admin');
    const deal = async (title: string, stageId: string, budget: number | null): Promise<string> =>
      ((await t.http.post('/api/deals').set(auth(admin)).send({ title, stageId, budget, contactId: owner!.contact_id, companyId: owner!.company_id, responsibleId: anna.id }).expect(201)).body as { id: string }).id;
    const won = await deal('Logo', 'won', 90000);
    const open = await deal('Website redesign', 'proposal_sent', 450000.5);
    const task = async (title: string, due: string | null): Promise<string> =>
      ((await t.http.post('/api/tasks').set(auth(admin)).send({ title, kind: 'call', dealId: open, assigneeId: anna.id, dueAt: due, notes: `notes of ${title}` }).expect(201)).body as { id: string }).id;
    const done = await task('Send the brief', '2026-11-01T09:00:00Z');
    await task('Call: did they read the proposal?', '2026-12-10T09:00:00Z');
    await t.http.patch(`/api/tasks/${done}`).set(auth(admin)).send({ done: true }).expect(200);

    const response = await t.http.get('/api/clients/file').query({ phone: '8 916 123-45-67' }).set(auth(await t.tokenFor('manager'))).expect(200);
    const file = response.body as Record<string, unknown> & { deals: { id: string }[]; tasks: Record<string, unknown>[]; calls: Record<string, unknown>[]; stages: { id: string }[] };
    expect(file).toMatchObject({
      phone: '+79161234567',
      known: true,
      contact: { id: owner!.contact_id, name: 'Alexey Smirnov', phones: ['+79161234567'] },
      company: { id: owner!.company_id, name: 'Remstroy', phones: [] },
      responsible: { id: anna.id, name: 'Anna Petrova' },
    });
    expect(file.deals).toEqual([
      expect.objectContaining({ id: open, title: 'Website redesign', stageId: 'proposal_sent', closed: false, budget: 450000.5, responsibleName: 'Anna Petrova' }),
      expect.objectContaining({ id: won, title: 'Logo', stageId: 'won', closed: true, budget: 90000 }),
    ]);
    // Open tasks first (the lead capture's callback task for the abandoned call among them), closed ones last.
    const titles = file.tasks.map((row) => [row.title, row.doneAt === null ? 'open' : 'done']);
    expect(titles[titles.length - 1]).toEqual(['Send the brief', 'done']);
    expect(titles).toContainEqual(['Call: did they read the proposal?', 'open']);
    expect(file.tasks.find((row) => row.title === 'Send the brief')).toMatchObject({ notes: 'notes of Send the brief', assigneeName: 'Anna Petrova', dealId: open });
    // The two recorded calls, newest first: the abandoned one, then the one Anna answered.
    expect(file.calls.map((call) => [call.linkedid, call.disposition, call.abandoned, call.answeredBy])).toEqual([
      ['1795335761.80', 'missed', true, null],
      ['1795335530.4', 'answered', false, 'Anna Petrova'],
    ]);
    // The desk's lists name the client of each call (GET /api/calls items carry it).
    const calls = await t.http.get('/api/calls').set(auth(admin)).expect(200);
    expect((calls.body as { items: { linkedid: string; client: unknown }[] }).items.map((call) => [call.linkedid, call.client])).toEqual([
      ['1795335761.80', { contact: 'Alexey Smirnov', company: 'Remstroy' }],
      ['1795335530.4', { contact: 'Alexey Smirnov', company: 'Remstroy' }],
    ]);
    expect(file.stages.map((stage) => stage.id)).toEqual(['unsorted', 'qualified', 'meeting_scheduled', 'proposal_sent', 'invoice_sent', 'won', 'conditional_refusal', 'lost']);
  });

  it.each([
    { phone: '+79031112233', status: 200 },
    { phone: 'anonymous', status: 400 },
    { phone: '<script>alert(1)</script>', status: 400 },
    { phone: 'x'.repeat(65), status: 400 },
  ])('a number nobody has, or no number at all: $phone → $status', async ({ phone, status }) => {
    const response = await t.http.get('/api/clients/file').query({ phone }).set(auth(await t.tokenFor('manager'))).expect(status);
    if (status === 200) expect(response.body).toMatchObject({ known: false, contact: null, company: null, deals: [], tasks: [], calls: [] });
    else {
      // Not a number: the service's field error; longer than any number: the DTO's, with the field named.
      const body = response.body as { field?: string; fields?: { field: string }[] };
      expect(body.field ?? body.fields?.map((entry) => entry.field).join()).toBe('phone');
    }
  });

  it('needs a login', async () => {
    await t.http.get('/api/clients/file').query({ phone: '+79161234567' }).expect(401);
  });
});
