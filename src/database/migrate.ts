import type { DataSource } from 'typeorm';

/** Any fixed number: every switchboard process takes this lock before migrating. */
const MIGRATION_LOCK_KEY = 727_001;

/**
 * Runs pending migrations under a Postgres advisory lock, so two instances starting at once
 * never migrate concurrently. Returns the names of the migrations applied.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
