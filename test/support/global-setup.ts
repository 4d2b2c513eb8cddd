import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres';
import { prepareTestDatabase } from './test-database';

declare global {
  // eslint-disable-next-line no-var
  var __SWITCHBOARD_TEST_PG__: EmbeddedDatabase | undefined;
}

/**
 * Tests run on a real PostgreSQL: DATABASE_URL when set (CI starts a throwaway cluster),
 * otherwise an embedded one. Migrations run once here; tests truncate between cases.
 */
export default async function globalSetup(): Promise<void> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    const server = await startEmbeddedPostgres({
      dir: join(tmpdir(), `switchboard-test-pg-${process.getuid?.() ?? 0}`),
      port: Number(process.env.TEST_PG_PORT ?? 54329),
      database: 'switchboard_test',
    });
    globalThis.__SWITCHBOARD_TEST_PG__ = server;
    url = server.url;
  }
  process.env.TEST_DATABASE_URL = url;
  await prepareTestDatabase(url);
}
