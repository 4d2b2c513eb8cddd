import { RouteDecision } from '../../src/telephony/routing/route-decision.entity';
import { RoutingService } from '../../src/telephony/routing/routing.service';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 12, row 10, case by case: what used to be a 500 is the right 4xx with a message that
 * says what was wrong, the service stays up, and nothing already stored changes.
 */
describe('the request edge: the right 4xx instead of a 500', () => {
  let t: TestApp;
  let admin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const ids: Record<string, string> = {};
  /** Every row the test created, to compare after each hostile request. */
  const stored = async (): Promise<unknown[]> =>
    Promise.all(['users', 'companies', 'contacts', 'deals', 'tasks', 'phone_numbers', 'departments'].map((table) => t.dataSource.query(`SELECT * FROM ${table} ORDER BY id`)));

  beforeAll(async () => {
    // A smaller JSON limit (the setting): 40k-deep bodies fit under it, "larger than the limit" needs no 10 MB.
    t = await createTestApp({ JSON_BODY_LIMIT_KB: '256' });
    await t.reset();
    admin = await t.tokenFor('admin');
    const post = async (path: string, body: object): Promise<string> => (await t.http.post(path).set(auth(admin)).send(body).expect(201)).body.id as string;
    ids.users = await post('/api/users', { name: 'Anna', email: 'anna@example.com', password: 'anna-password', role: 'manager' });
    ids.companies = await post('/api/companies', { name: 'Remstroy', phones: ['+7 495 123-45-67'] });
    ids.contacts = await post('/api/contacts', { name: 'Alexey', companyId: ids.companies });
    ids.deals = await post('/api/deals', { title: 'Website', companyId: ids.companies });
    ids.tasks = await post('/api/tasks', { title: 'Call back', kind: 'callback' });
    ids.departments = await post('/api/departments', { name: 'Sales' });
  });
  afterAll(() => t.close());

  afterEach(async () => {
    await t.http.get('/health').expect(200);
  });

  it('an empty PATCH {} on every PATCH route is a 400 that says so; nothing changes', async () => {
    const express = t.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
    const patchRoutes = express.router.stack.filter((layer) => layer.route?.methods.patch).map((layer) => layer.route!.path);
    expect(patchRoutes.sort()).toEqual(['/api/companies/:id', '/api/contacts/:id', '/api/deals/:id', '/api/departments/:id', '/api/tasks/:id', '/api/users/:id']);
    const before = await stored();
    for (const path of patchRoutes) {
      const id = ids[path.split('/')[2]!]!;
      const response = await t.http.patch(path.replace(':id', id)).set(auth(admin)).send({}).expect(400);
      expect(response.body.message).toBe('the body is empty: name at least one field to change');
    }
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['POST /api/companies', 'post', '/api/companies', { name: 'Acme\u0000' }, 'name'],
    ['POST /api/companies (a phone)', 'post', '/api/companies', { name: 'Acme', phones: ['+7 495 000\u0000'] }, 'phones.0'],
    ['POST /api/contacts', 'post', '/api/contacts', { name: 'A', position: 'CEO\u0000' }, 'position'],
    ['POST /api/deals', 'post', '/api/deals', { title: 'Deal\u0000' }, 'title'],
    ['POST /api/tasks (notes)', 'post', '/api/tasks', { title: 'x', notes: '\u0000' }, 'notes'],
    ['POST /api/users', 'post', '/api/users', { name: 'Eve\u0000', email: 'eve@example.com', password: 'password-1', role: 'manager' }, 'name'],
    ['POST /api/auth/login', 'post', '/api/auth/login', { email: 'anna@example.com', password: 'anna\u0000password' }, 'password'],
    ['PATCH /api/tasks/:id', 'patch', '/api/tasks/:tasks', { title: 'T\u0000' }, 'title'],
    ['PATCH /api/companies/:id (a tag)', 'patch', '/api/companies/:companies', { tags: ['vip', 'v\u0000p'] }, 'tags.1'],
    ['PATCH /api/users/:id', 'patch', '/api/users/:users', { name: '\u0000' }, 'name'],
    ['PATCH /api/deals/:id (a lone surrogate)', 'patch', '/api/deals/:deals', { title: 'broken \ud83d' }, 'title'],
    ['POST /api/deals/:id/stage', 'post', '/api/deals/:deals/stage', { stageId: 'conditional_refusal', reason: 'budget\u0000' }, 'reason'],
    ['POST /api/calls/originate', 'post', '/api/calls/originate', { number: '+7916\u0000' }, 'number'],
    ['a NUL in a field name', 'post', '/api/tasks', { ['ti\u0000tle']: 'x' }, 'ti\\u0000tle'],
  ] as [string, 'post' | 'patch', string, object, string][])('NUL or a lone surrogate in %s is a 400 naming the field; nothing is written', async (_name, method, path, body, field) => {
    const before = await stored();
    const url = path.replace(/:([a-z]+)/g, (_m, table: string) => ids[table]!);
    const response = await t.http[method](url).set(auth(admin)).send(body).expect(400);
    expect(response.body.fields).toEqual([{ field, errors: [expect.stringMatching(/the control character U\+0000|a lone surrogate U\+D83D/)] }]);
    expect(response.body.message).toBe(`invalid ${field}`);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['GET /api/calls/abc%00def', '/api/calls/abc%00def', 'linkedid'],
    ['GET /api/companies?search=a%00b', '/api/companies?search=a%00b', 'search'],
    ['GET /api/routing/decisions?linkedid=%00', '/api/routing/decisions?linkedid=%00', 'linkedid'],
    ['GET /api/stats/managers?did=%00', '/api/stats/managers?did=%00', 'did'],
    ['GET /desk/assets/desk.js%00', '/desk/assets/desk.js%00', 'name'],
  ])('%s is a 400 naming the parameter', async (_name, url, field) => {
    const response = await t.http.get(url).set(auth(admin)).expect(400);
    expect(response.body.fields).toEqual([{ field, errors: [`${field} contains the control character U+0000, which a text field may not carry`] }]);
  });

  it('the dialplan\'s route with a NUL in the caller id still gets a plan, and no decision of its batch is lost', async () => {
    const token = t.config.ROUTING_TOKEN!;
    const route = (query: string) => t.http.get(`/api/asterisk/route?${query}`).set('X-Switchboard-Token', token);
    const hostile = await route('caller=%2B7916%00123&uniqueid=u-nul%00&did=74951112233%00').expect(200);
    expect(hostile.text.startsWith('SB1')).toBe(true);
    await route('caller=%2B79161234567&uniqueid=u-neighbour').expect(200);
    await t.app.get(RoutingService).flush();
    const rows = await t.dataSource.getRepository(RouteDecision).find({ order: { decidedAt: 'ASC' } });
    expect(rows.map((row) => [row.uniqueid, row.callerRaw])).toEqual([
      ['u-nul', '+7916123'],
      ['u-neighbour', '+79161234567'],
    ]);
  });

  it('broken percent-encoding in a path is a 400', async () => {
    const response = await t.http.get('/api/calls/abc%FFdef').set(auth(admin)).expect(400);
    expect(response.body.message).toMatch(/decode/);
  });

  it('a body over JSON_BODY_LIMIT_KB is a 413 naming the limit; a 10 MB one too; nothing is written', async () => {
    const before = await stored();
    const big = await t.http.post('/api/tasks').set(auth(admin)).send({ title: 'x', notes: 'y'.repeat(300 * 1024) }).expect(413);
    expect(big.body).toEqual({ statusCode: 413, error: 'too_large', message: 'the request body is larger than 256 KB (the limit for JSON bodies)' });
    const huge = await t.http.patch(`/api/tasks/${ids.tasks}`).set(auth(admin)).set('Content-Type', 'application/json').send(JSON.stringify({ title: 'x'.repeat(10 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['objects 40k deep', `${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}`],
    ['arrays 40k deep', `${'['.repeat(40_000)}${']'.repeat(40_000)}`],
    ['33 levels', `{"title":"x","notes":${'['.repeat(32)}${']'.repeat(32)}}`],
  ])('JSON nested %s is a 400 before it is parsed; nothing is written', async (_name, body) => {
    const before = await stored();
    const response = await t.http.post('/api/tasks').set(auth(admin)).set('Content-Type', 'application/json').send(body).expect(400);
    expect(response.body.message).toBe('the JSON body is nested deeper than 32 levels');
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['cut short', '{"title":', /^the body is not valid JSON: /],
    ['a trailing comma', '{"title":"x",}', /^the body is not valid JSON: /],
    ['a bare string', '"title"', /^the body is not valid JSON: /],
  ])('malformed JSON (%s) is a 400 that says so', async (_name, body, message) => {
    const response = await t.http.post('/api/tasks').set(auth(admin)).set('Content-Type', 'application/json').send(body).expect(400);
    expect(response.body.message).toMatch(message);
  });

  it.each([
    ['text/plain', 'title=x'],
    ['application/xml', '<task><title>x</title></task>'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--x--\r\n'],
  ])('a %s body on a JSON route is a 415 that says to send JSON; nothing is written', async (type, body) => {
    const before = await stored();
    const response = await t.http.patch(`/api/tasks/${ids.tasks}`).set(auth(admin)).set('Content-Type', type).send(body).expect(415);
    expect(response.body.message).toBe('this route takes a JSON body: send it with Content-Type: application/json');
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['an array', [{ title: 'x' }], 'the body must be a JSON object'],
    ['a __proto__ field', JSON.parse('{"__proto__":{"role":"admin"},"name":"x"}') as object, 'invalid __proto__'],
    ['a constructor field', { constructor: { prototype: { role: 'admin' } } }, 'invalid constructor'],
  ])('%s as a PATCH body is a 400; nothing changes', async (_name, body, message) => {
    const before = await stored();
    const response = await t.http.patch(`/api/users/${ids.users}`).set(auth(admin)).set('Content-Type', 'application/json').send(JSON.stringify(body)).expect(400);
    expect(response.body.message).toBe(message);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['a title of null', '/api/tasks/:tasks', { title: null }, 'title'],
    ['a kind of null', '/api/tasks/:tasks', { kind: null }, 'kind'],
    ['phones of null', '/api/companies/:companies', { phones: null }, 'phones'],
    ['a budget of 1e300', '/api/deals/:deals', { budget: 1e300 }, 'budget'],
    ['an impossible due date', '/api/tasks/:tasks', { dueAt: '2026-02-31T10:00:00Z' }, 'dueAt'],
    ['an email of null', '/api/users/:users', { email: null }, 'email'],
  ])('%s is a 400 naming the field (was a 500 at the database)', async (_name, path, body, field) => {
    const before = await stored();
    const url = path.replace(/:([a-z]+)/g, (_m, table: string) => ids[table]!);
    const response = await t.http.patch(url).set(auth(admin)).send(body).expect(400);
    expect(response.body.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    expect(await stored()).toEqual(before);
  });
});

describe('the JSON limit leaves the CSV import alone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ JSON_BODY_LIMIT_KB: '16' });
    await t.reset();
  });
  afterAll(() => t.close());

  it('a text/csv body past JSON_BODY_LIMIT_KB is streamed and imported; a JSON one that size is a 413', async () => {
    const token = await t.tokenFor('head_of_sales');
    const rows = Array.from({ length: 400 }, (_, i) => `Company ${i} with a fairly long name to fill the file,Contact ${i}`);
    const csv = `company,contact\n${rows.join('\n')}\n`;
    expect(Buffer.byteLength(csv)).toBeGreaterThan(24 * 1024);
    const job = await t.http.post('/api/import/clients?wait=60').set('Authorization', `Bearer ${token}`).set('Content-Type', 'text/csv').send(csv).expect(200);
    expect(job.body.status).toBe('done');
    const [count] = await t.dataSource.query(`SELECT count(*)::int AS n FROM companies WHERE name LIKE 'Company %'`);
    expect(count.n).toBe(400);
    const json = await t.http.post('/api/tasks').set('Authorization', `Bearer ${token}`).send({ title: 'x', notes: csv }).expect(413);
    expect(json.body.message).toBe('the request body is larger than 16 KB (the limit for JSON bodies)');
    await t.http.get('/health').expect(200);
  });
});
