import { RowShapeError } from '../../common/sql-rows';
import { CallRecordShapeError } from './call-record-json';

/**
 * What to do when writing calls failed (pure). Two different troubles, two answers:
 *
 * - **the database is down or broken** (no connection, a dropped connection, a missing table, a
 *   read-only or full server…): every call stays buffered and the whole queue waits with backoff
 *   (1 s doubling up to 30 s), as a good queue does;
 * - **this call is refused** (Postgres rejects its data: SQLSTATE class 22 "data exception",
 *   23 "integrity constraint violation", 54 "program limit exceeded", or our own code failed on
 *   it before sending): the call is taken out of the batch and retried alone with backoff; after
 *   CALL_WRITE_ATTEMPTS failures alone it is parked in `calls_dead_letter` with its raw events
 *   and the error. The other calls of the batch are written meanwhile.
 */
export type WriteFailureKind = 'database' | 'call';

const CALL_SQLSTATE_CLASSES = new Set(['22', '23', '54']);

/** Thrown by our own code while preparing one call for writing: that call is at fault, not the database. */
export class CallPreparationError extends Error {
  constructor(
    readonly linkedid: string,
    cause: unknown,
  ) {
    super(`call ${linkedid} could not be prepared for writing: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export function classifyWriteError(error: unknown): WriteFailureKind {
  if (error instanceof CallPreparationError) return 'call';
  // What is stored for this call cannot be read back (another shape): its fault, not an outage —
  // waiting for "the database" would hold every other call behind it forever.
  if (error instanceof CallRecordShapeError || error instanceof RowShapeError) return 'call';
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  // pg's DatabaseError carries the 5-character SQLSTATE; socket errors carry ECONNREFUSED & co.
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && CALL_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'call';
  return 'database';
}

/** SQLSTATE of a database error, or null. */
export function sqlState(error: unknown): string | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** Wait before the next try after `failures` failures in a row (1 s, 2 s, 4 s … 30 s). */
export function retryDelayMs(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.max(0, Math.min(failures - 1, 10)));
}

/** After a call failed alone for the `attempts`-th time: try again later, or park it. */
export function afterRefusal(attempts: number, maxAttempts: number): { action: 'retry'; delayMs: number } | { action: 'park' } {
  return attempts >= maxAttempts ? { action: 'park' } : { action: 'retry', delayMs: retryDelayMs(attempts) };
}
