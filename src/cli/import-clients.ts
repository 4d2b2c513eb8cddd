import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { countClientRows, importClients, openClientCsv, type ClientCsv } from '../crm/import/client-import';
import { saveStream } from '../crm/import/save-stream';
import { encodingLabel } from '../crm/import/text-lines';
import { runCli, UsageError, withDatabase } from './cli-database';
import { ProgressReporter } from './progress';

const NAME = 'import-clients';
const USAGE = `usage: npm run import-clients -- <clients.csv | ->
  Imports companies, contacts and phones from a CSV (';', ',' or tab delimited; UTF-8 with or without BOM,
  Windows-1251, UTF-16 with BOM). Columns: company, company_tags, abc, company_phones, contact, position,
  contact_phones (or phone), responsible_email (English or Russian headers).
  Uses the service's database (same config file and DATA_DIR, or DATABASE_URL) and leaves a running service alone.
  Progress and the rows with errors go to stderr; the report as JSON to stdout. Exit code 1 when some rows were refused.`;

const say = (line: string): boolean => process.stderr.write(`${NAME}: ${line}\n`);

async function open(path: string, shown: string): Promise<ClientCsv> {
  try {
    return await openClientCsv(path);
  } catch (error) {
    if (error instanceof DomainError) throw new UsageError(`${shown}: ${error.message}`);
    throw error;
  }
}

async function main(args: readonly string[]): Promise<number> {
  const files = args.filter((arg) => arg !== '--');
  if (files.length !== 1 || files[0] === '--help' || files[0] === '-h') throw new UsageError(USAGE);
  const file = files[0];
  if (file !== '-' && !existsSync(file)) throw new UsageError(`file not found: ${file}`);

  // stdin is read once into a temporary file: the encoding is decided on the whole file, then it is read again.
  const spool = file === '-' ? await mkdtemp(join(tmpdir(), 'switchboard-import-')) : null;
  try {
    let path = file;
    if (spool) {
      path = join(spool, 'stdin.csv');
      const saved = await saveStream(process.stdin, path, Number.MAX_SAFE_INTEGER);
      if (!saved.ok) throw new UsageError(`stdin: ${saved.reason === 'cut_off' ? saved.message : 'too large'}`);
    }
    const csv = await open(path, file);
    return await withDatabase(NAME, async (dataSource, config) => {
      say(`${file}: ${csv.file.bytes} bytes, ${encodingLabel(csv.file.encoding)}, delimiter ${JSON.stringify(csv.file.delimiter)}; counting rows…`);
      const started = Date.now();
      const total = await countClientRows(csv);
      const progress = new ProgressReporter(process.stderr, NAME, total);
      const summary = await importClients(dataSource, csv, {
        region: config.DEFAULT_REGION,
        onProgress: (s) => progress.update(s.rows, s.errorCount),
      });
      progress.finish(summary.rows, summary.errorCount);
      for (const problem of summary.errors) say(`line ${problem.line}: ${problem.message}`);
      if (summary.errorCount > summary.errors.length) say(`… and ${summary.errorCount - summary.errors.length} more rows with errors`);
      say(
        `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary.rows} rows, ${summary.imported} imported ` +
          `(companies ${summary.companiesCreated} created / ${summary.companiesUpdated} updated, contacts ${summary.contactsCreated} / ${summary.contactsUpdated}, ` +
          `${summary.phonesAdded} phones added, ${summary.unchanged} unchanged), ${summary.errorCount} refused`,
      );
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return summary.errorCount > 0 ? 1 : 0;
    });
  } finally {
    if (spool) await rm(spool, { recursive: true, force: true });
  }
}

if (require.main === module) runCli(NAME, () => main(process.argv.slice(2)));
