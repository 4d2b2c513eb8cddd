import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  // The run's own throwaway cluster: stopped even when a suite left connections open (a pool it
  // never destroyed, e.g. after a failed beforeAll). Fast shutdown ends those sessions, so their
  // sockets close too; leaving it running kept jest from exiting after the run.
  await globalThis.__SWITCHBOARD_TEST_PG__?.stop({ evenWithClients: true });
  const dir = globalThis.__SWITCHBOARD_TEST_PG_DIR__;
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.password`, { force: true });
  }
}
