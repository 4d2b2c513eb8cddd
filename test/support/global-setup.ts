import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres';
import { freePort } from './own-database';
import { prepareTestDatabase } from './test-database';

declare global {
  // eslint-disable-next-line no-var
  var __SWITCHBOARD_TEST_PG__: EmbeddedDatabase | undefined;
  // eslint-disable-next-line no-var
  var __SWITCHBOARD_TEST_PG_DIR__: string | undefined;
}

/**
 * Tests run on a real PostgreSQL: DATABASE_URL when set (CI starts a throwaway cluster),
 * otherwise an embedded one. Migrations run once here; tests truncate between cases.
 */
export default async function globalSetup(): Promise<void> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    // A cluster of its own per run, so parallel runs on one machine never share a schema.
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-pg-'));
    const server = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'switchboard_test' });
    globalThis.__SWITCHBOARD_TEST_PG_DIR__ = dir;
    globalThis.__SWITCHBOARD_TEST_PG__ = server;
    url = server.url;
  }
  process.env.TEST_DATABASE_URL = url;
  await prepareTestDatabase(url);
}

