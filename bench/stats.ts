/**
 * bench:stats — the month dashboard's queries on 1M calls in PostgreSQL.
 *
 * Usage: npm run bench:stats [-- --calls 1000000 --runs 5 --explain]
 * Database: DATABASE_URL when set, else an embedded PostgreSQL kept in DATA_DIR/bench-stats-postgres.
 * Data: the 28 calls rebuilt from the recordings in test/fixtures/ami (every shape: answered
 * at each step, abandoned, voicemail, ring-all with busy/rejecting members, click-to-call) are
 * copied with generate_series into N calls over the 12 months before 2026-11-01 (Moscow, 08:00–19:00),
 * a team of 12 managers + head/CEO/owner, 4 lines, 60k client numbers of which 30k are known,
 * a callback task per missed call (75% called back), and the per-person rows the call writer
 * stores with each call (call_people). Loaded once, reused while the count matches.
 * Then every query of the October 2026 dashboard runs (one warm-up, then --runs times); printed:
 * each query's median, their sequential sum, and the wall time of the dashboard endpoint's
 * parallel batch. Every phase is bounded; the run stops by itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { freePort } from '../src/common/ports';
import { readRows, text } from '../src/common/sql-rows';
import { loadConfig, type AppConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres';
import { runMigrationsLocked } from '../src/database/migrate';
import {
  CALLBACKS_SQL,
  DAILY_SQL,
  HEATMAP_SQL,
  MANAGERS_SQL,
  OUTBOUND_SQL,
  OVERDUE_SQL,
  OVERVIEW_SQL,
  statsParams,
} from '../src/stats/stats.queries';
import { insertCallPeopleSql } from '../src/telephony/calls/call-people';
import { runStatsQuery, StatsService } from '../src/stats/stats.service';
import { AmiFrameParser } from '../src/telephony/ami/ami-frame-parser';
import type { CallRecord } from '../src/telephony/calls/call-record';
import { parseDirectory } from '../src/telephony/calls/directory';
import { rebuildCalls } from '../src/telephony/calls/rebuild';
import { AMI_RECORDINGS_DIR } from '../src/common/project-paths';

const TIME_LIMIT_MS = 30 * 60_000;
const CHUNK = 100_000;
const TRANSCRIPTS = AMI_RECORDINGS_DIR;
const RECORDINGS = [
  'a_known_responsible_answers', 'c_new_nobody_answers', 'd_known_abandoned', 'f_click_to_call', 'h_anonymous_group_answers',
  'j_sip_known_responsible_answers', 'j_sip_new_nobody_answers', 'j_sip_known_abandoned', 'burst1_20_calls',
];
const MONTH = { from: '2026-10-01', to: '2026-11-01' };

const log = (line: string): void => void process.stderr.write(`bench:stats: ${line}\n`);

function parseArgs(argv: string[]): { calls: number; runs: number; explain: boolean } {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    const n = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return { calls: value('calls', 1_000_000), runs: value('runs', 5), explain: argv.includes('--explain') };
}

function shapes(): CallRecord[] {
  const directory = parseDirectory(JSON.parse(readFileSync(join(TRANSCRIPTS, 'lab-directory.json'), 'utf8')));
  const records: CallRecord[] = [];
  for (const name of RECORDINGS) {
    const { messages } = new AmiFrameParser().push(readFileSync(join(TRANSCRIPTS, `${name}.ami`)));
    records.push(...rebuildCalls(messages, directory).records);
  }
  return records;
}


/** Team: managers 101–112 in `sales`, head 200, CEO 300, owner 400 (created once). */
async function ensureTeam(db: DataSource): Promise<void> {
  await db.query(`INSERT INTO departments (name) VALUES ('sales') ON CONFLICT DO NOTHING`);
  await db.query(`
    INSERT INTO users (name, email, role, extensions, department_id)
    SELECT p.name, 'bench-' || p.ext || '@bench.example', p.role, ARRAY[p.ext],
           CASE WHEN p.role IN ('manager', 'head_of_sales') THEN (SELECT id FROM departments WHERE name = 'sales') END
      FROM (SELECT 'Manager ' || n AS name, (100 + n)::text AS ext, 'manager' AS role FROM generate_series(1, 12) n
            UNION ALL VALUES ('Head of sales', '200', 'head_of_sales'), ('CEO', '300', 'ceo'), ('Owner', '400', 'owner')) p
    ON CONFLICT (email) DO NOTHING`);
}

async function load(db: DataSource, calls: number): Promise<void> {
  const started = Date.now();
  await db.query(`CREATE TABLE IF NOT EXISTS bench_stats_meta (calls int NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())`);
  const [meta] = (await db.query(`SELECT calls FROM bench_stats_meta`)) as { calls: number }[];
  if (meta?.calls === calls) {
    log(`reusing ${calls} loaded calls`);
    return;
  }
  log(`loading ${calls} calls (once; reused by later runs)`);
  await db.query(`TRUNCATE calls, call_legs, call_raw_events, tasks, deals, phone_numbers, contacts, companies, lead_capture_log, bench_stats_meta CASCADE`);
  await ensureTeam(db);
  const records = shapes();
  await db.query(`DROP TABLE IF EXISTS bench_shapes`);
  await db.query(`CREATE UNLOGGED TABLE bench_shapes (id int PRIMARY KEY, record jsonb NOT NULL)`);
  await db.query(`INSERT INTO bench_shapes SELECT (r.ordinality - 1)::int, r.value FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY r`, [JSON.stringify(records)]);
  const n = records.length;
  // Extension of the generated team for a recorded extension: 101–103 → one of four trios in 101–112.
  const team = (ext: string, g: string): string =>
    `CASE WHEN ${ext} IN ('101','102','103') THEN (${ext}::int + 3 * ((${g} / ${n}) % 4))::text ELSE ${ext} END`;
  await db.query(`DROP TABLE IF EXISTS bench_ext`);
  await db.query(`CREATE UNLOGGED TABLE bench_ext AS SELECT e.ext, u.id FROM users u CROSS JOIN LATERAL unnest(u.extensions) e(ext) WHERE u.email LIKE 'bench-%'`);
  await db.query(`SELECT setseed(0.42)`);
  for (let from = 1; from <= calls; from += CHUNK) {
    const to = Math.min(calls, from + CHUNK - 1);
    await db.query(
      `
      WITH gen AS (
        SELECT g, s.record AS r,
               timestamptz '2025-11-01 08:00 Europe/Moscow' + ((g::bigint * 7919) % 365) * interval '1 day'
                 + (random() * 11 * 3600) * interval '1 second' AS t0
          FROM generate_series($1::int, $2::int) g JOIN bench_shapes s ON s.id = g % ${n}
      )
      INSERT INTO calls (linkedid, direction, caller, caller_name, callee, did, started_at, answered_at, ended_at, ring_seconds, talk_seconds,
                         answered_by_extension, answered_by_user_id, placed_by_user_id, disposition, abandoned, voicemail, step_reached, step_index, hangup_cause,
                         hung_up_by, transferred_to, recording_file, closed_by, record)
      SELECT 'bench.' || g, r->>'direction',
             CASE WHEN r->>'caller' LIKE '+%' THEN '+7900' || lpad(((g::bigint * 104729) % 60000)::text, 7, '0') ELSE r->>'caller' END,
             r->>'callerName', CASE WHEN r->>'direction' = 'outbound' THEN r->>'caller' END,
             CASE g % 3 WHEN 0 THEN r->>'did' WHEN 1 THEN '74951112255' ELSE '74951112266' END,
             t0, t0 + ((r->>'answeredAt')::float8 - (r->>'startedAt')::float8) * interval '1 second',
             t0 + ((r->>'endedAt')::float8 - (r->>'startedAt')::float8) * interval '1 second',
             (r->>'ringSeconds')::real, (r->>'talkSeconds')::real,
             ${team(`(r->>'answeredBy')`, 'g')}, ab.id, pb.id, r->>'disposition', (r->>'abandoned')::boolean, (r->>'voicemail')::boolean,
             r->>'stepReached', (r->>'stepIndex')::int, (r->>'hangupCause')::int, r->>'hungUpBy', r->>'transferredTo',
             'rec/' || g || '.wav', 'hangup',
             CASE WHEN r->>'placedBy' IS NULL THEN r ELSE jsonb_set(r, '{placedBy}', to_jsonb(${team(`(r->>'placedBy')`, 'g')})) END
        FROM gen LEFT JOIN bench_ext ab ON ab.ext = ${team(`(r->>'answeredBy')`, 'g')}
                 LEFT JOIN bench_ext pb ON pb.ext = ${team(`(r->>'placedBy')`, 'g')}`,
      [from, to],
    );
    await db.query(
      `
      INSERT INTO call_legs (linkedid, seq, extension, user_id, step, rang_from, rang_to, outcome, missed)
      SELECT c.linkedid, (l.ordinality - 1)::int, ${team(`(l.value->>'extension')`, 'g')}, le.id, l.value->>'step',
             c.started_at + ((l.value->>'startedAt')::float8 - (s.record->>'startedAt')::float8) * interval '1 second',
             c.started_at + (coalesce((l.value->>'answeredAt')::float8, (l.value->>'endedAt')::float8) - (s.record->>'startedAt')::float8) * interval '1 second',
             l.value->>'outcome', (l.value->>'missed')::boolean
        FROM generate_series($1::int, $2::int) g
        JOIN calls c ON c.linkedid = 'bench.' || g
        JOIN bench_shapes s ON s.id = g % ${n}
        CROSS JOIN LATERAL jsonb_array_elements(s.record->'legs') WITH ORDINALITY l
        LEFT JOIN bench_ext le ON le.ext = ${team(`(l.value->>'extension')`, 'g')}`,
      [from, to],
    );
    // What the call writer stores with each call for the per-person figures (src/telephony/calls/call-people.ts).
    await db.query(insertCallPeopleSql(`c.linkedid = ANY(ARRAY(SELECT 'bench.' || g FROM generate_series($1::int, $2::int) g))`), [from, to]);
    log(`  ${to} calls with legs (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  log('clients: 30k known numbers of the 60k');
  await db.query(`
    WITH c AS (
      INSERT INTO contacts (name, created_at) SELECT 'Bench client ' || n, '2020-01-01' FROM generate_series(0, 29999) n RETURNING id, name
    )
    INSERT INTO phone_numbers (e164, raw, contact_id) SELECT '+7900' || lpad(split_part(c.name, ' ', 3), 7, '0'), NULL, c.id FROM c`);
  log('callback tasks: one per missed call from a number, 75% called back');
  await db.query(`
    INSERT INTO tasks (title, kind, phone, assignee_id, due_at, done_at, missed_calls, first_missed_at, last_missed_at, callback_seconds, closed_by_user_id, created_at)
    SELECT 'Call back ' || x.caller, 'callback', x.caller, x.assignee, x.ended_at + interval '15 minutes',
           CASE WHEN x.back THEN x.started_at + x.secs * interval '1 second' END, 1, x.started_at, x.started_at,
           CASE WHEN x.back THEN x.secs END, CASE WHEN x.back THEN coalesce(x.assignee, x.other) END, x.ended_at
      FROM (SELECT c.caller, c.started_at, c.ended_at, random() < 0.75 AS back, floor(-ln(1 - random()) * 1500)::int AS secs,
                   CASE WHEN random() < 0.7 THEN (SELECT id FROM bench_ext WHERE ext = (101 + (hashtext(c.linkedid) & 1023) % 12)::text) END AS assignee,
                   (SELECT id FROM bench_ext WHERE ext = (101 + (hashtext(c.linkedid || 'x') & 1023) % 12)::text) AS other
              FROM calls c WHERE c.direction = 'inbound' AND c.disposition = 'missed' AND c.caller LIKE '+%') x`);
  log('VACUUM ANALYZE (visibility map for index-only scans, statistics)');
  await db.query(`VACUUM ANALYZE calls`);
  await db.query(`VACUUM ANALYZE call_legs`);
  await db.query(`VACUUM ANALYZE call_people`);
  await db.query(`VACUUM ANALYZE tasks`);
  await db.query(`ANALYZE users; ANALYZE phone_numbers; ANALYZE contacts`);
  await db.query(`INSERT INTO bench_stats_meta (calls) VALUES ($1)`, [calls]);
  log(`loaded in ${Math.round((Date.now() - started) / 1000)} s`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
const ms = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const deadline = setTimeout(() => {
    log(`time limit of ${TIME_LIMIT_MS / 60_000} min reached; stopping`);
    process.exit(2);
  }, TIME_LIMIT_MS);
  deadline.unref();

  const base = loadConfig();
  let embedded: EmbeddedDatabase | null = null;
  let url = base.DATABASE_URL;
  if (!url) {
    const dir = join(base.dataDir, 'bench-stats-postgres');
    log(`DATABASE_URL unset: embedded PostgreSQL in ${dir}`);
    embedded = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'switchboard_bench' });
    url = embedded.url;
  }
  const db = new DataSource(dataSourceOptions(url));
  await db.initialize();
  try {
    await runMigrationsLocked(db);
    await load(db, args.calls);
    const config: AppConfig = base;
    const service = new StatsService(db, config);
    const params = await service.resolve(MONTH);
    const values = statsParams(params);
    const queries: [string, string][] = [
      ['overview', OVERVIEW_SQL], ['outbound', OUTBOUND_SQL], ['managers', MANAGERS_SQL], ['callbacks', CALLBACKS_SQL],
      ['overdue', OVERDUE_SQL], ['heatmap', HEATMAP_SQL], ['daily', DAILY_SQL],
    ];
    const [{ total }] = (await db.query(`SELECT count(*)::int AS total FROM calls`)) as { total: number }[];
    const [{ legs }] = (await db.query(`SELECT count(*)::int AS legs FROM call_legs`)) as { legs: number }[];
    const [{ tasks }] = (await db.query(`SELECT count(*)::int AS tasks FROM tasks`)) as { tasks: number }[];
    log(`database: ${total} calls, ${legs} legs, ${tasks} callback tasks; timing ${MONTH.from}..${MONTH.to} (${params.timezone})`);

    await service.dashboard(params); // warm-up
    const seq: Record<string, number[]> = Object.fromEntries(queries.map(([name]) => [name, []]));
    const sums: number[] = [];
    const walls: number[] = [];
    for (let run = 0; run < args.runs; run++) {
      let sum = 0;
      for (const [name, sql] of queries) {
        const t0 = performance.now();
        await runStatsQuery(db, sql, values);
        const took = performance.now() - t0;
        seq[name].push(took);
        sum += took;
      }
      sums.push(sum);
      const t0 = performance.now();
      await service.dashboard(params);
      walls.push(performance.now() - t0);
    }
    const dashboard = await service.dashboard(params);
    if (args.explain) {
      for (const [name, sql] of queries) {
        const plan = readRows(`EXPLAIN ${name}`, await runStatsQuery(db, `EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values), { 'QUERY PLAN': text });
        log(`EXPLAIN ${name}:\n${plan.map((row) => row['QUERY PLAN']).join('\n')}`);
      }
    }
    const result = {
      calls: total,
      legs,
      tasks,
      month: MONTH,
      monthFigures: {
        inbound: dashboard.summary.inbound,
        answered: dashboard.summary.answered,
        abandoned: dashboard.summary.abandoned,
        outbound: dashboard.summary.outbound,
        managers: dashboard.managers.length,
        callbackTasks: dashboard.callbacks.tasks,
      },
      medianMsPerQuery: Object.fromEntries(queries.map(([name]) => [name, ms(median(seq[name]))])),
      medianSequentialTotalMs: ms(median(sums)),
      medianDashboardWallMs: ms(median(walls)),
      runs: args.runs,
      budgetMs: 500,
      withinBudget: median(sums) < 500,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
