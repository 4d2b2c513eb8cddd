import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { Logger, type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp, resolveDatabase, type ResolvedDatabase } from '../app.factory';
import { holdsOtherDatabase, markDemoDataDir, takeDemoLock } from '../common/demo-data-dir';
import { appLogger } from '../common/json-logger';
import { ProcessGuard } from '../common/process-guard';
import { freePort, portTaken } from '../common/ports';
import { AMI_RECORDINGS_DIR } from '../common/project-paths';
import { ConfigError, loadDemoConfig, type AppConfig } from '../config';
import { dataSourceOptions } from '../database/data-source';
import { runMigrationsLocked } from '../database/migrate';
import { MetricsService } from '../metrics/metrics.service';
import { AmiSimulator } from '../simulator/ami-simulator';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_TEAM, seedDemo, type SeedDemoSummary } from './seed-demo';

/**
 * `npm run demo`: the service on its embedded PostgreSQL with a demo team and client base, fed by
 * the simulated PBX playing real Asterisk 22 recordings in a loop (fresh ids, current timestamps,
 * real pace) — caller cards pop on /desk, leads land in the exchange, /dashboard fills with today's
 * calls. Stops everything it started on Ctrl-C.
 */

const USAGE = `usage: npm run demo [-- --port 3000] [--host 127.0.0.1] [--data-dir ./data-demo] [--speed 1] [--password <pw>]
  --port      HTTP port of the demo service (default 3000)
  --host      address it listens on (default 127.0.0.1: this machine only; 0.0.0.0 shows it to your network)
  --data-dir  the demo's own DATA_DIR: database, JWT secret (default ./data-demo; delete it to start over)
  --speed     pace of the recordings: 1 = real time (default), 2 = twice as fast
  --password  password of the demo logins when they are created (first run on a --data-dir; default "${DEMO_PASSWORD}")
From the environment the demo takes only TIMEZONE, DEFAULT_REGION, LOG_LEVEL (default warn) and LOG_FORMAT:
never DATABASE_URL, AMI_* or config/switchboard.json.`;

export interface DemoArgs {
  port: number;
  host: string;
  dataDir: string;
  speed: number;
  password: string | null;
}

/** What the simulated PBX plays, in this order, round after round; each line is printed when it starts. */
export const DEMO_RECORDINGS: readonly { file: string; ru: string; en: string }[] = [
  {
    file: 'a_known_responsible_answers.ami',
    ru: 'клиент «Ремстрой» звонит своему менеджеру Анне Петровой (101), она отвечает',
    en: 'Remstroy, a known client, calls their manager Anna Petrova (101); she answers',
  },
  {
    file: 'c_new_nobody_answers.ami',
    ru: 'новый номер: звонят отдел продаж, РОП, директор, владелец — никто не ответил → лид на бирже и задача перезвонить',
    en: 'a new number rings the sales team, head of sales, CEO, owner; nobody answers → a lead in the exchange, a callback task',
  },
  {
    file: 'h_anonymous_group_answers.ami',
    ru: 'скрытый номер: звонит весь отдел, отвечает Вера Сидорова (103)',
    en: 'a withheld number rings the whole sales team; Vera Sidorova (103) answers',
  },
  {
    file: 'd_known_abandoned.ami',
    ru: '«Ремстрой» кладёт трубку, пока звонит телефон Анны → пропущенный, задача перезвонить у Анны',
    en: 'Remstroy hangs up while Anna\'s phone rings → a missed call, a callback task for Anna',
  },
  {
    file: 'burst1_20_calls.ami',
    ru: '20 звонков за 5 секунд: ответы на каждом шаге цепочки, брошенные, голосовая почта',
    en: '20 calls within 5 seconds: answered at every step of the chain, abandoned, voicemail',
  },
  {
    file: 'f_click_to_call.ami',
    ru: 'Анна перезванивает «Ремстрою» (click-to-call) → задача перезвонить закрыта',
    en: 'Anna calls Remstroy back (click-to-call) → the callback task closes',
  },
];

/** Parses the command line (`--name value` or `--name=value`); a string is the error to print. */
export function parseDemoArgs(args: readonly string[]): DemoArgs | string {
  const parsed: DemoArgs = { port: 3000, host: '127.0.0.1', dataDir: './data-demo', speed: 1, password: null };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') continue;
    if (!arg.startsWith('--')) return `unexpected argument ${arg}`;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (name === 'help') return '';
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return `--${name} needs a value`;
    switch (name) {
      case 'port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 1 || port > 65535) return `--port must be 1…65535, not ${value}`;
        parsed.port = port;
        break;
      }
      case 'host':
        parsed.host = value;
        break;
      case 'data-dir':
        parsed.dataDir = value;
        break;
      case 'speed': {
        const speed = Number(value);
        if (!Number.isFinite(speed) || speed <= 0) return `--speed must be a number > 0 (1 = real time), not ${value}`;
        parsed.speed = speed;
        break;
      }
      case 'password':
        if (value.length < 8) return '--password must be at least 8 characters';
        parsed.password = value;
        break;
      default:
        return `unknown option --${name}`;
    }
  }
  return parsed;
}

/**
 * The demo service's settings. The AMI secret and the routing token are random for this run only
 * (the simulated PBX is told the same secret): nothing here is a default of the real service, and
 * nothing is written to config. The lab recordings mark steps with ESC_STEP and call the ring-all
 * step sales_group — unlike the product's dialplan (SWITCHBOARD_STEP, department) — hence the
 * two STEP settings.
 */
export function demoSettings(run: { args: DemoArgs; dataDir: string; pgPort: number; amiPort: number; amiSecret: string; routingToken: string }): Record<string, string> {
  return {
    PORT: String(run.args.port),
    HOST: run.args.host,
    DATA_DIR: run.dataDir,
    EMBEDDED_PG_PORT: String(run.pgPort),
    AMI_HOST: '127.0.0.1',
    AMI_PORT: String(run.amiPort),
    AMI_USER: 'switchboard',
    AMI_SECRET: run.amiSecret,
    ROUTING_TOKEN: run.routingToken,
    STEP_VARIABLE: 'ESC_STEP',
    STEP_ALIASES: 'sales_group=department',
    LOG_LEVEL: 'warn',
  };
}

const ROLE_NAMES: Record<string, { ru: string; en: string }> = {
  manager: { ru: 'менеджер', en: 'manager' },
  head_of_sales: { ru: 'РОП', en: 'head of sales' },
  ceo: { ru: 'директор', en: 'CEO' },
  owner: { ru: 'владелец', en: 'owner' },
  admin: { ru: 'администратор', en: 'admin' },
};

/** What the demo prints once it runs: where to go, who to log in as, what plays (Russian, then English). Pure. */
export function demoBanner(info: { url: string; password: string; passwordGiven: boolean; amiPort: number; dataDir: string; routingToken: string; speed: number; seeded: SeedDemoSummary }): string {
  const logins = [
    ...DEMO_TEAM.users.map((u) => ({ email: `${u.extension}@switchboard.local`, name: u.name, role: u.role })),
    { email: DEMO_ADMIN_EMAIL, name: 'Администратор', role: 'admin' },
  ];
  const width = Math.max(...logins.map((l) => l.email.length));
  const nameWidth = Math.max(...logins.map((l) => l.name.length));
  const password = info.passwordGiven ? 'the one given with --password / заданный в --password' : `${info.password}  (только для демо / demo only)`;
  const s = info.seeded;
  const added = s.companiesCreated + s.contactsCreated + s.dealsCreated + s.tasksCreated + s.team.usersCreated;
  const data = added === 0
    ? 'демо-данные уже на месте / demo data already there'
    : `добавлено / added: ${s.team.usersCreated} people, ${s.companiesCreated} companies, ${s.contactsCreated} contacts, ${s.dealsCreated} deals, ${s.tasksCreated} tasks`;
  const route = `curl -H 'X-Switchboard-Token: ${info.routingToken}' '${info.url}/api/asterisk/route?caller=%2B79161234567&did=74951112233'`;
  const pace = info.speed === 1 ? 'в реальном темпе / at real pace' : `в ${info.speed}× быстрее / ${info.speed}× faster than real time`;
  return [
    '',
    'switchboard — демо без АТС / demo without a PBX',
    '',
    `  Рабочее место менеджера, карточки звонков / Desk, caller cards:    ${info.url}/desk`,
    `  Статистика для РОП / Dashboard for the head of sales:             ${info.url}/dashboard`,
    `  Импорт клиентов / Client import:                                  ${info.url}/import`,
    `  API (OpenAPI):                                                    ${info.url}/api/docs`,
    '',
    `  Входы / Logins — пароль / password: ${password}`,
    ...logins.map((l) => `    ${l.email.padEnd(width)}  ${l.name.padEnd(nameWidth)}  ${ROLE_NAMES[l.role]?.ru ?? l.role} / ${ROLE_NAMES[l.role]?.en ?? l.role}`),
    '    На /desk менеджер видит свои звонки; РОП, отметив «watch every call», — все. / On /desk a manager sees their own calls; the head of sales, ticking "watch every call", sees every call.',
    '',
    `  Симулятор АТС / Simulated PBX: AMI на / on 127.0.0.1:${info.amiPort} — настоящие записи Asterisk 22.10.1 по кругу, ${pace},`,
    '    каждый круг — новые звонки с текущим временем / real Asterisk 22.10.1 recordings in a loop, each round new calls happening now.',
    '    Клиенты из записей есть в базе с ответственным менеджером / the recordings\' callers are clients in the base, with a responsible manager.',
    '  Шаг цепочки / Escalation step: записи лаборатории помечают шаг переменной ESC_STEP, общий звонок отдела — sales_group;',
    '    демо ставит STEP_VARIABLE=ESC_STEP и STEP_ALIASES=sales_group=department. Ваша АТС с dialplans/switchboard.conf ставит',
    '    SWITCHBOARD_STEP (по умолчанию) — не переносите эти настройки. / The lab recordings mark the step with ESC_STEP and call the',
    '    ring-all step sales_group; the demo sets STEP_VARIABLE=ESC_STEP, STEP_ALIASES=sales_group=department. Your PBX with',
    '    dialplans/switchboard.conf sets SWITCHBOARD_STEP (the default): do not copy these two settings to production.',
    `  Маршрут звонка, как его спрашивает АТС / A call's route plan, as the PBX asks for it (token valid for this run):`,
    `    ${route}`,
    `  Данные / Data: ${info.dataDir} — ${data}; удалите папку, чтобы начать заново / delete it to start over`,
    '',
    '  Ctrl-C — остановить демо (сервис, симулятор, базу) / stop the demo (service, simulated PBX, database)',
    '',
  ].join('\n');
}

export interface RunningDemo {
  url: string;
  config: AppConfig;
  /** Stops everything the demo started: the service (AMI link, sockets), the simulated PBX, the database; releases DATA_DIR. */
  stop(): Promise<void>;
}

/**
 * Starts the demo as the command line says; the banner and what plays go to `out`, problems to
 * `err`. Returns the exit code instead when it cannot start (bad arguments, DATA_DIR or port taken).
 */
export async function startDemo(argv: readonly string[], out: Writable, err: Writable): Promise<RunningDemo | number> {
  const args = parseDemoArgs(argv);
  if (typeof args === 'string') {
    err.write(args === '' ? `${USAGE}\n` : `demo: ${args}\n${USAGE}\n`);
    return args === '' ? 0 : 2;
  }
  const dataDir = resolve(args.dataDir);
  const shownHost = args.host === '0.0.0.0' || args.host === '::' ? 'localhost' : args.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${args.port}`;
  if (holdsOtherDatabase(dataDir)) {
    err.write(
      `demo: ${dataDir} holds a switchboard database that npm run demo did not create (the service's?).\n` +
        `  The demo adds logins with a published password, so it leaves that database alone.\n` +
        `  Give the demo its own folder / укажите демо отдельную папку: npm run demo -- --data-dir ./data-demo\n`,
    );
    return 2;
  }
  const lock = takeDemoLock(dataDir, url);
  if ('heldBy' in lock) {
    err.write(
      `demo: a demo is already running on ${dataDir} (pid ${lock.heldBy.pid}${lock.heldBy.url ? `, ${lock.heldBy.url}` : ''}).\n` +
        `  Демо уже запущено на этой папке: откройте ${lock.heldBy.url ?? 'its address'}/desk, или остановите его (Ctrl-C в его терминале, kill ${lock.heldBy.pid}),\n` +
        `  или запустите второе с другой папкой и портом / or start another with its own --data-dir and --port.\n`,
    );
    return 1;
  }

  const cleanups: (() => Promise<unknown> | unknown)[] = [() => lock.release()];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        err.write(`demo: while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    cleanups.length = 0;
  };
  try {
    if (await portTaken(args.port, args.host)) {
      err.write(
        `demo: port ${args.port} on ${args.host} is in use — another demo (with another --data-dir), the service, or another program.\n` +
          `  Порт занят: если это демо, откройте ${url}/desk; иначе выберите другой порт / else choose another port: npm run demo -- --port ${args.port + 1}\n`,
      );
      await cleanUp();
      return 1;
    }
    markDemoDataDir(dataDir);
    const amiSecret = randomBytes(18).toString('base64url');
    const routingToken = randomBytes(18).toString('base64url');
    const simulator = new AmiSimulator({
      recordings: DEMO_RECORDINGS.map((r) => join(AMI_RECORDINGS_DIR, r.file)),
      speed: args.speed,
      repeat: Infinity,
      fresh: true,
      betweenRecordings: 'continue',
      login: { username: 'switchboard', secret: amiSecret },
      loginFailureDelayMs: 1000,
      logger: { log: () => undefined, warn: (message) => void err.write(`demo: simulated PBX: ${message}\n`) },
    });
    const pbx = await simulator.listen(0, '127.0.0.1');
    cleanups.push(() => pbx.close());

    let config: AppConfig;
    try {
      config = loadDemoConfig(demoSettings({ args, dataDir, pgPort: await freePort(), amiPort: pbx.port, amiSecret, routingToken }));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      err.write(`demo: ${error.message}\n`);
      await cleanUp();
      return 2;
    }
    Logger.overrideLogger(appLogger(config.logFormat, config.LOG_LEVEL));
    // As in main.ts: what escapes (an unhandled rejection, an 'error' nobody listens to) is logged, the demo goes on.
    const guard = new ProcessGuard().install();
    cleanups.push(() => guard.uninstall());
    const logger = new Logger('Demo');
    const clock = new Intl.DateTimeFormat('ru-RU', { timeZone: config.TIMEZONE, hour: '2-digit', minute: '2-digit', second: '2-digit' });
    // What plays, one line per recording; the lines of the first seconds wait for the banner.
    let held: string[] | null = [];
    simulator.on('segment', ({ round, recording }) => {
      const what = DEMO_RECORDINGS.find((r) => r.file === recording);
      const line = `${clock.format(new Date())}  ▶ круг / round ${round + 1}: ${what ? `${what.ru} / ${what.en}` : recording}\n`;
      if (held) held.push(line);
      else out.write(line);
    });

    out.write(`demo: starting / запуск: database in ${join(dataDir, 'postgres')}…\n`);
    const database: ResolvedDatabase = await resolveDatabase(config, logger);
    cleanups.push(async () => {
      const outcome = await database.embedded?.stop();
      if (outcome === 'left running') err.write('demo: the embedded PostgreSQL stays running: another client is connected to it\n');
    });
    const seeded = await seedDemoDatabase(database.url, args.password ?? undefined);

    const app: INestApplication = await createApp(config, database.url);
    cleanups.push(() => app.close());
    const metrics = app.get(MetricsService);
    guard.countInto((kind) => metrics.escapedErrors.inc({ kind }));
    await app.listen(config.PORT, args.host);
    out.write(
      demoBanner({ url, password: args.password ?? DEMO_PASSWORD, passwordGiven: args.password !== null, amiPort: pbx.port, dataDir, routingToken, speed: args.speed, seeded }),
    );
    for (const line of held) out.write(line);
    held = null;
    return {
      url,
      config,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Migrates the demo database and fills it (idempotent: a second run adds nothing). */
async function seedDemoDatabase(url: string, password: string | undefined): Promise<SeedDemoSummary> {
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource);
    return await seedDemo(dataSource, { password });
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  // Handlers first: a Ctrl-C during start-up stops the demo as soon as it is up, never half-way.
  let running: RunningDemo | null = null;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`demo: ${signal} again: exiting now; the database may stay running and is reused next time\n`);
      process.exit(130);
    }
    stopping = true;
    process.stdout.write(`\ndemo: ${signal}: остановка / stopping (service, simulated PBX, database)…\n`);
    if (running) finish(running);
  };
  const finish = (demo: RunningDemo): void => {
    demo.stop().then(
      () => {
        process.stdout.write('demo: остановлено / stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  startDemo(process.argv.slice(2), process.stdout, process.stderr).then(
    (started) => {
      if (typeof started === 'number') process.exit(started);
      running = started;
      if (stopping) finish(started);
    },
    (error: unknown) => {
      process.stderr.write(`demo failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
