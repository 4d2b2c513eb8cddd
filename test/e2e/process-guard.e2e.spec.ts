/**
 * The process-wide last resort, on a real service process (node + ts-register running
 * src/main.ts on the test database, JSON logs), so that an escape could really kill it:
 * - a real path: clients that reset WebSocket upgrades to paths other than /ws while the service
 *   refuses them (Node drops its own 'error' listener from upgraded sockets; on main one such
 *   client stopped the service with "Unhandled 'error' event ... ECONNRESET");
 * - the guard itself: test/support/escape-trigger.js (preloaded only here, never shipped) makes a
 *   rejection, a timer exception and an unlistened 'error' event escape; each is logged with its
 *   stack as one JSON line, counted in /metrics, and the service keeps answering.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-paths';
import { LiveService } from '../live/support/live-service';
import { until } from '../support/until';
import { freePort } from '../support/own-database';
import { testDatabaseUrl } from '../support/test-database';

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, text: await response.text() };
}

/** A WebSocket upgrade to `path`, reset (RST) by the client right after sending it. */
function resetUpgrade(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      socket.resetAndDestroy();
      resolve();
    });
    socket.on('error', () => resolve());
  });
}

describe('process guard: a real service process survives what escapes', () => {
  let service: LiveService;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    service = new LiveService(
      port,
      { DATABASE_URL: testDatabaseUrl(), JWT_SECRET: 'test-secret-test-secret-test-secret-42' },
      { preload: [join(projectRoot(), 'test/support/escape-trigger.js')], ami: false },
    );
    await service.start();
  });

  afterAll(async () => {
    await service.stop();
  });

  const guardLines = () => service.logs.filter((line) => line.context === 'ProcessGuard');
  const escapedMetric = async (kind: string): Promise<number> => {
    const metrics = await get(port, '/metrics');
    const match = new RegExp(`^process_escaped_errors_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(metrics.text);
    return match ? Number(match[1]) : Number.NaN;
  };

  it('100 clients resetting refused WebSocket upgrades do not stop it (each socket has an error listener)', async () => {
    for (let i = 0; i < 50; i++) {
      await resetUpgrade(port, '/no-such-endpoint');
      await resetUpgrade(port, `/ws-not-here/${i}`);
    }
    // Give the server time to write its refusals into the reset sockets.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(service.exit).toBeNull();
    expect((await get(port, '/health/live')).status).toBe(200);
    expect((await get(port, '/health')).status).toBe(200);
    // Handled at the socket, not by the last resort.
    expect(guardLines()).toEqual([]);
    expect(await escapedMetric('uncaught_exception')).toBe(0);
  });

  it('a rejection, a timer exception and an unlistened error event escape: each is logged with its stack and counted, the service keeps answering', async () => {
    service.signal('SIGUSR2');
    await until('four escapes logged', () => guardLines().length >= 4, 10_000);
    const lines = guardLines();
    expect(lines.map((line) => line.level)).toEqual(['error', 'error', 'error', 'error']);
    expect(lines.map((line) => line.msg)).toEqual([
      'unhandled promise rejection, service kept running: Error: escape-trigger: a rejection nobody handles',
      'uncaught exception, service kept running: Error: escape-trigger: an exception thrown from a timer',
      'uncaught exception, service kept running: Error: escape-trigger: an error event nobody listens to',
      'unhandled promise rejection, service kept running: escape-trigger: a rejection with a string (not an Error: no stack)',
    ]);
    for (const line of lines.slice(0, 3)) expect(line.stack).toMatch(/escape-trigger\.js:\d+/);
    expect(service.exit).toBeNull();
    expect((await get(port, '/health/live')).status).toBe(200);
    expect((await get(port, '/health')).status).toBe(200);
    expect(await escapedMetric('unhandled_rejection')).toBe(2);
    expect(await escapedMetric('uncaught_exception')).toBe(2);
  });

  it('still shuts down cleanly on SIGTERM afterwards', async () => {
    await service.stop();
    expect(service.exit).toEqual({ code: 0, signal: null });
    expect(service.logs.some((line) => /SIGTERM: shutting down/.test(line.msg))).toBe(true);
  });
});
