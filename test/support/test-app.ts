import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config';
import { testDatabaseUrl, truncateAll } from './test-database';
import { Factories } from './factories';
import { trackOpen } from './open-resources';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  dataSource: DataSource;
  http: ReturnType<typeof request>;
  factories: Factories;
  /** A bearer token for a new user of that role. */
  tokenFor(role: Parameters<Factories['user']>[0]['role'], extras?: Partial<Parameters<Factories['user']>[0]>): Promise<string>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Boots the real service on the test database (migrated by globalSetup), listening on a free port,
 * with a temporary DATA_DIR of its own that close() removes (unless the test gave DATA_DIR).
 * close() may be called more than once; an app a test file leaves open is closed when the file ends.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const ownDataDir = env.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'switchboard-test-')) : null;
  const removeDataDir = (): void => {
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  };
  let app: INestApplication;
  let config: AppConfig;
  try {
    config = loadConfig(
      {
        ...(ownDataDir ? { DATA_DIR: ownDataDir } : {}),
        JWT_SECRET: 'test-secret-test-secret-test-secret-42',
        ROUTING_TOKEN: 'test-routing-token-0123',
        LOG_LEVEL: 'warn',
        PORT: '3000',
        ...env,
      },
      '/nonexistent',
    );
    app = await createApp(config, testDatabaseUrl());
  } catch (error) {
    removeDataDir();
    throw error;
  }
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      untrack();
      try {
        await app.close();
      } finally {
        removeDataDir();
      }
    })());
  const untrack = trackOpen(`test app (DATA_DIR ${config.DATA_DIR})`, close);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await close();
    throw error;
  }
  const dataSource = app.get(DataSource);
  const factories = new Factories(dataSource);
  const http = request(app.getHttpServer());
  return {
    app,
    config,
    dataSource,
    http,
    factories,
    async tokenFor(role, extras = {}) {
      const password = 'password-123';
      const user = await factories.user({ role, password, ...extras });
      const response = await request(app.getHttpServer()).post('/api/auth/login').send({ email: user.email, password }).expect(200);
      return (response.body as { accessToken: string }).accessToken;
    },
    reset: () => truncateAll(dataSource),
    close,
  };
}
