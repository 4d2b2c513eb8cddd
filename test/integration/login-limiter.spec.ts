import { request as httpRequest } from 'node:http';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 12, row 11: the login limiter. Junk emails cannot flush a locked account's lock (the
 * table is an LRU that never evicts a locked key), and one password sprayed over many emails
 * from one address is limited per source address. Real argon2, real TCP.
 */
interface LoginAnswer {
  status: number;
  body: { message?: string; accessToken?: string };
}

/** POST /api/auth/login over a socket bound to `localAddress` (127.0.0.x: another client machine). */
function loginFrom(t: TestApp, localAddress: string, body: { email: string; password: string }, headers: Record<string, string> = {}): Promise<LoginAnswer> {
  const { port } = t.app.getHttpServer().address() as { port: number };
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, localAddress, method: 'POST', path: '/api/auth/login', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as LoginAnswer['body'] }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const junkEmails = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `junk-${tag}-${i}@example.com`);

/** Runs the logins two at a time (the machine has two cores; argon2 is the cost). */
async function failAll(t: TestApp, emails: string[], localAddress = '127.0.0.1', headers: (i: number) => Record<string, string> = () => ({})): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < emails.length; i += 2) {
    const pair = emails.slice(i, i + 2).map((email, j) => loginFrom(t, localAddress, { email, password: 'Winter2025!' }, headers(i + j)));
    statuses.push(...(await Promise.all(pair)).map((answer) => answer.status));
  }
  return statuses;
}

describe('login limiter: a lock cannot be flushed with junk emails', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A table of 10 keys (the minimum) so that 4× its size in junk is quick with real argon2.
    t = await createTestApp({ LOGIN_LIMITER_KEYS: '10', LOGIN_MAX_FAILURES_PER_IP: '1000' });
    await t.reset();
  });
  afterAll(() => t.close());

  it('after 10 failures the account stays locked through 40 failed logins on junk emails', async () => {
    const victim = await t.factories.user({ role: 'head_of_sales', password: 'right-password' });
    const before = await t.dataSource.query('SELECT id, password_hash, active FROM users ORDER BY id');
    for (let i = 0; i < 10; i++) expect((await loginFrom(t, '127.0.0.1', { email: victim.email, password: `guess-${i}` })).status).toBe(401);
    expect((await loginFrom(t, '127.0.0.1', { email: victim.email, password: 'right-password' })).status).toBe(429);

    const junk = await failAll(t, junkEmails(40, 'flush'));
    expect(junk).toEqual(Array(40).fill(401));

    const locked = await loginFrom(t, '127.0.0.1', { email: victim.email, password: 'right-password' });
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/too many failed logins for/);
    // Still up, nothing stored changed.
    await t.http.get('/health').expect(200);
    expect(await t.dataSource.query('SELECT id, password_hash, active FROM users ORDER BY id')).toEqual(before);
  });
});

describe('login limiter: per source address (a password sprayed over many emails)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_IP: '5' });
    await t.reset();
  });
  afterAll(() => t.close());

  it('after 5 failures from one address on 5 emails the address is refused, X-Forwarded-For does not help, other addresses log in', async () => {
    const user = await t.factories.user({ role: 'manager', password: 'right-password' });
    expect(await failAll(t, junkEmails(5, 'spray'), '127.0.0.3')).toEqual([401, 401, 401, 401, 401]);

    const refused = await loginFrom(t, '127.0.0.3', { email: user.email, password: 'right-password' });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/too many failed logins from your address/);
    // Without TRUST_PROXY a client cannot choose its address with a header.
    const spoofed = await loginFrom(t, '127.0.0.3', { email: user.email, password: 'right-password' }, { 'x-forwarded-for': '198.51.100.7' });
    expect(spoofed.status).toBe(429);

    const elsewhere = await loginFrom(t, '127.0.0.4', { email: user.email, password: 'right-password' });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.accessToken).toEqual(expect.any(String));
  });

  it('successful logins from a shared address (an office) do not count against it', async () => {
    const user = await t.factories.user({ role: 'manager', password: 'right-password' });
    for (let i = 0; i < 8; i++) expect((await loginFrom(t, '127.0.0.5', { email: user.email, password: 'right-password' })).status).toBe(200);
    expect(await failAll(t, junkEmails(4, 'office'), '127.0.0.5')).toEqual([401, 401, 401, 401]);
    expect((await loginFrom(t, '127.0.0.5', { email: user.email, password: 'right-password' })).status).toBe(200);
  });
});

describe('login limiter behind a reverse proxy (TRUST_PROXY=loopback)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_IP: '3', TRUST_PROXY: 'loopback' });
    await t.reset();
  });
  afterAll(() => t.close());

  it('limits the client named by X-Forwarded-For, not the proxy', async () => {
    const user = await t.factories.user({ role: 'manager', password: 'right-password' });
    const attacker = { 'x-forwarded-for': '203.0.113.9' };
    expect(await failAll(t, junkEmails(3, 'proxy'), '127.0.0.1', () => attacker)).toEqual([401, 401, 401]);
    expect((await loginFrom(t, '127.0.0.1', { email: user.email, password: 'right-password' }, attacker)).status).toBe(429);
    expect((await loginFrom(t, '127.0.0.1', { email: user.email, password: 'right-password' }, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(200);
  });
});
