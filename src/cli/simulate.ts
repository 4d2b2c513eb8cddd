import type { Writable } from 'node:stream';
import { AMI_RECORDINGS_DIR } from '../common/project-paths';
import { AmiSimulator } from '../simulator/ami-simulator';
import { findRecording } from '../simulator/recording';

const USAGE =
  'usage: npm run simulate -- FILE.ami [more.ami …] [--port 5038] [--host 127.0.0.1] [--speed 1] [--loop | --rounds N]\n' +
  '                           [--user switchboard] [--secret simulator] [--clients 1]\n' +
  `  FILE.ami: a path, or the name of a recording in ${AMI_RECORDINGS_DIR}`;

export const DEFAULT_SECRET = 'simulator';

export interface SimulateArgs {
  files: string[];
  port: number;
  host: string;
  /** 0 = as fast as the clients read. */
  speed: number;
  /** Rounds of all the files; Infinity with --loop. */
  rounds: number;
  user: string;
  secret: string;
  secretGiven: boolean;
  /** Start streaming once this many clients listen. */
  clients: number;
}

/** Parses the command line (`--name value` or `--name=value`); a string is the error to print. */
export function parseSimulateArgs(args: readonly string[]): SimulateArgs | string {
  const parsed: SimulateArgs = {
    files: [],
    port: 5038,
    host: '127.0.0.1',
    speed: 1,
    rounds: 1,
    user: 'switchboard',
    secret: DEFAULT_SECRET,
    secretGiven: false,
    clients: 1,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') continue;
    if (!arg.startsWith('--')) {
      parsed.files.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (name === 'loop') {
      parsed.rounds = Infinity;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return `--${name} needs a value`;
    switch (name) {
      case 'port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port must be 0…65535 (0 = any free port), not ${value}`;
        parsed.port = port;
        break;
      }
      case 'host':
        parsed.host = value;
        break;
      case 'speed': {
        const speed = Number(value);
        if (!Number.isFinite(speed) || speed < 0) return `--speed must be a number ≥ 0 (0 = as fast as possible, 1 = real time), not ${value}`;
        parsed.speed = speed;
        break;
      }
      case 'rounds': {
        const rounds = Number(value);
        if (!Number.isInteger(rounds) || rounds < 1) return `--rounds must be a whole number ≥ 1, not ${value}`;
        parsed.rounds = rounds;
        break;
      }
      case 'clients': {
        const clients = Number(value);
        if (!Number.isInteger(clients) || clients < 1) return `--clients must be a whole number ≥ 1, not ${value}`;
        parsed.clients = clients;
        break;
      }
      case 'user':
        parsed.user = value;
        break;
      case 'secret':
        parsed.secret = value;
        parsed.secretGiven = true;
        break;
      default:
        return `unknown option --${name}`;
    }
  }
  if (parsed.files.length === 0) return 'no recording given';
  return parsed;
}

export interface RunningSimulator {
  simulator: AmiSimulator;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the simulated PBX as the command line says; logs (startup line first) go to `stderr`.
 * Returns the exit code instead when the arguments or files are wrong or the port is taken.
 */
export async function startSimulate(args: readonly string[], stderr: Writable, cwd = process.cwd()): Promise<RunningSimulator | number> {
  const parsed = parseSimulateArgs(args);
  if (typeof parsed === 'string') {
    stderr.write(`simulate: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  const paths: string[] = [];
  for (const file of parsed.files) {
    const path = findRecording(file, cwd, AMI_RECORDINGS_DIR);
    if (path === null) {
      stderr.write(`simulate: recording not found: ${file} (neither a file nor a recording in ${AMI_RECORDINGS_DIR})\n`);
      return 2;
    }
    paths.push(path);
  }
  const log = (message: string): void => void stderr.write(`${new Date().toISOString()} simulate: ${message}\n`);
  let simulator: AmiSimulator;
  try {
    simulator = new AmiSimulator({
      recordings: paths,
      speed: parsed.speed,
      repeat: parsed.rounds,
      fresh: true,
      login: { username: parsed.user, secret: parsed.secret },
      loginFailureDelayMs: 1000,
      clients: parsed.clients,
      betweenRecordings: 'continue',
      logger: { log, warn: (message) => log(`warning: ${message}`) },
    });
  } catch (error) {
    stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let listening: { port: number; close(): Promise<void> };
  try {
    listening = await simulator.listen(parsed.port, parsed.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${parsed.port} is in use (another simulator, or an Asterisk?): choose one with --port` : String(error);
    stderr.write(`simulate: cannot listen on ${parsed.host}:${parsed.port}: ${why}\n`);
    return 1;
  }
  const recordings = simulator.recordings.map((r) => `${r.name} (${r.blocks.length} events over ${Math.round(r.spanSeconds)} s)`).join(', ');
  const pace = parsed.speed === 0 ? 'as fast as possible' : parsed.speed === 1 ? '1 (real time)' : String(parsed.speed);
  const rounds = parsed.rounds === Infinity ? 'loop' : parsed.rounds === 1 ? '1 round' : `${parsed.rounds} rounds`;
  const start = parsed.clients === 1 ? 'a client logs in' : `${parsed.clients} clients log in`;
  const secret = parsed.secretGiven ? 'secret from --secret' : `secret "${DEFAULT_SECRET}"`;
  log(
    `simulated PBX on ${parsed.host}:${listening.port} (AMI user "${parsed.user}", ${secret}); recordings: ${recordings}; ` +
      `speed ${pace}; ${rounds}; fresh ids and current timestamps every round; streaming once ${start} with events on`,
  );
  return { simulator, port: listening.port, close: () => listening.close() };
}

if (require.main === module) {
  void (async () => {
    const started = await startSimulate(process.argv.slice(2), process.stderr);
    if (typeof started === 'number') {
      process.exitCode = started;
      return;
    }
    const stop = (signal: NodeJS.Signals): void => {
      const sent = started.simulator.connections.reduce((sum, c) => sum + c.eventsSent, 0);
      process.stderr.write(
        `${new Date().toISOString()} simulate: ${signal}: stopping after ${started.simulator.connections.length} connection(s), ${sent} event frame(s) sent\n`,
      );
      started.close().then(
        () => {
          process.exitCode = 0;
        },
        (error: unknown) => {
          process.stderr.write(`simulate: ${String(error)}\n`);
          process.exitCode = 1;
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })().catch((error: unknown) => {
    process.stderr.write(`simulate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
