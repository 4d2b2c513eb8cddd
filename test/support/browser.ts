import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
/** Headless Debian Chromium with no background networking (this machine has no internet). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium (installed by .ci/run) driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A page of the service opened in `browser`, logged in through its login form (#login-email,
 * #login-password); dialogs and page errors collected. `context`: e.g. the browser's time zone.
 */
export async function openLoggedIn(
  browser: Browser,
  address: string,
  who: { email: string; password: string },
  context: BrowserContextOptions = {},
): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const page = await browser.newPage(context);
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(address);
  await page.fill('#login-email', who.email);
  await page.fill('#login-password', who.password);
  await page.click('#login-form button[type=submit]');
  return { page, dialogs, errors };
}
