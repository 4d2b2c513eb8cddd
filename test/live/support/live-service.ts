/**
 * The real service as its own process (`node src/main.ts`, transpiled on the fly like
 * test/e2e/two-instances does), so a live test can stop it (down), SIGSTOP it (hung) or kill -9
 * it, exactly as happens to a production service. Logs are JSON lines, kept for assertions.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../src/common/project-paths';

const ROOT = projectRoot();

export interface JsonLine {
  level: string;
  context?: string;
  msg: string;
  linkedid?: string;
  [key: string]: unknown;
}

export class LiveService {
  readonly logs: JsonLine[] = [];
  private child: ChildProcessWithoutNullStreams | null = null;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'switchboard-live-service-'));

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    /** `preload`: extra `node -r` modules (test-only hooks); `ami: false`: ready once /health is 200, no PBX needed. */
    private readonly options: { preload?: string[]; ami?: boolean } = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null;
  }

  /** Starts the process and waits until /health answers and the AMI link is up (or only /health with `ami: false`). */
  async start(): Promise<void> {
    if (this.running) return;
    const preload = [join(ROOT, 'test/support/ts-register.js'), ...(this.options.preload ?? [])].flatMap((module) => ['-r', module]);
    const child = spawn(process.execPath, [...preload, join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      stdio: 'pipe',
      env: {
        PATH: process.env.PATH ?? '',
        CONFIG_FILE: '/nonexistent/switchboard.json',
        DATA_DIR: this.dataDir,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'log',
        ...this.env,
      },
    });
    this.child = child;
    this.exited = null;
    child.once('exit', (code, signal) => (this.exited = { code, signal }));
    let partial = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          this.logs.push(JSON.parse(line) as JsonLine);
        } catch {
          // a line cut by the pipe: ignore
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}) at start: ${stderr}`);
      const health = await fetch(`${this.url}/health`)
        .then(async (response) => ({ httpStatus: response.status, ...((await response.json()) as { ami?: { state?: string; leader?: boolean } }) }))
        .catch(() => null);
      if (this.options.ami === false ? health?.httpStatus === 200 : health?.ami?.state === 'connected' && health.ami.leader) return;
      if (Date.now() > deadline) throw new Error(`the service did not come up with AMI connected in 60 s: ${JSON.stringify(health)} ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Stops it as an admin would (SIGTERM) and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    if (child.signalCode === null) child.kill('SIGCONT');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  /** Sends the process a signal (SIGUSR2 for a test-only hook, SIGKILL for a crash). */
  signal(name: NodeJS.Signals): void {
    this.child?.kill(name);
  }

  /** How the last process exited, once it has (null while it runs). */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.exited;
  }

  /** The process hangs: alive, its sockets open, answering nothing. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async login(email: string, password: string): Promise<string> {
    const response = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) throw new Error(`login ${email}: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { accessToken: string }).accessToken;
  }

  /** A JSON request with a bearer token; returns status and parsed body. */
  async api<T = unknown>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // text body
    }
    return { status: response.status, body: parsed as T };
  }
}
