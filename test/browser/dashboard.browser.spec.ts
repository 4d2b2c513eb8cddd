/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AmiFrameParser } from '../../src/telephony/ami/ami-frame-parser';
import { CallsRepository } from '../../src/telephony/calls/calls.repository';
import { parseDirectory } from '../../src/telephony/calls/directory';
import { rebuildCalls } from '../../src/telephony/calls/rebuild';
import { transcript } from '../support/fixtures';
import { axeViolations, launchChromium, openLoggedIn, screenshot } from '../support/browser';
import { leadCaptureIdle, moved, recordsOf, seedLabTeam, storeAsLive, type LabTeam } from '../support/recorded-calls';
import { createTestApp, type TestApp } from '../support/test-app';

const XSS = '<img src=x onerror=alert(1)>';

interface ChartGlobal {
  Chart: { getChart(id: string): { data: { labels: string[]; datasets: { label: string; data: number[] }[] } } | undefined };
}

/** Totals of every dataset of a chart on the page, by dataset label. */
async function chartTotals(page: Page, id: string): Promise<Record<string, number>> {
  return page.evaluate((canvasId) => {
    const chart = (window as unknown as ChartGlobal).Chart.getChart(canvasId);
    if (!chart) throw new Error(`no chart on #${canvasId}`);
    return Object.fromEntries(chart.data.datasets.map((d) => [d.label, d.data.reduce((a, b) => a + b, 0)]));
  }, id);
}

/**
 * /dashboard in headless Debian Chromium on the recorded calls (every recording, the burst
 * included) plus one call from a caller whose name is HTML, on 2026-11-21.
 */
describe('dashboard page in headless Chromium', () => {
  let t: TestApp;
  let team: LabTeam;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp();
    await leadCaptureIdle(t);
    await t.reset();
    team = await seedLabTeam(t);
    const records = recordsOf();
    const known = records.find((r) => r.linkedid === '1795335530.4');
    if (!known) throw new Error('a_known_responsible_answers missing');
    const xss = { ...moved(known, Date.parse('2026-11-21T15:00:00+03:00') / 1000, 'xss.1'), callerName: XSS };
    await storeAsLive(t, [...records, xss]);
    url = await t.app.getUrl();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t.reset();
    await t.close();
  });

  // English unless a test says otherwise: the chart labels asserted below are the English ones.
  const open = (who: { email: string; password: string }, locale = 'en-US') =>
    openLoggedIn(browser, `${url}/dashboard?from=2026-11-21&to=2026-11-22`, who, { locale, viewport: { width: 1366, height: 768 } });


  it('head of sales: KPI tiles, charts with the expected totals, sortable table, drill-down with legs, HTML shown as text', async () => {
    const { page, dialogs, errors } = await open(team.head);
    await page.waitForFunction(() => document.body.dataset.loaded === 'true', undefined, { timeout: 15_000 });

    const tile = (key: string): Promise<string | null> => page.textContent(`[data-value="${key}"]`);
    expect(await tile('inbound')).toBe('28'); // 27 recorded + the HTML-named caller
    expect(await tile('answered')).toBe('17');
    expect(await tile('abandoned')).toBe('7');
    expect(await tile('unanswered')).toBe('4');
    expect(await tile('outbound')).toBe('1');

    expect(await chartTotals(page, 'chart-daily')).toEqual({ Answered: 17, Abandoned: 7, Unanswered: 4, Outbound: 1 });
    expect(await chartTotals(page, 'chart-steps')).toEqual({ Answered: 17 });
    expect(await chartTotals(page, 'chart-callbacks')).toEqual({ 'Callback tasks': 10 });
    const heat = await page.$$eval('#heatmap td[data-count]', (cells) => cells.reduce((sum, cell) => sum + Number((cell as HTMLElement).dataset.count), 0));
    expect(heat).toBe(28);
    // The charts were drawn (canvas sized by Chart.js).
    const widths = await page.$$eval('canvas', (canvases) => canvases.map((c) => (c as HTMLCanvasElement).width));
    expect(widths.every((w) => w > 0)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-en-1366');

    // Sort the per-manager table by "Missed": most first, then least first.
    const firstName = (): Promise<string | null> => page.textContent('#managers tr:nth-child(2) td[data-col="name"]');
    await page.click('#managers th[data-key="missed"]');
    expect(await firstName()).toBe('Anna Petrova'); // 14
    await page.click('#managers th[data-key="missed"]');
    expect(await firstName()).toBe('Elena Sokolova'); // 4

    // Drill into Anna's missed calls: 14, with their legs.
    await page.click(`#managers tr[data-user="${team.byExtension['101'].id}"] td[data-col="missed"]`);
    await page.waitForFunction(() => document.getElementById('drill')?.dataset.total === '14');
    expect(await page.$$eval('#drill-table tr[data-linkedid]', (rows) => rows.length)).toBe(14);
    expect(await page.textContent('#drill-table tr[data-linkedid="1795335761.80"] td.legs')).toContain('Anna Petrova: responsible → cancelled caller hung up');

    // Inbound tile → every inbound call; the HTML caller name is plain text.
    await page.click('[data-kpi="inbound"]');
    await page.waitForFunction(() => document.getElementById('drill')?.dataset.total === '28');
    const xssRow = page.locator('#drill-table tr[data-linkedid="xss.1"] td:nth-child(4)');
    expect(await xssRow.textContent()).toBe(XSS);
    expect(await page.$$eval('#drill-table img', (images) => images.length)).toBe(0);

    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('in a Russian browser: the same figures with Russian labels, numbers and dates; the switch to English redraws them', async () => {
    const { page, errors } = await open(team.head, 'ru-RU');
    await page.waitForFunction(() => document.body.dataset.loaded === 'true', undefined, { timeout: 15_000 });
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    expect(await page.textContent('h1')).toBe('Статистика звонков');
    expect(await page.textContent('[data-kpi="inbound"] .label')).toBe('Входящие');
    expect(await page.textContent('[data-value="inbound"]')).toBe('28');
    expect(await chartTotals(page, 'chart-daily')).toEqual({ Отвечено: 17, Брошено: 7, 'Без ответа': 4, Исходящие: 1 });
    expect(await page.textContent('#managers th[data-key="missed"]')).toBe('Пропустил');
    expect(await page.textContent('#heatmap tr:nth-child(2) th')).toBe('Пн');
    // Drill-down in Russian: outcomes and legs translated, the date as ru-RU writes it.
    await page.click('[data-kpi="inbound"]');
    await page.waitForFunction(() => document.getElementById('drill')?.dataset.total === '28');
    expect(await page.textContent('#drill-summary')).toBe('28 звонков');
    expect(await page.textContent('#drill-table tr[data-linkedid="1795335761.80"] td.legs')).toContain('Anna Petrova: ответственный → отменён: клиент положил трубку');
    expect(await page.textContent('#drill-table tr[data-linkedid="xss.1"] td:nth-child(1)')).toMatch(/^21\.11\.2026, \d{2}:\d{2}:\d{2}$/);
    expect(await page.textContent('#drill-table tr[data-linkedid="xss.1"] td:nth-child(4)')).toBe(XSS);
    // The drill-down names the client before the number.
    expect(await page.textContent('#drill-table tr[data-linkedid="1795335761.80"] td:nth-child(3)')).toBe('Remstroy · Alexey Smirnov · +79161234567');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-ru-1366');

    await page.click('[data-lang="en"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('[data-kpi="inbound"] .label')).toBe('Inbound calls');
    expect(await chartTotals(page, 'chart-daily')).toEqual({ Answered: 17, Abandoned: 7, Unanswered: 4, Outbound: 1 });
    expect(await page.textContent('#drill-summary')).toBe('28 calls');
    expect(await page.textContent('#drill-table tr[data-linkedid="xss.1"] td:nth-child(1)')).toMatch(/^11\/21\/2026, \d{1,2}:\d{2}:\d{2} [AP]M$/);
    expect(await page.textContent('#drill-table tr[data-linkedid="xss.1"] td:nth-child(4)')).toBe(XSS);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a manager's token is refused: the page says so and shows no figures", async () => {
    const { page, errors } = await open(team.manager);
    await page.waitForSelector('#denied-view:not([hidden])', { timeout: 10_000 });
    expect(await page.textContent('#denied-text')).toMatch(/may not see call statistics/);
    await page.click('[data-lang="ru"]');
    expect(await page.textContent('#denied-text')).toMatch(/статистика звонков не видна/);
    expect(await page.isVisible('#dashboard-view')).toBe(false);
    const token = await page.evaluate(() => sessionStorage.getItem('switchboard.token'));
    const status = await page.evaluate(
      async (bearer) => (await fetch('/api/stats/dashboard', { headers: { Authorization: `Bearer ${bearer}` } })).status,
      token,
    );
    expect(status).toBe(403);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the queues table: per app_queue queue and in total, shown only for a period with queue calls', async () => {
    // The five queue calls of the live suite (test/integration/queue-stats.spec.ts has their figures),
    // on 2026-12-02 Moscow time; stored without lead capture, so the other tests' figures stay.
    const directory = parseDirectory(JSON.parse(readFileSync(join(__dirname, '../live/fixtures/live-directory.json'), 'utf8')));
    const records = ['queue_ringall', 'queue_rrmemory', 'queue_linear', 'queue_abandoned', 'queue_member_declines'].flatMap((name) => {
      const { messages } = new AmiFrameParser().push(readFileSync(transcript(`live/${name}.ami`)));
      return rebuildCalls(messages, directory).records;
    });
    await t.app.get(CallsRepository).saveFinalizedCalls(records.map((record) => ({ record, events: [] })));

    const { page, errors } = await openLoggedIn(browser, `${url}/dashboard?from=2026-12-02&to=2026-12-02`, team.head, { locale: 'en-US' });
    await page.waitForFunction(() => document.body.dataset.loaded === 'true', undefined, { timeout: 15_000 });
    expect(await page.isVisible('#queues-card')).toBe(true);
    const rows = await page.$$eval('#queues tr[data-queue]', (trs) =>
      trs.map((tr) => Object.fromEntries(Array.from(tr.querySelectorAll('td')).map((td) => [(td as HTMLElement).dataset.col, td.textContent]))),
    );
    expect(rows.map((row) => [row.queue, row.offered, row.answered, row.abandoned, row.left, row.answeredWithin, row.serviceLevel])).toEqual([
      ['sales-linear', '1', '1', '0', '0', '1', '100%'],
      ['sales-ringall', '3', '2', '1', '0', '2', '66.7%'],
      ['sales-rrmemory', '1', '1', '0', '0', '1', '100%'],
      ['All queues', '5', '4', '1', '0', '4', '80%'],
    ]);
    expect(await page.textContent('#queues th:nth-child(6)')).toBe('Answered within 20 s');
    expect(await page.textContent('#pbx-figures')).toBe('Hung up before any phone rang (in an IVR menu): 0 · voicemail messages left: 0');
    await page.click('[data-lang="ru"]');
    expect(await page.textContent('#queues-card h2')).toBe('Очереди');
    expect(await page.textContent('#queues tr[data-queue="Все очереди"] td[data-col="serviceLevel"]')).toBe('80 %');
    await page.close();

    // A period without queue calls (the recorded calls of 2026-11-21): no queues table.
    const other = await open(team.head);
    await other.page.waitForFunction(() => document.body.dataset.loaded === 'true', undefined, { timeout: 15_000 });
    expect(await other.page.isVisible('#queues-card')).toBe(false);
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
    await other.page.close();
  });
});
