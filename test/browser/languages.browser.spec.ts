/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';

/** What each screen says, once logged in, in each language: a heading of its main view. */
const SCREENS = [
  { path: 'desk', who: 'manager', ready: '#link.online', ru: { heading: 'Мои пропущенные', state: 'на связи' }, en: { heading: 'My missed calls', state: 'online' } },
  { path: 'dashboard', who: 'head', ready: 'body[data-loaded="true"]', ru: { heading: 'Статистика звонков', state: 'Входящие' }, en: { heading: 'Call statistics', state: 'Inbound calls' } },
  { path: 'import', who: 'head', ready: '#import-view:not([hidden])', ru: { heading: 'Импорт клиентской базы', state: 'Последние импорты' }, en: { heading: 'Client base import', state: 'Recent imports' } },
] as const;

const LOGIN = {
  ru: { title: 'Вход', password: 'Пароль', submit: 'Войти', wrong: 'Неверный email или пароль', logout: 'Выйти' },
  en: { title: 'Log in', password: 'Password', submit: 'Log in', wrong: 'Wrong email or password', logout: 'Log out' },
};

type Screen = (typeof SCREENS)[number];
type Lang = 'ru' | 'en';

/** The texts of the screen in `lang` that show it is drawn in that language once logged in. */
async function loggedInTexts(page: Page, screen: Screen): Promise<{ heading: string; state: string }> {
  const heading = screen.path === 'desk' ? await page.textContent('#desk-view h2 span') : await page.textContent('h1');
  const state =
    screen.path === 'desk'
      ? await page.textContent('#link')
      : screen.path === 'dashboard'
        ? await page.textContent('[data-kpi="inbound"] .label')
        : await page.textContent('#import-view section.card:last-child h2 span');
  return { heading: heading ?? '', state: state ?? '' };
}

/**
 * The screens in headless Debian Chromium: with a service in a region that does not read Russian
 * first the language follows the browser's locale the first time (ru-RU → Russian, en-US →
 * English); with DEFAULT_REGION=RU every new browser gets Russian; the RU/EN switch changes it and
 * a reload keeps the choice; logging in works in both languages.
 */
describe('languages of the pages in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let url: string;
  const password = 'password-123';
  const users = { manager: { email: 'manager@lang.test', password }, head: { email: 'head@lang.test', password } };
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // A region that does not read Russian first: the browser's language decides (the RU default is tested below).
    t = await createTestApp({ DEFAULT_REGION: 'US' });
    await t.reset();
    await t.factories.user({ role: 'manager', name: 'Мария Ланг', extensions: ['151'], ...users.manager });
    await t.factories.user({ role: 'head_of_sales', name: 'Глеб Ланг', ...users.head });
    url = await t.app.getUrl();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t.reset();
    await t.close();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  /** A fresh browser profile (empty localStorage) with the locale given, on the screen. */
  async function openScreen(screen: Screen, locale: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/${screen.path}`);
    await page.waitForSelector('#login-view:not([hidden])');
    return { page, errors };
  }

  async function expectLogin(page: Page, lang: Lang): Promise<void> {
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(await page.textContent('[data-i18n="login.title"]')).toBe(LOGIN[lang].title);
    expect(await page.textContent('[data-i18n="login.password"]')).toBe(LOGIN[lang].password);
    expect(await page.textContent('#login-form button[type=submit]')).toBe(LOGIN[lang].submit);
    expect(await page.getAttribute(`[data-lang="${lang}"]`, 'aria-pressed')).toBe('true');
    expect(await page.getAttribute(`[data-lang="${lang === 'ru' ? 'en' : 'ru'}"]`, 'aria-pressed')).toBe('false');
  }

  async function logIn(page: Page, screen: Screen, wrongFirst: boolean): Promise<void> {
    const who = users[screen.who];
    await page.fill('#login-email', who.email);
    if (wrongFirst) {
      await page.fill('#login-password', 'not-the-password');
      await page.click('#login-form button[type=submit]');
      await page.waitForFunction(() => (document.getElementById('login-error')?.textContent ?? '') !== '');
    }
    await page.fill('#login-password', who.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector(screen.ready, { timeout: 15_000 });
  }

  describe.each(SCREENS)('/$path', (screen) => {
    it.each([
      ['ru-RU', 'ru'],
      ['en-US', 'en'],
    ] as const)('a %s browser: the login form, its error and the screen are in that language only', async (locale, lang) => {
      const { page, errors } = await openScreen(screen, locale);
      await expectLogin(page, lang);
      await logIn(page, screen, true);
      const other = lang === 'ru' ? 'en' : 'ru';
      expect(await loggedInTexts(page, screen)).toEqual(screen[lang]);
      expect(await page.textContent('#logout')).toBe(LOGIN[lang].logout);
      // One language on screen: none of the other language's texts of this screen.
      const body = (await page.textContent('body')) ?? '';
      for (const text of [screen[other].heading, screen[other].state, LOGIN[other].logout]) expect(body).not.toContain(text);
      expect(errors).toEqual([]);
    });

    it('the switch changes the language at once, a reload keeps it (and the session), and the login error follows it', async () => {
      const { page, errors } = await openScreen(screen, 'ru-RU');
      await page.fill('#login-email', users[screen.who].email);
      await page.fill('#login-password', 'not-the-password');
      await page.click('#login-form button[type=submit]');
      await page.waitForFunction((text) => document.getElementById('login-error')?.textContent === text, LOGIN.ru.wrong);
      await page.click('[data-lang="en"]');
      await expectLogin(page, 'en');
      expect(await page.textContent('#login-error')).toBe(LOGIN.en.wrong);

      await logIn(page, screen, false);
      expect(await loggedInTexts(page, screen)).toEqual(screen.en);
      expect(await page.evaluate(() => localStorage.getItem('switchboard.lang'))).toBe('en');
      await page.reload();
      await page.waitForSelector(screen.ready, { timeout: 15_000 });
      expect(await loggedInTexts(page, screen)).toEqual(screen.en);
      expect(await page.getAttribute('html', 'lang')).toBe('en');

      await page.click('[data-lang="ru"]');
      expect(await loggedInTexts(page, screen)).toEqual(screen.ru);
      await page.reload();
      await page.waitForSelector(screen.ready, { timeout: 15_000 });
      expect(await loggedInTexts(page, screen)).toEqual(screen.ru);

      // Log out: the login form, in the language chosen.
      await page.click('#logout');
      await page.waitForSelector('#login-view:not([hidden])');
      await expectLogin(page, 'ru');
      expect(errors).toEqual([]);
    });
  });

  it('a browser in another language (de-DE) gets English; the chosen language is shared by the three screens', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${url}/import`);
    await page.waitForSelector('#login-view:not([hidden])');
    await expectLogin(page, 'en');
    await page.click('[data-lang="ru"]');
    for (const screen of SCREENS) {
      await page.goto(`${url}/${screen.path}`);
      await page.waitForSelector('#login-view:not([hidden])');
      await expectLogin(page, 'ru');
    }
  });

  it('DEFAULT_REGION=RU: an English or German browser opens every screen in Russian; pressing EN keeps English after a reload', async () => {
    const russian = await createTestApp();
    try {
      const ruUrl = await russian.app.getUrl();
      for (const locale of ['en-US', 'de-DE']) {
        const context = await browser.newContext({ locale });
        contexts.push(context);
        const page = await context.newPage();
        for (const path of ['desk', 'dashboard', 'import', 'wallboard', 'admin']) {
          await page.goto(`${ruUrl}/${path}`);
          await page.waitForSelector('#login-view:not([hidden])');
          await expectLogin(page, 'ru');
        }
        await page.click('[data-lang="en"]');
        await page.reload();
        await page.waitForSelector('#login-view:not([hidden])');
        await expectLogin(page, 'en');
      }
    } finally {
      await russian.close();
    }
  });
});
