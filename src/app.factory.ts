import { join } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { resolveJwtSecret } from './auth/jwt-secret';
import { UsersService } from './auth/users/users.service';
import { appLogger } from './common/json-logger';
import { packageVersion } from './common/project-paths';
import { validationPipe } from './common/validation';
import { DualSocketAdapter } from './realtime/dual-socket.adapter';
import type { AppConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';
import { runMigrationsLocked } from './database/migrate';

/** The database the service uses: DATABASE_URL, or an embedded PostgreSQL under DATA_DIR/postgres. */
export async function resolveDatabase(config: AppConfig, logger: Logger): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: null };
  const dir = join(config.dataDir, 'postgres');
  logger.log(`DATABASE_URL is unset: starting embedded PostgreSQL in ${dir} on port ${config.EMBEDDED_PG_PORT}`);
  const embedded = await startEmbeddedPostgres({
    dir,
    port: config.EMBEDDED_PG_PORT,
    database: 'switchboard',
    log: (line) => logger.debug(line),
  });
  return { url: embedded.url, embedded };
}

/** Builds the whole service (not listening yet): database, migrations, first admin, docs. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<INestApplication> {
  const app = await NestFactory.create(
    AppModule.register({ config, databaseUrl, jwtSecret: resolveJwtSecret(config) }),
    { logger: appLogger(config.logFormat, config.LOG_LEVEL), abortOnError: false },
  );
  app.useGlobalPipes(validationPipe());
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
