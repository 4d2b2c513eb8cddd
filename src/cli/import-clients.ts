import 'reflect-metadata';
import { createReadStream, existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { DomainError } from '../common/domain-error';
import { importClients, type ImportSummary } from '../crm/import/client-import';
import { runCli, UsageError, withDatabase } from './cli-database';

const USAGE = `usage: npm run import-clients -- <clients.csv | ->
  Imports companies, contacts and phones from a CSV (';' or ',' delimited, UTF-8 or Windows-1251).
  Columns: company, company_tags, abc, company_phones, contact, position, contact_phones (or phone), responsible_email.
  Prints the summary as JSON on stdout; progress goes to stderr. Exit code 1 when some rows were refused.`;

async function main(args: readonly string[]): Promise<number> {
  const files = args.filter((arg) => arg !== '--');
  if (files.length !== 1 || files[0] === '--help' || files[0] === '-h') throw new UsageError(USAGE);
  const file = files[0];
  if (file !== '-' && !existsSync(file)) throw new UsageError(`file not found: ${file}`);
  const input: Readable = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 64 * 1024 });

  return withDatabase('import-clients', async (dataSource, config) => {
    const started = Date.now();
    let summary: ImportSummary;
    try {
      summary = await importClients(dataSource, input, {
        region: config.DEFAULT_REGION,
        onProgress: (progress) =>
          process.stderr.write(`import-clients: ${progress.rows} rows, ${progress.imported} imported, ${progress.errorCount} refused (${Math.round((Date.now() - started) / 1000)} s)\n`),
      });
    } catch (error) {
      if (error instanceof DomainError) throw new UsageError(`${file}: ${error.message}`);
      throw error;
    }
    for (const problem of summary.errors) process.stderr.write(`import-clients: line ${problem.line}: ${problem.message}\n`);
    process.stderr.write(
      `import-clients: done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary.rows} rows, ${summary.imported} imported (${summary.unchanged} unchanged), ${summary.errorCount} refused\n`,
    );
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return summary.errorCount > 0 ? 1 : 0;
  });
}

if (require.main === module) runCli('import-clients', () => main(process.argv.slice(2)));
