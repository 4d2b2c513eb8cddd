import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { DirectoryError } from '../telephony/calls/directory';
import { runCli, UsageError, withDatabase } from './cli-database';
import { DEMO_PASSWORD, seedDemo } from './seed-demo';
import { seedDirectory, type SeedDirectorySummary } from './seed-directory';

const USAGE = `usage: npm run seed -- --directory <directory.json> [--password-for-all <pw>]
       npm run seed -- --demo [--password <pw>]
  --directory  people (users, departments, extensions, devices), lines and known callers from a file
               in the format of lab-directory.json; emails default to <extension>@switchboard.local
  --demo       a demo sales team (101–103, 200, 300, 400 and admin@switchboard.local) and a few hundred clients
Both are idempotent: running them again leaves the same data.`;

interface SeedArgs {
  directory: string | null;
  demo: boolean;
  password: string | null;
  passwordForAll: string | null;
}

export function parseSeedArgs(args: readonly string[]): SeedArgs {
  const parsed: SeedArgs = { directory: null, demo: false, password: null, passwordForAll: null };
  const value = (i: number, flag: string): string => {
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value\n${USAGE}`);
    return next;
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') && args[i].includes('=') ? args[i].split(/=(.*)/s, 2) : [args[i], undefined];
    const take = (): string => inline ?? value(i++, flag);
    if (flag === '--') continue;
    else if (flag === '--directory' || flag === '-d') parsed.directory = take();
    else if (flag === '--demo') parsed.demo = true;
    else if (flag === '--password') parsed.password = take();
    else if (flag === '--password-for-all') parsed.passwordForAll = take();
    else throw new UsageError(`unknown argument ${flag}\n${USAGE}`);
  }
  if (!parsed.directory && !parsed.demo) throw new UsageError(USAGE);
  for (const pw of [parsed.password, parsed.passwordForAll]) {
    if (pw !== null && pw.length < 8) throw new UsageError('passwords must be at least 8 characters');
  }
  return parsed;
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new UsageError(`directory file not found: ${path}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

const say = (line: string): boolean => process.stderr.write(`seed: ${line}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const args = parseSeedArgs(argv);
  const directoryJson = args.directory ? readJson(args.directory) : null;
  return withDatabase('seed', async (dataSource) => {
    const result: Record<string, unknown> = {};
    if (directoryJson !== null) {
      let summary: SeedDirectorySummary;
      try {
        summary = await seedDirectory(dataSource, directoryJson, { passwordForAll: args.passwordForAll ?? undefined });
      } catch (error) {
        if (error instanceof DirectoryError) throw new UsageError(`${args.directory}: ${error.message}`);
        throw error;
      }
      say(`directory: ${summary.usersCreated} people created, ${summary.usersUpdated} updated, ${summary.usersUnchanged} unchanged; ${summary.contactsCreated} known callers added`);
      for (const person of summary.people) {
        say(`  ${person.extension} ${person.name} (${person.role}, ${person.email}) rings on ${person.devices.join(' & ') || 'no device'}`);
      }
      if (summary.labDevices.length) {
        say(
          `note: ${summary.labDevices.join(', ')} are Local channels (the lab's simulated phones). The route plan dials every device of a person at once; ` +
            `on a real PBX set each person's real devices: PATCH /api/users/<id> {"devices": ["PJSIP/101"]} (admin)`,
        );
      }
      for (const problem of summary.problems) say(`directory: ${problem}`);
      if (summary.usersWithoutPassword.length) {
        say(`these people have no password and cannot log in until an admin sets one (or rerun with --password-for-all <pw>): ${summary.usersWithoutPassword.join(', ')}`);
      }
      result.directory = summary;
    }
    if (args.demo) {
      const summary = await seedDemo(dataSource, { password: args.password ?? undefined });
      say(`demo: ${summary.companiesCreated} companies, ${summary.contactsCreated} contacts, ${summary.dealsCreated} deals, ${summary.tasksCreated} tasks added`);
      const label = args.password ? 'the password you gave' : `"${DEMO_PASSWORD}" — DEMO ONLY, change it before real use`;
      say(`demo logins: ${summary.adminEmail} (admin), 101@switchboard.local … 103 (managers), 200 (head of sales), 300 (CEO), 400 (owner), all @switchboard.local; password: ${label}`);
      result.demo = { ...summary, password: args.password ? '(as given)' : summary.password };
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }, { create: true });
}

if (require.main === module) runCli('seed', () => main(process.argv.slice(2)));
