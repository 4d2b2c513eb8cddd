/// <reference lib="dom" />
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as iconv from 'iconv-lite';
import type { Browser } from 'playwright-core';
import { axeViolations, launchChromium, openLoggedIn, screenshot } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';

const XSS = '<img src=x onerror=alert(1)>';

/**
 * /import in headless Debian Chromium: a head of sales logs in, chooses a real file (a cp1251
 * Excel export with a broken row and a company named with HTML), uploads it, watches the job and
 * reads the report with the error lines.
 */
describe('import page in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let url: string;
  let file: string;
  const head = { email: 'head@import.test', password: 'password-123' };

  beforeAll(async () => {
    t = await createTestApp();
    await t.reset();
    await t.factories.user({ role: 'head_of_sales', ...head });
    await t.factories.user({ role: 'manager', email: 'manager@import.test', password: head.password });
    const rows = [
      'Компания;Контактное лицо;Телефон',
      ...Array.from({ length: 3000 }, (_, i) => `Браузерная ${String(i).padStart(4, '0')};Контакт ${i};+7 495 8${String(i).padStart(6, '0')}`),
      '"Сломанная кавычка;Анна;+7 916 000-00-01',
      `${XSS};Хакер;`,
      'Плохой телефон;Борис;12-34',
    ];
    file = join(mkdtempSync(join(tmpdir(), 'switchboard-import-page-')), 'клиенты.csv');
    writeFileSync(file, iconv.encode(`${rows.join('\r\n')}\r\n`, 'win1251'));
    url = await t.app.getUrl();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t.reset();
    await t.close();
  });

  // Russian unless a test says otherwise: the texts and digit groups asserted below are ru-RU's.
  const open = (who: { email: string; password: string }, locale = 'ru-RU') => openLoggedIn(browser, `${url}/import`, who, { locale, viewport: { width: 1366, height: 768 } });


  it('head of sales: chooses the file, uploads it, sees progress and the report with the error lines; HTML shown as text', async () => {
    const { page, dialogs, errors } = await open(head);
    await page.waitForSelector('#import-view:not([hidden])', { timeout: 10_000 });
    await page.setInputFiles('#file', file);
    await page.click('#upload');
    await page.waitForSelector('#job:not([hidden])', { timeout: 10_000 });
    await page.waitForFunction(() => document.body.dataset.jobStatus === 'done', undefined, { timeout: 60_000 });

    expect(await page.textContent('#job-status')).toBe('Готово');
    expect(await page.textContent('#job-file')).toContain('клиенты.csv');
    expect(await page.textContent('#job-file')).toContain('windows-1251');
    // ru-RU digit groups are separated by a no-break space.
    const count = async (key: string): Promise<string | undefined> => (await page.textContent(`[data-count="${key}"]`))?.replace(/\u00a0/g, ' ');
    expect(await count('rows')).toBe('3 003');
    expect(await count('companiesCreated')).toBe('3 001');
    expect(await count('errorCount')).toBe('2');
    expect(await page.getAttribute('#job-progress', 'value')).toBe('1');

    const errorRows = await page.$$eval('#job-errors tbody tr', (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent)));
    expect(errorRows).toEqual([
      ['3002', expect.stringContaining('a quote opened on this line is not closed')],
      ['3004', expect.stringContaining('bad phone')],
    ]);
    // The company named with HTML was imported as text and nothing ran.
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(await t.dataSource.query('SELECT name FROM companies WHERE name = $1', [XSS])).toEqual([{ name: XSS }]);
    const history = await page.$$eval('#history tbody tr', (trs) => trs.map((tr) => tr.textContent));
    expect(history[0]).toContain('клиенты.csv');
    expect(history[0]).toContain('Готово');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'import-ru-1366');

    // The switch to English redraws the report: English labels, en-US digit groups; a reload keeps English.
    await page.click('[data-lang="en"]');
    expect(await page.textContent('#job-status')).toBe('Done');
    expect(await page.textContent('[data-count="rows"]')).toBe('3,003');
    expect(await page.textContent('#job-progress-text')).toBe('Rows 3,003 of 3,003 · errors 2');
    expect((await page.$$eval('#history tbody tr', (trs) => trs.map((tr) => tr.textContent)))[0]).toContain('Done');
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.jobStatus === 'done', undefined, { timeout: 10_000 });
    expect(await page.textContent('#job-status')).toBe('Done');
    expect(await page.textContent('h1')).toBe('Client base import');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'import-en-1366');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a manager is told the screen is not theirs', async () => {
    const { page } = await open({ email: 'manager@import.test', password: head.password });
    await page.waitForSelector('#denied-view:not([hidden])', { timeout: 10_000 });
    expect(await page.textContent('#denied-text')).toBe('Импорт доступен администратору и руководителю отдела продаж.');
    await page.click('[data-lang="en"]');
    expect(await page.textContent('#denied-text')).toBe('Import is for admins and heads of sales only.');
    await page.close();
  });
});
