import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-paths';
import { createTestApp, type TestApp } from '../support/test-app';

describe('health and auth basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(() => t.reset());

  it('GET /health reports the database and the AMI link', async () => {
    const response = await t.http.get('/health').expect(200);
    expect(response.body).toEqual({
      status: 'ok',
      database: 'up',
      ami: { state: 'disabled' },
      calls: { buffered: 0, onDiskOnly: 0, retryingAlone: [], writesFailing: null, deadLetter: { count: 0, linkedids: [] } },
    });
    await t.http.get('/health/live').expect(200);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toContain('calls_buffered');
    expect(metrics.text).toContain('calls_dead_letter');
  });

  it('serves the OpenAPI document', async () => {
    const response = await t.http.get('/api/docs-json').expect(200);
    expect(Object.keys(response.body.paths as object)).toContain('/api/auth/login');
    expect(response.body.info.version).toBe((JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version);
  });
});
