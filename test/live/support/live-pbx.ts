/**
 * A private, real Asterisk 22 per test suite (the build in ../shared/asterisk, installed by
 * `install.sh PREFIX`; `.ci/run` does it). Every file it reads is generated here under a temp
 * folder, every socket is on 127.0.0.1 and free ports:
 * - manager.conf: `[general]` of our own plus the AMI user **exactly as config/manager.conf.example**
 *   ships it (only the secret and permit line changed, as the admin is told to);
 * - extensions.conf: the globals and the include exactly as dialplans/README.md tells an admin,
 *   with dialplans/switchboard.conf copied byte for byte beside it;
 * - pjsip.conf: a trunk identified by its address and desk phones that REGISTER with digest auth;
 * - a customer's own dialplan and configs beside ours when a test gives them (`customer`): contexts
 *   appended to extensions.conf, DIDs the trunk sends there instead of switchboard-inbound, extra
 *   config files (queues.conf, res_parking.conf, a `[default](+)` of voicemail.conf…).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../../src/common/project-paths';
import { freePort } from '../../support/own-database';

const run = promisify(execFile);
const ROOT = projectRoot();

export const SHIPPED_DIALPLAN = join(ROOT, 'dialplans', 'switchboard.conf');
export const SHIPPED_MANAGER_EXAMPLE = join(ROOT, 'config', 'manager.conf.example');
const SOUNDS = '/usr/share/asterisk/sounds';
/** English prompts: Debian's asterisk-core-sounds-en-gsm installs them as en_US_f_Allison (the `en` link comes from another package). */
function englishPrompts(): string | null {
  for (const name of ['en', 'en_US_f_Allison']) if (existsSync(join(SOUNDS, name, 'vm-nobodyavail.gsm'))) return join(SOUNDS, name);
  return null;
}

/** A second AMI user that sees everything (transcript recording, not the service). */
export const CAPTURE_USER = { username: 'capture', secret: 'capture-secret-0123' };

/** Where the bundle is installed (`install.sh PREFIX`): ASTERISK_PREFIX, else /opt/asterisk-22. */
export function asteriskPrefix(): string {
  return process.env.ASTERISK_PREFIX ?? '/opt/asterisk-22';
}

/** Why the live suite cannot run here, or null when a real Asterisk and its prompts are installed. */
export function liveUnavailableReason(): string | null {
  const binary = join(asteriskPrefix(), 'bin', 'asterisk');
  if (!existsSync(binary)) {
    return `no Asterisk at ${binary}: install it with ../shared/asterisk/install.sh ${asteriskPrefix()} (or set ASTERISK_PREFIX)`;
  }
  if (englishPrompts() === null) return `no English Asterisk prompts under ${SOUNDS} (Debian package asterisk-core-sounds-en-gsm; install.sh installs it)`;
  return null;
}

/**
 * Why the installed Asterisk cannot run on this machine's processor, or null. The bundle of
 * ../shared/asterisk was compiled with AVX-512 instructions (`vmovdqu8` on ymm registers in its
 * startup code): on a CPU without AVX-512 every start — even `asterisk -rx` — dies of SIGILL,
 * while `asterisk -V` (what install.sh prints) still works. Probed once per test file with a
 * remote-console command that needs no running instance.
 */
export function liveCpuUnsupportedReason(): string | null {
  const binary = join(asteriskPrefix(), 'bin', 'asterisk');
  const probe = spawnSync(binary, ['-C', '/nonexistent/asterisk.conf', '-rx', 'core show version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.signal !== 'SIGILL' && probe.status !== 128 + 4) return null;
  const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
  const avx512 = flags.split(/\s+/).filter((flag) => flag.startsWith('avx512'));
  return (
    `the Asterisk at ${binary} dies of SIGILL (illegal instruction) on this processor` +
    ` (AVX-512: ${avx512.length > 0 ? avx512.join(' ') : 'none'}): the bundle needs a CPU it was built for, or a rebuild without CPU-specific instructions`
  );
}

export interface PhoneConfig {
  extension: string;
  password: string;
  callerId: string;
  /** pjsip call_group/pickup_group (group pickup with *8). */
  group?: string;
}

/**
 * The PBX as a customer already runs it, beside switchboard's include (test/live/shapes.live.spec.ts):
 * their contexts, the DIDs their inbound routes take, their queues, parking lots and mailboxes.
 */
export interface CustomerPbx {
  /** extensions.conf text appended after ours: the customer's own contexts (a repeated `[from-internal]` adds to it). */
  dialplan?: string;
  /** DID (or `_pattern`) → context: the trunk sends those calls to `Goto(<context>,${EXTEN},1)` instead of switchboard-inbound. */
  dids?: Record<string, string>;
  /** Config file name → text appended to what the harness writes (or the whole file when it writes none). */
  configs?: Record<string, string>;
}

export interface LivePbxOptions {
  /** The service's base URL the dialplan asks (SWITCHBOARD_URL). */
  serviceUrl: string;
  /** SWITCHBOARD_TOKEN (the service's ROUTING_TOKEN). */
  token: string;
  phones: PhoneConfig[];
  /** Extra globals (SWITCHBOARD_VOICEMAIL, fallback chain, …). */
  globals?: Record<string, string>;
  amiSecret: string;
  customer?: CustomerPbx;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export class LivePbx {
  readonly dir: string;
  amiPort = 0;
  readonly amiSecret: string;
  sipPort = 0;
  trunkPort = 0;
  private process: ChildProcess | null = null;
  private readonly binary = join(asteriskPrefix(), 'bin', 'asterisk');

  private constructor(private readonly options: LivePbxOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'switchboard-live-pbx-'));
    this.amiSecret = options.amiSecret;
  }

  /** Writes the configuration and boots Asterisk; resolves once it is fully booted. */
  static async start(options: LivePbxOptions & { trunkPort: number }): Promise<LivePbx> {
    const pbx = new LivePbx(options);
    pbx.trunkPort = options.trunkPort;
    await pbx.boot();
    return pbx;
  }

  get sip(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.sipPort };
  }

  private async boot(): Promise<void> {
    this.amiPort = await freePort();
    this.sipPort = await freeUdpPort();
    const rtpStart = 20000 + Math.floor(Math.random() * 20000);
    const dir = this.dir;
    for (const sub of ['etc', 'var-lib', 'spool', 'run', 'log']) mkdirSync(join(dir, sub), { recursive: true });
    const prefix = asteriskPrefix();
    for (const data of ['documentation', 'rest-api', 'static-http', 'keys', 'phoneprov', 'firmware', 'images', 'scripts', 'third-party']) {
      if (existsSync(join(prefix, 'var-lib', data))) symlinkSync(join(prefix, 'var-lib', data), join(dir, 'var-lib', data));
    }
    // sounds/en → the English prompts, as a PBX with Debian's sound packages has them
    mkdirSync(join(dir, 'var-lib', 'sounds'));
    symlinkSync(englishPrompts() ?? join(SOUNDS, 'en'), join(dir, 'var-lib', 'sounds', 'en'));
    const etc = (name: string, text: string): void => writeFileSync(join(dir, 'etc', name), text);
    writeFileSync(
      join(dir, 'asterisk.conf'),
      `[directories]
astetcdir => ${dir}/etc
astmoddir => ${prefix}/modules
astvarlibdir => ${dir}/var-lib
astdbdir => ${dir}/var-lib
astkeydir => ${dir}/var-lib
astdatadir => ${dir}/var-lib
astagidir => ${dir}/var-lib/agi-bin
astspooldir => ${dir}/spool
astrundir => ${dir}/run
astlogdir => ${dir}/log
astsbindir => ${prefix}/sbin

[options]
verbose = 3
timestamp = yes
`,
    );
    etc(
      'modules.conf',
      `[modules]
autoload = yes
noload => res_ari.so
noload => res_phoneprov.so
noload => cel_custom.so
noload => cdr_custom.so
noload => res_config_curl.so
noload => res_config_sqlite3.so
noload => pbx_realtime.so
noload => res_smdi.so
noload => chan_mgcp.so
noload => chan_skinny.so
noload => chan_unistim.so
noload => res_hep.so
noload => res_hep_pjsip.so
noload => res_hep_rtcp.so
`,
    );
    etc('logger.conf', '[general]\ndateformat = %F %T.%3q\n[logfiles]\nmessages.log => notice,warning,error,verbose\n');
    etc('rtp.conf', `[general]\nrtpstart = ${rtpStart}\nrtpend = ${rtpStart + 400}\n`);
    etc('cdr.conf', '[general]\nenable = yes\n');
    etc('cdr_manager.conf', '[general]\nenabled = yes\n');
    etc('features.conf', '[general]\npickupexten = *8\n');
    etc('voicemail.conf', '[general]\nformat = wav\nmaxsecs = 30\nminsecs = 1\n\n[default]\n100 => 1234,Sales mailbox\n');
    etc('musiconhold.conf', '[default]\nmode = files\ndirectory = moh\n');
    etc('manager.conf', this.managerConf());
    etc('pjsip.conf', this.pjsipConf());
    copyFileSync(SHIPPED_DIALPLAN, join(dir, 'etc', 'switchboard.conf'));
    etc('extensions.conf', this.extensionsConf());
    for (const [name, text] of Object.entries(this.options.customer?.configs ?? {})) {
      if (!/^[a-z0-9_]+\.conf$/.test(name)) throw new Error(`customer config ${JSON.stringify(name)}: a file name like queues.conf`);
      const path = join(dir, 'etc', name);
      writeFileSync(path, `${existsSync(path) ? `${readFileSync(path, 'utf8')}\n` : ''}; --- the customer's own\n${text}\n`);
    }

    const child = spawn(this.binary, ['-C', join(dir, 'asterisk.conf'), '-f'], { stdio: ['ignore', 'ignore', 'ignore'], detached: false });
    this.process = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Asterisk exited (${child.exitCode}) at start; see ${dir}/log/messages.log`);
      try {
        await this.cli('core waitfullybooted', 5_000);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`Asterisk did not boot in 30 s: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** The AMI user section of config/manager.conf.example, with the two lines an admin changes. */
  private managerConf(): string {
    const example = readFileSync(SHIPPED_MANAGER_EXAMPLE, 'utf8');
    const user = example.slice(example.indexOf('[switchboard]'));
    if (!user.startsWith('[switchboard]')) throw new Error('config/manager.conf.example has no [switchboard] section');
    const edited = user
      .replace(/^secret\s*=.*$/m, `secret = ${this.options.amiSecret}`)
      .replace(/^permit\s*=.*$/m, 'permit = 127.0.0.1/255.255.255.255');
    // `capture`: the lab's recorder (read = all, as the recordings in test/fixtures/ami were made).
    const capture = `[${CAPTURE_USER.username}]\nsecret = ${CAPTURE_USER.secret}\ndeny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.1/255.255.255.255\nread = all\nwrite = all\n\n`;
    return `[general]\nenabled = yes\nbindaddr = 127.0.0.1\nport = ${this.amiPort}\ntimestampevents = yes\n\n${capture}${edited}`;
  }

  private pjsipConf(): string {
    const parts = [
      `[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:${this.sipPort}

; the PSTN trunk: identified by its address, calls land in from-trunk
[trunk]
type = endpoint
transport = transport-udp
context = from-trunk
disallow = all
allow = ulaw,alaw
direct_media = no
aors = trunk
[trunk]
type = aor
contact = sip:trunk@127.0.0.1:${this.trunkPort}
[trunk]
type = identify
endpoint = trunk
match = 127.0.0.1:${this.trunkPort}
`,
    ];
    for (const phone of this.options.phones) {
      parts.push(`[${phone.extension}]
type = endpoint
transport = transport-udp
context = from-internal
disallow = all
allow = ulaw,alaw
direct_media = no
auth = ${phone.extension}
aors = ${phone.extension}
callerid = ${phone.callerId}
${phone.group ? `call_group = ${phone.group}\npickup_group = ${phone.group}\n` : ''}[${phone.extension}]
type = auth
auth_type = userpass
username = ${phone.extension}
password = ${phone.password}
[${phone.extension}]
type = aor
max_contacts = 1
remove_existing = yes
`);
    }
    return parts.join('\n');
  }

  /**
   * extensions.conf as dialplans/README.md tells an admin of a plain Asterisk to write it: the
   * globals, `#include switchboard.conf`, the trunk's context sending calls to switchboard-inbound.
   * The rest is this PBX's own dialplan (desk-to-desk calls, pickups, the trunk out), and the
   * customer's when a test gives one: its DIDs before the catch-all, its contexts at the end.
   */
  private extensionsConf(): string {
    const customer = this.options.customer ?? {};
    const dids = Object.entries(customer.dids ?? {})
      .map(([did, context]) => {
        if (!/^_?[0-9X.\[\]-]+$/.test(did) || !/^[a-z0-9_-]+$/i.test(context)) throw new Error(`customer DID ${did} → ${context}: digits (or a _pattern) and a context name`);
        return `exten => ${did},1,Goto(${context},\${EXTEN},1)\n`;
      })
      .join('');
    const globals: Record<string, string> = {
      SWITCHBOARD_URL: this.options.serviceUrl,
      SWITCHBOARD_TOKEN: this.options.token,
      SWITCHBOARD_FALLBACK_DEPARTMENT: 'PJSIP/101&PJSIP/102&PJSIP/103',
      SWITCHBOARD_FALLBACK_HEAD: 'PJSIP/200',
      SWITCHBOARD_FALLBACK_CEO: 'PJSIP/300',
      SWITCHBOARD_FALLBACK_OWNER: 'PJSIP/400',
      ...this.options.globals,
    };
    return `[globals]
${Object.entries(globals)
  .map(([name, value]) => `${name} = ${value}`)
  .join('\n')}

#include switchboard.conf

[from-trunk]
${dids}exten => _X.,1,Goto(switchboard-inbound,\${EXTEN},1)

[from-internal]
exten => _XXX,1,Dial(PJSIP/\${EXTEN},30)
 same => n,Hangup()
exten => _**XXX,1,PickupChan(PJSIP/\${EXTEN:2})
 same => n,Hangup()
exten => _XXXXX.,1,Dial(PJSIP/\${EXTEN}@trunk,30)
 same => n,Hangup()
${customer.dialplan ? `\n; ---- the customer's own dialplan\n${customer.dialplan}\n` : ''}`;
  }

  /** sha256 of the dialplan file Asterisk loaded and of the shipped one. */
  dialplanHashes(): { loaded: string; shipped: string } {
    const hash = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
    return { loaded: hash(join(this.dir, 'etc', 'switchboard.conf')), shipped: hash(SHIPPED_DIALPLAN) };
  }

  /** Runs an Asterisk CLI command on this instance (asterisk -rx). */
  async cli(command: string, timeoutMs = 10_000): Promise<string> {
    const { stdout } = await run(this.binary, ['-C', join(this.dir, 'asterisk.conf'), '-rx', command], { timeout: timeoutMs });
    return stdout;
  }

  /** Sets a global variable at run time (as `dialplan set global` would). */
  async setGlobal(name: string, value: string): Promise<void> {
    await this.cli(`dialplan set global ${name} ${value}`);
  }

  /** The log written since `offset` (bytes of messages.log). */
  logSince(offset: number): string {
    const path = join(this.dir, 'log', 'messages.log');
    if (!existsSync(path)) return '';
    return readFileSync(path).subarray(offset).toString('utf8');
  }

  logSize(): number {
    const path = join(this.dir, 'log', 'messages.log');
    return existsSync(path) ? statSync(path).size : 0;
  }

  /** `dialplan reload`, returning the WARNING/ERROR lines Asterisk logged while doing it. */
  async reloadDialplan(): Promise<{ output: string; problems: string[] }> {
    const offset = this.logSize();
    const output = await this.cli('dialplan reload');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const problems = this.logSince(offset)
      .split('\n')
      .filter((line) => /\b(WARNING|ERROR)\[/.test(line));
    return { output, problems };
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await this.cli('core stop now', 5_000).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (!process.env.KEEP_LIVE_PBX) rmSync(this.dir, { recursive: true, force: true });
  }
}
