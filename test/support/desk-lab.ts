import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { AmiSimulator } from '../../src/simulator/ami-simulator';
import { launchChromium } from './browser';
import { amiEnv, gatedAmi, seedLab, type SeededLab } from './lab';
import { testDatabaseUrl, truncateAll } from './test-database';
import { createTestApp, type TestApp } from './test-app';

type SimulatorOptions = ConstructorParameters<typeof AmiSimulator>[0];

export interface DeskLab {
  /** The lab's people and known callers, seeded before the file's tests. */
  lab(): SeededLab;
  browser(): Browser;
  /**
   * The service on a replay server of `options`, held behind a gate until `open()`: the desks log
   * in first, then the recorded calls flow. `app` is closed after the file (or by `stopApp`).
   */
  replay(options: SimulatorOptions): Promise<{ app: TestApp; url: string; open(): void }>;
  /** Closes the service now (the desks go offline). */
  stopApp(): Promise<void>;
}

/** The browser tests' lab: seeded people and callers, Chromium, and the service fed by the replay server; all closed after the file. */
export function deskLab(): DeskLab {
  let seedSource: DataSource;
  let lab: SeededLab;
  let browser: Browser;
  let app: TestApp | null = null;
  let server: { port: number; close(): Promise<void> } | null = null;
  let gate: Awaited<ReturnType<typeof gatedAmi>> | null = null;

  beforeAll(async () => {
    seedSource = new DataSource(dataSourceOptions(testDatabaseUrl()));
    await seedSource.initialize();
    lab = await seedLab(seedSource);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await gate?.close();
    await server?.close();
    await truncateAll(seedSource);
    await seedSource.destroy();
  });

  return {
    lab: () => lab,
    browser: () => browser,
    async replay(options) {
      server = await new AmiSimulator(options).listen(0);
      gate = await gatedAmi(server.port);
      const started = await createTestApp(amiEnv(gate.port));
      app = started;
      const opened = gate;
      return { app: started, url: await started.app.getUrl(), open: () => opened.open() };
    },
    async stopApp() {
      await app?.close();
      app = null;
    },
  };
}
