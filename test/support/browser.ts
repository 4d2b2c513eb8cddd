import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

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
 * The browser as a user left it after pressing EN once (the choice kept in localStorage): the
 * service's RU region opens the screens in Russian otherwise, whatever the browser's locale.
 */
export async function chooseEnglish(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    if (!localStorage.getItem('switchboard.lang')) localStorage.setItem('switchboard.lang', 'en');
  });
}

/**
 * A page of the service opened in `browser`, logged in through its login form (#login-email,
 * #login-password); dialogs and page errors collected. `context`: e.g. the browser's time zone;
 * an `en…` locale also means English chosen.
 */
export async function openLoggedIn(
  browser: Browser,
  address: string,
  who: { email: string; password: string },
  context: BrowserContextOptions = {},
): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const page = await browser.newPage(context);
  // An English browser's user has chosen English (see chooseEnglish).
  if (context.locale?.startsWith('en')) await chooseEnglish(page);
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

/** Where the browser tests leave their screenshots (kept by CI as artifacts; not in git). */
export const SCREENSHOTS_DIR = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

/** A full-page screenshot of `page` as test-artifacts/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core (the installed package's own axe.min.js, run in the page through the DevTools protocol,
 * so the page's CSP stays as served) over the whole page: the violations of `impacts`.
 */
export async function axeViolations(page: Page, impacts: readonly string[] = ['serious', 'critical']): Promise<AxeViolation[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target.join(' '))) }));
  });
  return violations.filter((violation) => violation.impact !== null && impacts.includes(violation.impact));
}
