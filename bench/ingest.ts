/**
 * bench:ingest — AMI ingestion throughput on the recorded 20-call burst, repeated (IDs rewritten
 * per repetition so every call stays distinct), served over loopback TCP by a child process:
 *
 *   (0) a minimal line splitter on the same bytes (the ceiling)
 *   (a) bare asterisk-manager 0.2.0 parsing
 *   (b) our AmiClient + frame parser + call reducer
 *   (c) the whole service (Nest app, tracker, batched persistence) until every call is in `calls`
 *
 * Usage: npm run build && node dist/bench/ingest.js [--repeat N] [--timeout SECONDS] [--recording FILE]
 * Database for (c): DATABASE_URL (a throwaway database is created in it and dropped after), else
 * an embedded PostgreSQL in a temporary directory. Every stage is bounded by --timeout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { INestApplication } from '@nestjs/common';
import AsteriskManager = require('asterisk-manager');
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config';
import { AmiFrameParser } from '../src/telephony/ami/ami-frame-parser';
import { benchDatabase } from './bench-database';
import { AmiClient } from '../src/telephony/ami/ami.client';
import { createCallTrackerState, reduceCallEvent } from '../src/telephony/calls/call-reducer';
import { CallTrackerService } from '../src/telephony/calls/call-tracker.service';
import { parseDirectory, type Directory } from '../src/telephony/calls/directory';
import { drainOrClose } from '../src/simulator/ami-simulator';
import { CRLF2, loadRecording } from '../src/simulator/recording';
import { rewriteBlock } from '../src/simulator/rewrite';
import { CORE_SHOW_CHANNELS, goodbye, listAnswer, loginAccepted, ping, response } from '../src/simulator/ami-responses';
import { AMI_RECORDINGS_DIR } from '../src/common/project-paths';

interface Args {
  repeat: number;
  timeoutS: number;
  recording: string;
  directory: string;
}

interface StreamInfo {
  port: number;
  events: number;
  calls: number;
  bytes: number;
}

type ChildMessage = ({ type: 'ready' } & StreamInfo) | { type: 'login'; at: number } | { type: 'sent'; at: number };

interface StageResult {
  stage: string;
  events: number;
  calls: number | null;
  seconds: number | null;
  note: string;
}



function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    repeat: 40,
    timeoutS: 90,
    recording: join(AMI_RECORDINGS_DIR, 'burst1_20_calls.ami'),
    directory: join(AMI_RECORDINGS_DIR, 'lab-directory.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--repeat':
        args.repeat = Math.max(1, Math.min(10_000, Number(value) || args.repeat));
        i++;
        break;
      case '--timeout':
        args.timeoutS = Math.max(5, Number(value) || args.timeoutS);
        i++;
        break;
      case '--recording':
        args.recording = value;
        i++;
        break;
      case '--':
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (usage: --repeat N --timeout SECONDS --recording FILE)`);
    }
  }
  return args;
}

// ---- the child: a minimal AMI server streaming the prepared bytes ------------------------------

function serve(recording: string, repeat: number): void {
  const { banner, blocks } = loadRecording(recording);
  const body = blocks.map((block) => block.text);
  const events = body.filter((block) => /^Event: /m.test(block)).length;
  const calls = new Set(body.map((block) => /^Linkedid: (.+)$/m.exec(block)?.[1]).filter((id) => id !== undefined)).size;
  const chunks: Buffer[] = [];
  for (let r = 0; r < repeat; r++) chunks.push(Buffer.from(body.map((block) => rewriteBlock(block, { generation: r, shiftSeconds: 0 }) + CRLF2).join('')));
  const send = (message: ChildMessage): void => void process.send?.(message);

  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.write(banner);
    const parser = new AmiFrameParser();
    let streaming = false;
    socket.on('data', (chunk: Buffer) => {
      for (const action of parser.push(chunk).messages) {
        const name = (action.Action ?? action.action ?? '').toLowerCase();
        const id = action.ActionID ?? action.actionid;
        if (name === 'login') {
          socket.write(loginAccepted(id));
          const off = /^off$/i.test(action.Events ?? action.Event ?? action.event ?? '');
          if (!off && !streaming) {
            streaming = true;
            send({ type: 'login', at: Date.now() });
            void stream(socket);
          }
        } else if (name === 'coreshowchannels') {
          socket.write(listAnswer(CORE_SHOW_CHANNELS, id, []));
        } else if (name === 'ping') {
          socket.write(ping(id, Date.now()));
        } else if (name === 'logoff') {
          socket.end(goodbye(id));
        } else {
          socket.write(response('Success', id, ['Message: bench']));
        }
      }
    });
  });

  async function stream(socket: Socket): Promise<void> {
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length && !socket.destroyed; at += 256 * 1024) {
        if (!socket.write(chunk.subarray(at, at + 256 * 1024))) await drainOrClose(socket);
      }
    }
    send({ type: 'sent', at: Date.now() });
  }

  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    send({ type: 'ready', port, events: events * repeat, calls: calls * repeat, bytes: chunks.reduce((sum, c) => sum + c.length, 0) });
  });
  process.on('disconnect', () => process.exit(0));
}

// ---- the stages --------------------------------------------------------------------------------

class StreamServer {
  private readonly messages = new EventEmitter();
  constructor(
    readonly child: ChildProcess,
    readonly info: StreamInfo,
  ) {
    child.on('message', (message: ChildMessage) => this.messages.emit(message.type, message));
  }

  static start(args: Args): Promise<StreamServer> {
    const child = fork(__filename, ['--serve', args.recording, String(args.repeat)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`stream server exited (${code})`)));
      child.once('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve(new StreamServer(child, message));
      });
    });
  }

  /** Resolves with the time the next streaming login was seen. */
  nextLogin(): Promise<number> {
    return new Promise((resolve) => this.messages.once('login', (message: { at: number }) => resolve(message.at)));
  }
}

async function timed(
  name: string,
  server: StreamServer,
  timeoutS: number,
  run: (done: (calls: number | null, note?: string) => void) => Promise<() => Promise<void>>,
): Promise<StageResult> {
  const login = server.nextLogin();
  let finish!: (value: { calls: number | null; note: string; at: number }) => void;
  const finished = new Promise<{ calls: number | null; note: string; at: number }>((resolve) => (finish = resolve));
  const cleanup = await run((calls, note = '') => finish({ calls, note, at: Date.now() }));
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    finished,
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutS * 1000);
    }),
  ]);
  clearTimeout(timer);
  await cleanup();
  if (!outcome) return { stage: name, events: server.info.events, calls: null, seconds: null, note: `timed out after ${timeoutS} s` };
  const start = await login;
  return { stage: name, events: server.info.events, calls: outcome.calls, seconds: (outcome.at - start) / 1000, note: outcome.note };
}

function lineSplitter(server: StreamServer, timeoutS: number): Promise<StageResult> {
  return timed('(0) line splitter', server, timeoutS, async (done) => {
    const socket = connect(server.info.port, '127.0.0.1');
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let events = 0;
    let current: Record<string, string> = {};
    socket.on('connect', () => socket.write('Action: Login\r\nUsername: bench\r\nSecret: x\r\nActionID: 1\r\n\r\n'));
    socket.on('data', (chunk: Buffer) => {
      const lines = (rest + decoder.write(chunk)).split('\r\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (current.Event !== undefined && ++events === server.info.events) done(null);
          current = {};
        } else {
          const colon = line.indexOf(': ');
          if (colon > 0) current[line.slice(0, colon)] = line.slice(colon + 2);
        }
      }
    });
    socket.on('error', () => undefined);
    return async () => void socket.destroy();
  });
}

function asteriskManager(server: StreamServer, timeoutS: number): Promise<StageResult> {
  return timed('(a) asterisk-manager', server, timeoutS, async (done) => {
    const manager = AsteriskManager(server.info.port, '127.0.0.1', 'bench', 'x', true);
    let events = 0;
    (manager as unknown as EventEmitter).on('managerevent', () => {
      if (++events === server.info.events) done(null);
    });
    manager.on('error', () => undefined);
    return async () => manager.disconnect();
  });
}

function clientAndReducer(server: StreamServer, timeoutS: number, directory: Directory): Promise<StageResult> {
  return timed('(b) AmiClient + reducer', server, timeoutS, async (done) => {
    const client = new AmiClient({ host: '127.0.0.1', port: server.info.port, username: 'bench', secret: 'x', heartbeatIntervalMs: 0 });
    const state = createCallTrackerState(directory);
    let calls = 0;
    client.on('message', (message) => {
      for (const effect of reduceCallEvent(state, message).effects) if (effect.type === 'callFinalized') calls++;
      if (client.eventsReceived === server.info.events) done(calls, calls === server.info.calls ? '' : `only ${calls} calls finalized`);
    });
    client.start();
    return () => client.close();
  });
}



async function seedDirectory(dataSource: DataSource, directory: Directory): Promise<void> {
  const ids = new Map<string, string>();
  for (const person of directory.users) {
    const [row] = (await dataSource.query(
      `INSERT INTO users (name, email, role, extensions, devices) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [person.name, `bench-${person.extension}@example.com`, person.role, [person.extension], person.devices],
    )) as { id: string }[];
    ids.set(person.extension, row.id);
  }
  for (const caller of directory.knownCallers) {
    const responsible = caller.responsible ? (ids.get(caller.responsible) ?? null) : null;
    const [contact] = (await dataSource.query(`INSERT INTO contacts (name, responsible_id) VALUES ($1, $2) RETURNING id`, [
      caller.contact ?? caller.phoneE164,
      responsible,
    ])) as { id: string }[];
    await dataSource.query(`INSERT INTO phone_numbers (e164, raw, contact_id) VALUES ($1, $2, $3)`, [caller.phoneE164, caller.phone, contact.id]);
  }
}

async function fullService(server: StreamServer, timeoutS: number, directory: Directory): Promise<StageResult> {
  const database = await benchDatabase('ingest');
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  let app: INestApplication | null = null;
  try {
    const config = loadConfig(
      {
        DATA_DIR: dataDir,
        AMI_HOST: '127.0.0.1',
        AMI_PORT: String(server.info.port),
        AMI_SECRET: 'x',
        STEP_VARIABLE: directory.stepVariable,
        JWT_SECRET: randomBytes(24).toString('hex'),
        LOG_LEVEL: 'warn',
      },
      '/nonexistent',
    );
    const nest = await createApp(config, database.url);
    app = nest;
    const dataSource = nest.get(DataSource);
    await seedDirectory(dataSource, directory);
    return await timed('(c) full service + Postgres', server, timeoutS, async (done) => {
      let polling = true;
      const tracker = nest.get(CallTrackerService);
      let ingestedAt: number | null = null;
      await nest.init();
      void (async () => {
        while (polling) {
          if (ingestedAt === null && tracker.messages >= server.info.events) ingestedAt = Date.now();
          const [row] = (await dataSource.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE disposition = $1)::int AS answered FROM calls', [
            'answered',
          ])) as { n: number; answered: number }[];
          if (row.n >= server.info.calls) {
            const tail = ingestedAt === null ? '' : `, last ${((Date.now() - ingestedAt) / 1000).toFixed(2)} s after the last event was reduced`;
            done(row.n, `${row.answered} answered${tail}`);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      return async () => {
        polling = false;
      };
    });
  } finally {
    await app?.close();
    await database.drop().catch((error: unknown) => process.stderr.write(`bench: dropping the bench database failed: ${String(error)}\n`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(results: StageResult[], server: StreamServer, repeat: number): void {
  const ceiling = results.find((r) => r.stage.startsWith('(0)'))?.seconds ?? null;
  const rate = (r: StageResult): number | null => (r.seconds ? r.events / r.seconds : null);
  const fmt = (n: number | null, digits = 0): string => (n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const lines = [
    `bench:ingest — burst1_20_calls × ${repeat}: ${server.info.events.toLocaleString('en-US')} events, ${server.info.calls} calls, ${(server.info.bytes / 1e6).toFixed(1)} MB over loopback TCP`,
    '',
    `${'stage'.padEnd(30)} ${'seconds'.padStart(8)} ${'events/s'.padStart(10)} ${'calls/s'.padStart(9)} ${'vs (0)'.padStart(7)}  note`,
  ];
  for (const r of results) {
    const eps = rate(r);
    const ratio = eps !== null && ceiling ? (r.events / ceiling === 0 ? null : eps / (r.events / ceiling)) : null;
    const cps = r.seconds ? server.info.calls / r.seconds : null;
    lines.push(
      `${r.stage.padEnd(30)} ${fmt(r.seconds, 2).padStart(8)} ${fmt(eps).padStart(10)} ${fmt(cps, 1).padStart(9)} ${(ratio === null ? '—' : ratio.toFixed(2)).padStart(7)}  ${r.note}${r.calls !== null ? ` (${r.calls} calls)` : ''}`,
    );
  }
  const a = results.find((r) => r.stage.startsWith('(a)'));
  const c = results.find((r) => r.stage.startsWith('(c)'));
  const ra = a ? rate(a) : null;
  const rc = c ? rate(c) : null;
  if (ra && rc) lines.push('', `(c)/(a) = ${(rc / ra).toFixed(2)} — requirement ≥ 0.50: ${rc / ra >= 0.5 ? 'met' : 'NOT met'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const directory = parseDirectory(JSON.parse(readFileSync(args.directory, 'utf8')));
  process.stderr.write(`bench: preparing ${args.repeat} repetitions of ${args.recording}\n`);
  const server = await StreamServer.start(args);
  const results: StageResult[] = [];
  try {
    results.push(await lineSplitter(server, args.timeoutS));
    results.push(await asteriskManager(server, args.timeoutS));
    results.push(await clientAndReducer(server, args.timeoutS, directory));
    results.push(await fullService(server, args.timeoutS, directory));
  } finally {
    server.child.removeAllListeners('exit');
    server.child.kill();
  }
  report(results, server, args.repeat);
  return results.every((r) => r.seconds !== null) ? 0 : 1;
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3], Number(process.argv[4]));
} else if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
