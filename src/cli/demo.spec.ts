import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_LOCK, holdsOtherDatabase, isDemoDataDir, markDemoDataDir, takeDemoLock } from '../common/demo-data-dir';
import { transcript, LAB_DIRECTORY_FILE } from '../../test/support/fixtures';
import { loadDemoConfig } from '../config';
import { DEMO_RECORDINGS, demoSettings, parseDemoArgs, type DemoArgs } from './demo';

const DEFAULTS: DemoArgs = { port: 3000, host: '127.0.0.1', dataDir: './data-demo', speed: 1, password: null };

describe('npm run demo: arguments', () => {
  it.each([
    [[], DEFAULTS],
    [['--', '--port', '3100', '--data-dir=/srv/demo'], { ...DEFAULTS, port: 3100, dataDir: '/srv/demo' }],
    [['--host', '0.0.0.0', '--speed', '2', '--password', 'long-enough'], { ...DEFAULTS, host: '0.0.0.0', speed: 2, password: 'long-enough' }],
  ])('%j', (args, expected) => {
    expect(parseDemoArgs(args)).toEqual(expected);
  });

  it.each([
    [['--port', '0'], '--port must be 1…65535, not 0'],
    [['--speed', '0'], '--speed must be a number > 0 (1 = real time), not 0'],
    [['--password', 'short'], '--password must be at least 8 characters'],
    [['--data-dir'], '--data-dir needs a value'],
    [['--bogus', '1'], 'unknown option --bogus'],
    [['recording.ami'], 'unexpected argument recording.ami'],
  ])('refuses %j', (args, message) => {
    expect(parseDemoArgs(args)).toBe(message);
  });
});

describe('npm run demo: settings', () => {
  const run = { args: DEFAULTS, dataDir: '/tmp/demo', pgPort: 40001, amiPort: 40002, amiSecret: 'secret-of-this-run', routingToken: 'token-of-this-run-0123' };

  it('are its own: embedded database, the simulated PBX with this run\'s secret, the lab\'s step variable; nothing from a real installation', () => {
    const config = loadDemoConfig(demoSettings(run), {
      DATABASE_URL: 'postgres://real@db/production',
      AMI_HOST: '10.0.0.5',
      AMI_SECRET: 'the real secret',
      ROUTING_TOKEN: 'the-real-routing-token',
      CONFIG_FILE: LAB_DIRECTORY_FILE,
      TIMEZONE: 'Asia/Yekaterinburg',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      DATABASE_URL: undefined,
      DATA_DIR: '/tmp/demo',
      EMBEDDED_PG_PORT: 40001,
      AMI_HOST: '127.0.0.1',
      AMI_PORT: 40002,
      AMI_SECRET: 'secret-of-this-run',
      ROUTING_TOKEN: 'token-of-this-run-0123',
      STEP_VARIABLE: 'ESC_STEP',
      STEP_ALIASES: 'sales_group=department',
      HOST: '127.0.0.1',
      // taken from the environment: how times and logs look
      TIMEZONE: 'Asia/Yekaterinburg',
      LOG_LEVEL: 'debug',
    });
    expect(config.stepAliases).toEqual({ sales_group: 'department' });
  });

  it('logs warnings only unless LOG_LEVEL says otherwise', () => {
    expect(loadDemoConfig(demoSettings(run), {}).LOG_LEVEL).toBe('warn');
  });

  it('plays recordings the repository carries, marked with the lab\'s ESC_STEP', () => {
    for (const recording of DEMO_RECORDINGS) {
      const text = readFileSync(transcript(recording.file), 'latin1');
      expect(text.startsWith('Asterisk Call Manager/')).toBe(true);
      if (recording.file !== 'f_click_to_call.ami') expect(text).toContain('Variable: ESC_STEP');
    }
  });
});

describe('the demo\'s DATA_DIR', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-demo-dir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a database the demo did not make is not the demo\'s; one it marked is', () => {
    mkdirSync(join(dir, 'postgres'));
    writeFileSync(join(dir, 'postgres', 'PG_VERSION'), '15\n');
    expect(holdsOtherDatabase(dir)).toBe(true);
    markDemoDataDir(dir);
    expect(isDemoDataDir(dir)).toBe(true);
    expect(holdsOtherDatabase(dir)).toBe(false);
  });

  it('one demo at a time: the lock names the holder; released, it is free again', () => {
    const first = takeDemoLock(dir, 'http://127.0.0.1:3000');
    if (!('release' in first)) throw new Error('the first demo should get the lock');
    expect(readFileSync(join(dir, DEMO_LOCK), 'utf8')).toBe(`${process.pid}\nhttp://127.0.0.1:3000\n`);
    first.release();
    expect(existsSync(join(dir, DEMO_LOCK))).toBe(false);
  });

  it('a lock held by a live demo process is refused; one left by a demo that is gone is taken over', async () => {
    // A live process whose command line says demo (as `node dist/src/cli/demo.js` does).
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'demo'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, DEMO_LOCK), `${holder.pid}\nhttp://127.0.0.1:3001\n`);
      expect(takeDemoLock(dir, 'http://127.0.0.1:3002')).toEqual({ heldBy: { pid: holder.pid, url: 'http://127.0.0.1:3001' } });
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    const taken = takeDemoLock(dir, 'http://127.0.0.1:3002');
    expect('release' in taken).toBe(true);
    expect(readFileSync(join(dir, DEMO_LOCK), 'utf8')).toContain(`${process.pid}\n`);
  });
});
