import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Logger } from '@nestjs/common';
import { recordsOf, seedLabTeam, storeAsLive } from '../support/recorded-calls';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 12, row 10, the proof: every route of the app (as Nest's router has them, not a list
 * kept here) gets hostile inputs — NUL, broken UTF-8 and lone surrogates in each path and query
 * parameter and in each body field the OpenAPI document names, empty and non-object bodies,
 * bogus ids, huge numbers, arrays and objects where scalars are expected, deep, malformed and
 * oversized JSON, the wrong content type — with an admin's and a manager's token. No answer
 * may be a 5xx (the only 503 allowed: click-to-call while the PBX link is down), every 4xx says
 * what was wrong, the database never sees what it would refuse, and the service stays up.
 */
interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
}

interface HostileRequest {
  route: Route;
  label: string;
  url: string;
  contentType?: string;
  encoding?: string;
  body?: string | Buffer;
  token: 'admin' | 'manager' | 'none';
}

interface SchemaProperty {
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: SchemaProperty;
  nullable?: boolean;
}

interface OpenApi {
  paths: Record<string, Partial<Record<Route['method'], { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>>;
  components: { schemas: Record<string, { properties?: Record<string, SchemaProperty>; required?: string[] }> };
}

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'x\ud800y';
/** Raw (already percent-encoded) values for paths and queries: NUL, invalid UTF-8, an encoded surrogate, overlong NUL. */
const RAW_STRINGS = ['abc%00def', '%00', '%FF', '%C0%80', '%ED%A0%80', '%E2%82', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(5000)];
const RAW_NUMBERS = ['99999999999999999999999', '1e309', '-1', '-99999999999', '1.5', 'NaN', 'Infinity'];
const BOGUS_IDS = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'not-a-uuid', '0', '-1', "1'; DROP TABLE users; --"];
const ROUTING_TOKEN = 'test-routing-token-0123';
const QUERY_NAMES_WITHOUT_DOCS = ['caller', 'did', 'uniqueid', 'linkedid', 'token', 'phone', 'limit', 'offset', 'from', 'to', 'scope'];

const encodeQueryValue = (value: string): string => encodeURIComponent(value);

/** A plausible value for a field, from its schema (the walk then breaks one field at a time). */
function plausible(name: string, property: SchemaProperty, n: number): unknown {
  if (property.enum) return property.enum[0];
  if (property.type === 'array') return [plausible(name, property.items ?? { type: 'string' }, n)];
  if (property.type === 'number' || property.type === 'integer') return 1;
  if (property.type === 'boolean') return true;
  if (name === 'email') return `hostile-${n}@example.com`;
  if (name === 'password') return 'password-123';
  if (/At$/.test(name) || property.format === 'date-time') return '2026-11-02T10:00:00.000Z';
  if (/Id$/.test(name)) return null;
  if (name === 'number' || name === 'line' || name === 'phone') return '+79161234567';
  if (name === 'extension') return '101';
  return `hostile ${name}`;
}

const FIELD_MUTATIONS: [string, unknown][] = [
  ['NUL', NUL],
  ['lone surrogate', LONE_SURROGATE],
  ['NUL in an array', [NUL]],
  ['100k characters', 'x'.repeat(100_000)],
  ['huge number', 1e308],
  ['negative', -1],
  ['fraction', 1.5],
  ['max safe integer + 2', Number.MAX_SAFE_INTEGER + 2],
  ['boolean', true],
  ['null', null],
  ['empty string', ''],
  ['array', [1, 2]],
  ['array of arrays', [[[]]]],
  ['object', { a: 1 }],
  ['nested object', { a: { b: { c: [NUL] } } }],
  ['bogus uuid', '00000000-0000-0000-0000-000000000000'],
  ['invalid date', '2026-02-31T25:61:00Z'],
  ['date out of range', '+275760-09-13T00:00:00.001Z'],
];

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('hostile inputs on every route: never a 5xx (issue 12, row 10)', () => {
  let t: TestApp;
  let tokens: Record<'admin' | 'manager', string>;
  let realIds: Record<string, string>;
  const warnings: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ ORIGINATE_PER_MINUTE: '100000', LOGIN_MAX_FAILURES_PER_IP: '100000' });
    await t.reset();
    const team = await seedLabTeam(t);
    await storeAsLive(t, recordsOf(['a_known_responsible_answers', 'c_new_nobody_answers']));
    tokens = {
      admin: await t.tokenFor('admin'),
      manager: (await t.http.post('/api/auth/login').send(team.manager).expect(200)).body.accessToken as string,
    };
    const one = async (sql: string): Promise<string> => ((await t.dataSource.query(sql)) as { id: string }[])[0]!.id;
    realIds = {
      users: team.byExtension['101']!.id,
      companies: await one('SELECT id FROM companies LIMIT 1'),
      contacts: await one('SELECT id FROM contacts LIMIT 1'),
      deals: await one('SELECT id FROM deals LIMIT 1'),
      tasks: await one('SELECT id FROM tasks LIMIT 1'),
      calls: await one('SELECT linkedid AS id FROM calls LIMIT 1'),
    };
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
      warnings.push(String(message));
    });
    jest.spyOn(Logger.prototype, 'error').mockImplementation(function (this: Logger, message: unknown) {
      errors.push(String(message));
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  /** Every route Nest registered on Express (the source of truth, OpenAPI or not). */
  function routes(): Route[] {
    const express = t.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
    return express.router.stack.flatMap((layer) =>
      layer.route ? Object.keys(layer.route.methods).map((method) => ({ method: method as Route['method'], path: layer.route!.path })) : [],
    );
  }

  function hostileRequests(openApi: OpenApi): HostileRequest[] {
    const requests: HostileRequest[] = [];
    let n = 0;
    for (const route of routes()) {
      const docPath = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = openApi.paths[docPath]?.[route.method];
      const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
      const resource = route.path.split('/')[2] ?? '';
      const realId = realIds[resource] ?? realIds.tasks!;
      const withParams = (value: string): string => route.path.replace(/:([A-Za-z]+)/g, () => value);
      const baseUrl = withParams(encodeURIComponent(realId));
      // Path parameters: NUL, broken bytes, bogus ids (never a real id for DELETE: the walk deletes nothing real).
      for (const raw of [...RAW_STRINGS, ...BOGUS_IDS.map(encodeURIComponent), ...RAW_NUMBERS]) {
        if (params.length === 0) break;
        for (const token of ['admin', 'manager'] as const) requests.push({ route, label: `path ${params.join(',')}=${raw.slice(0, 30)}`, url: withParams(raw), token });
      }
      // Query parameters: each documented one (or the usual names), each hostile value, arrays and objects.
      const queryNames = [...new Set([...(operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name), ...(operation ? [] : QUERY_NAMES_WITHOUT_DOCS)])];
      const target = route.method === 'delete' ? withParams(BOGUS_IDS[0]!) : baseUrl;
      const at = `${target}?`;
      for (const name of queryNames) {
        const values = [...RAW_STRINGS, ...RAW_NUMBERS, encodeQueryValue(NUL), ''];
        for (const raw of values) requests.push({ route, label: `query ${name}=${raw.slice(0, 30)}`, url: `${at}${name}=${raw}`, token: 'admin' });
        requests.push({ route, label: `query ${name} twice`, url: `${at}${name}=1&${name}=2`, token: 'admin' });
        requests.push({ route, label: `query ${name}[] array`, url: `${at}${name}[]=1&${name}[]=2`, token: 'manager' });
        requests.push({ route, label: `query ${name}[a] object`, url: `${at}${name}[a][b]=1`, token: 'admin' });
        requests.push({ route, label: `query ${name} NUL (manager)`, url: `${at}${name}=abc%00def`, token: 'manager' });
      }
      requests.push({ route, label: 'query: unknown NUL key', url: `${at}a%00b=1`, token: 'admin' });
      requests.push({ route, label: 'no token, NUL query', url: `${at}x=%00`, token: 'none' });
      if (route.method === 'get' || route.method === 'delete') continue;

      // Bodies: a plausible one from the schema, then one field broken at a time, then whole-body attacks.
      const ref = operation?.requestBody?.content['application/json']?.schema.$ref;
      const schema = ref ? openApi.components.schemas[ref.split('/').pop()!] : undefined;
      const properties = Object.entries(schema?.properties ?? {});
      const base = (): Record<string, unknown> => Object.fromEntries(properties.map(([name, property]) => [name, plausible(name, property, ++n)]));
      const json = (label: string, body: unknown, token: HostileRequest['token'] = 'admin'): void => {
        requests.push({ route, label, url: target, contentType: 'application/json', body: JSON.stringify(body), token });
      };
      for (const [name] of properties) {
        for (const [what, value] of FIELD_MUTATIONS) json(`body ${name}: ${what}`, { ...base(), [name]: value });
        json(`body ${name} only: NUL (manager)`, { [name]: NUL }, 'manager');
      }
      json('body: NUL in a field name', { ...base(), ['ti\u0000tle']: 'x' });
      json('body: unknown field', { ...base(), hacker: true });
      for (const [label, body] of [['{}', {}], ['[]', []], ['[base]', [base()]], ['string', 'text'], ['number', 42], ['null', null], ['true', true]] as [string, unknown][]) {
        json(`body ${label}`, body);
        json(`body ${label} (manager)`, body, 'manager');
      }
      const raw = (label: string, body: string | Buffer, contentType: string, encoding?: string): void => {
        requests.push({ route, label, url: target, contentType, body, token: 'admin', ...(encoding ? { encoding } : {}) });
      };
      raw('JSON nested 40 deep', nested(40), 'application/json');
      raw('JSON nested 40k deep', nested(40_000), 'application/json');
      raw('JSON arrays 40k deep', `${'['.repeat(40_000)}${']'.repeat(40_000)}`, 'application/json');
      raw('malformed JSON', '{"title":', 'application/json');
      raw('malformed JSON: NUL byte', '{"title":"a\u0000b"}', 'application/json');
      raw('JSON with an escaped NUL key', '{"\\u0000":1}', 'application/json');
      raw('JSON: __proto__', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', 'application/json');
      raw('wrong content type: text/plain', 'title=x', 'text/plain');
      raw('wrong content type: xml', '<task><title>x</title></task>', 'application/xml');
      raw('unsupported charset', '{"title":"x"}', 'application/json; charset=koi8-r');
      raw('form with NUL', 'title=a%00b', 'application/x-www-form-urlencoded');
      raw('form nested deep', `${'a'}${'[b]'.repeat(50)}=1`, 'application/x-www-form-urlencoded');
      raw('gzip that is not gzip', Buffer.from('not gzip at all'), 'application/json', 'gzip');
      raw('gzip bomb past the limit', gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)), 'application/json', 'gzip');
      raw('unknown content-encoding', '{"title":"x"}', 'application/json', 'br-unknown');
    }
    // 10 MB bodies (413) on a few routes: the parser is the same for all.
    for (const route of routes().filter((r) => ['/api/tasks', '/api/auth/login', '/api/routing/chains'].includes(r.path) && r.method !== 'get')) {
      requests.push({ route, label: '10 MB JSON', url: route.path, contentType: 'application/json', body: JSON.stringify({ title: 'x'.repeat(10 * 1024 * 1024) }), token: 'admin' });
    }
    // Paths that match no route.
    for (const url of ['/api/%00', '/%FF', '/api/tasks/%00/x', `/api/${'x'.repeat(9000)}`]) requests.push({ route: { method: 'get', path: '(none)' }, label: url.slice(0, 30), url, token: 'admin' });
    return requests;
  }

  /** One request over a fresh TCP connection, bytes exactly as given (path, headers, body). */
  function send(request: HostileRequest): Promise<{ status: number; body: { message?: unknown } }> {
    const { port } = t.app.getHttpServer().address() as { port: number };
    const headers: Record<string, string | number> = {};
    if (request.token !== 'none') headers.authorization = `Bearer ${tokens[request.token]}`;
    if (request.contentType) headers['content-type'] = request.contentType;
    if (request.encoding) headers['content-encoding'] = request.encoding;
    // The dialplan's endpoint has its own token: with it, the walk reaches the route plan.
    if (request.route.path === '/api/asterisk/route') headers['x-switchboard-token'] = ROUTING_TOKEN;
    const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
    if (body) headers['content-length'] = body.length;
    const method = request.route.path === '(none)' ? 'GET' : request.route.method.toUpperCase();
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path: request.url, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let parsed: { message?: unknown } = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: unknown };
          } catch {
            // pages, metrics, CSV exports and the dialplan's text/plain
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`no answer in 30 s: ${method} ${request.url.slice(0, 80)}`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  it('walks every route with hostile inputs: no 5xx, a clear message on every 4xx, nothing refused by the database', async () => {
    const openApi = (await t.http.get('/api/docs-json').expect(200)).body as OpenApi;
    const requests = hostileRequests(openApi);
    const allRoutes = routes();
    expect(allRoutes.length).toBeGreaterThan(50);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    // Two at a time (the machine has two cores); bounded by the list.
    for (let i = 0; i < requests.length; i += 2) {
      await Promise.all(
        requests.slice(i, i + 2).map(async (request) => {
          const { status, body } = await send(request);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const where = `${request.route.method.toUpperCase()} ${request.route.path} [${request.label}] as ${request.token}`;
          const allowed503 = status === 503 && request.route.path === '/api/calls/originate';
          if (status >= 500 && !allowed503) failures.push(`${where} → ${status} ${JSON.stringify(body).slice(0, 200)}`);
          if (status >= 400 && status < 500 && request.route.path.startsWith('/api/') && request.route.path !== '/api/asterisk/route') {
            if (typeof body.message !== 'string' || body.message === '') failures.push(`${where} → ${status} without a message`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(requests.length).toBeGreaterThan(3000);
    expect([...statuses.keys()].every((status) => status < 500 || status === 503)).toBe(true);
    // The edge refused everything the database would have: no last-resort mapping fired, no 500 was logged.
    expect(warnings.filter((line) => /refused by the database/.test(line))).toEqual([]);
    expect(errors).toEqual([]);
    await t.http.get('/health').expect(200);
    process.stdout.write(`hostile walk: ${requests.length} requests over ${allRoutes.length} routes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`);
  }, 240_000);
});
