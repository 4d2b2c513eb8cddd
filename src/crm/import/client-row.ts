import { validateSync } from 'class-validator';
import { DomainError } from '../../common/domain-error';
import { findForbiddenCharacter } from '../../common/text-safety';
import type { AbcCategory } from '../companies/abc-category';
import { CreateCompanyDto } from '../companies/dto/company.dto';
import { CreateContactDto } from '../contacts/dto/contact.dto';
import { normalizePhones } from '../phones/phone-rules';

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

/** Columns that hold one value each: a quoted cell there may not span lines (it is a stray quote). */
const SINGLE_LINE: readonly ClientColumn[] = ['company', 'abc', 'contact', 'position', 'responsible_email'];

/** Which columns of the file may hold line breaks in a quoted cell: lists (tags, phones) and columns we do not read. */
export function multilineColumns(columns: Map<ClientColumn, number>): (index: number) => boolean {
  const single = new Set(SINGLE_LINE.map((column) => columns.get(column)).filter((index) => index !== undefined));
  return (index) => !single.has(index);
}

/**
 * Validates and normalizes one data row (no database): names, ABC, phones in `region`, tags.
 * Lengths and counts are the REST API's (CreateCompanyDto, CreateContactDto), checked by the
 * same class-validator rules; a control character (NUL…) or U+FFFD in a cell we read refuses the row.
 */
export function parseClientRow(cells: string[], columns: Map<ClientColumn, number>, region: string): RowResult {
  const cell = (column: ClientColumn): string => {
    const index = columns.get(column);
    return index === undefined ? '' : (cells[index] ?? '').trim();
  };
  if (cells.every((value) => value.trim() === '')) return { ok: 'empty' };

  for (const [column, index] of columns) {
    const bad = findForbiddenCharacter(cells[index] ?? '');
    if (bad) {
      return { ok: false, message: `${column}: contains ${bad.description} at position ${bad.index + 1}; remove it from the file (the row is skipped)` };
    }
  }

  const company = cell('company') || null;
  const contact = cell('contact') || null;
  if (!company && !contact) return { ok: false, message: 'missing name: the row has neither a company nor a contact' };

  const abcText = cell('abc').toUpperCase();
  const abc = abcText === '' ? null : (ABC[abcText] ?? null);
  if (abcText !== '' && !abc) return { ok: false, message: `abc: expected A, B or C, got ${JSON.stringify(cell('abc'))}` };

  const responsibleEmail = cell('responsible_email').toLowerCase() || null;
  if (responsibleEmail && !/^[^\s@]+@[^\s@]+$/.test(responsibleEmail)) {
    return { ok: false, message: `responsible_email: ${JSON.stringify(responsibleEmail.slice(0, 100))} is not an email address` };
  }

  const companyRaw = splitList(cell('company_phones'), /[,;|\n]/);
  const contactRaw = splitList(cell('contact_phones'), /[,;|\n]/);
  if (!company && companyRaw.length) return { ok: false, message: 'company_phones given without a company' };
  const tags = dedupeText(splitList(cell('company_tags'), /[;|]/));
  const position = cell('position') || null;
  // A row without a contact: its "phone" column is the company's number.
  const companyDto = Object.assign(new CreateCompanyDto(), { name: company, tags, phones: contact ? companyRaw : [...companyRaw, ...contactRaw] });
  const tooLong = [
    company ? restLimits('company', companyDto) : null,
    contact ? restLimits('contact', Object.assign(new CreateContactDto(), { name: contact, position, phones: contactRaw })) : null,
  ].find((message) => message !== null);
  if (tooLong) return { ok: false, message: tooLong };

  let companyPhones: ParsedPhone[];
  let contactPhones: ParsedPhone[];
  try {
    companyPhones = normalizePhones(companyRaw, region, 'company_phones');
    contactPhones = normalizePhones(contactRaw, region, 'contact_phones');
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, message: `bad phone: ${error.message}` };
    throw error;
  }
  if (!contact) {
    const known = new Set(companyPhones.map((p) => p.e164));
    companyPhones = [...companyPhones, ...contactPhones.filter((p) => !known.has(p.e164) && known.add(p.e164))];
    contactPhones = [];
  }
  const shared = contactPhones.find((phone) => companyPhones.some((other) => other.e164 === phone.e164));
  if (shared) return { ok: false, message: `phone ${shared.e164} is given both as the company's and as the contact's number` };

  return { ok: true, row: { company, tags, abc, companyPhones, contact, position, contactPhones, responsibleEmail } };
}

/** The REST API's rules for a company or contact (lengths, counts), as one message naming the column; null when it passes. */
function restLimits(what: 'company' | 'contact', dto: CreateCompanyDto | CreateContactDto): string | null {
  const errors = validateSync(dto);
  if (!errors.length) return null;
  const column: Record<string, string> = what === 'company' ? { name: 'company', tags: 'company_tags', phones: 'company_phones' } : { name: 'contact', position: 'position', phones: 'contact_phones' };
  return errors
    .map((error) => {
      const value: unknown = error.value;
      const size = typeof value === 'string' ? ` (this one has ${value.length})` : '';
      return `${column[error.property] ?? error.property}: ${Object.values(error.constraints ?? {}).join(', ')}${size}`;
    })
    .join('; ');
}

function splitList(text: string, separators: RegExp): string[] {
  return text
    .split(separators)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function dedupeText(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => !seen.has(value.toLowerCase()) && seen.add(value.toLowerCase()));
}
