import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { CRM_LANGUAGES, type CrmLanguage } from './crm/lead-capture/lead-texts';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^(true|false|1|0|yes|no|on|off)$/i.test(value.trim()) ? /^(true|1|yes|on)$/i.test(value.trim()) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every setting of the service. The one place that reads process.env (and the optional
 * config/switchboard.json, whose keys are the same names; the environment wins).
 */
export class AppConfig {
  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  PORT = 3000;

  /** Address the HTTP port listens on; unset = every interface (as before). `127.0.0.1` keeps it on this machine. */
  @Transform(emptyToUndefined) @IsOptional() @IsIP(undefined, { message: 'HOST must be an IP address such as 127.0.0.1 or 0.0.0.0' })
  HOST?: string;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR = './data';

  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  EMBEDDED_PG_PORT = 54321;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  AMI_HOST?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  AMI_PORT = 5038;

  @IsString()
  AMI_USER = 'switchboard';

  @IsString()
  AMI_SECRET = '';

  /** Ping the AMI link this often; a Ping unanswered within the action timeout drops and reconnects it. 0 = off. */
  @Transform(toInt) @IsInt() @Min(0)
  AMI_HEARTBEAT_SECONDS = 15;

  /**
   * Several instances on one database: the one holding this Postgres advisory lock consumes AMI,
   * the others keep an actions-only session and try to take over every AMI_LEADER_POLL_MS.
   * Give each switchboard (each PBX) sharing a database its own key.
   */
  @Transform(toInt) @IsInt()
  AMI_LEADER_LOCK_KEY = 727_002;

  @Transform(toInt) @IsInt() @Min(100) @Max(60_000)
  AMI_LEADER_POLL_MS = 2_000;

  /**
   * Finished calls kept in memory while the database is unreachable (a few KB each). Every call is
   * also on disk (DATA_DIR/calls-spool) until written: beyond this bound the oldest wait there only
   * and are read back as the queue drains; one is dropped (error log, calls_dropped_total) only if
   * the disk refused it too.
   */
  @Transform(toInt) @IsInt() @Min(100)
  CALLS_BUFFER_MAX = 10_000;

  /** Times a call the database refuses (not: the database is down) is retried alone before it is parked in calls_dead_letter. */
  @Transform(toInt) @IsInt() @Min(1) @Max(20)
  CALL_WRITE_ATTEMPTS = 5;

  /** A call with no AMI event for this long (a lost link, a missed Hangup) is closed as `timeout`. */
  @Transform(toInt) @IsInt() @Min(60)
  CALL_MAX_IDLE_SECONDS = 4 * 3600;

  @Transform(emptyToUndefined) @IsOptional() @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL?: string;

  @Transform(emptyToUndefined) @IsOptional() @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters' })
  ADMIN_PASSWORD?: string;

  /** The dialplan sends it in a header; letters, digits, `_`, `.`, `-` only (what the dialplan's FILTER keeps). */
  @Transform(emptyToUndefined) @IsOptional() @MinLength(16, { message: 'ROUTING_TOKEN must be at least 16 characters' })
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'ROUTING_TOKEN may contain only letters, digits, _ . - (the dialplan drops anything else)' })
  ROUTING_TOKEN?: string;

  @Transform(emptyToUndefined) @IsOptional() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Transform(toInt) @IsInt() @Min(60)
  JWT_TTL_SECONDS = 12 * 3600;

  /** Login attempts per email in LOGIN_WINDOW_SECONDS; then 429 until the window ends (even with the right password). */
  @Transform(toInt) @IsInt() @Min(1)
  LOGIN_MAX_FAILURES = 10;

  /** Failed login attempts per source address (any emails: a password sprayed over many accounts) in the window. */
  @Transform(toInt) @IsInt() @Min(1)
  LOGIN_MAX_FAILURES_PER_IP = 30;

  @Transform(toInt) @IsInt() @Min(10)
  LOGIN_WINDOW_SECONDS = 300;

  /** Emails and addresses the login limiter remembers (each table); a locked one is never evicted. */
  @Transform(toInt) @IsInt() @Min(10)
  LOGIN_LIMITER_KEYS = 20_000;

  /**
   * Behind a reverse proxy: Express's `trust proxy` (a hop count such as `1`, `loopback`, or
   * addresses/CIDRs), so the client's address comes from X-Forwarded-For. Unset: the socket's
   * address (a proxy's X-Forwarded-For is ignored: clients cannot pick their address).
   */
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^(\d{1,2}|loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+))*$/, {
    message: 'TRUST_PROXY must be a hop count (1), loopback, linklocal, uniquelocal or addresses/CIDRs separated by commas',
  })
  TRUST_PROXY?: string;

  @IsString() @Length(2, 2)
  @Matches(/^[A-Z]{2}$/, { message: 'DEFAULT_REGION must be a two-letter country code such as RU' })
  DEFAULT_REGION = 'RU';

  @IsString()
  TIMEZONE = 'Europe/Moscow';

  @IsString() @Matches(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'STEP_VARIABLE must be a dialplan variable name' })
  STEP_VARIABLE = 'SWITCHBOARD_STEP';

  /** Step names the dialplan uses that differ from ours, e.g. the lab's `sales_group=department`. */
  @IsString() @Matches(/^(\s*[A-Za-z0-9_]+=[A-Za-z0-9_]+\s*(,|$))*$/, { message: 'STEP_ALIASES must look like sales_group=department,boss=head_of_sales' })
  STEP_ALIASES = 'sales_group=department';

  /** Largest JSON (or form) request body in KB; larger is a 413. The CSV import streams its body (IMPORT_MAX_MB). */
  @Transform(toInt) @IsInt() @Min(16) @Max(1024 * 1024)
  JSON_BODY_LIMIT_KB = 2048;

  /** Escalation chains (shape of PUT /api/routing/chains); chains saved through the API win over the file. */
  @IsString()
  ROUTING_CONFIG_FILE = 'config/routing.json';

  /** Dialplan context an AMI Originate sends the manager's answered phone to (dialplans/switchboard.conf). */
  @IsString() @Matches(/^[A-Za-z0-9_-]+$/, { message: 'CLICK_TO_CALL_CONTEXT must be a dialplan context name' })
  CLICK_TO_CALL_CONTEXT = 'switchboard-click-to-call';

  /** Click-to-call requests a user may make per minute. */
  @Transform(toInt) @IsInt() @Min(1)
  ORIGINATE_PER_MINUTE = 6;

  @Transform(toInt) @IsInt() @Min(1)
  CALLBACK_SLA_MINUTES = 15;

  /** Largest client-base CSV accepted by POST /api/import/clients (streamed to DATA_DIR/imports); larger → 413. */
  @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  IMPORT_MAX_MB = 100;

  /** An answered call from a new number also becomes a contact + Unsorted deal owned by whoever answered. */
  @Transform(toBool) @IsBoolean()
  LEAD_ON_ANSWERED_NEW_CALLER = true;

  /** Language of the deal and task titles lead capture writes ("Пропущенный звонок с …" / "Missed call from …"). */
  @IsIn(CRM_LANGUAGES, { message: 'CRM_LANGUAGE must be ru or en' })
  CRM_LANGUAGE: CrmLanguage = 'ru';

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** `json`: one JSON object per line (for log shippers); `pretty`: Nest's coloured lines. Unset: json when NODE_ENV=production. */
  @Transform(emptyToUndefined) @IsOptional() @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  NODE_ENV?: string;

  get logFormat(): 'json' | 'pretty' {
    return this.LOG_FORMAT ?? (this.NODE_ENV === 'production' ? 'json' : 'pretty');
  }

  get dataDir(): string {
    return resolve(this.DATA_DIR);
  }

  /** STEP_ALIASES as a map from the dialplan's step name to ours. */
  get stepAliases(): Record<string, string> {
    return Object.fromEntries(
      this.STEP_ALIASES.split(',')
        .map((pair) => pair.trim().split('='))
        .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== '' && pair[1] !== ''),
    );
  }

  /** TRUST_PROXY as Express takes it (false: trust no proxy). */
  get trustProxy(): boolean | number | string[] {
    if (this.TRUST_PROXY === undefined) return false;
    if (/^\d+$/.test(this.TRUST_PROXY)) return Number(this.TRUST_PROXY);
    return this.TRUST_PROXY.split(',').map((part) => part.trim());
  }

  get amiEnabled(): boolean {
    return this.AMI_HOST !== undefined;
  }
}

export class ConfigError extends Error {}

const KEYS = Object.keys(new AppConfig());

/**
 * Reads, merges and validates the settings; throws ConfigError naming every bad setting.
 * `configDir` null: no config file at all (only `env`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, configDir: string | null = 'config'): AppConfig {
  const file = env.CONFIG_FILE ?? (configDir === null ? null : join(configDir, 'switchboard.json'));
  const fromFile = file === null ? {} : readConfigFile(file);
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of KEYS) {
    if (env[key] !== undefined) merged[key] = env[key];
  }
  const config = plainToInstance(AppConfig, merged, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: false });
  const problems = errors.flatMap((error) => Object.values(error.constraints ?? {}).map((text) => `${error.property}: ${text}`));
  if (!isSupportedCountry(config.DEFAULT_REGION)) problems.push(`DEFAULT_REGION: unknown country code ${config.DEFAULT_REGION}`);
  if (!isValidTimezone(config.TIMEZONE)) problems.push(`TIMEZONE: unknown IANA time zone ${config.TIMEZONE}`);
  if ((config.ADMIN_EMAIL === undefined) !== (config.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_EMAIL/ADMIN_PASSWORD: set both or neither');
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return config;
}

/** The only settings `npm run demo` takes from the environment: how it shows times, numbers and logs. */
export const DEMO_ENV_SETTINGS = ['TIMEZONE', 'DEFAULT_REGION', 'LOG_LEVEL', 'LOG_FORMAT'] as const;

/**
 * The settings of `npm run demo`: `settings` (its own), plus DEMO_ENV_SETTINGS from the
 * environment. Never a config file, DATABASE_URL or the AMI settings of a real installation.
 */
export function loadDemoConfig(settings: Record<string, string>, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const taken: Record<string, string> = {};
  for (const key of DEMO_ENV_SETTINGS) {
    const value = env[key];
    if (value !== undefined && value !== '') taken[key] = value;
  }
  return loadConfig({ ...settings, ...taken }, null);
}

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, typeof value === 'number' ? String(value) : value]));
  } catch (error) {
    throw new ConfigError(`Invalid configuration file ${path}: ${(error as Error).message}`);
  }
}

function isValidTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
