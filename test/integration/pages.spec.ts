import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fetchPage } from '../support/page-files';
import { createTestApp, type TestApp } from '../support/test-app';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The three pages served by one StaticPage: every file their HTML loads is there with its content
 * type (the shared i18n/session code and chart.js from its package included), each page has its
 * CSP, and nothing else is served.
 */
describe('the pages /desk, /dashboard and /import', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp();
    url = await t.app.getUrl();
  });
  afterAll(() => t.close());

  const common = (page: string): [string, string][] => [
    [`/${page}/assets/common.css`, CSS],
    [`/${page}/assets/dom.js`, JS],
    [`/${page}/assets/i18n.js`, JS],
    [`/${page}/assets/session.js`, JS],
    // The service's defaults for the pages (the region, the first language): one script for all.
    ['/page-settings.js', JS],
  ];

  it.each([
    ['desk', CSP.replace("connect-src 'self'", "connect-src 'self' ws: wss:"), [['/socket.io/socket.io.js', 'application/javascript'], ...common('desk'), ['/desk/assets/desk.css', CSS], ['/desk/assets/libphonenumber.js', JS], ['/desk/assets/desk.texts.js', JS], ['/desk/assets/desk.js', JS]]],
    ['dashboard', CSP, [...common('dashboard'), ['/dashboard/assets/dashboard.css', CSS], ['/dashboard/assets/chart.umd.min.js', JS], ['/dashboard/assets/dashboard.texts.js', JS], ['/dashboard/assets/dashboard.js', JS]]],
    ['wallboard', CSP.replace("connect-src 'self'", "connect-src 'self' ws: wss:"), [['/socket.io/socket.io.js', 'application/javascript'], ...common('wallboard'), ['/wallboard/assets/wallboard.css', CSS], ['/wallboard/assets/libphonenumber.js', JS], ['/wallboard/assets/wallboard.texts.js', JS], ['/wallboard/assets/wallboard.js', JS]]],
    ['admin', CSP, [...common('admin'), ['/admin/assets/admin.css', CSS], ['/admin/assets/libphonenumber.js', JS], ['/admin/assets/admin.texts.js', JS], ['/admin/assets/admin.js', JS]]],
    ['import', CSP, [...common('import'), ['/import/assets/import.css', CSS], ['/import/assets/import.texts.js', JS], ['/import/assets/import.js', JS]]],
  ] as [string, string, [string, string][]][])('/%s: the HTML with its CSP, and every file it loads', async (page, csp, expected) => {
    const served = await fetchPage(url, page);
    expect(served.page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(served.csp).toBe(csp);
    expect(served.files.map((file) => file.path).sort()).toEqual(expected.map(([path]) => path).sort());
    for (const [path, type] of expected) {
      const file = served.files.find((f) => f.path === path);
      expect(file).toMatchObject({ status: 200, type: expect.stringContaining(type) });
      expect(file!.bytes).toBeGreaterThan(100);
    }
    const asset = await t.http.get(expected[expected.length - 1][0]).expect(200);
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect(asset.headers['cache-control']).toBe('no-cache');
  });

  it('/page-settings.js gives the pages the region and the first language (Russian for RU)', async () => {
    const response = await t.http.get('/page-settings.js').expect(200);
    expect(response.headers['content-type']).toContain('javascript');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.text).toContain('{"region":"RU","defaultLanguage":"ru"}');
  });

  it("chart.js is the installed package's own file (no CDN, no copy)", async () => {
    const response = await t.http.get('/dashboard/assets/chart.umd.min.js').expect(200);
    expect(response.text).toBe(readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8'));
  });

  it.each([
    '/desk/assets/dashboard.js',
    '/import/assets/chart.umd.min.js',
    '/dashboard/assets/index.html',
    '/dashboard/assets/..%2F..%2F..%2Fpackage.json',
    '/import/assets/constructor',
    '/desk/assets/hasOwnProperty',
  ])('%s is a 404', async (path) => {
    await t.http.get(path).expect(404);
  });
});
