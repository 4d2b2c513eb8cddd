import type { Page } from 'playwright-core';
import { chooseEnglish } from '../support/browser';
import { deskLab } from '../support/desk-lab';
import { LAB_PASSWORD, withCallerName } from '../support/lab';
import { transcript } from '../support/fixtures';

const XSS = '<img src=x onerror=alert(1)>';

/** The desk page in headless Debian Chromium against the real service fed by the replay server. */
describe('desk page in headless Chromium', () => {
  const desks = deskLab();

  async function logIn(page: Page, url: string, extension: string): Promise<void> {
    await page.goto(`${url}/desk`);
    await page.fill('#login-email', desks.lab().emails.get(extension) ?? '');
    await page.fill('#login-password', LAB_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#link.online', { timeout: 10_000 });
  }

  it('log in on /desk, replay calls: the popup shows the contact and company; a caller named with HTML is shown literally', async () => {
    // Two recordings one after another: a known caller ringing 101, then a new caller whose
    // caller ID name is HTML (c_new_nobody_answers rewritten), ringing the group with 101 in it.
    const xssRecording = withCallerName('c_new_nobody_answers', '79031112233', XSS);
    expect(xssRecording).toContain(`CallerIDName: ${XSS}`);
    const { url, open: release } = await desks.replay({
      recordings: [transcript('a_known_responsible_answers.ami'), { name: 'xss-caller', data: xssRecording }],
      betweenRecordings: 'continue',
      speed: 4,
    });
    const browser = desks.browser();

    // The same desk twice: English chosen in one browser, the other in Russian (its locale and the service's region).
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    const open = async (locale: string): Promise<Page> => {
      const opened = await browser.newPage({ locale });
      if (locale.startsWith('en')) await chooseEnglish(opened);
      opened.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      opened.on('pageerror', (error) => pageErrors.push(error.message));
      await logIn(opened, url, '101');
      expect(await opened.textContent('#who')).toContain('Anna Petrova');
      return opened;
    };
    const page = await open('en-US');
    const russian = await open('ru-RU');
    expect(await page.textContent('#link')).toBe('online');
    expect(await russian.textContent('#link')).toBe('на связи');
    release();

    // The known caller: contact, position, company, responsible.
    const known = page.locator('.popup', { hasText: 'Alexey Smirnov' });
    await known.waitFor({ timeout: 15_000 });
    expect(await known.locator('[data-field=name]').textContent()).toBe('Alexey Smirnov');
    expect(await known.locator('[data-field=company]').textContent()).toBe('Remstroy');
    expect(await known.textContent()).toContain('Responsible: Anna Petrova');
    expect(await known.locator('[data-field=phone]').textContent()).toBe('+7 916 123 45 67');
    const knownRu = russian.locator('.popup', { hasText: 'Alexey Smirnov' });
    await knownRu.waitFor({ timeout: 15_000 });
    expect(await knownRu.locator('[data-field=company]').textContent()).toBe('Remstroy');
    expect(await knownRu.textContent()).toContain('Ответственный: Anna Petrova');
    expect(await knownRu.textContent()).not.toContain('Responsible');

    // The HTML caller: shown as text, no element created, nothing executed.
    const xss = page.locator('.popup', { hasText: XSS });
    await xss.waitFor({ timeout: 20_000 });
    expect(await xss.locator('[data-field=name]').textContent()).toBe(XSS);
    expect(await xss.textContent()).toContain('new caller');
    expect(await page.locator('#popups img').count()).toBe(0);
    const xssRu = russian.locator('.popup', { hasText: XSS });
    await xssRu.waitFor({ timeout: 20_000 });
    expect(await xssRu.locator('[data-field=name]').textContent()).toBe(XSS);
    expect(await xssRu.textContent()).toContain('новый клиент');
    expect(await russian.locator('#popups img').count()).toBe(0);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);

    // Offline indicator: the service goes away, the page says so.
    await desks.stopApp();
    await page.waitForSelector('#link.connecting, #link.offline', { timeout: 10_000 });
    await russian.waitForSelector('#link.connecting, #link.offline', { timeout: 10_000 });
    expect(['переподключение…', 'нет связи']).toContain(await russian.textContent('#link'));
    await page.close();
    await russian.close();
  });
});
