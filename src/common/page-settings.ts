/** Regions whose teams read Russian first: the screens open in Russian there (until someone picks English). */
const RUSSIAN_FIRST_REGIONS: ReadonlySet<string> = new Set(['RU', 'BY', 'KZ', 'KG']);

export type PageLanguage = 'ru' | 'en';

/** The screens' language for a browser that has not chosen one yet, from the service's DEFAULT_REGION. */
export function defaultLanguageOf(region: string): PageLanguage {
  return RUSSIAN_FIRST_REGIONS.has(region.toUpperCase()) ? 'ru' : 'en';
}

/** /page-settings.js: what the pages read before their texts (a script, so it is there before the first paint). */
export function pageSettingsScript(region: string): string {
  const settings = { region, defaultLanguage: defaultLanguageOf(region) };
  return `window.switchboard = window.switchboard || {};\nwindow.switchboard.settings = ${JSON.stringify(settings).replace(/</g, '\\u003c')};\n`;
}
