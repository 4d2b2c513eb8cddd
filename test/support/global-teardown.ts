import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__SWITCHBOARD_TEST_PG__?.stop();
  const dir = globalThis.__SWITCHBOARD_TEST_PG_DIR__;
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.password`, { force: true });
  }
}
