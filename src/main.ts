import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { createApp, resolveDatabase } from './app.factory';
import { isDemoDataDir } from './common/demo-data-dir';
import { appLogger } from './common/json-logger';
import { ProcessGuard } from './common/process-guard';
import { ConfigError, loadConfig } from './config';
import { MetricsService } from './metrics/metrics.service';

async function main(): Promise<void> {
  const logger = new Logger('Main');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  Logger.overrideLogger(appLogger(config.logFormat, config.LOG_LEVEL));
  // From here on nothing that escapes (an unhandled rejection, an 'error' event nobody listens to)
  // stops the service: it is logged with its stack and counted.
  const guard = new ProcessGuard().install();
  if (!config.DATABASE_URL && isDemoDataDir(config.dataDir)) {
    logger.warn(`DATA_DIR ${config.dataDir} was made by npm run demo: its logins have a published password. Use another DATA_DIR for real work`);
  }
  const database = await resolveDatabase(config, logger);
  logger.log(`database: ${database.description}`);
  let app: INestApplication | null = null;
  const stop = async (signal: string): Promise<void> => {
    // Graceful: stop consuming AMI and release the AMI lock (a second instance takes over at once),
    // write the finalized calls still queued, close sockets and the database pool — then the
    // embedded PostgreSQL, last (its package's own signal handlers, which stopped it first, are off).
    logger.log(`${signal}: shutting down`);
    await app?.close();
    await database.embedded?.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop(signal));
  app = await createApp(config, database.url);
  const metrics = app.get(MetricsService);
  guard.countInto((kind) => metrics.escapedErrors.inc({ kind }));
  if (config.HOST) await app.listen(config.PORT, config.HOST);
  else await app.listen(config.PORT);
  logger.log(`switchboard listening on http://${config.HOST ?? 'localhost'}:${config.PORT}${config.HOST ? '' : ' (every interface)'} (API docs at /api/docs)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`switchboard failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
