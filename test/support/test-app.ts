import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config';
import { testDatabaseUrl, truncateAll } from './test-database';
import { Factories } from './factories';

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

/** Boots the real service on the test database (migrated by globalSetup), listening on a free port. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig(
    {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-test-')),
      JWT_SECRET: 'test-secret-test-secret-test-secret-42',
      ROUTING_TOKEN: 'test-routing-token-0123',
      LOG_LEVEL: 'warn',
      PORT: '3000',
      ...env,
    },
    '/nonexistent',
  );
  const app = await createApp(config, testDatabaseUrl());
  await app.listen(0, '127.0.0.1');
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
    close: () => app.close(),
  };
}
