import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../src/common/ports';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * A throwaway database for one bench run: a new database on DATABASE_URL's server when it is set
 * (dropped afterwards), else an embedded PostgreSQL in a temporary directory.
 */
export async function benchDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `switchboard_bench_${label}_${process.pid}`;
    const admin = new Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async drop() {
        const again = new Client({ connectionString: base });
        await again.connect();
        await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await again.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-pg-'));
  const port = await freePort();
  process.stderr.write(`bench: starting an embedded PostgreSQL in ${dir} (port ${port})\n`);
  const embedded = await startEmbeddedPostgres({ dir, port, database: 'switchboard_bench' });
  return {
    url: embedded.url,
    async drop() {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
