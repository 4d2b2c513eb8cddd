import type { Page } from 'playwright-core';
import { axeViolations, openLoggedIn, screenshot } from '../support/browser';
import { deskLab } from '../support/desk-lab';
import { LAB_PASSWORD } from '../support/lab';
import { transcript } from '../support/fixtures';
import { until } from '../support/until';

interface Tile {
  state: string;
  party: string;
}

/**
 * /wallboard in headless Debian Chromium for the head of sales, while a recorded call (a known
 * client ringing Anna, who answers) is replayed as happening now into the real service on real
 * Postgres: Anna's tile goes ringing (with the client) → talking → available, the call shows
 * among the calls waiting while it rings, and today's figures count it. English and Russian, axe.
 */
describe('wallboard in headless Chromium', () => {
  const desks = deskLab();

  async function open(url: string, extension: string, locale: 'en-US' | 'ru-RU'): Promise<{ page: Page; errors: string[] }> {
    const who = { email: desks.lab().emails.get(extension) ?? '', password: LAB_PASSWORD };
    const { page, errors } = await openLoggedIn(desks.browser(), `${url}/wallboard`, who, { locale, viewport: { width: 1366, height: 768 } });
    page.on('dialog', (dialog) => errors.push(`dialog: ${dialog.message()}`));
    return { page, errors };
  }

  const tileOf = (page: Page, userId: string): Promise<Tile | null> =>
    page.evaluate((id) => {
      const tile = document.querySelector(`#people [data-user="${id}"]`);
      return tile ? { state: tile.getAttribute('data-state') ?? '', party: tile.querySelector('[data-field=party]')?.textContent ?? '' } : null;
    }, userId);

  it("Anna's tile: ringing with the client → talking → available; the waiting call; today's figures; RU and EN; a manager is refused", async () => {
    const { url, open: release } = await desks.replay({ recordings: [transcript('a_known_responsible_answers.ami')], speed: 1, fresh: true });
    const anna = desks.lab().userIds.get('101')!;
    const en = await open(url, '200', 'en-US');
    const ru = await open(url, '200', 'ru-RU');
    for (const page of [en.page, ru.page]) {
      await page.waitForSelector('#link.online', { timeout: 10_000 });
      await page.waitForSelector(`#people [data-user="${anna}"]`, { timeout: 10_000 });
    }
    expect((await tileOf(en.page, anna))?.state).toBe('available');
    expect(await en.page.textContent('#waiting')).toContain('Nobody is waiting.');
    expect(await axeViolations(en.page)).toEqual([]);
    release();

    // Watch the tile as the call happens.
    const seen: Tile[] = [];
    let waitingRow: string | null = null;
    let ringingRu: string | null = null;
    let talkingShot = false;
    await until(
      'Anna ringing, talking and available again',
      async () => {
        const tile = await tileOf(en.page, anna);
        if (tile && seen[seen.length - 1]?.state !== tile.state) seen.push(tile);
        if (tile?.state === 'ringing' && waitingRow === null) {
          waitingRow = await en.page.textContent('#waiting tr[data-linkedid]');
          ringingRu = (await tileOf(ru.page, anna))?.party ?? null;
          await screenshot(en.page, 'wallboard-ringing-en-1366');
        }
        if (tile?.state === 'talking' && !talkingShot) {
          talkingShot = true;
          await screenshot(ru.page, 'wallboard-talking-ru-1366');
          expect(await axeViolations(ru.page)).toEqual([]);
        }
        const states = seen.map((s) => s.state);
        return states.includes('talking') && states[states.length - 1] === 'available';
      },
      30_000,
      50,
    );
    // (A device "in use" a moment before or after our call shows as busy: the PBX's own state.)
    const states = seen.map((s) => s.state).filter((s) => s !== 'busy').filter((s, i, all) => s !== all[i - 1]);
    expect(states).toEqual(['available', 'ringing', 'talking', 'available']);
    expect(seen.find((s) => s.state === 'ringing')!.party).toBe('caller: Remstroy · Alexey Smirnov');
    expect(seen.find((s) => s.state === 'talking')!.party).toBe('with Remstroy · Alexey Smirnov');
    expect(waitingRow).toContain('Remstroy · Alexey Smirnov');
    expect(waitingRow).toContain('responsible');
    expect(waitingRow).toContain('Anna Petrova');
    expect(ringingRu).toBe('звонит: Remstroy · Alexey Smirnov');

    // Today's figures count the call (it was replayed as happening now) once it is stored.
    await until('the answered call counted', async () => (await en.page.textContent('[data-figure=answered] dd')) === '1', 40_000, 200);
    expect(await ru.page.textContent('[data-figure=answered] dt')).toBe('Отвечено');
    const russian = (await ru.page.textContent('body')) ?? '';
    expect(russian).toContain('свободен');
    expect(russian).not.toMatch(/\b(wb|login|lang)\.[a-z]/);
    await screenshot(en.page, 'wallboard-en-1366');
    await screenshot(ru.page, 'wallboard-ru-1366');
    expect(await axeViolations(en.page)).toEqual([]);

    // A manager has no wallboard: the page says so and shows nothing.
    const manager = await open(url, '101', 'en-US');
    await until('the refusal', async () => ((await manager.page.textContent('#login-error')) ?? '').includes('Only supervisors') || ((await manager.page.textContent('#problem')) ?? '').includes('Only supervisors'), 10_000, 100);
    expect(await manager.page.locator(`#people [data-user="${anna}"]`).count()).toBe(0);

    expect(en.errors).toEqual([]);
    expect(ru.errors).toEqual([]);
  });
});
