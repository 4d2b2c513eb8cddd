import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { runMigrationsLocked } from '../../src/database/migrate';
import { readRows, text } from '../../src/common/sql-rows';

/** Runs once before all tests: a clean schema, migrated. */
export async function prepareTestDatabase(url: string): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    await dataSource.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: tests must run through jest (globalSetup)');
  return url;
}

/** What stays as the migrations left it: TypeORM's log of them and the pipeline stages they seed. */
const KEPT_TABLES = ['migrations', 'pipeline_stages'];

/**
 * Empties every application table (read from the database, so a table added by a migration is
 * never forgotten) and restarts their sequences. The one way tests clear data: seed again after it.
 */
export async function truncateAll(dataSource: DataSource): Promise<void> {
  const tables = readRows(
    'application tables',
    await dataSource.query(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND NOT (tablename = ANY($1::text[])) ORDER BY tablename`, [KEPT_TABLES]),
    { name: text },
  );
  await dataSource.query(`TRUNCATE ${tables.map((table) => table.name).join(', ')} RESTART IDENTITY CASCADE`);
}
