/** CSV (RFC 4180, CRLF) for spreadsheet exports; cells that a spreadsheet would run as a formula are defused. */

export type CsvValue = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=@\t\r]/;
const SIGNED_NOT_NUMBER = /^[+-](?![\d\s().]*$)/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && (FORMULA_START.test(text) || SIGNED_NOT_NUMBER.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  // A BOM so Excel opens UTF-8 (Cyrillic names) correctly.
  return '\uFEFF' + [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
