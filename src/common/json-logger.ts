import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';

export const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's level names → the usual ones log shippers expect. */
const LEVEL_NAMES: Record<LogLevel, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

const LINKEDID = /\bcall (\d+\.\d+)\b/;

export interface JsonLogLine {
  time: string;
  level: string;
  context?: string;
  msg: string;
  linkedid?: string;
  stack?: string;
  [key: string]: unknown;
}

/**
 * A Nest LoggerService writing one JSON object per line: {time, level, context, msg, ...}.
 * Existing code keeps Nest's Logger API; call ids already appear in messages as `call <linkedid>`
 * and are lifted into their own `linkedid` field. An object logged as the message is merged in.
 */
export class JsonLogger implements LoggerService {
  private readonly enabled: Set<LogLevel>;

  constructor(
    levels: LogLevel[],
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.enabled = new Set(levels);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.enabled.clear();
    for (const level of levels) this.enabled.add(level);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest, true);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('fatal', message, rest, true);
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[], mayHaveStack = false): void {
    if (!this.enabled.has(level)) return;
    this.write(`${JSON.stringify(formatLogLine(level, message, rest, mayHaveStack))}\n`);
  }
}

/**
 * Nest calls `logger.error(message, stack?, context?)` and `logger.log(message, context?)`: the
 * last string argument is the context, and for errors a preceding multi-line string is the stack.
 */
export function formatLogLine(level: LogLevel, message: unknown, rest: unknown[], mayHaveStack = false, now = new Date()): JsonLogLine {
  const args = [...rest];
  const context = args.length > 0 && typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
  const stack = mayHaveStack && typeof args[0] === 'string' && args[0].includes('\n') ? (args.shift() as string) : undefined;
  const line: JsonLogLine = { time: now.toISOString(), level: LEVEL_NAMES[level], msg: '' };
  if (context !== undefined) line.context = context;
  if (message instanceof Error) {
    line.msg = message.message;
    line.stack = message.stack;
  } else if (typeof message === 'object' && message !== null) {
    const { msg, message: text, ...fields } = message as Record<string, unknown>;
    Object.assign(line, fields);
    line.msg = String(msg ?? text ?? '');
  } else {
    line.msg = String(message);
  }
  const call = LINKEDID.exec(line.msg);
  if (call && line.linkedid === undefined) line.linkedid = call[1];
  if (stack !== undefined) line.stack = stack;
  if (args.length > 0) line.extra = args.map((value) => (value instanceof Error ? value.message : value));
  return line;
}

/**
 * Nest's start-up chatter (one "Mapped {/api/…, GET} route" line per route, one "… dependencies
 * initialized" per module: ~100 lines) is logged at debug instead of log.
 */
const STARTUP_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader', 'WebSocketsController']);

export class QuietStartupLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context)) this.inner.debug?.(message, ...rest);
    else this.inner.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...rest);
  }
  setLogLevels(levels: LogLevel[]): void {
    this.inner.setLogLevels?.(levels);
  }
}

/** The logger for Nest: the JSON one, or Nest's own (pretty) limited to the levels up to `level`. */
export function appLogger(format: 'json' | 'pretty', level: LogLevel): LoggerService {
  const levels = LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
  return new QuietStartupLogger(format === 'json' ? new JsonLogger(levels) : new ConsoleLogger({ logLevels: levels }));
}
