import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A DATA_DIR made by `npm run demo` carries this file. Its logins have a published password, so the
 * demo refuses a DATA_DIR without it that already holds a database (a real installation), and the
 * service warns when it is started on one.
 */
export const DEMO_MARKER = 'demo.json';
/** The pid and address of the demo running on a DATA_DIR, while it runs. */
export const DEMO_LOCK = 'demo.pid';

export function isDemoDataDir(dataDir: string): boolean {
  return existsSync(join(dataDir, DEMO_MARKER));
}

/** A database is there (the embedded cluster's files) that the demo did not create. */
export function holdsOtherDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, 'postgres', 'PG_VERSION')) && !isDemoDataDir(dataDir);
}

export function markDemoDataDir(dataDir: string): void {
  if (isDemoDataDir(dataDir)) return;
  const note = {
    madeBy: 'npm run demo',
    createdAt: new Date().toISOString(),
    note: 'A demo database: its logins use a published password. Never run the real service (npm start) on this DATA_DIR; delete the folder to start the demo over.',
  };
  writeFileSync(join(dataDir, DEMO_MARKER), `${JSON.stringify(note, null, 2)}\n`);
}

export interface DemoLockHolder {
  pid: number;
  url: string | null;
}

/**
 * Takes DATA_DIR/demo.pid for this process (created exclusively: of two demos started at once on
 * one DATA_DIR, one wins). A lock left by a demo that is gone (killed) is taken over. Returns the
 * holder instead when another live process has it.
 */
export function takeDemoLock(dataDir: string, url: string): { release(): void } | { heldBy: DemoLockHolder } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, DEMO_LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeFileSync(fd, `${process.pid}\n${url}\n`);
      closeSync(fd);
      return {
        release: () => {
          if (lockHolder(file)?.pid === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(file);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) return { heldBy: holder };
      rmSync(file, { force: true }); // stale: that demo is gone
    }
  }
  throw new Error(`cannot take ${file}: another demo keeps creating it`);
}

function lockHolder(file: string): DemoLockHolder | null {
  try {
    const [pidLine, url] = readFileSync(file, 'utf8').split('\n');
    const pid = Number.parseInt(pidLine ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? { pid, url: url?.trim() || null } : null;
  } catch {
    return null;
  }
}

/** The process lives and (where /proc tells) is a demo, not another program that got the pid since. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('demo');
  } catch {
    return true; // no /proc: trust the signal check
  }
}
