/**
 * One live lab per test suite: a private real Asterisk (live-pbx.ts) with the shipped dialplan,
 * the real service process on the test PostgreSQL (live-service.ts), the team seeded the way an
 * admin does it (`seed --directory`), a SIP trunk and six registered SIP desk phones.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { seedDirectory } from '../../../src/cli/seed-directory';
import { dataSourceOptions } from '../../../src/database/data-source';
import type { RoutingConfig } from '../../../src/telephony/routing/chain-config';
import { ioDesk, type Desk } from '../../support/desks';
import { freePort } from '../../support/own-database';
import { testDatabaseUrl, truncateAll } from '../../support/test-database';
import { until } from '../../support/until';
import { AmiCapture } from './ami-capture';
import { CAPTURE_USER, LivePbx, liveCpuUnsupportedReason, liveUnavailableReason, type CustomerPbx, type PhoneConfig } from './live-pbx';
import { LiveService } from './live-service';
import { SipAgent, type SipCall } from './sip-agent';

export const LIVE_DIRECTORY_FILE = join(__dirname, '..', 'fixtures', 'live-directory.json');
export const LIVE_PASSWORD = 'live-password-123';
export const ADMIN = { email: 'admin@live.test', password: 'admin-password-123' };
export const MAIN_LINE = '74951112233';
export const SECOND_LINE = '74951112244';
export const ROUTING_TOKEN = 'live-routing-token-0123456789';
export const EXTENSIONS = ['101', '102', '103', '200', '300', '400'] as const;
export type Extension = (typeof EXTENSIONS)[number];

interface DirectoryFile {
  users: { extension: string; name: string; role: string }[];
  knownCallers: { phone: string; responsible: string; contact: string; company: string }[];
}
export const LIVE_DIRECTORY = JSON.parse(readFileSync(LIVE_DIRECTORY_FILE, 'utf8')) as DirectoryFile;

/** The live suite runs only where a real Asterisk is installed; under CI it must. */
export function liveSuite(name: string, body: () => void): void {
  const reason = liveUnavailableReason();
  const cpu = cpuReason();
  if (reason === null && cpu === null) {
    describe(name, () => {
      // Real SIP over UDP against a real Asterisk on a shared machine: a scenario whose timing a
      // stalled process spoiled runs once more, and the first failure is printed (never hidden).
      jest.retryTimes(1, { logErrorsBeforeRetry: true });
      body();
    });
    return;
  }
  if (cpu !== null) {
    process.stdout.write(`live PBX suite "${name}" SKIPPED ON THIS HOST: ${cpu}\n`);
    describe.skip(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a real Asterisk to run against (CI=true: a missing Asterisk is a failure)', () => {
        throw new Error(`live PBX suite cannot run: ${reason}`);
      });
    });
    return;
  }
  process.stdout.write(`live PBX suite "${name}" skipped: ${reason}\n`);
  describe.skip(name, body);
}

/**
 * Why the installed Asterisk is there but cannot run on this host's processor (null when it can).
 * Under CI too this skips the suite rather than failing it, with the reason on stdout and the
 * tests counted as skipped in the summary line: the bundle, not switchboard, does not fit the
 * machine, and nothing here can rebuild it.
 */
function cpuReason(): string | null {
  return liveUnavailableReason() === null ? liveCpuUnsupportedReason() : null;
}

export interface CallRow {
  linkedid: string;
  direction: string;
  caller: string;
  caller_name: string | null;
  did: string | null;
  disposition: string;
  abandoned: boolean;
  voicemail: boolean;
  answered_by_extension: string | null;
  step_reached: string | null;
  step_index: number;
  ring_seconds: number;
  talk_seconds: number;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  transferred_to: string | null;
  placed_by: string | null;
  callee: string | null;
  hung_up_by: string | null;
  voicemail_message: string | null;
}

export interface LegRow {
  seq: number;
  extension: string;
  step: string | null;
  outcome: string;
  /** The person missed the call on this leg (what the statistics count). */
  missed: boolean;
  rang_from: Date | null;
  rang_to: Date | null;
}

export interface LiveLabOptions {
  globals?: Record<string, string>;
  /** Routing saved through the API once the service is up (as an admin would). */
  routing?: RoutingConfig;
  serviceEnv?: Record<string, string>;
  /** The customer's own dialplan, DIDs and configs beside switchboard's (live-pbx.ts). */
  customer?: CustomerPbx;
}

export class LiveLab {
  readonly phones = new Map<string, SipAgent>();
  readonly userIds = new Map<string, string>();
  readonly emails = new Map<string, string>();
  private readonly tokens = new Map<string, string>();
  private readonly desks: Desk[] = [];
  adminToken = '';

  private constructor(
    readonly pbx: LivePbx,
    readonly service: LiveService,
    readonly trunk: SipAgent,
    readonly dataSource: DataSource,
  ) {}

  static async start(options: LiveLabOptions = {}): Promise<LiveLab> {
    const dataSource = new DataSource(dataSourceOptions(testDatabaseUrl()));
    await dataSource.initialize();
    await truncateAll(dataSource);
    await seedDirectory(dataSource, JSON.parse(readFileSync(LIVE_DIRECTORY_FILE, 'utf8')), { passwordForAll: LIVE_PASSWORD });

    const trunk = await SipAgent.start({ user: 'trunk', server: { host: '127.0.0.1', port: 0 } });
    const servicePort = await freePort();
    const amiSecret = 'live-ami-secret-0123456789';
    const phones: PhoneConfig[] = LIVE_DIRECTORY.users.map((user) => ({
      extension: user.extension,
      password: `sip-secret-${user.extension}`,
      callerId: `"${user.name}" <${user.extension}>`,
      group: ['101', '102', '103'].includes(user.extension) ? '1' : undefined,
    }));
    const pbx = await LivePbx.start({ serviceUrl: `http://127.0.0.1:${servicePort}`, token: ROUTING_TOKEN, phones, amiSecret, trunkPort: trunk.port, globals: options.globals, customer: options.customer });
    trunk.server = pbx.sip;

    let routingFile: Record<string, string> = {};
    if (options.routing) {
      const path = join(pbx.dir, 'routing.json');
      writeFileSync(path, JSON.stringify(options.routing));
      routingFile = { ROUTING_CONFIG_FILE: path };
    }
    const service = new LiveService(servicePort, {
      DATABASE_URL: testDatabaseUrl(),
      AMI_HOST: '127.0.0.1',
      AMI_PORT: String(pbx.amiPort),
      AMI_USER: 'switchboard',
      AMI_SECRET: amiSecret,
      ROUTING_TOKEN,
      JWT_SECRET: 'live-jwt-secret-live-jwt-secret-42',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ...routingFile,
      ...options.serviceEnv,
    });
    const lab = new LiveLab(pbx, service, trunk, dataSource);
    try {
      for (const phone of phones) {
        const agent = await SipAgent.start({ user: phone.extension, server: pbx.sip, password: phone.password });
        agent.behaviour = { kind: 'silent' };
        lab.phones.set(phone.extension, agent);
        await agent.register();
      }
      await service.start();
      const users: { id: string; email: string; extensions: string[] }[] = await dataSource.query('SELECT id, email, extensions FROM users');
      for (const user of users) {
        for (const extension of user.extensions) {
          lab.userIds.set(extension, user.id);
          lab.emails.set(extension, user.email);
        }
      }
      lab.adminToken = await service.login(ADMIN.email, ADMIN.password);
    } catch (error) {
      await lab.stop();
      throw error;
    }
    return lab;
  }

  phone(extension: string): SipAgent {
    const agent = this.phones.get(extension);
    if (!agent) throw new Error(`no phone ${extension}`);
    return agent;
  }

  /** Every phone (and the trunk, for calls out) silent — rings, never answers — unless a test says otherwise. */
  /** Every phone silent again, the trunk's callers mute again (a test may have made them speak). */
  async resetPhones(): Promise<void> {
    for (const agent of [...this.phones.values(), this.trunk]) {
      agent.behaviour = { kind: 'silent' };
      agent.sendsAudio = false;
    }
  }

  async token(extension: string): Promise<string> {
    const known = this.tokens.get(extension);
    if (known) return known;
    const email = this.emails.get(extension);
    if (!email) throw new Error(`nobody has extension ${extension}`);
    const token = await this.service.login(email, LIVE_PASSWORD);
    this.tokens.set(extension, token);
    return token;
  }

  /** A socket.io desk of that person, recording every event. */
  async desk(extension: string, scope?: 'all'): Promise<Desk> {
    const desk = await ioDesk(this.service.url, await this.token(extension), scope);
    this.desks.push(desk);
    return desk;
  }

  /** A call from the PSTN to `did`, as the carrier sends it over the trunk. */
  callIn(caller: string, did: string = MAIN_LINE, display?: string): { call: SipCall; at: number } {
    const at = Date.now();
    return { call: this.trunk.call(did, { from: caller, display }), at };
  }

  /** Waits until Asterisk has no channel left (between scenarios). */
  async waitIdle(timeoutMs = 20_000): Promise<void> {
    // Each probe starts an `asterisk -rx` process: every 200 ms, as before, not at the default pace.
    await until('Asterisk to have no channel left', async () => /^0 active channels/m.test(await this.pbx.cli('core show channels count')), timeoutMs, 200);
  }

  /**
   * After a test: a call a failed test left up is hung up (so it cannot fail the next test too),
   * and the PBX is idle again. Returns how many channels were left.
   */
  async settle(): Promise<number> {
    const count = /^(\d+) active channels?/m.exec(await this.pbx.cli('core show channels count'));
    const left = count ? Number(count[1]) : 0;
    if (left > 0) {
      await this.pbx.cli('channel request hangup all');
      await this.waitIdle();
    }
    return left;
  }

  /** The stored call whose caller is `caller` and that started at or after `since` (ms), once written. */
  async callRecord(where: { caller?: string; direction?: string; since: number }, timeoutMs = 20_000): Promise<CallRow> {
    return until(`a call record for ${JSON.stringify(where)}`, async () => {
      const rows: CallRow[] = await this.dataSource.query(
        `SELECT linkedid, direction, caller, caller_name, did, disposition, abandoned, voicemail, answered_by_extension, step_reached, step_index,
                ring_seconds, talk_seconds, started_at, answered_at, ended_at, transferred_to, placed_by, callee, hung_up_by, voicemail_message
           FROM calls WHERE started_at >= $1 AND ($2::text IS NULL OR caller = $2) AND ($3::text IS NULL OR direction = $3)
          ORDER BY started_at`,
        [new Date(where.since - 250), where.caller ?? null, where.direction ?? null],
      );
      return rows[0];
    }, timeoutMs);
  }

  /** Waits until lead capture has handled the call (it runs after the call is stored). */
  async leadCaptured(linkedid: string, timeoutMs = 15_000): Promise<void> {
    await until(`lead capture to handle call ${linkedid}`, async () => ((await this.dataSource.query('SELECT 1 FROM lead_capture_log WHERE linkedid = $1', [linkedid])) as unknown[]).length > 0, timeoutMs);
  }

  async legs(linkedid: string): Promise<LegRow[]> {
    return this.dataSource.query('SELECT seq, extension, step, outcome, missed, rang_from, rang_to FROM call_legs WHERE linkedid = $1 ORDER BY seq', [linkedid]);
  }

  async decisions(linkedid: string): Promise<{ steps: unknown; skipped: { step: string; extension: string | null; reason: string }[]; chain: string; rule: string }[]> {
    const { body } = await this.service.api<{ steps: unknown; skipped: { step: string; extension: string | null; reason: string }[]; chain: string; rule: string }[]>(
      'GET',
      `/api/routing/decisions?linkedid=${encodeURIComponent(linkedid)}`,
      this.adminToken,
    );
    return body;
  }

  async setRouting(config: RoutingConfig): Promise<void> {
    const { status, body } = await this.service.api('PUT', '/api/routing/chains', this.adminToken, config);
    if (status !== 200) throw new Error(`PUT /api/routing/chains: ${status} ${JSON.stringify(body)}`);
  }

  async stop(): Promise<void> {
    for (const desk of this.desks) desk.close();
    for (const agent of this.phones.values()) await agent.unregister().catch(() => undefined);
    for (const agent of this.phones.values()) await agent.close();
    await this.trunk.close();
    await this.service.stop();
    await this.pbx.stop();
    await this.dataSource.destroy();
  }
}

/**
 * The hooks every live spec needs: a lab for the suite (handed to `use` once started), the
 * report printed and everything stopped at the end, an idle PBX and silent phones before each
 * test, transcripts recorded when asked.
 */
export function useLiveLab(use: (lab: LiveLab) => void, options: LiveLabOptions = {}): void {
  let lab: LiveLab | undefined;
  beforeAll(async () => {
    lab = await LiveLab.start(options);
    use(lab);
  }, 120_000);
  afterAll(async () => {
    printReport();
    await lab?.stop();
  }, 60_000);
  beforeEach(async () => {
    await lab?.waitIdle();
    await lab?.resetPhones();
  });
  afterEach(async () => {
    const left = (await lab?.settle()) ?? 0;
    if (left > 0) process.stdout.write(`live PBX: ${left} channel(s) left up after "${expect.getState().currentTestName}", hung up\n`);
  }, 30_000);
  recordTranscripts(() => {
    if (!lab) throw new Error('the live lab did not start');
    return lab;
  });
}

/**
 * With RECORD_LIVE_AMI=<dir>, saves each test's AMI stream twice, as two AMI sessions saw it:
 * <dir>/live_<name>.ami a read=all session (the format of test/fixtures/ami), and
 * <dir>/live_<name>.switchboard.ami the product's own AMI user exactly as
 * config/manager.conf.example ships it (its rights and event filter); <name> is the test title's
 * last word after " — ".
 */
export function recordTranscripts(lab: () => LiveLab): void {
  const dir = process.env.RECORD_LIVE_AMI;
  if (!dir) return;
  let captures: { suffix: string; capture: AmiCapture }[] = [];
  beforeEach(async () => {
    captures = [
      { suffix: '', capture: await AmiCapture.open(lab().pbx.amiPort, CAPTURE_USER.username, CAPTURE_USER.secret) },
      { suffix: '.switchboard', capture: await AmiCapture.open(lab().pbx.amiPort, 'switchboard', lab().pbx.amiSecret) },
    ];
  });
  afterEach(async () => {
    await lab().waitIdle().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // trailing Cdr events, as the lab recorded
    const title = expect.getState().currentTestName ?? 'scenario';
    const name = title.includes(' — ') ? (title.split(' — ').pop() ?? 'scenario') : title.replace(/[^a-z0-9]+/gi, '_').slice(-40);
    for (const { suffix, capture } of captures) {
      capture.save(join(dir, `live_${name.trim().replace(/[^a-z0-9_]+/gi, '_')}${suffix}.ami`));
      capture.close();
    }
    captures = [];
  });
}

/** Asserts `actual` is within `tolerance` seconds of `expected` (SIP timing on a shared machine). */
export function expectAround(actual: number, expected: number, tolerance = 1): void {
  expect(actual).toBeGreaterThanOrEqual(expected - tolerance);
  expect(actual).toBeLessThanOrEqual(expected + tolerance);
}

/**
 * One line per scenario of what the phones saw (seconds after the trunk's INVITE) next to the
 * stored record, printed at the end of the suite and appended to LIVE_REPORT when set.
 */
export async function report(lab: LiveLab, at: number, linkedid: string | null, scenario = expect.getState().currentTestName ?? ''): Promise<void> {
  const seen: string[] = [];
  for (const [extension, agent] of [...lab.phones.entries(), ['trunk', lab.trunk] as const]) {
    const events = agent.events.filter((event) => event.at >= at && event.type !== 'notify');
    if (events.length === 0) continue;
    seen.push(
      `${extension}: ${events
        .map((event) => `${event.type}${event.status && event.type !== 'answered' ? ` ${event.status}` : ''} ${seconds(at, event.at).toFixed(1)}${event.type === 'invite' && event.display ? ` "${event.display}"` : ''}`)
        .join(', ')}`,
    );
  }
  let stored = 'no call record';
  if (linkedid) {
    const [call] = await lab.dataSource.query(
      'SELECT direction, caller, caller_name, disposition, abandoned, voicemail, answered_by_extension, step_reached, ring_seconds, talk_seconds, transferred_to, placed_by FROM calls WHERE linkedid = $1',
      [linkedid],
    );
    const legs = await lab.legs(linkedid);
    stored = call
      ? `${call.direction} ${call.caller}${call.caller_name ? ` "${call.caller_name}"` : ''} ${call.disposition}${call.abandoned ? ' abandoned' : ''}${call.voicemail ? ' voicemail' : ''}` +
        `${call.answered_by_extension ? ` by ${call.answered_by_extension}` : ''}${call.step_reached ? ` at ${call.step_reached}` : ''}` +
        `${call.transferred_to ? ` → transferred to ${call.transferred_to}` : ''}${call.placed_by ? ` placed by ${call.placed_by}` : ''}` +
        `, ring ${Number(call.ring_seconds).toFixed(1)} s, talk ${Number(call.talk_seconds).toFixed(1)} s; legs ${legs.map((leg) => `${leg.extension}/${leg.step ?? '-'}/${leg.outcome}`).join(' ')}`
      : 'no call record';
  }
  const line = `• ${scenario}\n    phones: ${seen.join(' | ')}\n    record: ${stored}\n`;
  REPORT.push(line);
  if (process.env.LIVE_REPORT) appendFileSync(process.env.LIVE_REPORT, line);
}

export const REPORT: string[] = [];

/** Prints the suite's report lines (afterAll). */
export function printReport(): void {
  if (REPORT.length > 0) process.stdout.write(`\nwhat the phones saw (seconds after the trunk's INVITE) and what was stored:\n${REPORT.join('')}`);
  REPORT.length = 0;
}

/** Seconds between two Date.now() values, one decimal. */
export const seconds = (from: number, to: number): number => Math.round((to - from) / 100) / 10;
