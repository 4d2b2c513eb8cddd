import { join } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { resolveJwtSecret } from './auth/jwt-secret';
import { UsersService } from './auth/users/users.service';
import { appLogger } from './common/json-logger';
import { packageVersion } from './common/project-paths';
import { useJsonBodies } from './common/request-body';
import { EmptyPatchInterceptor, validationPipe } from './common/validation';
import { DualSocketAdapter } from './realtime/dual-socket.adapter';
import type { AppConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';
import { runMigrationsLocked } from './database/migrate';

export interface ResolvedDatabase {
  url: string;
  embedded: EmbeddedDatabase | null;
  /** One line for the log: which database, and whether it was started here. */
  description: string;
}

/**
 * The database the service uses: DATABASE_URL, or the embedded PostgreSQL under DATA_DIR/postgres
 * (started, or reused when it already runs there — the service's own, seen from a CLI).
 * `cli`: never stop a postgres this process did not start, and (unless `create`) never create an empty cluster.
 */
export async function resolveDatabase(config: AppConfig, logger: Logger, options: { cli?: boolean; create?: boolean } = {}): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: null, description: `${redactedUrl(config.DATABASE_URL)} (DATABASE_URL)` };
  const dir = join(config.dataDir, 'postgres');
  if (!options.cli) logger.log(`DATABASE_URL is unset: embedded PostgreSQL in ${dir} (port ${config.EMBEDDED_PG_PORT} unless it already runs)`);
  const embedded = await startEmbeddedPostgres({
    dir,
    port: config.EMBEDDED_PG_PORT,
    database: 'switchboard',
    log: (line) => logger.debug(line),
    adopt: !options.cli,
    create: options.create ?? !options.cli,
    // The service stops postgres itself, after closing (main.ts, the demo); a CLI leaves it to the package.
    callerStopsOnSignals: !options.cli,
  });
  const how = embedded.startedHere
    ? `started by this process on port ${embedded.port}`
    : `already running (pid ${embedded.pid ?? '?'}, port ${embedded.port})${options.cli ? ', left running' : ''}`;
  return { url: embedded.url, embedded, description: `embedded PostgreSQL in ${dir}, ${how}` };
}

/** postgres://user@host:port/db — the URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'postgres://… (unparsable URL)';
  }
}

/** Builds the whole service (not listening yet): database, migrations, first admin, docs. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ config, databaseUrl, jwtSecret: resolveJwtSecret(config) }),
    { logger: appLogger(config.logFormat, config.LOG_LEVEL), abortOnError: false, bodyParser: false },
  );
  useJsonBodies(app, config.JSON_BODY_LIMIT_KB * 1024);
  app.set('trust proxy', config.trustProxy);
  app.useGlobalPipes(validationPipe());
  app.useGlobalInterceptors(new EmptyPatchInterceptor());
  app.useWebSocketAdapter(new DualSocketAdapter(app));

  const logger = new Logger('Bootstrap');
  const applied = await runMigrationsLocked(app.get(DataSource));
  if (applied.length > 0) logger.log(`migrations applied: ${applied.join(', ')}`);

  const users = app.get(UsersService);
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await users.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
  else if ((await users.countAdmins()) === 0) {
    logger.warn('no admin user yet: set ADMIN_EMAIL and ADMIN_PASSWORD (or run `npm run seed -- --demo`) and restart');
  }

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('switchboard').setDescription('Calls, routing, leads and caller cards for Asterisk').setVersion(packageVersion()).addBearerAuth().build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  return app;
}
