/**
 * bench:popup — how fast a caller card reaches the desks. 500 desks connected (socket.io and
 * plain /ws, a mix of the lab's people, supervisors watching every call and idle colleagues);
 * the recorded 20-call burst is replayed over AMI (IDs rewritten per repetition); each desk
 * notes, for every `call.ringing` it receives, the time from the AMI event's arrival at the
 * service (`receivedAtMs`, stamped when the AMI client hands the event over) to the card's
 * receipt in the client. Clients run in a worker thread, the service in the main thread.
 *
 * Usage: npm run bench:popup [-- --desks 500 --watchers 14 --ws-every 5 --repeat 1 --speed 4 --timeout 120]
 *   --speed 0 = the whole burst as fast as the socket takes it; 1 = real time; 4 = four times faster.
 * Database: DATABASE_URL (a throwaway database is created in it and dropped after), else an
 * embedded PostgreSQL in a temporary directory. Everything is bounded by --timeout.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { runMigrationsLocked } from '../src/database/migrate';
import type { CallRingingEvent } from '../src/realtime/client-events';
import { gatedAmi } from './ami-gate';
import { benchDatabase } from './bench-database';
import { RealtimeService } from '../src/realtime/realtime.service';
import { CallTrackerService } from '../src/telephony/calls/call-tracker.service';
import { parseDirectory } from '../src/telephony/calls/directory';
import { AmiSimulator } from '../src/simulator/ami-simulator';
import { AMI_RECORDINGS_DIR } from '../src/common/project-paths';

interface Args {
  desks: number;
  watchers: number;
  wsEvery: number;
  repeat: number;
  speed: number;
  timeoutS: number;
}

interface DeskSpec {
  token: string;
  kind: 'io' | 'ws';
  scope: 'own' | 'all';
  role: 'ringing' | 'watcher' | 'idle';
}

interface Receipt {
  linkedid: string;
  role: DeskSpec['role'];
  kind: DeskSpec['kind'];
  latencyMs: number;
}

type ToWorker = { type: 'report' } | { type: 'close' };
type FromWorker = { type: 'ready'; connected: number; failed: number; ms: number } | { type: 'report'; receipts: Receipt[] } | { type: 'closed' };


const nowMs = (): number => performance.timeOrigin + performance.now();


function parseArgs(argv: readonly string[]): Args {
  const args: Args = { desks: 500, watchers: 14, wsEvery: 5, repeat: 1, speed: 4, timeoutS: 120 };
  const names: Record<string, keyof Args> = {
    '--desks': 'desks',
    '--watchers': 'watchers',
    '--ws-every': 'wsEvery',
    '--repeat': 'repeat',
    '--speed': 'speed',
    '--timeout': 'timeoutS',
  };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isFinite(value) || value < 0) throw new Error(`usage: bench:popup [--desks N] [--watchers N] [--ws-every N] [--repeat N] [--speed X] [--timeout S]; bad ${argv[i]}`);
    args[key] = value;
    i++;
  }
  return args;
}

// ------------------------------------------------------------------------------------ the desks

async function runDesks(url: string, specs: DeskSpec[]): Promise<void> {
  const { io } = await import('socket.io-client');
  const { WebSocket } = await import('ws');
  const port = parentPort;
  if (!port) return;
  const receipts: Receipt[] = [];
  const closers: (() => void)[] = [];
  let failed = 0;
  const started = nowMs();
  const onRinging = (spec: DeskSpec, data: CallRingingEvent): void => {
    receipts.push({ linkedid: data.linkedid, role: spec.role, kind: spec.kind, latencyMs: nowMs() - data.receivedAtMs });
  };
  const connectOne = (spec: DeskSpec): Promise<void> =>
    new Promise((resolve) => {
      const done = (ok: boolean): void => {
        if (!ok) failed++;
        resolve();
      };
      if (spec.kind === 'io') {
        const socket = io(url, { auth: { token: spec.token, scope: spec.scope }, transports: ['websocket'], reconnection: false, forceNew: true });
        socket.on('call.ringing', (data: CallRingingEvent) => onRinging(spec, data));
        socket.once('desk.snapshot', () => done(true));
        socket.once('connect_error', () => done(false));
        closers.push(() => socket.disconnect());
      } else {
        const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(spec.token)}${spec.scope === 'all' ? '&scope=all' : ''}`);
        let ready = false;
        socket.on('message', (raw) => {
          const frame = JSON.parse(String(raw)) as { event: string; data: unknown };
          if (frame.event === 'call.ringing') onRinging(spec, frame.data as CallRingingEvent);
          else if (frame.event === 'desk.snapshot' && !ready) {
            ready = true;
            done(true);
          }
        });
        socket.once('error', () => done(false));
        closers.push(() => socket.close());
      }
    });
  for (let i = 0; i < specs.length; i += 50) await Promise.all(specs.slice(i, i + 50).map(connectOne));
  port.postMessage({ type: 'ready', connected: specs.length - failed, failed, ms: nowMs() - started } satisfies FromWorker);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'report') port.postMessage({ type: 'report', receipts } satisfies FromWorker);
    else {
      for (const close of closers) close();
      port.postMessage({ type: 'closed' } satisfies FromWorker);
    }
  });
}

// ----------------------------------------------------------------------------------- the service



interface Seeded {
  people: { id: string; role: string; name: string; ext: string[]; deskRole: DeskSpec['role'] }[];
}

/** The lab's people and known callers (contact + company), supervisors watching all, idle colleagues. */
async function seed(url: string, args: Args): Promise<Seeded> {
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource);
    const lab = parseDirectory(JSON.parse(readFileSync(join(AMI_RECORDINGS_DIR, 'lab-directory.json'), 'utf8')));
    const seeded: Seeded = { people: [] };
    const ids = new Map<string, string>();
    const insertUser = async (name: string, role: string, extensions: string[], devices: string[], deskRole: DeskSpec['role']): Promise<void> => {
      const [row] = (await dataSource.query(
        'INSERT INTO users (name, email, role, extensions, devices) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [name, `bench-${seeded.people.length}@example.com`, role, extensions, devices],
      )) as { id: string }[];
      seeded.people.push({ id: row.id, role, name, ext: extensions, deskRole });
      for (const extension of extensions) ids.set(extension, row.id);
    };
    for (const person of lab.users) await insertUser(person.name, person.role, [person.extension], person.devices, 'ringing');
    for (let i = 0; i < args.watchers; i++) await insertUser(`Supervisor ${i + 1}`, 'head_of_sales', [], [], 'watcher');
    const idle = Math.max(0, args.desks - lab.users.length - args.watchers);
    for (let i = 0; i < idle; i++) await insertUser(`Colleague ${i + 1}`, 'manager', [String(5000 + i)], [`PJSIP/${5000 + i}`], 'idle');
    for (const caller of lab.knownCallers) {
      const [company] = (await dataSource.query(`INSERT INTO companies (name, tags, abc_category) VALUES ($1, $2, 'A') RETURNING id`, [
        caller.company ?? caller.phoneE164,
        ['permanent'],
      ])) as { id: string }[];
      const [contact] = (await dataSource.query('INSERT INTO contacts (name, company_id, responsible_id) VALUES ($1, $2, $3) RETURNING id', [
        caller.contact ?? caller.phoneE164,
        company.id,
        caller.responsible ? (ids.get(caller.responsible) ?? null) : null,
      ])) as { id: string }[];
      await dataSource.query('INSERT INTO phone_numbers (e164, raw, contact_id) VALUES ($1, $2, $3)', [caller.phoneE164, caller.phone, contact.id]);
    }
    return seeded;
  } finally {
    await dataSource.destroy();
  }
}


function slowest(receipts: Receipt[]): string {
  const worst = new Map<string, number>();
  for (const r of receipts) worst.set(r.linkedid, Math.max(worst.get(r.linkedid) ?? 0, r.latencyMs));
  return [...worst.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([linkedid, ms]) => `${linkedid} ${ms.toFixed(1)} ms`)
    .join(', ');
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(label: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number): string => (Number.isFinite(n) ? n.toFixed(2).padStart(8) : '       -');
  return `${label.padEnd(28)} ${String(sorted.length).padStart(7)} ${f(percentile(sorted, 50))} ${f(percentile(sorted, 99))} ${f(sorted[sorted.length - 1] ?? NaN)}`;
}

async function waitFor(what: string, probe: () => boolean, deadline: number): Promise<void> {
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + args.timeoutS * 1000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: --timeout ${args.timeoutS} s exceeded; exiting\n`);
    process.exit(3);
  }, (args.timeoutS + 30) * 1000);
  watchdog.unref();

  const database = await benchDatabase('popup');
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-popup-'));
  let app: INestApplication | null = null;
  let worker: Worker | null = null;
  let replayClose: (() => Promise<void>) | null = null;
  let gateClose: (() => Promise<void>) | null = null;
  try {
    const seeded = await seed(database.url, args);
    const calls = 20 * args.repeat;
    const replay = new AmiSimulator({ recordings: [join(AMI_RECORDINGS_DIR, 'burst1_20_calls.ami')], repeat: args.repeat, speed: args.speed, betweenRecordings: 'continue' });
    const server = await replay.listen(0);
    replayClose = () => server.close();
    // Hold the stream (the replay starts on the first login) until the desks are connected.
    const amiGate = await gatedAmi(server.port);
    gateClose = () => amiGate.close();
    const amiPort = amiGate.port;
    const config = loadConfig(
      {
        DATA_DIR: dataDir,
        JWT_SECRET: 'bench-secret-bench-secret-bench-secret-42',
        LOG_LEVEL: 'warn',
        PORT: '3000',
        AMI_HOST: '127.0.0.1',
        AMI_PORT: String(amiPort),
        AMI_SECRET: 'x',
        STEP_VARIABLE: 'ESC_STEP',
      },
      '/nonexistent',
    );
    app = await createApp(config, database.url);
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const jwt = app.get(JwtService);
    const specs: DeskSpec[] = [];
    for (const [i, person] of seeded.people.entries()) {
      const token = await jwt.signAsync({ sub: person.id, role: person.role, name: person.name, ext: person.ext });
      specs.push({ token, kind: args.wsEvery > 0 && i % args.wsEvery === 0 ? 'ws' : 'io', scope: person.deskRole === 'watcher' ? 'all' : 'own', role: person.deskRole });
    }
    process.stderr.write(`bench: ${specs.length} desks (${specs.filter((s) => s.kind === 'ws').length} on /ws) connecting to ${url}\n`);

    worker = new Worker(__filename, { workerData: { url, specs } });
    const messages: FromWorker[] = [];
    worker.on('message', (message: FromWorker) => messages.push(message));
    worker.on('error', (error) => process.stderr.write(`bench: desk worker failed: ${error.message}\n`));
    await waitFor('the desks to connect', () => messages.some((m) => m.type === 'ready'), deadline);
    const ready = messages.find((m): m is Extract<FromWorker, { type: 'ready' }> => m.type === 'ready');
    process.stderr.write(`bench: ${ready?.connected} desks connected in ${ready?.ms.toFixed(0)} ms (${ready?.failed} failed)\n`);

    amiGate.open();
    const tracker = app.get(CallTrackerService);
    const realtime = app.get(RealtimeService);
    const started = Date.now();
    await waitFor(`${calls} calls finalized`, () => tracker.finalized >= calls, deadline);
    await waitFor('the desks to settle', () => realtime.liveCallIds().length === 0, deadline);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const replaySeconds = (Date.now() - started) / 1000;

    worker.postMessage({ type: 'report' } satisfies ToWorker);
    await waitFor('the desks report', () => messages.some((m) => m.type === 'report'), deadline);
    const report = messages.find((m): m is Extract<FromWorker, { type: 'report' }> => m.type === 'report');
    const receipts = report?.receipts ?? [];
    const latencies = (filter: (r: Receipt) => boolean): number[] => receipts.filter(filter).map((r) => r.latencyMs);

    process.stdout.write(
      `\nbench:popup — ${specs.length} desks, burst1_20_calls ×${args.repeat} (${calls} calls, ${tracker.messages} AMI events) at speed ${args.speed === 0 ? 'max' : `×${args.speed}`}, replayed in ${replaySeconds.toFixed(1)} s\n` +
        `AMI event arrival at the service → call.ringing card received by the desk (ms)\n` +
        `${'receipts'.padEnd(28)} ${'n'.padStart(7)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}\n` +
        `${summary('all desks', latencies(() => true))}\n` +
        `${summary("rung people's own desks", latencies((r) => r.role === 'ringing'))}\n` +
        `${summary('supervisors watching all', latencies((r) => r.role === 'watcher'))}\n` +
        `${summary('socket.io', latencies((r) => r.kind === 'io'))}\n` +
        `${summary('/ws', latencies((r) => r.kind === 'ws'))}\n` +
        `idle desks received ${receipts.filter((r) => r.role === 'idle').length} cards (must be 0)\n` +
        `slowest calls (worst receipt): ${slowest(receipts)}\n`,
    );
    const all = [...latencies(() => true)].sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify({ desks: specs.length, calls, speed: args.speed, receipts: all.length, p50: percentile(all, 50), p99: percentile(all, 99), max: all[all.length - 1] ?? null })}\n`,
    );
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    await waitFor('the desks to close', () => messages.some((m) => m.type === 'closed'), Date.now() + 5000).catch(() => undefined);
    return receipts.some((r) => r.role === 'idle') ? 1 : 0;
  } finally {
    await worker?.terminate();
    await app?.close();
    await gateClose?.();
    await replayClose?.();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMainThread) {
  main()
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      process.stderr.write(`bench:popup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
} else {
  const data = workerData as { url: string; specs: DeskSpec[] };
  void runDesks(data.url, data.specs);
}
