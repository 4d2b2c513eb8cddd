import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { normalizePhone } from '../../src/common/phone-number';
import { DEFAULT_ROUTING_CONFIG } from '../../src/telephony/routing/chain-config';
import { axeViolations, openLoggedIn, screenshot } from '../support/browser';
import { deskLab } from '../support/desk-lab';
import { LAB, LAB_PASSWORD } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';

const REMSTROY = '+79161234567';
const HEADINGS = { en: 'New number', ru: 'Новый номер' } as const;

interface ShownPopup {
  id: string;
  heading: string;
  isNew: boolean;
  clientLink: string | null;
  line: string;
}

/**
 * The desk of Anna (101) in headless Debian Chromium while the recorded 20-call burst is replayed
 * into the real service on real Postgres: popups newest on top with the client's company as the
 * heading, then the client card: a task marked done and a deal moved (the pipeline's rules and its
 * error shown beside the control). axe-core on every view; screenshots in test-artifacts/screenshots.
 */
describe('desk during the 20-call burst, and the client card, in headless Chromium', () => {
  const desks = deskLab();

  /** The company each lab caller's card is headed with (the burst's known callers). */
  const companyOf = new Map(LAB.knownCallers.map((known) => [normalizePhone(known.phone, 'RU') ?? known.phone, known.company ?? '']));
  const truth = JSON.parse(readFileSync(transcript('burst1_20_calls.truth.json'), 'utf8')) as { calls: { linkedid: string; caller_number: string }[] };
  const callerOf = new Map(truth.calls.map((call) => [call.linkedid, normalizePhone(call.caller_number, 'RU') ?? call.caller_number]));

  async function open(url: string, locale: 'en-US' | 'ru-RU'): Promise<{ page: Page; errors: string[] }> {
    const who = { email: desks.lab().emails.get('101') ?? '', password: LAB_PASSWORD };
    const { page, errors } = await openLoggedIn(desks.browser(), `${url}/desk`, who, { locale, viewport: { width: 1366, height: 768 } });
    page.on('dialog', (dialog) => errors.push(`dialog: ${dialog.message()}`));
    await page.waitForSelector('#link.online', { timeout: 10_000 });
    // The order popups first appear in, seen from outside the page's code.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenPopups: string[] }).seenPopups = seen;
      new MutationObserver(() => {
        document.querySelectorAll('#popups .popup').forEach((node) => {
          const id = node.getAttribute('data-linkedid') ?? '';
          if (!seen.includes(id)) seen.push(id);
        });
      }).observe(document.getElementById('popups')!, { childList: true });
    });
    return { page, errors };
  }

  const shown = (page: Page): Promise<{ seen: string[]; shown: ShownPopup[] }> =>
    page.evaluate(() => ({
      seen: [...(window as unknown as { seenPopups: string[] }).seenPopups],
      shown: Array.from(document.querySelectorAll('#popups .popup')).map((node) => ({
        id: node.getAttribute('data-linkedid') ?? '',
        heading: node.querySelector('h3[data-field=company]')?.textContent ?? '',
        isNew: node.querySelector('.tag.new') !== null,
        clientLink: node.querySelector('[data-field=client-link]')?.getAttribute('href') ?? null,
        line: node.querySelector('[data-field=line]')?.textContent ?? '',
      })),
    }));

  it('popups newest on top headed by the company; from the client card a task is marked done and a deal moved; RU and EN; axe', async () => {
    const { app: t, url, open: release } = await desks.replay({ recordings: [transcript('burst1_20_calls.ami')], speed: 2 });
    const lab = desks.lab();
    const admin = { Authorization: `Bearer ${await t.tokenFor('admin')}` };
    const anna = lab.userIds.get('101')!;
    const remstroy = lab.callers.get(REMSTROY)!;
    const deal = (await t.http.post('/api/deals').set(admin)
      .send({ title: 'Website redesign', stageId: 'proposal_sent', budget: 180000, contactId: remstroy.contactId, companyId: remstroy.companyId, responsibleId: anna })
      .expect(201)).body as { id: string };
    const task = (await t.http.post('/api/tasks').set(admin)
      .send({ title: 'Send the brief', kind: 'email', dealId: deal.id, assigneeId: anna, dueAt: new Date(Date.now() + 86_400_000).toISOString(), notes: 'They want <b>two</b> options' })
      .expect(201)).body as { id: string };

    // The first line has a name (the admin screen's lines): the cards say it instead of the number.
    await t.http.put('/api/routing/chains').set(admin).send({ ...DEFAULT_ROUTING_CONFIG, lines: { '74951112233': { name: 'Yandex.Direct' } } }).expect(200);
    const lines = { en: new Set<string>(), ru: new Set<string>() };

    const en = await open(url, 'en-US');
    const ru = await open(url, 'ru-RU');
    release();

    // While the burst rings: every sample shows the newest call on top and each card headed right.
    let most = 0;
    const shots: string[] = [];
    let remstroyLink: string | null = null;
    const started = Date.now();
    while (Date.now() - started < 30_000) {
      for (const [lang, page] of [['en', en.page], ['ru', ru.page]] as const) {
        const sample = await shown(page);
        const ids = sample.shown.map((popup) => popup.id);
        expect(ids).toEqual(sample.seen.filter((id) => ids.includes(id)).reverse());
        for (const popup of sample.shown) {
          const caller = callerOf.get(popup.id);
          if (popup.isNew) expect(popup.heading).toBe(HEADINGS[lang]);
          else if (caller && companyOf.has(caller)) expect(popup.heading).toBe(companyOf.get(caller));
          else expect(popup.heading).not.toBe('');
          if (caller === REMSTROY && popup.clientLink) remstroyLink = popup.clientLink;
          lines[lang].add(popup.line);
        }
        if (lang === 'en') most = Math.max(most, sample.shown.length);
        if (sample.shown.length >= 3 && !shots.some((shot) => shot.includes(`desk-burst-${lang}-1366`))) {
          expect(await axeViolations(page)).toEqual([]);
          shots.push(await screenshot(page, `desk-burst-${lang}-1366`));
          await page.setViewportSize({ width: 390, height: 844 });
          shots.push(await screenshot(page, `desk-burst-${lang}-390`));
          expect(await axeViolations(page)).toEqual([]);
          await page.setViewportSize({ width: 1366, height: 768 });
        }
      }
      if (shots.length === 4 && (await t.dataSource.query(`SELECT count(*)::int AS n FROM calls`))[0].n >= 20) break;
      await en.page.waitForTimeout(250);
    }
    expect(most).toBeGreaterThanOrEqual(3);
    expect([...lines.en].sort()).toEqual([' · line +7 495 111 22 44', ' · line Yandex.Direct']);
    expect([...lines.ru].sort()).toEqual([' · линия +7 495 111 22 44', ' · линия Yandex.Direct']);
    expect(shots).toHaveLength(4);
    expect(remstroyLink).toBe(`#client/${encodeURIComponent(REMSTROY)}`);

    // The client card of Remstroy, opened as the popup's link does.
    await en.page.evaluate((hash) => { location.hash = hash; }, remstroyLink!);
    const card = en.page.locator('#client-view');
    await card.locator('h1').waitFor();
    expect(await card.locator('h1').textContent()).toBe('Remstroy');
    expect(await card.locator('[data-field=contact]').textContent()).toBe('Alexey Smirnov');
    const dealCard = card.locator(`[data-deal="${deal.id}"]`);
    expect(await dealCard.locator('[data-field=stage]').textContent()).toBe('Proposal sent');
    expect(await dealCard.locator('[data-field=budget]').textContent()).toBe(' · 180,000');
    expect(await card.textContent()).toContain('They want <b>two</b> options');
    expect(await card.locator('b').count()).toBe(0);
    expect(await en.page.locator('#desk-lists').isHidden()).toBe(true);
    // The burst's calls of this number are in its history.
    await until('the call history', async () => (await card.locator('[data-field=calls] li:not(.empty)').count()) > 0, 10_000);
    expect(await axeViolations(en.page)).toEqual([]);

    // Mark the task done.
    await card.locator(`[data-task="${task.id}"] button`).click();
    await card.locator(`[data-task="${task.id}"].done`).waitFor();
    const [doneRow] = (await t.dataSource.query('SELECT done_at FROM tasks WHERE id = $1', [task.id])) as { done_at: Date | null }[];
    expect(doneRow!.done_at).not.toBeNull();

    // Move the deal to "Invoice sent".
    await dealCard.locator('select').selectOption('invoice_sent');
    await dealCard.locator('button[type=submit]').click();
    await until('the deal in Invoice sent', async () => (await dealCard.locator('[data-field=stage]').textContent()) === 'Invoice sent', 10_000);
    expect(((await t.dataSource.query('SELECT stage_id FROM deals WHERE id = $1', [deal.id])) as { stage_id: string }[])[0]!.stage_id).toBe('invoice_sent');

    // A manager may not mark a deal lost: the API's reason is shown beside the control, the deal stays.
    await dealCard.locator('select').selectOption('lost');
    await dealCard.locator('button[type=submit]').click();
    await until('the error beside the stage control', async () => ((await card.locator(`#err-deal-${deal.id}`).textContent()) ?? '').length > 0, 10_000);
    expect(await card.locator(`#err-deal-${deal.id}`).textContent()).toContain('only QA or the head of sales');
    expect(((await t.dataSource.query('SELECT stage_id FROM deals WHERE id = $1', [deal.id])) as { stage_id: string }[])[0]!.stage_id).toBe('invoice_sent');
    shots.push(await screenshot(en.page, 'client-card-en-1366'));

    // The same card in Russian, at a phone's width too.
    await ru.page.evaluate((hash) => { location.hash = hash; }, remstroyLink!);
    const cardRu = ru.page.locator('#client-view');
    await cardRu.locator(`[data-deal="${deal.id}"]`).waitFor();
    expect(await cardRu.locator('h1').textContent()).toBe('Remstroy');
    expect(await cardRu.locator(`[data-deal="${deal.id}"] [data-field=stage]`).textContent()).toBe('Счёт выставлен');
    expect(await cardRu.locator(`[data-deal="${deal.id}"] [data-field=budget]`).textContent()).toMatch(/^ · 180\s000$/u);
    expect(await cardRu.locator(`[data-task="${task.id}"]`).textContent()).toContain('выполнено');
    const russian = (await ru.page.textContent('body')) ?? '';
    expect(russian).not.toMatch(/\b(desk|login|lang)\.[a-z]/);
    expect(russian).not.toContain('Deals');
    expect(await axeViolations(ru.page)).toEqual([]);
    shots.push(await screenshot(ru.page, 'client-card-ru-1366'));
    await ru.page.setViewportSize({ width: 390, height: 844 });
    shots.push(await screenshot(ru.page, 'client-card-ru-390'));
    expect(await axeViolations(ru.page)).toEqual([]);

    // Back to the desk: the lists name clients, not numbers.
    await ru.page.click('#client-back');
    await ru.page.locator('#desk-lists').waitFor();
    const companies = [...companyOf.values()];
    const missed = await ru.page.$$eval('#missed li:not(.empty)', (items) => items.map((item) => item.firstChild?.textContent ?? ''));
    for (const label of missed) expect(label.startsWith('Новый номер') || companies.some((company) => label.startsWith(company))).toBe(true);
    // The lead exchange: the burst's missed new numbers, each a "New number" on its line (by name), newest first.
    await until('the exchange', async () => (await ru.page.locator('#exchange li[data-lead]').count()) > 0, 15_000);
    const leads = await ru.page.$$eval('#exchange li[data-lead] strong', (items) => items.map((item) => item.textContent ?? ''));
    for (const label of leads) expect(label).toMatch(/^Новый номер · линия (Yandex\.Direct|\+7 495 111 22 44)$/);
    expect(en.errors).toEqual([]);
    expect(ru.errors).toEqual([]);
    process.stdout.write(`screenshots:\n${shots.join('\n')}\n`);
  });
});
