import { recordsOf, seedLabTeam, storeAsLive, type LabTeam } from '../support/recorded-calls';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 12, row 9: authorization as the README says, with a manager's token. Managers see their
 * own and unassigned tasks, create tasks for themselves only, and cannot make a callback task
 * (the statistics' evidence) deletable by re-typing it. The callback tasks here come from real
 * recordings through the production tracker and lead capture.
 */
interface TaskRow {
  id: string;
  kind: string;
  assignee_id: string | null;
  phone: string | null;
  [column: string]: unknown;
}

describe('authorization: tasks (own and unassigned; for yourself; callback tasks stay)', () => {
  let t: TestApp;
  let team: LabTeam;
  let anna: string; // manager 101, responsible of the abandoned caller
  let boris: string; // manager 102
  let head: string;
  let annasCallback: TaskRow; // d_known_abandoned: known caller, missed → callback task for 101
  let exchangeCallback: TaskRow; // c_new_nobody_answers: new caller, missed → unassigned callback task
  let borisTodo: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const login = async (who: { email: string; password: string }): Promise<string> =>
    (await t.http.post('/api/auth/login').send(who).expect(200)).body.accessToken as string;
  const tasksTable = (): Promise<TaskRow[]> => t.dataSource.query('SELECT * FROM tasks ORDER BY id');
  const callbackStats = async (): Promise<unknown> =>
    (await t.http.get('/api/stats/callbacks').query({ from: '2026-01-01', to: '2027-01-01' }).set(auth(head)).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp();
    await t.reset();
    team = await seedLabTeam(t);
    await storeAsLive(t, recordsOf(['d_known_abandoned', 'c_new_nobody_answers']));
    anna = await login(team.manager);
    boris = await login({ email: 'ext102@lab.example', password: team.manager.password });
    head = await login(team.head);
    const callbacks = (await t.dataSource.query(`SELECT * FROM tasks WHERE kind = 'callback' ORDER BY assignee_id NULLS LAST`)) as TaskRow[];
    expect(callbacks.map((task) => task.assignee_id)).toEqual([team.byExtension['101']!.id, null]);
    [annasCallback, exchangeCallback] = callbacks as [TaskRow, TaskRow];
    borisTodo = (await t.http.post('/api/tasks').set(auth(boris)).send({ title: 'Send Boris\'s proposal' }).expect(201)).body.id as string;
  });
  afterAll(() => t.close());

  it('GET /api/tasks gives a manager their own and the unassigned tasks, never another manager\'s', async () => {
    const list = await t.http.get('/api/tasks').set(auth(anna)).expect(200);
    expect((list.body as { id: string }[]).map((task) => task.id).sort()).toEqual([annasCallback.id, exchangeCallback.id].sort());
    const open = await t.http.get('/api/tasks').query({ kind: 'callback', open: 'true' }).set(auth(boris)).expect(200);
    expect((open.body as { id: string }[]).map((task) => task.id)).toEqual([exchangeCallback.id]);
    const all = await t.http.get('/api/tasks').set(auth(head)).expect(200);
    expect(all.body).toHaveLength(3);
  });

  it('another manager\'s tasks are refused by id and by filter (403), a supervisor sees them', async () => {
    const bysAssignee = await t.http.get('/api/tasks').query({ assigneeId: team.byExtension['102']!.id }).set(auth(anna)).expect(403);
    expect(bysAssignee.body).toMatchObject({ field: 'assigneeId', message: expect.stringMatching(/own and unassigned/) });
    await t.http.get(`/api/tasks/${borisTodo}`).set(auth(anna)).expect(403);
    await t.http.get(`/api/tasks/${exchangeCallback.id}`).set(auth(anna)).expect(200);
    await t.http.get(`/api/tasks/${borisTodo}`).set(auth(head)).expect(200);
    await t.http.get('/api/tasks').query({ assigneeId: team.byExtension['102']!.id }).set(auth(head)).expect(200);
  });

  it('a manager creates tasks for themselves only: for another manager or for the exchange is a 403 and writes nothing', async () => {
    const before = await tasksTable();
    for (const assigneeId of [team.byExtension['102']!.id, null]) {
      const refused = await t.http.post('/api/tasks').set(auth(anna)).send({ title: 'Yours now', assigneeId }).expect(403);
      expect(refused.body).toMatchObject({ field: 'assigneeId' });
    }
    expect(await tasksTable()).toEqual(before);
    const mine = await t.http.post('/api/tasks').set(auth(anna)).send({ title: 'Mine', assigneeId: team.byExtension['101']!.id }).expect(201);
    const forBoris = await t.http.post('/api/tasks').set(auth(head)).send({ title: 'For Boris', assigneeId: team.byExtension['102']!.id }).expect(201);
    expect(forBoris.body.assigneeId).toBe(team.byExtension['102']!.id);
    await t.http.delete(`/api/tasks/${mine.body.id}`).set(auth(anna)).expect(204);
    await t.http.delete(`/api/tasks/${forBoris.body.id}`).set(auth(head)).expect(204);
  });

  it('a callback task cannot be re-typed and then deleted; nothing stored or counted changes', async () => {
    const before = await tasksTable();
    const stats = await callbackStats();
    const retype = await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(anna)).send({ kind: 'todo' }).expect(403);
    expect(retype.body).toMatchObject({ field: 'kind', message: expect.stringMatching(/stays a callback task/) });
    await t.http.delete(`/api/tasks/${annasCallback.id}`).set(auth(anna)).expect(403);
    // Nobody re-types it, not even a supervisor; the exchange's one neither.
    await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(head)).send({ kind: 'call' }).expect(403);
    await t.http.patch(`/api/tasks/${exchangeCallback.id}`).set(auth(boris)).send({ kind: 'todo' }).expect(403);
    await t.http.delete(`/api/tasks/${exchangeCallback.id}`).set(auth(boris)).expect(403);
    // A task does not become a callback task either.
    await t.http.patch(`/api/tasks/${borisTodo}`).set(auth(boris)).send({ kind: 'callback' }).expect(403);

    await t.http.get('/health').expect(200);
    expect(await tasksTable()).toEqual(before);
    const still = await t.http.get(`/api/tasks/${annasCallback.id}`).set(auth(anna)).expect(200);
    expect(still.body).toMatchObject({ kind: 'callback', phone: annasCallback.phone, missedCalls: 1 });
    expect(await callbackStats()).toEqual(stats);
  });

  it('a manager cannot move a callback task\'s due time or client; a supervisor can', async () => {
    const before = await tasksTable();
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const due = await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(anna)).send({ dueAt: later }).expect(403);
    expect(due.body).toMatchObject({ field: 'dueAt' });
    await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(anna)).send({ contactId: null }).expect(403);
    expect(annasCallback.deal_id).toBeNull();
    await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(anna)).send({ dealId: exchangeCallback.deal_id }).expect(403);
    // Giving the exchange's callback to someone else: supervisors only; taking it yourself is fine.
    await t.http.patch(`/api/tasks/${exchangeCallback.id}`).set(auth(anna)).send({ assigneeId: team.byExtension['102']!.id }).expect(403);
    expect(await tasksTable()).toEqual(before);
    // The same due time given back is no change; the title and notes are the manager's.
    await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(anna)).send({ dueAt: new Date(annasCallback.due_at as Date).toISOString(), notes: 'no answer on the mobile' }).expect(200);
    const moved = await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(head)).send({ dueAt: later }).expect(200);
    expect(moved.body.dueAt).toBe(later);
  });

  it('closing a callback task by hand is allowed; reopening it is a supervisor\'s, and never once a conversation closed it', async () => {
    const closed = await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(anna)).send({ done: true }).expect(200);
    expect(closed.body.doneAt).toEqual(expect.any(String));
    expect(closed.body.callbackSeconds).toBeNull();
    const reopen = await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(anna)).send({ done: false }).expect(403);
    expect(reopen.body).toMatchObject({ field: 'done' });
    await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(head)).send({ done: false }).expect(200);

    // As lead capture closes it when someone talks to the number.
    await t.dataSource.query(`UPDATE tasks SET done_at = now(), callback_seconds = 95, closed_by_user_id = $2 WHERE id = $1`, [annasCallback.id, team.byExtension['101']!.id]);
    const before = await tasksTable();
    const talked = await t.http.patch(`/api/tasks/${annasCallback.id}`).set(auth(head)).send({ done: false }).expect(409);
    expect(talked.body.message).toMatch(/closed by a conversation/);
    expect(await tasksTable()).toEqual(before);
  });
});

describe('authorization: contacts (the responsible manager, also by moving a contact to another company)', () => {
  let t: TestApp;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  beforeAll(async () => {
    t = await createTestApp();
    await t.reset();
  });
  afterAll(() => t.close());

  it('a manager cannot hand a client to themselves by moving its contact to a company they are responsible for', async () => {
    const anna = await t.factories.user({ role: 'manager' });
    const boris = await t.tokenFor('manager');
    const borisId = (await t.http.get('/api/auth/me').set(auth(boris)).expect(200)).body.id as string;
    const annasCompany = await t.factories.company({ name: 'Remstroy', responsibleId: anna.id });
    const borisCompany = await t.factories.company({ name: 'Boris & Co', responsibleId: borisId });
    // No responsible of its own: the caller belongs to Anna through the company.
    const contact = await t.factories.contact({ name: 'Alexey Smirnov', companyId: annasCompany.id });
    await t.factories.phone({ e164: '+79161234567', contactId: contact.id });
    const before = await t.dataSource.query('SELECT * FROM contacts WHERE id = $1', [contact.id]);

    const moved = await t.http.patch(`/api/contacts/${contact.id}`).set(auth(boris)).send({ companyId: borisCompany.id }).expect(403);
    expect(moved.body).toMatchObject({ field: 'responsibleId', message: expect.stringMatching(/supervisor/) });
    await t.http.patch(`/api/contacts/${contact.id}`).set(auth(boris)).send({ companyId: null }).expect(403);
    expect(await t.dataSource.query('SELECT * FROM contacts WHERE id = $1', [contact.id])).toEqual(before);
    const card = await t.http.get('/api/clients/lookup').query({ phone: '8 916 123-45-67' }).set(auth(boris)).expect(200);
    expect(JSON.stringify(card.body)).toContain(anna.id);

    // Moving it between companies of the same responsible, or by a supervisor, is fine.
    const annasOther = await t.factories.company({ name: 'Remstroy Yug', responsibleId: anna.id });
    await t.http.patch(`/api/contacts/${contact.id}`).set(auth(boris)).send({ companyId: annasOther.id }).expect(200);
    const head = await t.tokenFor('head_of_sales');
    await t.http.patch(`/api/contacts/${contact.id}`).set(auth(head)).send({ companyId: borisCompany.id }).expect(200);
  });
});
