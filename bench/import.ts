/**
 * bench:import — rows/s of the client-base import on 100k rows (an Excel-style Windows-1251 CSV,
 * `;`, CRLF, ≈ 7 MB; bench/client-csv.ts), against csv-parse alone on the same bytes in the same run.
 *
 * Usage: npm run bench:import [-- --rows 100000]
 * Database: DATABASE_URL's server when set (a throwaway database, dropped afterwards), else an
 * embedded PostgreSQL in a temporary directory.
 * Stages, each on the same bytes:
 *   (0) csv-parse alone (the bytes decoded as Windows-1251, then parsed): the baseline;
 *   (1) our reader: encoding decided on the whole file, records with line numbers;
 *   (2) (1) + every row checked as the import does (phones, REST limits), no database;
 *   (3) the service over HTTP: POST /api/import/clients, the job polled until done (an empty base);
 *   (4) the same file again (every row found unchanged).
 * Every phase is bounded; the run stops by itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { parse } from 'csv-parse';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config';
import { countClientRows, openClientCsv } from '../src/crm/import/client-import';
import { multilineColumns, parseClientRow } from '../src/crm/import/client-row';
import { readCsvRecords } from '../src/crm/import/csv-source';
import type { ImportJobView } from '../src/crm/import/import-jobs.service';
import { benchDatabase } from './bench-database';
import { clientCsvCp1251 } from './client-csv';

const TIME_LIMIT_MS = 20 * 60_000;
const log = (line: string): void => void process.stderr.write(`bench:import: ${line}\n`);

function parseArgs(argv: string[]): { rows: number } {
  const at = argv.indexOf('--rows');
  const rows = at >= 0 ? Number(argv[at + 1]) : 100_000;
  if (!Number.isInteger(rows) || rows <= 0) throw new Error('--rows must be a positive integer');
  return { rows };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

async function csvParseAlone(bytes: Buffer): Promise<number> {
  const parser = parse(new TextDecoder('windows-1251').decode(bytes), { delimiter: ';', relax_quotes: true, relax_column_count: true, skip_empty_lines: true });
  let records = 0;
  for await (const _record of parser) records++;
  return records - 1;
}

async function ourReader(path: string, check: boolean): Promise<number> {
  const csv = await openClientCsv(path);
  let rows = 0;
  for await (const item of readCsvRecords(csv.file, { mayBreakLines: multilineColumns(csv.columns) })) {
    if ('error' in item) throw new Error(`line ${item.line}: ${item.error}`);
    if (check) {
      const parsed = parseClientRow(item.cells, csv.columns, 'RU');
      if (parsed.ok === false) throw new Error(`line ${item.line}: ${parsed.message}`);
    }
    rows++;
  }
  return rows;
}

async function overHttp(app: INestApplication, token: string, bytes: Buffer, deadline: number): Promise<ImportJobView> {
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const headers = { Authorization: `Bearer ${token}` };
  const accepted = await fetch(`${base}/api/import/clients`, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/csv' }, body: new Uint8Array(bytes) });
  if (accepted.status !== 202) throw new Error(`upload answered ${accepted.status}: ${await accepted.text()}`);
  let job = (await accepted.json()) as ImportJobView;
  while (job.status === 'queued' || job.status === 'running') {
    if (Date.now() > deadline) throw new Error(`job ${job.id} still ${job.status} at the time limit (${job.report.rows} rows done)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    job = (await (await fetch(`${base}/api/import/jobs/${job.id}`, { headers })).json()) as ImportJobView;
  }
  if (job.status !== 'done') throw new Error(`job ${job.id} ${job.status}: ${job.message}`);
  return job;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + TIME_LIMIT_MS;
  const hardStop = setTimeout(() => {
    log('time limit reached, stopping');
    process.exit(3);
  }, TIME_LIMIT_MS + 60_000);
  hardStop.unref();

  const bytes = clientCsvCp1251(args.rows, 'ООО Бенч');
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-import-'));
  const path = join(dir, 'clients.csv');
  writeFileSync(path, bytes);
  log(`${args.rows} rows, ${(bytes.length / 1e6).toFixed(1)} MB (Windows-1251, ';', CRLF)`);

  const results: { stage: string; ms: number; rows: number }[] = [];
  const stage = async (name: string, rows: number, work: () => Promise<number>): Promise<void> => {
    await work(); // warm-up
    const { ms, value } = await timed(work);
    if (value !== rows) throw new Error(`${name}: ${value} rows, expected ${rows}`);
    results.push({ stage: name, ms, rows: value });
    log(`${name}: ${Math.round(ms)} ms`);
  };
  await stage('(0) csv-parse alone on the same bytes (baseline)', args.rows, () => csvParseAlone(bytes));
  await stage('(1) our reader: whole-file encoding, records with lines', args.rows, () => ourReader(path, false));
  await stage('(2) (1) + every row checked (phones, REST limits)', args.rows, () => ourReader(path, true));
  await stage('    counting pass the job makes first', args.rows, async () => countClientRows(await openClientCsv(path)));

  const database = await benchDatabase('import');
  let app: INestApplication | null = null;
  try {
    const config = loadConfig(
      {
        DATA_DIR: join(dir, 'data'),
        JWT_SECRET: 'bench-secret-bench-secret-bench-secret-42',
        ADMIN_EMAIL: 'bench@bench.example',
        ADMIN_PASSWORD: 'bench-password-123',
        LOG_LEVEL: 'warn',
      },
      '/nonexistent',
    );
    app = await createApp(config, database.url);
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'bench@bench.example', password: 'bench-password-123' }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    for (const [name, expect] of [
      ['(3) the service over HTTP, empty base (upload → job done)', 'created'],
      ['(4) the same file again (every row unchanged)', 'unchanged'],
    ] as const) {
      const { ms, value: job } = await timed(() => overHttp(app as INestApplication, accessToken, bytes, deadline));
      const report = job.report;
      const ok = expect === 'created' ? report.companiesCreated === args.rows && report.contactsCreated === args.rows : report.unchanged === args.rows;
      if (!ok || report.errorCount) throw new Error(`${name}: unexpected report ${JSON.stringify({ ...report, errors: report.errors.slice(0, 3) })}`);
      results.push({ stage: name, ms, rows: report.rows });
      log(`${name}: ${Math.round(ms)} ms`);
    }
  } finally {
    await app?.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }

  const baseline = results[0].rows / (results[0].ms / 1000);
  const number = new Intl.NumberFormat('en-US');
  process.stdout.write(`\n| stage | ms | rows/s | vs (0) |\n|---|---|---|---|\n`);
  for (const r of results) {
    const rate = r.rows / (r.ms / 1000);
    process.stdout.write(`| ${r.stage.trim()} | ${number.format(Math.round(r.ms))} | ${number.format(Math.round(rate))} | ${(rate / baseline).toFixed(3)} |\n`);
  }
  clearTimeout(hardStop);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
