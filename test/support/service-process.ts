import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './own-database';

const ROOT = join(__dirname, '../..');

export interface JsonLogLine {
  level: string;
  context?: string;
  msg: string;
  linkedid?: string;
}

export interface ServiceProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  /** Its log, one JSON object per line (LOG_FORMAT=json). */
  logs: JsonLogLine[];
  /** Base URL of its HTTP port. */
  url: string;
  /** Resolves with the exit code (or the signal that killed it). */
  exited: Promise<number | string>;
  /** Sends a signal and waits for the exit. */
  stop(signal: NodeJS.Signals): Promise<number | string>;
}

/**
 * A real service process (node + test/support/ts-register.js running src/main.ts): something a
 * test can really kill (SIGKILL: no shutdown hooks, sockets dropped by the kernel) or stop
 * (SIGTERM: the graceful path). `env` is the service's whole environment besides PATH.
 */
export async function startServiceProcess(env: Record<string, string>, nodeOptions: string[] = []): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeOptions, '-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    stdio: 'pipe',
    env: {
      PATH: process.env.PATH ?? '',
      CONFIG_FILE: '/nonexistent/switchboard.json',
      PORT: String(port),
      JWT_SECRET: 'test-secret-test-secret-test-secret-42',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'log',
      ...env,
    },
  });
  const logs: JsonLogLine[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        logs.push(JSON.parse(line) as JsonLogLine);
      } catch {
        // a line that is not ours
      }
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  void exited.then((how) => {
    if (how !== 0 && how !== 'SIGKILL' && stderr.trim() !== '') process.stderr.write(`service process exited (${how}): ${stderr}\n`);
  });
  return {
    child,
    port,
    logs,
    url: `http://127.0.0.1:${port}`,
    exited,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
