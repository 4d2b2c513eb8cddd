import { createHmac } from 'node:crypto';
import { ioDesk, wsDesk } from '../support/desks';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 12, row 12: tokens signed with the real secret but missing `sub` or `exp`, expired, or
 * naming another algorithm are refused — by REST and by both realtime transports (socket.io
 * `auth.token`, `/ws?token=`), which share one verify function.
 */
const SECRET = 'test-secret-test-secret-test-secret-42';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** A JWT built by hand (RFC 7519), as an attacker holding (or guessing) the secret would. */
function forge(header: Record<string, unknown>, payload: Record<string, unknown>, secret = SECRET): string {
  const head = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const alg = header.alg;
  if (alg === 'none') return `${head}.`;
  const digest = alg === 'HS384' ? 'sha384' : alg === 'HS512' ? 'sha512' : 'sha256';
  return `${head}.${createHmac(digest, secret).update(head).digest('base64url')}`;
}

describe('JWTs: sub and exp required, HS256 only (REST, socket.io, /ws)', () => {
  let t: TestApp;
  let url: string;
  let firstUser: { id: string; email: string };
  let manager: { id: string };
  const now = (): number => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    t = await createTestApp({ JWT_SECRET: SECRET });
    await t.reset();
    // The first row of the users table: what a token without `sub` used to log in as.
    firstUser = await t.factories.user({ role: 'admin', name: 'First Admin' });
    manager = await t.factories.user({ role: 'manager' });
    const address = t.app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => t.close());

  const valid = (): Record<string, unknown> => ({ sub: manager.id, role: 'manager', name: 'M', ext: [], iat: now(), exp: now() + 600 });
  const HS256 = { alg: 'HS256', typ: 'JWT' };
  const hostile: [string, () => string][] = [
    ['no sub', () => forge(HS256, { ...valid(), sub: undefined })],
    ['an empty sub', () => forge(HS256, { ...valid(), sub: '' })],
    ['a sub that is not a user id', () => forge(HS256, { ...valid(), sub: 'admin' })],
    ['no exp', () => forge(HS256, { ...valid(), exp: undefined })],
    ['an exp that is not a number', () => forge(HS256, { ...valid(), exp: 'never' })],
    ['an expired exp', () => forge(HS256, { ...valid(), iat: now() - 7200, exp: now() - 3600 })],
    ['alg HS512 with the real secret', () => forge({ alg: 'HS512', typ: 'JWT' }, valid())],
    ['alg HS384 with the real secret', () => forge({ alg: 'HS384', typ: 'JWT' }, valid())],
    ['alg none', () => forge({ alg: 'none', typ: 'JWT' }, valid())],
    ['another secret', () => forge(HS256, valid(), 'another-secret-another-secret-0000')],
  ];

  it('a well-formed HS256 token with sub and exp works (the control case)', async () => {
    const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${forge(HS256, valid())}`).expect(200);
    expect(me.body.id).toBe(manager.id);
  });

  it.each(hostile)('REST refuses a token with %s (401, never the first user)', async (_name, token) => {
    const response = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${token()}`);
    expect(response.status).toBe(401);
    expect(response.body.message).toMatch(/invalid|expired/);
    expect(response.body.id).not.toBe(firstUser.id);
  });

  it.each(hostile)('socket.io refuses a token with %s', async (_name, token) => {
    await expect(ioDesk(url, token())).rejects.toThrow('unauthorized');
  });

  it.each(hostile)('/ws refuses a token with %s (HTTP 401 on the upgrade)', async (_name, token) => {
    await expect(wsDesk(url, token())).rejects.toThrow('HTTP 401');
  });

  it('tokens the service issues are HS256 and carry sub and exp (JWT_TTL_SECONDS)', async () => {
    const password = 'password-123';
    const user = await t.factories.user({ role: 'manager', password });
    const login = await t.http.post('/api/auth/login').send({ email: user.email, password }).expect(200);
    const [head, body] = (login.body.accessToken as string).split('.');
    expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { sub: string; exp: number; iat: number };
    expect(claims.sub).toBe(user.id);
    expect(claims.exp - claims.iat).toBe(t.config.JWT_TTL_SECONDS);
    const desk = await ioDesk(url, login.body.accessToken as string);
    desk.close();
    // The service is still up and the users table is as it was.
    await t.http.get('/health').expect(200);
    const count = await t.dataSource.query('SELECT count(*)::int AS n FROM users');
    expect(count[0].n).toBe(3);
  });
});
