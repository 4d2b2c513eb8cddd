import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { testDatabaseUrl, truncateAll } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

describe('auth and roles (real Postgres)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // An empty database whatever ran before this file: the first admin is made at boot only when there is none.
    const empty = new DataSource(dataSourceOptions(testDatabaseUrl()));
    await empty.initialize();
    await truncateAll(empty);
    await empty.destroy();
    t = await createTestApp({ ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'first-admin-pw' });
  });
  afterAll(() => t.close());

  it('created the first admin from ADMIN_EMAIL/ADMIN_PASSWORD, who can log in', async () => {
    const response = await t.http.post('/api/auth/login').send({ email: 'Boss@Example.com', password: 'first-admin-pw' }).expect(200);
    expect(response.body.accessToken).toEqual(expect.any(String));
    expect(response.body.user).toMatchObject({ role: 'admin', name: 'Administrator' });
    const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${response.body.accessToken}`).expect(200);
    expect(me.body.role).toBe('admin');
  });

  it.each([
    { name: 'wrong password', body: { email: 'boss@example.com', password: 'nope' }, status: 401 },
    { name: 'unknown email', body: { email: 'ghost@example.com', password: 'first-admin-pw' }, status: 401 },
    { name: 'malformed body', body: { email: 'not-an-email' }, status: 400 },
  ])('login with $name → $status', async ({ body, status }) => {
    await t.http.post('/api/auth/login').send(body).expect(status);
  });

  it('names every bad field of an invalid body and writes nothing', async () => {
    const token = await t.tokenFor('admin');
    const response = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${token}`)
      .send({ name: '', email: 'x', password: 'short', role: 'janitor', extensions: ['1 0 1'], hacker: true })
      .expect(400);
    const fields = (response.body.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['email', 'extensions', 'hacker', 'name', 'password', 'role']);
    const users = await t.http.get('/api/users').set('Authorization', `Bearer ${token}`).expect(200);
    expect((users.body as { email: string }[]).some((u) => u.email === 'x')).toBe(false);
  });

  it('refuses routes without a token, with a bad token, and to the wrong role', async () => {
    await t.http.get('/api/companies').expect(401);
    await t.http.get('/api/companies').set('Authorization', 'Bearer not.a.token').expect(401);
    const manager = await t.tokenFor('manager');
    await t.http.get('/api/companies').set('Authorization', `Bearer ${manager}`).expect(200);
    await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${manager}`)
      .send({ name: 'Eve', email: 'eve@example.com', password: 'password-1', role: 'admin' })
      .expect(403);
  });

  it('admin creates a manager who can then log in; duplicate email is a 409; unknown id a 404', async () => {
    const admin = await t.tokenFor('admin');
    const body = { name: 'Anna Petrova', email: 'anna@example.com', password: 'anna-password', role: 'manager', extensions: ['101'], devices: ['PJSIP/101'] };
    const created = await t.http.post('/api/users').set('Authorization', `Bearer ${admin}`).send(body).expect(201);
    expect(created.body).toMatchObject({ name: 'Anna Petrova', extensions: ['101'], devices: ['PJSIP/101'], role: 'manager' });
    expect(created.body.passwordHash).toBeUndefined();
    await t.http.post('/api/auth/login').send({ email: 'anna@example.com', password: 'anna-password' }).expect(200);
    await t.http.post('/api/users').set('Authorization', `Bearer ${admin}`).send(body).expect(409);
    await t.http.get('/api/users/00000000-0000-4000-8000-000000000000').set('Authorization', `Bearer ${admin}`).expect(404);
  });

  it('a deactivated user can no longer log in', async () => {
    const admin = await t.tokenFor('admin');
    const created = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Gone', email: 'gone@example.com', password: 'gone-password', role: 'manager' })
      .expect(201);
    const login = await t.http.post('/api/auth/login').send({ email: 'gone@example.com', password: 'gone-password' }).expect(200);
    await t.http.delete(`/api/users/${created.body.id}`).set('Authorization', `Bearer ${admin}`).expect(200);
    await t.http.post('/api/auth/login').send({ email: 'gone@example.com', password: 'gone-password' }).expect(401);
    // a token issued before the deactivation stops working too
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`).expect(401);
  });
});

describe('login brute force', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('after 10 failed logins for one email the next is 429, even with the right password', async () => {
    const user = await t.factories.user({ role: 'manager', password: 'right-password' });
    for (let i = 0; i < 10; i++) await t.http.post('/api/auth/login').send({ email: user.email, password: `wrong-${i}` }).expect(401);
    const blocked = await t.http.post('/api/auth/login').send({ email: user.email, password: 'right-password' }).expect(429);
    expect(blocked.body.message).toMatch(/too many failed logins/);
  });
});
