import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs a named prepared statement on TypeORM's own pg pool. Hot paths (route, caller card)
 * use this: TypeORM's query() sends unprepared SQL that Postgres plans on every call.
 */
export async function preparedQuery<R extends QueryResultRow>(
  dataSource: DataSource,
  statement: { name: string; text: string },
  values: unknown[],
): Promise<R[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query<R>({ name: statement.name, text: statement.text, values });
  return result.rows;
}
