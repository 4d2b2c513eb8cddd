import { DomainError } from '../../common/domain-error';
import type { AbcCategory } from '../companies/company.entity';
import { normalizePhones } from '../phones/phone-ownership';

/** The columns of a client-base CSV, by our name. */
export type ClientColumn = 'company' | 'company_tags' | 'abc' | 'company_phones' | 'contact' | 'position' | 'contact_phones' | 'responsible_email';

/** Header spellings we accept (after `headerKey`): ours, and what Russian CRM/Excel exports call them. */
const ALIASES: Record<string, ClientColumn> = {
  company: 'company',
  company_name: 'company',
  компания: 'company',
  организация: 'company',
  название_компании: 'company',
  клиент: 'company',
  company_tags: 'company_tags',
  tags: 'company_tags',
  теги: 'company_tags',
  метки: 'company_tags',
  теги_компании: 'company_tags',
  abc: 'abc',
  abc_category: 'abc',
  category: 'abc',
  категория: 'abc',
  abc_категория: 'abc',
  company_phones: 'company_phones',
  company_phone: 'company_phones',
  телефон_компании: 'company_phones',
  телефоны_компании: 'company_phones',
  contact: 'contact',
  contact_name: 'contact',
  контакт: 'contact',
  контактное_лицо: 'contact',
  фио: 'contact',
  position: 'position',
  должность: 'position',
  contact_phones: 'contact_phones',
  contact_phone: 'contact_phones',
  phone: 'contact_phones',
  phones: 'contact_phones',
  телефон: 'contact_phones',
  телефоны: 'contact_phones',
  телефон_контакта: 'contact_phones',
  телефоны_контакта: 'contact_phones',
  responsible_email: 'responsible_email',
  responsible: 'responsible_email',
  ответственный: 'responsible_email',
  email_ответственного: 'responsible_email',
  ответственный_email: 'responsible_email',
};

/** `Телефон компании` → `телефон_компании`, `ABC-category` → `abc_category`. */
function headerKey(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** Column index of each of our columns in a header row; a header naming neither company nor contact is refused. */
export function mapHeader(header: string[]): Map<ClientColumn, number> {
  const columns = new Map<ClientColumn, number>();
  header.forEach((cell, index) => {
    const column = ALIASES[headerKey(cell)];
    if (column && !columns.has(column)) columns.set(column, index);
  });
  if (!columns.has('company') && !columns.has('contact')) {
    throw new DomainError('invalid', `the header row names neither a company nor a contact column (got: ${header.slice(0, 12).join(', ')})`, {
      expected: ['company', 'company_tags', 'abc', 'company_phones', 'contact', 'position', 'contact_phones', 'responsible_email'],
    });
  }
  return columns;
}

export interface ParsedPhone {
  e164: string;
  raw: string;
}

/** One valid row, normalized; blanks mean "leave as it is". */
export interface ClientRow {
  company: string | null;
  tags: string[];
  abc: AbcCategory | null;
  companyPhones: ParsedPhone[];
  contact: string | null;
  position: string | null;
  contactPhones: ParsedPhone[];
  responsibleEmail: string | null;
}

export type RowResult = { ok: true; row: ClientRow } | { ok: false; message: string } | { ok: 'empty' };

/** Cyrillic look-alikes people type for A/B/C. */
const ABC: Record<string, AbcCategory> = { A: 'A', B: 'B', C: 'C', А: 'A', В: 'B', С: 'C' };

/** Validates and normalizes one data row (no database): names, ABC, phones in `region`, tags. */
export function parseClientRow(cells: string[], columns: Map<ClientColumn, number>, region: string): RowResult {
  const cell = (column: ClientColumn): string => {
    const index = columns.get(column);
    return index === undefined ? '' : (cells[index] ?? '').trim();
  };
  if (cells.every((value) => value.trim() === '')) return { ok: 'empty' };

  const company = cell('company') || null;
  const contact = cell('contact') || null;
  if (!company && !contact) return { ok: false, message: 'missing name: the row has neither a company nor a contact' };

  const abcText = cell('abc').toUpperCase();
  const abc = abcText === '' ? null : (ABC[abcText] ?? null);
  if (abcText !== '' && !abc) return { ok: false, message: `abc: expected A, B or C, got ${JSON.stringify(cell('abc'))}` };

  const responsibleEmail = cell('responsible_email').toLowerCase() || null;
  if (responsibleEmail && !/^[^\s@]+@[^\s@]+$/.test(responsibleEmail)) {
    return { ok: false, message: `responsible_email: ${JSON.stringify(responsibleEmail)} is not an email address` };
  }

  let companyPhones: ParsedPhone[];
  let contactPhones: ParsedPhone[];
  try {
    companyPhones = normalizePhones(splitList(cell('company_phones'), /[,;|\n]/), region, 'company_phones');
    contactPhones = normalizePhones(splitList(cell('contact_phones'), /[,;|\n]/), region, 'contact_phones');
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, message: `bad phone: ${error.message}` };
    throw error;
  }
  if (!company && companyPhones.length) return { ok: false, message: 'company_phones given without a company' };
  if (!contact) {
    // A row without a contact: its "phone" column is the company's number.
    companyPhones = dedupe([...companyPhones, ...contactPhones]);
    contactPhones = [];
  }
  const shared = contactPhones.find((phone) => companyPhones.some((other) => other.e164 === phone.e164));
  if (shared) return { ok: false, message: `phone ${shared.e164} is given both as the company's and as the contact's number` };

  return {
    ok: true,
    row: {
      company,
      tags: dedupeText(splitList(cell('company_tags'), /[;|]/)),
      abc,
      companyPhones,
      contact,
      position: cell('position') || null,
      contactPhones,
      responsibleEmail,
    },
  };
}

function splitList(text: string, separators: RegExp): string[] {
  return text
    .split(separators)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function dedupe(phones: ParsedPhone[]): ParsedPhone[] {
  const seen = new Set<string>();
  return phones.filter((phone) => !seen.has(phone.e164) && seen.add(phone.e164));
}

function dedupeText(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => !seen.has(value.toLowerCase()) && seen.add(value.toLowerCase()));
}
