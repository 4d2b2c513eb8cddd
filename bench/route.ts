/**
 * bench:route — latency of GET /api/asterisk/route with 1M contacts / 2M phones in PostgreSQL,
 * at a fixed open-loop rate (default 200 requests/s), a new TCP connection per request (as
 * func_curl does), against a bare `node:http` endpoint measured the same way in the same run.
 *
 * Usage: npm run bench:route [-- --seconds 20 --rate 200 --contacts 1000000]
 * Database: DATABASE_URL when set (tables of the service, data loaded once and reused), else an
 * embedded PostgreSQL kept in DATA_DIR/bench-route-postgres (loaded once, reused next time).
 * The load generator runs in a child process so it does not share the server's event loop.
 * Every phase is bounded; the run stops by itself.
 */
import { fork } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres';
import { runMigrationsLocked } from '../src/database/migrate';

const TOKEN = 'bench-routing-token-0123456789';

interface Args {
  seconds: number;
  rate: number;
  contacts: number;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    const n = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  return { seconds: value('seconds', 20), rate: value('rate', 200), contacts: value('contacts', 1_000_000) };
}

interface Summary {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  achievedRate: number;
}

// ---- the load generator (child process) -------------------------------------------------------

function runClient(url: string, rate: number, seconds: number, paths: string[]): Promise<Summary> {
  return new Promise((resolveSummary) => {
    const target = new URL(url);
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let errors = 0;
    let sent = 0;
    let done = 0;
    const total = Math.round(rate * seconds);
    const start = performance.now();
    const interval = 1000 / rate;
    const fire = (): void => {
      const path = paths[sent % paths.length];
      sent++;
      const t0 = performance.now();
      const req = request(
        { host: target.hostname, port: target.port, path, method: 'GET', agent: false, headers: { Connection: 'close' }, timeout: 5000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
            finish();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        finish();
      });
      req.end();
    };
    const finish = (): void => {
      if (++done < total) return;
      const elapsed = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      const pct = (p: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN);
      resolveSummary({ requests: total, errors, statuses, p50: pct(50), p90: pct(90), p99: pct(99), max: round(latencies.at(-1) ?? NaN), achievedRate: round(total / elapsed) });
    };
    // open loop: request i is due at start + i·interval whatever happened to the earlier ones
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) fire();
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
}

const round = (n: number): number => Math.round(n * 100) / 100;

if (process.argv[2] === '--client') {
  process.once('message', (job) => {
    const { url, rate, seconds, paths } = job as { url: string; rate: number; seconds: number; paths: string[] };
    void runClient(url, rate, seconds, paths).then((summary) => {
      process.send?.(summary, () => process.exit(0));
    });
  });
}

function measure(url: string, rate: number, seconds: number, paths: string[]): Promise<Summary> {
  return new Promise((resolveSummary, reject) => {
    const child = fork(__filename, ['--client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.send({ url, rate, seconds, paths });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator did not finish within ${seconds + 30} s`));
    }, (seconds + 30) * 1000);
    child.once('message', (summary) => {
      clearTimeout(timer);
      resolveSummary(summary as Summary);
    });
    child.once('exit', (code) => {
      if (code !== 0) {
        clearTimeout(timer);
        reject(new Error(`load generator exited with ${code}`));
      }
    });
  });
}

// ---- data ------------------------------------------------------------------------------------

async function loadData(url: string, contacts: number, log: (line: string) => void): Promise<void> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  try {
    await runMigrationsLocked(ds);
    const [{ count }] = (await ds.query(`SELECT count(*)::int AS count FROM phone_numbers WHERE e164 LIKE '+7916%'`)) as { count: number }[];
    if (count >= contacts) {
      log(`data already loaded (${count} contacts with phones); reusing it`);
      return;
    }
    log(`loading ${contacts} contacts / ${contacts * 2} phones (once; reused by later runs)…`);
    const t0 = Date.now();
    await ds.query(`TRUNCATE phone_numbers, contacts, companies, users CASCADE`);
    await ds.query(`INSERT INTO departments (name) VALUES ('sales') ON CONFLICT DO NOTHING`);
    await ds.query(`
      INSERT INTO users (name, email, role, extensions, devices, department_id)
      SELECT v.name, v.ext || '@bench.local', v.role, ARRAY[v.ext], ARRAY['PJSIP/' || v.ext],
             CASE WHEN v.role IN ('manager', 'head_of_sales') THEN (SELECT id FROM departments WHERE name = 'sales') END
      FROM (VALUES ('Anna Petrova', '101', 'manager'), ('Boris Ivanov', '102', 'manager'), ('Vera Sidorova', '103', 'manager'),
                   ('Grigory Orlov', '200', 'head_of_sales'), ('Dmitry Volkov', '300', 'ceo'), ('Elena Sokolova', '400', 'owner')) v(name, ext, role)`);
    const companies = Math.max(1, Math.floor(contacts / 10));
    await ds.query(`SET synchronous_commit = off`);
    await ds.query(
      `INSERT INTO companies (id, name, responsible_id)
       SELECT md5('c' || g)::uuid, 'Company ' || g, (SELECT id FROM users WHERE extensions[1] = (ARRAY['101','102','103'])[1 + g % 3])
       FROM generate_series(1, $1::int) g`,
      [companies],
    );
    await ds.query(
      `INSERT INTO contacts (id, name, company_id, responsible_id)
       SELECT md5('p' || g)::uuid, 'Contact ' || g, md5('c' || (1 + g % $2::int))::uuid,
              CASE WHEN g % 4 = 0 THEN NULL ELSE (SELECT id FROM users WHERE extensions[1] = (ARRAY['101','102','103'])[1 + g % 3]) END
       FROM generate_series(1, $1::int) g`,
      [contacts, companies],
    );
    await ds.query(
      `INSERT INTO phone_numbers (e164, contact_id)
       SELECT '+7916' || lpad(g::text, 7, '0'), md5('p' || g)::uuid FROM generate_series(1, $1::int) g
       UNION ALL
       SELECT '+7903' || lpad(g::text, 7, '0'), md5('p' || g)::uuid FROM generate_series(1, $1::int) g`,
      [contacts],
    );
    await ds.query(`ANALYZE`);
    log(`loaded in ${Math.round((Date.now() - t0) / 1000)} s`);
  } finally {
    await ds.destroy();
  }
}

/** Caller ids as the PBX sends them: mostly known clients in several formats, new numbers, withheld and junk. */
function requestPaths(contacts: number, count: number): string[] {
  const paths: string[] = [];
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < count; i++) {
    const g = 1 + Math.floor(random() * contacts);
    const r = random();
    const caller =
      r < 0.5 ? `+7916${String(g).padStart(7, '0')}`
      : r < 0.7 ? `8903${String(g).padStart(7, '0')}`
      : r < 0.9 ? `+7999${String(g).padStart(7, '0')}`
      : r < 0.95 ? 'anonymous'
      : '<script>';
    paths.push(`/api/asterisk/route?caller=${encodeURIComponent(caller)}&did=74951112233&uniqueid=${1795336092 + i}.${i}&token=${TOKEN}`);
  }
  return paths;
}

/** A database of its own on the DATABASE_URL server (created once, kept for reuse): never the service's data. */
async function benchDatabase(serverUrl: string, log: (line: string) => void): Promise<string> {
  const name = 'switchboard_bench_route';
  const admin = new DataSource({ type: 'postgres', url: serverUrl });
  await admin.initialize();
  try {
    const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])) as unknown[];
    if (exists.length === 0) {
      log(`creating database ${name} on the DATABASE_URL server`);
      await admin.query(`CREATE DATABASE ${name}`);
    }
  } finally {
    await admin.destroy();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function bareServer(): Promise<{ server: Server; url: string }> {
  return new Promise((ok) => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('SB1||voicemail|department:10:PJSIP/101&PJSIP/102&PJSIP/103|END');
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      ok({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
    });
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => void process.stderr.write(`[bench:route] ${line}\n`);
  const hardStop = setTimeout(() => {
    log('hard time limit reached; exiting');
    process.exit(2);
  }, (15 * 60 + 2 * args.seconds) * 1000);
  hardStop.unref();

  let embedded: EmbeddedDatabase | null = null;
  let url = process.env.DATABASE_URL ? await benchDatabase(process.env.DATABASE_URL, log) : undefined;
  if (!url) {
    const dir = resolve(process.env.DATA_DIR ?? './data', 'bench-route-postgres');
    log(`DATABASE_URL unset: embedded PostgreSQL in ${dir}`);
    embedded = await startEmbeddedPostgres({ dir, port: Number(process.env.BENCH_PG_PORT ?? 54329), database: 'switchboard_bench' });
    url = embedded.url;
  }
  try {
    await loadData(url, args.contacts, log);
    const paths = requestPaths(args.contacts, 5000);

    const bare = await bareServer();
    log(`baseline: bare node:http, ${args.rate}/s for ${args.seconds} s, new connection per request…`);
    await measure(bare.url, args.rate, 1, paths); // warm-up
    const baseline = await measure(bare.url, args.rate, args.seconds, paths);
    await new Promise((ok) => bare.server.close(ok));

    const config = loadConfig({ DATABASE_URL: url, ROUTING_TOKEN: TOKEN, LOG_LEVEL: 'warn', DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-route-')), JWT_SECRET: 'bench-secret-bench-secret-bench-secret' }, '/nonexistent');
    const app = await createApp(config, url);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    const appUrl = `http://127.0.0.1:${address.port}`;
    log(`service: GET /api/asterisk/route, ${args.rate}/s for ${args.seconds} s, new connection per request…`);
    await measure(appUrl, args.rate, 2, paths); // warm-up: prepared statements, JIT
    const route = await measure(appUrl, args.rate, args.seconds, paths);
    await app.close();

    const ratio = (a: number, b: number): number => round(a / b);
    const result = {
      contacts: args.contacts,
      phones: args.contacts * 2,
      rate: args.rate,
      seconds: args.seconds,
      baseline,
      route,
      ratio: { p50: ratio(route.p50, baseline.p50), p99: ratio(route.p99, baseline.p99) },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    log(`baseline p50 ${baseline.p50} ms p99 ${baseline.p99} ms max ${baseline.max} ms (${baseline.errors} errors)`);
    log(`route    p50 ${route.p50} ms p99 ${route.p99} ms max ${route.max} ms (${route.errors} errors, statuses ${JSON.stringify(route.statuses)})`);
    log(`ratio    p50 ×${result.ratio.p50}  p99 ×${result.ratio.p99}`);
  } finally {
    await embedded?.stop();
  }
}

if (process.argv[2] !== '--client') {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`[bench:route] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
