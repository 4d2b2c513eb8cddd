/**
 * CSV for spreadsheet exports (RFC 4180, CRLF, UTF-8 with BOM). Cells a spreadsheet would run as a
 * formula are defused. The dialect follows the company's region: where numbers are written with a
 * decimal comma (Russia and most of Europe) Excel expects `;` between cells and `0,85` for numbers,
 * otherwise `,` and `0.85`; a `sep` parameter overrides it. Times are local to the company.
 */

export type CsvValue = string | number | boolean | Date | null | undefined;

export interface CsvDialect {
  separator: ',' | ';' | '\t';
  decimalComma: boolean;
  /** IANA zone dates are written in, as `YYYY-MM-DD HH:MM:SS`. */
  timeZone: string;
}

/** Countries whose Excel uses a decimal comma (and so `;` as the list separator). */
const DECIMAL_COMMA_REGIONS = new Set([
  'RU', 'BY', 'KZ', 'UA', 'UZ', 'KG', 'TJ', 'AM', 'AZ', 'GE', 'MD', 'DE', 'AT', 'CH', 'FR', 'BE', 'NL', 'LU', 'IT', 'ES', 'PT',
  'PL', 'CZ', 'SK', 'HU', 'RO', 'BG', 'RS', 'HR', 'SI', 'LT', 'LV', 'EE', 'FI', 'SE', 'NO', 'DK', 'IS', 'GR', 'TR', 'BR', 'AR',
  'CL', 'CO', 'ID', 'VN',
]);

export const CSV_SEPARATORS = { ',': ',', ';': ';', tab: '\t' } as const;
export type CsvSeparatorName = keyof typeof CSV_SEPARATORS;

export function csvDialect(region: string, timeZone: string, sep?: CsvSeparatorName): CsvDialect {
  const decimalComma = DECIMAL_COMMA_REGIONS.has(region.toUpperCase());
  const separator = sep ? CSV_SEPARATORS[sep] : decimalComma ? ';' : ',';
  // A decimal comma inside `,`-separated cells would need quoting everywhere: keep the point then.
  return { separator, decimalComma: decimalComma && separator !== ',', timeZone };
}

const FORMULA_START = /^[=@\t\r]/;
const SIGNED_NOT_NUMBER = /^[+-](?![\d\s().]*$)/;

/** `YYYY-MM-DD HH:MM:SS` in the zone (what Excel reads as a date and time). */
export function localDateTime(value: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(value)
    .replace('T', ' ');
}

/** `YYYY-MM-DD` in the zone (file names). */
export function localDate(value: Date, timeZone: string): string {
  return localDateTime(value, timeZone).slice(0, 10);
}

export function csvCell(value: CsvValue, dialect: CsvDialect): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = localDateTime(value, dialect.timeZone);
  else if (typeof value === 'number') text = dialect.decimalComma ? String(value).replace('.', ',') : String(value);
  else text = String(value);
  if (typeof value === 'string' && (FORMULA_START.test(text) || SIGNED_NOT_NUMBER.test(text))) text = `'${text}`;
  const needsQuotes = text.includes(dialect.separator) || /["\r\n]/.test(text);
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[], dialect: CsvDialect): string {
  // A BOM so Excel opens UTF-8 (Cyrillic names) correctly.
  return '\uFEFF' + [header, ...rows].map((row) => row.map((cell) => csvCell(cell, dialect)).join(dialect.separator)).join('\r\n') + '\r\n';
}
