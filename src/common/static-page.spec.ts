import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from './domain-error';
import { commonFile, packageFile, pageCsp, pageFile, StaticPage } from './static-page';

/** What StaticPage sets on a response: an Express response's two setters, recorded. */
function response(): Response & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return {
    headers,
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
      return this;
    },
    type(value: string) {
      headers['content-type'] = value;
      return this;
    },
  } as unknown as Response & { headers: Record<string, string> };
}

describe('StaticPage', () => {
  it('reads the page files of the checkout, the common ones and a package file', () => {
    const page = new StaticPage('desk', { assets: { 'desk.js': pageFile('desk', 'desk.js'), 'chart.umd.min.js': packageFile('chart.js', 'chart.umd.min.js') } });
    const res = response();
    expect(page.html(res)).toContain('/desk/assets/desk.js');
    expect(res.headers['content-security-policy']).toBe(pageCsp());
    expect(page.asset('i18n.js', res)).toContain('switchboard.i18n');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(page.asset('chart.umd.min.js', res)).toContain('Chart');
    expect(commonFile('session.js').path).toBe(pageFile('common', 'session.js').path);
  });

  it('adds connect-src sources to the CSP', () => {
    expect(pageCsp(['ws:', 'wss:'])).toContain("connect-src 'self' ws: wss:;");
    expect(pageCsp()).toContain("connect-src 'self';");
  });

  it('an unknown asset name is a 404, prototype names included', () => {
    const page = new StaticPage('import', { assets: {} });
    for (const name of ['import.js', 'constructor', '__proto__', '../index.html']) {
      expect(() => page.asset(name, response())).toThrow(expect.objectContaining({ code: 'not_found' }));
    }
  });

  it('an asset with no known content type is refused when the page is made', () => {
    expect(() => new StaticPage('desk', { assets: { 'notes.txt': pageFile('desk', 'notes.txt') } })).toThrow('page desk: asset notes.txt');
  });

  it('a missing file is logged with its path and is an "unavailable" error; once there, it is served', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-static-page-'));
    const missing = join(dir, 'gone.js');
    const errors: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    try {
      const page = new StaticPage('desk', { assets: { 'gone.js': { path: missing } } });
      let thrown: unknown;
      try {
        page.asset('gone.js', response());
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ code: 'unavailable', message: 'page desk is missing a file' });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`page desk: ${missing} is not readable (`);
      expect(errors[0]).toContain('ENOENT: no such file or directory');
      writeFileSync(missing, 'window.back = true;');
      expect(page.asset('gone.js', response())).toBe('window.back = true;');
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
