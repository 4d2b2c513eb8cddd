import { runInNewContext } from 'node:vm';
import { defaultLanguageOf, pageSettingsScript } from './page-settings';

describe('page settings', () => {
  it.each([
    ['RU', 'ru'],
    ['by', 'ru'],
    ['KZ', 'ru'],
    ['DE', 'en'],
    ['US', 'en'],
  ])('region %s opens the screens in %s', (region, language) => {
    expect(defaultLanguageOf(region)).toBe(language);
  });

  it('the script sets window.switchboard.settings and keeps what is there', () => {
    const window: Record<string, unknown> = { switchboard: { i18n: 'kept' } };
    runInNewContext(pageSettingsScript('RU'), { window });
    expect(window.switchboard).toEqual({ i18n: 'kept', settings: { region: 'RU', defaultLanguage: 'ru' } });
  });
});
