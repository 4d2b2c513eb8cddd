import { createTestApp, type TestApp } from '../support/test-app';

/** /api/departments on real Postgres: listed for everyone, created and renamed by the admin, names unique. */
describe('departments API', () => {
  let t: TestApp;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('create, rename, list; a duplicate is a 409 naming the field; bad names and non-admins are refused', async () => {
    await t.reset();
    const admin = auth(await t.tokenFor('admin'));
    const created = (await t.http.post('/api/departments').set(admin).send({ name: '  Digital sales ' }).expect(201)).body as { id: string; name: string };
    expect(created.name).toBe('Digital sales');
    const duplicate = await t.http.post('/api/departments').set(admin).send({ name: 'Digital sales' }).expect(409);
    expect(duplicate.body.field).toBe('name');
    for (const name of ['', '   ', 'a\u0000b', 'x'.repeat(101), 42]) {
      const refused = await t.http.post('/api/departments').set(admin).send({ name }).expect(400);
      expect(JSON.stringify(refused.body)).toContain('name');
    }
    await t.http.patch(`/api/departments/${created.id}`).set(admin).send({ name: 'Web studio sales' }).expect(200);
    const manager = auth(await t.tokenFor('manager'));
    expect((await t.http.get('/api/departments').set(manager).expect(200)).body).toEqual([{ id: created.id, name: 'Web studio sales' }]);
    await t.http.post('/api/departments').set(manager).send({ name: 'Mine' }).expect(403);
    await t.http.patch('/api/departments/00000000-0000-4000-8000-000000000000').set(admin).send({ name: 'Nobody' }).expect(404);
    // A person placed in it is a member of the chain's department step.
    const user = (await t.http.post('/api/users').set(admin).send({ name: 'Olga Belova', email: 'olga@lab.example', password: 'password-123', role: 'manager', extensions: ['105'], departmentId: created.id }).expect(201)).body as { departmentId: string };
    expect(user.departmentId).toBe(created.id);
  });
});
