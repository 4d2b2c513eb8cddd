import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

const PAGES = join(__dirname, '..', '..', 'src', 'pages');
const COMMON = ['i18n.js', 'session.js', 'dom.js'];

interface Catalog {
  keys(code: string): string[];
  t(key: string): string;
}

/** i18n.js and a page's texts file, run as the browser runs them (a bare window, no DOM yet). */
function catalogOf(page: string): Catalog {
  const window: { switchboard?: { i18n: Catalog } } = {};
  const context = {
    window,
    document: { body: null, addEventListener: () => undefined, querySelectorAll: () => [] },
    navigator: { language: 'en-US', languages: ['en-US'] },
    localStorage: { getItem: () => null, setItem: () => undefined },
    Intl,
  };
  runInNewContext(readFileSync(join(PAGES, 'common', 'i18n.js'), 'utf8'), context);
  runInNewContext(readFileSync(join(PAGES, page, `${page}.texts.js`), 'utf8'), context);
  return window.switchboard!.i18n;
}

/** The service's socket events (`desk.snapshot`, …): names in the pages' code that are not texts. */
const EVENTS = new Set(
  [...readFileSync(join(__dirname, '..', '..', 'src', 'realtime', 'client-events.ts'), 'utf8').matchAll(/^\s+'([a-z]+\.[a-zA-Z]+)': [A-Z]\w+;$/gm)].map((match) => match[1]!),
);

/** Every string literal of the page's code that looks like a message key, and every data-i18n* attribute. */
function keysUsed(page: string): string[] {
  const files = [
    ...readdirSync(join(PAGES, page)).filter((name) => /\.(js|html)$/.test(name) && !name.endsWith('.texts.js')).map((name) => join(PAGES, page, name)),
    ...COMMON.filter((name) => name !== 'i18n.js').map((name) => join(PAGES, 'common', name)),
  ];
  const keys = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/'((?:desk|dashboard|import|wb|adm|login|lang|unit|step)\.[\w.]*\w)'/g)) {
      if (!EVENTS.has(match[1]!)) keys.add(match[1]!);
    }
    for (const match of text.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) keys.add(match[1]!);
  }
  return [...keys].sort();
}

describe('message catalogs of the pages', () => {
  it('knows the socket events by name', () => {
    expect([...EVENTS]).toEqual(expect.arrayContaining(['desk.snapshot', 'call.ringing', 'call.ended']));
  });

  it.each(['desk', 'dashboard', 'import', 'wallboard', 'admin'])('%s: Russian and English have the same keys, and every key the code names is in both', (page) => {
    const catalog = catalogOf(page);
    const ru = catalog.keys('ru').sort();
    const en = catalog.keys('en').sort();
    expect(ru.filter((key) => !en.includes(key))).toEqual([]);
    expect(en.filter((key) => !ru.includes(key))).toEqual([]);
    const used = keysUsed(page);
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((key) => !ru.includes(key))).toEqual([]);
  });
});
