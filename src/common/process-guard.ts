import { Logger } from '@nestjs/common';

export type EscapedErrorKind = 'unhandled_rejection' | 'uncaught_exception';

/**
 * The last resort of the service process: a rejection nobody handled or an exception nobody
 * caught (an 'error' event without a listener is one) is logged with its stack — one JSON line
 * with `stack` under LOG_FORMAT=json — and counted (process_escaped_errors_total), and the service
 * keeps running: one bad input must not drop every call in flight. Each such line is a bug to fix
 * at its edge; the guard only keeps the others' calls alive meanwhile.
 *
 * Also listens for 'error' on stdout/stderr: a log reader that goes away (EPIPE) must not take the
 * service with it (there is nowhere left to log that, so it is only counted).
 */
export class ProcessGuard {
  private readonly logger = new Logger('ProcessGuard');
  private readonly counts: Record<EscapedErrorKind, number> = { unhandled_rejection: 0, uncaught_exception: 0 };
  private listener: ((kind: EscapedErrorKind) => void) | null = null;
  private uninstallers: (() => void)[] = [];
  private logWritesLost = 0;

  install(target: NodeJS.Process = process): this {
    const onRejection = (reason: unknown): void => this.escaped('unhandled_rejection', reason);
    const onException = (error: Error, origin: string): void => this.escaped('uncaught_exception', error, origin);
    const onLogStreamError = (): void => {
      this.logWritesLost++;
    };
    target.on('unhandledRejection', onRejection);
    target.on('uncaughtException', onException);
    target.stdout.on('error', onLogStreamError);
    target.stderr.on('error', onLogStreamError);
    this.uninstallers.push(() => {
      target.off('unhandledRejection', onRejection);
      target.off('uncaughtException', onException);
      target.stdout.off('error', onLogStreamError);
      target.stderr.off('error', onLogStreamError);
    });
    return this;
  }

  uninstall(): void {
    for (const uninstall of this.uninstallers.splice(0)) uninstall();
  }

  /** Counts escapes from now on into `listener` (a metric), after replaying those counted so far. */
  countInto(listener: (kind: EscapedErrorKind) => void): void {
    for (const kind of Object.keys(this.counts) as EscapedErrorKind[]) for (let i = 0; i < this.counts[kind]; i++) listener(kind);
    this.listener = listener;
  }

  get escapedSoFar(): Readonly<Record<EscapedErrorKind, number>> {
    return this.counts;
  }

  /** Errors of the log streams themselves (a closed pipe), which could not be logged. */
  get lostLogWrites(): number {
    return this.logWritesLost;
  }

  private escaped(kind: EscapedErrorKind, reason: unknown, origin?: string): void {
    this.counts[kind]++;
    try {
      this.listener?.(kind);
    } catch {
      // counting must never throw from here
    }
    const what = kind === 'unhandled_rejection' ? 'unhandled promise rejection' : `uncaught exception${origin && origin !== 'uncaughtException' ? ` (${origin})` : ''}`;
    const error = reason instanceof Error ? reason : null;
    const message = error ? `${error.name}: ${error.message}` : describe(reason);
    try {
      if (error?.stack) this.logger.error(`${what}, service kept running: ${message}`, error.stack);
      else this.logger.error(`${what}, service kept running: ${message} (not an Error: no stack)`);
    } catch {
      // the log stream itself failed: nothing more to do
    }
  }
}

function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
