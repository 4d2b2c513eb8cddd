import { randomUUID } from 'node:crypto';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { nullable, oneOf, readRows, text, textArray, type RowOf } from '../../common/sql-rows';
import { ABC_CATEGORIES } from '../companies/abc-category';
import { isLineError, type CsvItem } from './csv-records';
import { openCsvFile, readCsvRecords, type CsvFile } from './csv-source';
import { mapHeader, multilineColumns, parseClientRow, type ClientColumn, type ClientRow } from './client-row';
import { contactKey, emptyWorld, emptyWrites, ownerLabel, planRow, type ImportWorld, type PlannedWrites, type RowChanges } from './import-plan';

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
  /** Every broken row (the first MAX_LISTED_ERRORS are listed in `errors`, by line). */
  errorCount: number;
  errors: ImportRowError[];
}

/** A client-base CSV whose header names our columns (see client-row.ts). */
export interface ClientCsv {
  file: CsvFile;
  columns: Map<ClientColumn, number>;
}

export interface ImportOptions {
  /** Default region for numbers without a country code (DEFAULT_REGION). */
  region: string;
  /** Rows per chunk: read together, decided together, written in one transaction. */
  batchSize?: number;
  /** About every batchSize rows read (rows: read so far, the counts: written so far), and at the end. */
  onProgress?: (summary: Readonly<ImportSummary>) => void | Promise<void>;
  /** Checked between chunks: the import stops with ImportInterruptedError (what is written stays). */
  signal?: AbortSignal;
}

export const MAX_LISTED_ERRORS = 1000;

/** The import was stopped between two chunks; `summary` is what was done. */
export class ImportInterruptedError extends Error {
  constructor(readonly summary: ImportSummary) {
    super(`the import was stopped after ${summary.rows} rows`);
    this.name = 'ImportInterruptedError';
  }
}

/** Opens a CSV and checks its header; DomainError('invalid') names the problem (empty file, header line, missing columns). */
export async function openClientCsv(path: string): Promise<ClientCsv> {
  const file = await openCsvFile(path);
  return { file, columns: mapHeader(file.header.cells) };
}

const recordOptions = (csv: ClientCsv) => ({ mayBreakLines: multilineColumns(csv.columns) });
const isBlank = (item: CsvItem): boolean => !isLineError(item) && item.cells.every((cell) => cell.trim() === '');

/** The data rows of the file (what `summary.rows` will be at the end), without touching the database. */
export async function countClientRows(csv: ClientCsv): Promise<number> {
  let rows = 0;
  for await (const item of readCsvRecords(csv.file, recordOptions(csv))) if (!isBlank(item)) rows++;
  return rows;
}

export function emptySummary(): ImportSummary {
  return { rows: 0, imported: 0, unchanged: 0, companiesCreated: 0, companiesUpdated: 0, contactsCreated: 0, contactsUpdated: 0, phonesAdded: 0, errorCount: 0, errors: [] };
}

interface PendingRow {
  line: number;
  row: ClientRow;
}

type RowOutcome = { line: number; changes: RowChanges } | { line: number; error: string };

/**
 * Imports a client base from a CSV file (see client-row.ts for the columns). Rows are read,
 * checked and then written in chunks: one transaction per chunk, a few statements each. A broken
 * row writes nothing and comes back with its line number; when the database refuses a chunk (a
 * concurrent write, a value it will not take) the chunk is written again row by row, so one row
 * never fails the others. Running the same file twice changes nothing the second time.
 */
export async function importClients(dataSource: DataSource, csv: ClientCsv, options: ImportOptions): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 1000;
  const summary = emptySummary();
  const tally = new Tally(summary);
  const responsibles = new Map<string, string | null>();
  const encoding = csv.file.encoding.encoding;
  let chunk: PendingRow[] = [];
  let sinceProgress = 0;

  const statistics = new TableStatistics(dataSource);

  // One chunk is written while the next is read and checked (the database and this process work
  // at the same time); a chunk's world is read only after the chunk before it is committed.
  const inFlight: { write: Promise<void> | null } = { write: null };
  const write = async (rows: PendingRow[]): Promise<void> => {
    const outcomes = await writeChunk(dataSource, rows, responsibles);
    let inserted = 0;
    for (const outcome of outcomes) {
      if ('error' in outcome) tally.fail(outcome.line, outcome.error);
      else {
        tally.written(outcome.changes);
        inserted += Number(!!outcome.changes.companyCreated) + Number(!!outcome.changes.contactCreated) + outcome.changes.phonesAdded;
      }
    }
    await statistics.grew(inserted);
  };
  const settle = async (): Promise<void> => {
    const pending = inFlight.write;
    inFlight.write = null;
    if (pending) await pending;
  };
  const flush = async (last: boolean): Promise<void> => {
    const rows = chunk;
    chunk = [];
    sinceProgress = 0;
    await settle();
    if (!last) await options.onProgress?.(summary);
    if (options.signal?.aborted) {
      summary.rows -= rows.length; // read, but neither written nor refused
      throw new ImportInterruptedError(summary);
    }
    if (rows.length) {
      inFlight.write = write(rows);
      inFlight.write.catch(() => undefined); // awaited by the next settle(); never an unhandled rejection meanwhile
    }
    if (last) {
      await settle();
      await options.onProgress?.(summary);
    }
  };

  try {
    for await (const item of readCsvRecords(csv.file, recordOptions(csv))) {
      if (isBlank(item)) continue;
      summary.rows++;
      sinceProgress++;
      if (isLineError(item)) tally.fail(item.line, item.error);
      else if (item.undecodableLine !== null) {
        tally.fail(item.line, `line ${item.undecodableLine} has bytes that are not ${encoding} text; fix the line or save the whole file again as CSV (UTF-8)`);
      } else {
        const parsed = parseClientRow(item.cells, csv.columns, options.region);
        if (parsed.ok === 'empty') summary.rows--;
        else if (parsed.ok === false) tally.fail(item.line, parsed.message);
        else chunk.push({ line: item.line, row: parsed.row });
      }
      if (chunk.length >= batchSize || sinceProgress >= batchSize) await flush(false);
    }
    await flush(true);
  } finally {
    // Reading failed (or stopped): the chunk being written still finishes before we answer.
    await inFlight.write?.catch(() => undefined);
  }
  summary.errors.sort((a, b) => a.line - b.line);
  return summary;
}

/**
 * A big import grows the tables faster than autovacuum re-analyzes them: with statistics of
 * nearly empty tables the planner turns the per-chunk lookups into sequential scans (the import
 * slowed down as it went). So ANALYZE them whenever the rows inserted since the last time reach
 * ANALYZE_AFTER and double: at 20k, 40k, 80k… inserted rows.
 */
class TableStatistics {
  private static readonly ANALYZE_AFTER = 20_000;
  private sinceLast = 0;
  private total = 0;

  constructor(private readonly dataSource: DataSource) {}

  async grew(inserted: number): Promise<void> {
    this.sinceLast += inserted;
    this.total += inserted;
    if (this.sinceLast < Math.max(TableStatistics.ANALYZE_AFTER, this.total - this.sinceLast)) return;
    this.sinceLast = 0;
    await this.dataSource.query('ANALYZE companies, contacts, phone_numbers');
  }
}

/** Counts, with companies and contacts counted once however many rows touch them. */
class Tally {
  private readonly companiesCreated = new Set<string>();
  private readonly companiesUpdated = new Set<string>();
  private readonly contactsCreated = new Set<string>();
  private readonly contactsUpdated = new Set<string>();

  constructor(private readonly summary: ImportSummary) {}

  fail(line: number, message: string): void {
    this.summary.errorCount++;
    if (this.summary.errors.length < MAX_LISTED_ERRORS) this.summary.errors.push({ line, message });
  }

  written(changes: RowChanges): void {
    const s = this.summary;
    s.imported++;
    if (changes.companyCreated) this.companiesCreated.add(changes.companyCreated);
    if (changes.companyUpdated && !this.companiesCreated.has(changes.companyUpdated)) this.companiesUpdated.add(changes.companyUpdated);
    if (changes.contactCreated) this.contactsCreated.add(changes.contactCreated);
    if (changes.contactUpdated && !this.contactsCreated.has(changes.contactUpdated)) this.contactsUpdated.add(changes.contactUpdated);
    s.companiesCreated = this.companiesCreated.size;
    s.companiesUpdated = this.companiesUpdated.size;
    s.contactsCreated = this.contactsCreated.size;
    s.contactsUpdated = this.contactsUpdated.size;
    s.phonesAdded += changes.phonesAdded;
    const changed = changes.companyCreated ?? changes.companyUpdated ?? changes.contactCreated ?? changes.contactUpdated;
    if (!changed && changes.phonesAdded === 0) s.unchanged++;
  }
}

/**
 * The database refused the data (SQLSTATE class 22 data exception, 23 integrity violation: a
 * concurrent write took a name or number, a value it will not store) — a row's problem. Anything
 * else (connection lost, our own SQL) stops the import instead of failing every row.
 */
function isRefusedData(error: unknown): error is QueryFailedError {
  if (!(error instanceof QueryFailedError)) return false;
  const code: unknown = (error.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** One transaction for the chunk; if the database refuses it, one transaction per row. */
async function writeChunk(dataSource: DataSource, rows: PendingRow[], responsibles: Map<string, string | null>): Promise<RowOutcome[]> {
  try {
    return await dataSource.transaction((manager) => planAndWrite(manager, rows, responsibles));
  } catch (error) {
    if (!isRefusedData(error)) throw error;
    if (rows.length === 1) return [{ line: rows[0].line, error: `the database refused the row: ${error.message}` }];
    const outcomes: RowOutcome[] = [];
    for (const row of rows) outcomes.push(...(await writeChunk(dataSource, [row], responsibles)));
    return outcomes;
  }
}

async function planAndWrite(manager: EntityManager, rows: PendingRow[], responsibles: Map<string, string | null>): Promise<RowOutcome[]> {
  // The lookups probe a few thousand keys of tables that sit in memory; with the default
  // random_page_cost (4) the planner turns them into sequential scans once the tables reach
  // ~100k rows (51 ms instead of 8 ms per chunk for the phone lookup).
  await manager.query('SET LOCAL random_page_cost = 1.1');
  const world = await loadWorld(manager, rows.map((r) => r.row), responsibles);
  const writes = emptyWrites();
  const outcomes: RowOutcome[] = rows.map(({ line, row }) => {
    const result = planRow(world, writes, row, randomUUID);
    return 'error' in result ? { line, error: result.error } : { line, changes: result };
  });
  await applyWrites(manager, writes);
  return outcomes;
}

const lowerUnique = (values: (string | null)[]): string[] => [...new Set(values.filter((v): v is string => !!v).map((v) => v.toLowerCase()))];

/** What the database holds about these rows: their companies, contacts, numbers and responsibles (five queries). */
async function loadWorld(manager: EntityManager, rows: ClientRow[], responsibles: Map<string, string | null>): Promise<ImportWorld> {
  const world = emptyWorld();
  world.responsibles = responsibles;

  const emails = lowerUnique(rows.map((r) => r.responsibleEmail)).filter((email) => !responsibles.has(email));
  if (emails.length) {
    const users = readRows('responsibles', await manager.query('SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[])', [emails]), {
      id: text,
      email: text,
    });
    for (const email of emails) responsibles.set(email, users.find((u) => u.email === email)?.id ?? null);
  }

  const companyNames = lowerUnique(rows.map((r) => r.company));
  if (companyNames.length) {
    const companies = readRows(
      'companies',
      await manager.query('SELECT id, name, tags, abc_category AS abc, responsible_id FROM companies WHERE lower(name) = ANY($1::text[]) ORDER BY created_at', [
        companyNames,
      ]),
      { id: text, name: text, tags: textArray, abc: nullable(oneOf(ABC_CATEGORIES)), responsible_id: nullable(text) },
    );
    for (const c of companies) {
      const key = c.name.toLowerCase();
      if (!world.companies.has(key)) world.companies.set(key, { id: c.id, name: c.name, tags: c.tags, abc: c.abc, responsibleId: c.responsible_id });
    }
  }

  const companyIds = [...world.companies.values()].map((c) => c.id);
  const employeeNames = lowerUnique(rows.filter((r) => r.company).map((r) => r.contact));
  const standaloneNames = lowerUnique(rows.filter((r) => !r.company).map((r) => r.contact));
  const contactShape = { id: text, name: text, position: nullable(text), company_id: nullable(text), responsible_id: nullable(text), phones: textArray };
  const contacts: RowOf<typeof contactShape>[] = [];
  if (companyIds.length && employeeNames.length) {
    const employees: unknown = await manager.query(
      `SELECT id, name, position, company_id, responsible_id, '{}'::text[] AS phones FROM contacts
        WHERE company_id = ANY($1::uuid[]) AND lower(name) = ANY($2::text[]) ORDER BY created_at`,
      [companyIds, employeeNames],
    );
    contacts.push(...readRows('employees', employees, contactShape));
  }
  if (standaloneNames.length) {
    const standalone: unknown = await manager.query(
      `SELECT c.id, c.name, c.position, c.company_id, c.responsible_id, coalesce(array_agg(p.e164) FILTER (WHERE p.e164 IS NOT NULL), '{}') AS phones
         FROM contacts c LEFT JOIN phone_numbers p ON p.contact_id = c.id
        WHERE c.company_id IS NULL AND lower(c.name) = ANY($1::text[])
        GROUP BY c.id ORDER BY c.created_at`,
      [standaloneNames],
    );
    contacts.push(...readRows('standalone contacts', standalone, contactShape));
  }
  for (const c of contacts) {
    const key = contactKey(c.company_id, c.name);
    const known = { id: c.id, name: c.name, position: c.position, companyId: c.company_id, responsibleId: c.responsible_id, phones: new Set(c.phones) };
    world.contacts.set(key, [...(world.contacts.get(key) ?? []), known]);
  }

  const numbers = [...new Set(rows.flatMap((r) => [...r.companyPhones, ...r.contactPhones].map((p) => p.e164)))];
  if (numbers.length) {
    const phones = readRows('phone owners', await manager.query('SELECT e164, company_id, contact_id FROM phone_numbers WHERE e164 = ANY($1::text[])', [numbers]), {
      e164: text,
      company_id: nullable(text),
      contact_id: nullable(text),
    });
    // Owners' names for the conflict message: mostly the companies and contacts just loaded; the others looked up by id.
    const names = new Map<string, string>([...world.companies.values(), ...contacts].map((owner) => [owner.id, owner.name]));
    const unknown = (ids: (string | null)[]): string[] => [...new Set(ids.filter((id): id is string => id !== null && !names.has(id)))];
    for (const [table, ids] of [
      ['companies', unknown(phones.map((p) => p.company_id))],
      ['contacts', unknown(phones.map((p) => p.contact_id))],
    ] as const) {
      if (!ids.length) continue;
      const found = readRows(`${table} owning numbers`, await manager.query(`SELECT id, name FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]), { id: text, name: text });
      for (const owner of found) names.set(owner.id, owner.name);
    }
    for (const p of phones) {
      const owner = p.contact_id ? ownerLabel('contact', names.get(p.contact_id) ?? '?', p.contact_id) : ownerLabel('company', names.get(p.company_id ?? '') ?? '?', p.company_id ?? '?');
      world.phones.set(p.e164, { companyId: p.company_id, contactId: p.contact_id, owner });
    }
  }
  return world;
}

/** The chunk's writes in at most five statements (rows passed as one jsonb array each). */
async function applyWrites(manager: EntityManager, writes: PlannedWrites): Promise<void> {
  const json = (rows: unknown[]): string => JSON.stringify(rows);
  const companyRows = (map: Map<string, { id: string; name: string; tags: string[]; abc: string | null; responsibleId: string | null }>) =>
    [...map.values()].map((c) => ({ id: c.id, name: c.name, tags: c.tags, abc: c.abc, responsible_id: c.responsibleId }));
  const contactRows = (map: PlannedWrites['newContacts']) =>
    [...map.values()].map((c) => ({ id: c.id, name: c.name, position: c.position, company_id: c.companyId, responsible_id: c.responsibleId }));

  if (writes.newCompanies.size) {
    await manager.query(
      `INSERT INTO companies (id, name, tags, abc_category, responsible_id, created_at, updated_at)
       SELECT id, name, tags, abc, responsible_id, clock_timestamp(), clock_timestamp()
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, name text, tags text[], abc text, responsible_id uuid)`,
      [json(companyRows(writes.newCompanies))],
    );
  }
  if (writes.changedCompanies.size) {
    await manager.query(
      `UPDATE companies c SET tags = x.tags, abc_category = x.abc, responsible_id = x.responsible_id, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, tags text[], abc text, responsible_id uuid) WHERE c.id = x.id`,
      [json(companyRows(writes.changedCompanies))],
    );
  }
  if (writes.newContacts.size) {
    await manager.query(
      `INSERT INTO contacts (id, name, position, company_id, responsible_id, created_at, updated_at)
       SELECT id, name, position, company_id, responsible_id, clock_timestamp(), clock_timestamp()
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, name text, position text, company_id uuid, responsible_id uuid)`,
      [json(contactRows(writes.newContacts))],
    );
  }
  if (writes.changedContacts.size) {
    await manager.query(
      `UPDATE contacts c SET position = x.position, responsible_id = x.responsible_id, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, position text, responsible_id uuid) WHERE c.id = x.id`,
      [json(contactRows(writes.changedContacts))],
    );
  }
  if (writes.newPhones.length) {
    await manager.query(
      `INSERT INTO phone_numbers (e164, raw, company_id, contact_id)
       SELECT e164, raw, company_id, contact_id FROM jsonb_to_recordset($1::jsonb) AS x(e164 text, raw text, company_id uuid, contact_id uuid)`,
      [json(writes.newPhones.map((p) => ({ e164: p.e164, raw: p.raw, company_id: p.companyId, contact_id: p.contactId })))],
    );
  }
}
