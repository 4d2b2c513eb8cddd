import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { runMigrationsLocked } from '../../src/database/migrate';

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

/** Empties every table but the seeded pipeline stages. */
export async function truncateAll(dataSource: DataSource): Promise<void> {
  const tables = dataSource.entityMetadatas.map((meta) => `"${meta.tableName}"`).filter((name) => name !== '"pipeline_stages"');
  await dataSource.query(`TRUNCATE ${tables.join(', ')} CASCADE`);
}
