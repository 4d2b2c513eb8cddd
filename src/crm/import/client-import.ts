import type { Readable } from 'node:stream';
import { QueryFailedError, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { User } from '../../auth/users/user.entity';
import { Company } from '../companies/company.entity';
import { Contact } from '../contacts/contact.entity';
import { PhoneNumber } from '../phones/phone-number.entity';
import { assignPhones, type PhoneOwner } from '../phones/phone-ownership';
import { mapHeader, parseClientRow, type ClientColumn, type ClientRow, type ParsedPhone } from './client-row';
import { CsvSyntaxError, openCsv } from './csv-source';

export interface ImportRowError {
  line: number;
  message: string;
}

export interface ImportSummary {
  /** Data rows read (blank lines not counted). */
  rows: number;
  /** Rows written without error; `unchanged` of them found everything already there. */
  imported: number;
  unchanged: number;
  companiesCreated: number;
  companiesUpdated: number;
  contactsCreated: number;
  contactsUpdated: number;
  phonesAdded: number;
  /** Every broken row (the first MAX_LISTED_ERRORS are listed in `errors`). */
  errorCount: number;
  errors: ImportRowError[];
}

export interface ImportOptions {
  /** Default region for numbers without a country code (DEFAULT_REGION). */
  region: string;
  /** Rows per database transaction; each row has its own savepoint inside. */
  batchSize?: number;
  onProgress?: (summary: Readonly<ImportSummary>) => void;
  progressEvery?: number;
}

const MAX_LISTED_ERRORS = 1000;

/** What one row changed, applied to the summary only once the row is safely written. */
interface RowChanges {
  companyCreated: string | null;
  companyUpdated: string | null;
  contactCreated: string | null;
  contactUpdated: string | null;
  phonesAdded: number;
}

/**
 * Imports a client base from a CSV stream (see client-row.ts for the columns). Good rows are
 * written, each under its own savepoint so a broken row writes nothing; broken rows come back
 * with their line numbers. Running the same file twice changes nothing the second time.
 */
export async function importClients(dataSource: DataSource, input: Readable, options: ImportOptions): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 500;
  const progressEvery = options.progressEvery ?? 1000;
  const summary = emptySummary();
  const seen = { companiesCreated: new Set<string>(), companiesUpdated: new Set<string>(), contactsCreated: new Set<string>(), contactsUpdated: new Set<string>() };
  const fail = (line: number, message: string): void => {
    summary.errorCount++;
    if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push({ line, message });
  };

  const csv = await openCsv(input);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const responsibles = new ResponsibleCache(runner.manager);
  let columns: Map<ClientColumn, number> | null = null;
  let inBatch = 0;
  try {
    await runner.startTransaction();
    for await (const { line, cells } of csv.records) {
      if (!columns) {
        columns = mapHeader(cells);
        continue;
      }
      const parsed = parseClientRow(cells, columns, options.region);
      if (parsed.ok === 'empty') continue;
      summary.rows++;
      if (parsed.ok === false) fail(line, parsed.message);
      else {
        const result = await writeRowInSavepoint(runner, parsed.row, responsibles);
        if ('error' in result) fail(line, result.error);
        else {
          summary.imported++;
          tally(summary, seen, result);
        }
      }
      if (++inBatch >= batchSize) {
        await runner.commitTransaction();
        await runner.startTransaction();
        inBatch = 0;
      }
      if (summary.rows % progressEvery === 0) options.onProgress?.(summary);
    }
    await runner.commitTransaction();
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    }
    // The rows before the syntax error are good: keep them, and say where the import stopped.
    await runner.commitTransaction();
    fail(error.line, `${error.message}; the rest of the file was not imported`);
  } finally {
    await runner.release();
  }
  if (!columns) throw new DomainError('invalid', 'the file is empty: expected a header row and client rows');
  summary.errors.sort((a, b) => a.line - b.line);
  return summary;
}

function emptySummary(): ImportSummary {
  return { rows: 0, imported: 0, unchanged: 0, companiesCreated: 0, companiesUpdated: 0, contactsCreated: 0, contactsUpdated: 0, phonesAdded: 0, errorCount: 0, errors: [] };
}

function tally(summary: ImportSummary, seen: Record<'companiesCreated' | 'companiesUpdated' | 'contactsCreated' | 'contactsUpdated', Set<string>>, changes: RowChanges): void {
  if (changes.companyCreated) seen.companiesCreated.add(changes.companyCreated);
  if (changes.companyUpdated && !seen.companiesCreated.has(changes.companyUpdated)) seen.companiesUpdated.add(changes.companyUpdated);
  if (changes.contactCreated) seen.contactsCreated.add(changes.contactCreated);
  if (changes.contactUpdated && !seen.contactsCreated.has(changes.contactUpdated)) seen.contactsUpdated.add(changes.contactUpdated);
  summary.companiesCreated = seen.companiesCreated.size;
  summary.companiesUpdated = seen.companiesUpdated.size;
  summary.contactsCreated = seen.contactsCreated.size;
  summary.contactsUpdated = seen.contactsUpdated.size;
  summary.phonesAdded += changes.phonesAdded;
  const changed = changes.companyCreated ?? changes.companyUpdated ?? changes.contactCreated ?? changes.contactUpdated;
  if (!changed && changes.phonesAdded === 0) summary.unchanged++;
}

async function writeRowInSavepoint(runner: QueryRunner, row: ClientRow, responsibles: ResponsibleCache): Promise<RowChanges | { error: string }> {
  await runner.startTransaction();
  try {
    const responsibleId = row.responsibleEmail ? await responsibles.idOf(row.responsibleEmail) : null;
    const changes = await writeRow(runner.manager, row, responsibleId);
    await runner.commitTransaction();
    return changes;
  } catch (error) {
    await runner.rollbackTransaction();
    if (error instanceof DomainError) return { error: error.message };
    if (error instanceof QueryFailedError) return { error: `the database refused the row: ${error.message}` };
    throw error;
  }
}

async function writeRow(manager: EntityManager, row: ClientRow, responsibleId: string | null): Promise<RowChanges> {
  const changes: RowChanges = { companyCreated: null, companyUpdated: null, contactCreated: null, contactUpdated: null, phonesAdded: 0 };
  let companyId: string | null = null;
  if (row.company) {
    const { company, created, updated } = await upsertCompany(manager, row, responsibleId);
    companyId = company.id;
    if (created) changes.companyCreated = company.id;
    if (updated) changes.companyUpdated = company.id;
    changes.phonesAdded += await addPhones(manager, { companyId }, row.companyPhones);
  }
  if (row.contact) {
    // The responsible column is the company's; a contact without a company gets it itself.
    const { contact, created, updated } = await upsertContact(manager, row, companyId, companyId ? null : responsibleId);
    if (created) changes.contactCreated = contact.id;
    if (updated) changes.contactUpdated = contact.id;
    changes.phonesAdded += await addPhones(manager, { contactId: contact.id }, row.contactPhones);
  }
  return changes;
}

async function upsertCompany(manager: EntityManager, row: ClientRow, responsibleId: string | null): Promise<{ company: Company; created: boolean; updated: boolean }> {
  const repo = manager.getRepository(Company);
  const name = row.company as string;
  const existing = await repo.createQueryBuilder('c').where('lower(c.name) = lower(:name)', { name }).getOne();
  if (!existing) {
    const company = await repo.save(repo.create({ name, tags: row.tags, abcCategory: row.abc, responsibleId }));
    return { company, created: true, updated: false };
  }
  const patch = companyPatch(existing, row, responsibleId);
  if (patch) await repo.update(existing.id, patch);
  return { company: existing, created: false, updated: patch !== null };
}

/** What an import row changes on an existing company: tags are added, blanks change nothing. */
export function companyPatch(existing: Pick<Company, 'tags' | 'abcCategory' | 'responsibleId'>, row: Pick<ClientRow, 'tags' | 'abc'>, responsibleId: string | null): Partial<Company> | null {
  const patch: Partial<Company> = {};
  const known = new Set(existing.tags.map((tag) => tag.toLowerCase()));
  const added = row.tags.filter((tag) => !known.has(tag.toLowerCase()));
  if (added.length) patch.tags = [...existing.tags, ...added];
  if (row.abc && row.abc !== existing.abcCategory) patch.abcCategory = row.abc;
  if (responsibleId && responsibleId !== existing.responsibleId) patch.responsibleId = responsibleId;
  return Object.keys(patch).length ? patch : null;
}

async function upsertContact(
  manager: EntityManager,
  row: ClientRow,
  companyId: string | null,
  responsibleId: string | null,
): Promise<{ contact: Contact; created: boolean; updated: boolean }> {
  const repo = manager.getRepository(Contact);
  const name = row.contact as string;
  const existing = companyId
    ? await repo.createQueryBuilder('c').where('c.company_id = :companyId AND lower(c.name) = lower(:name)', { companyId, name }).orderBy('c.created_at').getOne()
    : await findStandaloneContact(manager, name, row.contactPhones);
  if (!existing) {
    const contact = await repo.save(repo.create({ name, position: row.position, companyId, responsibleId }));
    return { contact, created: true, updated: false };
  }
  const patch: Partial<Contact> = {};
  if (row.position && row.position !== existing.position) patch.position = row.position;
  if (responsibleId && responsibleId !== existing.responsibleId) patch.responsibleId = responsibleId;
  const updated = Object.keys(patch).length > 0;
  if (updated) await repo.update(existing.id, patch);
  return { contact: existing, created: false, updated };
}

/** A contact without a company is the same person when the name matches and one of the numbers is theirs (or, without numbers, by name). */
async function findStandaloneContact(manager: EntityManager, name: string, phones: ParsedPhone[]): Promise<Contact | null> {
  const query = manager.getRepository(Contact).createQueryBuilder('c').where('c.company_id IS NULL AND lower(c.name) = lower(:name)', { name });
  if (phones.length) {
    query.andWhere('EXISTS (SELECT 1 FROM phone_numbers p WHERE p.contact_id = c.id AND p.e164 IN (:...phones))', { phones: phones.map((p) => p.e164) });
  } else {
    query.andWhere('NOT EXISTS (SELECT 1 FROM phone_numbers p WHERE p.contact_id = c.id)');
  }
  return query.orderBy('c.created_at').getOne();
}

/** Adds the numbers to the owner (a number of someone else's is a conflict); returns how many were new. */
async function addPhones(manager: EntityManager, owner: PhoneOwner, phones: ParsedPhone[]): Promise<number> {
  if (!phones.length) return 0;
  const present = await manager
    .getRepository(PhoneNumber)
    .createQueryBuilder('p')
    .where('p.e164 IN (:...phones)', { phones: phones.map((p) => p.e164) })
    .getCount();
  await assignPhones(manager, owner, phones, 'add');
  return phones.length - present;
}

/** Responsible managers by email, looked up once per import; an unknown email is a row error. */
class ResponsibleCache {
  private readonly ids = new Map<string, string | null>();

  constructor(private readonly manager: EntityManager) {}

  async idOf(email: string): Promise<string> {
    const key = email.toLowerCase();
    if (!this.ids.has(key)) {
      const user = await this.manager.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :key', { key }).getOne();
      this.ids.set(key, user?.id ?? null);
    }
    const id = this.ids.get(key);
    if (!id) throw new DomainError('not_found', `unknown responsible: no user with email ${email}`, { email });
    return id;
  }
}
