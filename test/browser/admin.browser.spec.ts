import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { RoutingService } from '../../src/telephony/routing/routing.service';
import { axeViolations, chooseEnglish, openLoggedIn, screenshot } from '../support/browser';
import { deskLab } from '../support/desk-lab';
import { LAB_PASSWORD } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';

const TOKEN = 'test-routing-token-0123';
const LINE = '74951119999';

/**
 * /admin in headless Debian Chromium against the real service on real Postgres (AMI from the
 * replay server): the admin creates a person with an extension and a device, a new line
 * "Yandex.Direct" with its own chain ringing that person, sees the API's errors next to the
 * fields, tests the route, and finds the dialplan's decision for a call on that line in the list.
 */
describe('admin screen in headless Chromium', () => {
  const desks = deskLab();

  async function open(url: string, who: { email: string; password: string }, locale = 'en-US'): Promise<{ page: Page; errors: string[] }> {
    const { page, dialogs, errors } = await openLoggedIn(desks.browser(), `${url}/admin`, who, { locale, viewport: { width: 1366, height: 768 } });
    page.on('dialog', (dialog) => errors.push(`dialog: ${dialog.message()}`));
    await page.waitForSelector('#admin-view:not([hidden])', { timeout: 10_000 });
    expect(dialogs).toEqual([]);
    return { page, errors };
  }

  it('a person with an extension, a named line with a chain ringing them, the plan, the decision; RU and EN; axe', async () => {
    const { app, url, open: release } = await desks.replay({ recordings: [transcript('a_known_responsible_answers.ami')], speed: 0 });
    release();
    await app.factories.user({ role: 'admin', name: 'Ivan Adminov', email: 'admin@lab.example', password: LAB_PASSWORD });
    const { page, errors } = await open(url, { email: 'admin@lab.example', password: LAB_PASSWORD });

    // Status: the database and the PBX link.
    await until('the status', async () => (await page.textContent('[data-status=ami] dd')) === 'connected', 15_000, 100);
    expect(await page.textContent('[data-status=database] dd')).toBe('up');
    // The device picker lists what the PBX reported.
    await page.reload();
    await page.waitForSelector('#admin-view:not([hidden])');
    await until('the PBX devices', async () => (await page.locator('#pbx-devices option').count()) > 0, 10_000, 100);
    const reported = (await app.http.get('/api/routing/devices').set({ Authorization: `Bearer ${await app.tokenFor('admin')}` }).expect(200)).body as { device: string }[];
    expect(await page.$$eval('#pbx-devices option', (options) => options.map((option) => option.getAttribute('value')))).toEqual(reported.map((d) => d.device));
    expect(reported.length).toBeGreaterThan(0);

    // A department (a second one of the same name is refused, said at the field).
    await page.fill('#department-name', 'Digital sales');
    await page.click('#department-form button[type=submit]');
    await page.waitForSelector('#departments input[value="Digital sales"]');
    await page.fill('#department-name', 'Digital sales');
    await page.click('#department-form button[type=submit]');
    await page.waitForSelector('#department-name-error');
    expect(await page.textContent('#department-name-error')).toContain('already exists');

    // A person: first a bad email (the API's message next to the field), then right.
    await page.fill('#person-name', 'Olga Belova');
    await page.fill('#person-email', 'not-an-email');
    await page.fill('#person-password', 'password-123');
    await page.selectOption('#person-role', 'manager');
    await page.selectOption('#person-department', { label: 'Digital sales' });
    await page.fill('#person-extensions', '105');
    await page.fill('#person-devices', 'PJSIP/105');
    await page.click('#person-form button[type=submit]');
    await page.waitForSelector('#person-email-error');
    expect(await page.getAttribute('#person-email', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#person-email-error')).toMatch(/email/i);
    await page.fill('#person-email', 'olga@lab.example');
    await page.click('#person-form button[type=submit]');
    const olgaRow = page.locator('#people tr', { hasText: 'Olga Belova' });
    await olgaRow.waitFor();
    expect(await olgaRow.textContent()).toContain('105');
    expect(await olgaRow.textContent()).toContain('PJSIP/105');
    expect(await olgaRow.locator('td:nth-child(3)').textContent()).toBe('Digital sales');
    const [olga] = (await app.dataSource.query(`SELECT id, extensions, devices FROM users WHERE email = 'olga@lab.example'`)) as { id: string; extensions: string[]; devices: string[] }[];
    expect(olga).toMatchObject({ extensions: ['105'], devices: ['PJSIP/105'] });

    // A line with its own chain ringing extension 105; first a timeout of 0 (refused, shown at the field).
    await page.click('#add-line');
    await page.fill('#lines tr[data-line="0"] td:nth-child(1) input', LINE);
    await page.fill('#lines tr[data-line="0"] td:nth-child(2) input', 'Yandex.Direct');
    await page.fill('#new-chain', 'direct');
    await page.click('#add-chain');
    const chain = page.locator('[data-chain=direct]');
    await chain.locator('tr[data-step="0"] td:nth-child(1) input').fill('direct_desk');
    await chain.locator('tr[data-step="0"] td:nth-child(3) input').fill('0');
    await chain.locator('tr[data-step="0"] td:nth-child(5) input').fill('105');
    await page.selectOption('#lines tr[data-line="0"] td:nth-child(3) select', 'direct');
    await page.click('#routing-form button[type=submit]');
    await page.waitForSelector('[data-problem="chains.direct.steps[0].timeout"]');
    expect(await page.getAttribute('[data-path="chains.direct.steps[0].timeout"]', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#routing-error')).toContain('1 problem');
    await chain.locator('tr[data-step="0"] td:nth-child(3) input').fill('15');
    await page.click('#routing-form button[type=submit]');
    await until('the routing saved', async () => (await page.textContent('#notice')) === 'Routing saved.', 10_000, 100);
    const saved = (await app.dataSource.query(`SELECT value FROM routing_settings`)) as { value: { lines: Record<string, unknown>; chains: Record<string, unknown> } }[];
    expect(saved[0]!.value.lines[LINE]).toEqual({ name: 'Yandex.Direct', chain: 'direct' });
    expect(saved[0]!.value.chains.direct).toEqual({ steps: [{ name: 'direct_desk', kind: 'users', timeout: 15, extensions: ['105'] }], final: 'voicemail' });

    // Test this route: a new number on that line rings Olga for 15 s.
    await page.fill('#test-caller', '+7 903 111-22-33');
    await page.fill('#test-did', LINE);
    await page.click('#test-form button[type=submit]');
    await page.waitForSelector('[data-field=plan-steps]');
    expect(await page.textContent('[data-field=plan-summary]')).toContain('Chain: direct');
    expect(await page.textContent('[data-field=plan-steps]')).toContain('direct_desk · 15 s · Olga Belova (105)');

    // The dialplan's own request for a call on that line (signed as dialplans/switchboard.conf signs it).
    const uniqueid = '1796239999.1';
    const signature = createHash('sha1').update(`${TOKEN}/${uniqueid}`).digest('hex');
    const routed = await app.http.get('/api/asterisk/route').set('X-Switchboard-Signature', signature).query({ caller: '+79031112233', did: LINE, uniqueid }).expect(200);
    expect(routed.text).toContain('PJSIP/105');
    await app.app.get(RoutingService).flush();
    await page.click('#decisions-refresh');
    const decision = page.locator(`#decisions tr[data-decision="${uniqueid}"]`);
    await decision.waitFor();
    expect(await decision.textContent()).toContain('Yandex.Direct (74951119999)');
    expect(await decision.textContent()).toContain('direct_desk: Olga Belova (105)');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-en-1366');

    // DND from the people table: the plan now skips her, and says why.
    await olgaRow.locator('td:nth-child(6) input').check();
    await until('DND saved', async () => ((await app.dataSource.query(`SELECT dnd FROM users WHERE id = $1`, [olga!.id])) as { dnd: boolean }[])[0]!.dnd, 10_000, 100);
    await page.click('#test-form button[type=submit]');
    await until('the skipped person', async () => ((await page.textContent('#test-result')) ?? '').includes('Olga Belova (105) — do not disturb (direct_desk)'), 10_000, 100);

    // Russian.
    await page.click('[data-lang=ru]');
    expect(await page.textContent('#decisions-title')).toContain('Последние решения маршрутизации');
    expect(await page.textContent('#test-result')).toContain('не беспокоить');
    const russian = (await page.textContent('body')) ?? '';
    expect(russian).not.toMatch(/\b(adm|login|lang)\.[a-z]/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-ru-1366');
    expect(errors).toEqual([]);

    // The head of sales: status, the test box and the decisions; no editing.
    const head = await open(url, { email: desks.lab().emails.get('200')!, password: LAB_PASSWORD });
    await head.page.waitForSelector(`#decisions tr[data-decision="${uniqueid}"]`);
    expect(await head.page.locator('#people-title').isVisible()).toBe(false);
    expect(await head.page.locator('#routing-title').isVisible()).toBe(false);
    expect(head.errors).toEqual([]);

    // A manager gets no admin screen.
    const manager = await desks.browser().newPage();
    await chooseEnglish(manager);
    await manager.goto(`${url}/admin`);
    await manager.fill('#login-email', desks.lab().emails.get('101')!);
    await manager.fill('#login-password', LAB_PASSWORD);
    await manager.click('#login-form button[type=submit]');
    await until('the refusal', async () => ((await manager.textContent('#login-error')) ?? '').includes('supervisors'), 10_000, 100);
    expect(await manager.locator('#admin-view').isHidden()).toBe(true);
  });
});
