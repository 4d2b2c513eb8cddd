import type { AmiMessage } from '../ami/ami-frame-parser';
import type { CallRecord } from './call-record';
import type { CallSpool, SpoolRef } from './call-spool';
import { afterRefusal, classifyWriteError, retryDelayMs, sqlState } from './call-write-policy';

export interface FinalizedCall {
  record: CallRecord;
  events: AmiMessage[];
}

export interface ParkedFailure {
  error: string;
  sqlState: string | null;
  attempts: number;
  firstFailedAt: Date;
}

/**
 * Where the queue writes: one transaction per batch, resolving with the records as stored (a call
 * whose events were all stored already is not written again and not in the list); a refused
 * call goes to the dead letter.
 */
export interface CallWriteTarget {
  write(batch: readonly FinalizedCall[]): Promise<readonly CallRecord[]>;
  park(call: FinalizedCall, failure: ParkedFailure): Promise<void>;
}

export interface CallWriteQueueOptions {
  /** Calls held in memory; beyond it the oldest wait on disk only (the spool) until there is room. */
  maxInMemory: number;
  /** Failed writes of a call alone before it is parked. */
  writeAttempts: number;
  spool: CallSpool | null;
  logger: { log(message: string): void; warn(message: string): void; error(message: string): void; debug(message: string): void };
  onDropped(linkedid: string): void;
  onDatabaseError(): void;
  /** A call the database keeps refusing is in the dead letter now (not stored). */
  onParked(record: CallRecord): void;
  /** After each committed batch: the records as stored (those written, then those kept as they were). */
  onStored(records: readonly CallRecord[]): void;
}

interface QueuedCall extends FinalizedCall {
  ref: SpoolRef | null;
  /** Taken out of batches after a refusal: written on its own. */
  alone: boolean;
  /** Failed writes alone so far. */
  attempts: number;
  retryAt: number;
  firstFailedAt: number | null;
}

interface Evicted {
  linkedid: string;
  ref: SpoolRef;
  alone: boolean;
  attempts: number;
  firstFailedAt: number | null;
}

const MAX_BATCH = 50;
/** Transactions in flight at once: the database works on one batch while the next is sent. */
const MAX_WRITERS = 2;

/**
 * The queue of finished calls on their way to the database. Calls are written in batches (one
 * transaction each, at most two at a time, the newest record of a call always last) and, with a
 * spool, appended to disk first, so none is ever only in memory. When the database is down
 * (call-write-policy.ts) everything waits and the queue retries with backoff; when one call is
 * refused, the calls of its batch are written alone, the refused one retried with its own
 * backoff and, after `writeAttempts`, parked — every other call goes on being written.
 * Never throws.
 */
export class CallWriteQueue {
  private queue = new Map<string, QueuedCall>();
  private readonly evicted = new Map<string, Evicted>();
  private writers = 0;
  private inFlight = 0;
  private readonly inFlightIds = new Set<string>();
  private retryTimer: NodeJS.Timeout | null = null;
  private aloneTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  /** Writes fail for a database-wide reason (since when, and the last error), or null. */
  failing: { since: Date; error: string } | null = null;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Calls written since start. */
  written = 0;

  private readonly options: CallWriteQueueOptions;

  constructor(
    private readonly target: CallWriteTarget,
    options: CallWriteQueueOptions,
  ) {
    this.options = { ...options };
  }

  /** Calls not written yet: queued, in flight, and waiting on disk only. */
  get pending(): number {
    return this.queue.size + this.inFlight + this.evicted.size;
  }

  /** Calls refused at least once and retried alone now. */
  get isolated(): string[] {
    return [...this.queue.values()].filter((item) => item.alone).map((item) => item.record.linkedid);
  }

  /** Calls held on disk only (the in-memory bound was reached). */
  get onDiskOnly(): number {
    return this.evicted.size;
  }

  /** Appends every call queued from now on to `spool` first. */
  useSpool(spool: CallSpool): void {
    this.options.spool = spool;
  }

  /** Queues a finished call (a newer record of the same call replaces the queued one). */
  enqueue(record: CallRecord, events: AmiMessage[], ref: SpoolRef | null | undefined = undefined): void {
    const spooled = ref !== undefined ? ref : (this.options.spool?.append({ record, events }) ?? null);
    this.supersede(record.linkedid);
    this.queue.set(record.linkedid, { record, events, ref: spooled, alone: false, attempts: 0, retryAt: 0, firstFailedAt: null });
    this.bound();
    this.pump();
  }

  /** Resolves once everything queued so far is written (or parked), or false after `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    if (this.pending === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Shutdown: one last try now (skipping the backoff), wait up to `timeoutMs`, then stop. Returns the linkedids left. */
  async stop(timeoutMs: number): Promise<{ left: string[]; notOnDisk: string[] }> {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    for (const item of this.queue.values()) item.retryAt = 0;
    this.pump();
    await this.drain(timeoutMs);
    this.stopped = true;
    if (this.aloneTimer) clearTimeout(this.aloneTimer);
    this.aloneTimer = null;
    const left = [...this.queue.values()].map((item) => item.record.linkedid).concat([...this.evicted.keys()]);
    const notOnDisk = [...this.queue.values()].filter((item) => item.ref === null).map((item) => item.record.linkedid);
    return { left, notOnDisk };
  }

  // ---- the loop ------------------------------------------------------------------------------

  private pump(): void {
    if (this.stopped) return;
    if (!this.retryTimer) {
      this.readBack();
      while (this.writers < MAX_WRITERS && this.startBatch()) {
        // keep starting batches while there is work and a free writer
      }
    }
    if (this.writers === 0 && this.queue.size === 0 && this.evicted.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /**
   * Takes the next batch: a refused call whose wait is over, on its own; else up to MAX_BATCH
   * other calls (none whose older record is still being written).
   */
  private startBatch(): boolean {
    const now = Date.now();
    let batch: QueuedCall[] = [];
    let nextAlone = Number.POSITIVE_INFINITY;
    for (const [linkedid, item] of this.queue) {
      if (this.inFlightIds.has(linkedid)) continue;
      if (item.alone) {
        if (item.retryAt <= now && batch.length === 0) {
          batch = [item];
          break;
        }
        nextAlone = Math.min(nextAlone, item.retryAt);
        continue;
      }
      batch.push(item);
      if (batch.length >= MAX_BATCH) break;
    }
    if (batch.length === 0) {
      this.wakeAloneAt(nextAlone);
      return false;
    }
    for (const item of batch) this.queue.delete(item.record.linkedid);
    this.writers++;
    this.inFlight += batch.length;
    for (const item of batch) this.inFlightIds.add(item.record.linkedid);
    void this.target
      .write(batch)
      .then(
        (stored) => this.onWritten(batch, stored),
        (error: unknown) => this.onFailed(batch, error),
      )
      .catch((error: unknown) => this.options.logger.error(`call write queue: ${errorText(error)}`))
      .finally(() => {
        this.writers--;
        this.inFlight -= batch.length;
        for (const item of batch) this.inFlightIds.delete(item.record.linkedid);
        this.pump();
      });
    return true;
  }

  private onWritten(batch: QueuedCall[], stored: readonly CallRecord[]): void {
    this.written += batch.length;
    if (this.failures > 0) {
      this.options.logger.log(`database writable again: ${batch.length} buffered call(s) written, ${this.pending - batch.length} still waiting`);
    }
    this.failures = 0;
    this.failing = null;
    for (const item of batch) {
      this.release(item);
      if (item.alone) this.options.logger.log(`call ${item.record.linkedid} written alone after ${item.attempts} refused attempt(s)`);
      else this.options.logger.debug(`call ${item.record.linkedid} stored (${item.record.disposition})`);
    }
    if (stored.length > 0) this.options.onStored(stored);
  }

  private onFailed(batch: QueuedCall[], error: unknown): void {
    const kind = classifyWriteError(error);
    if (kind === 'database') return this.waitForDatabase(batch, error);
    if (batch.length > 1) {
      // One of these calls is refused: write each on its own so the others get through.
      this.options.logger.warn(
        `writing ${batch.length} call(s) failed on one of them (${errorText(error)}); writing each alone: ${ids(batch)}`,
      );
      for (const item of batch) item.alone = true;
      this.putBack(batch);
      return;
    }
    const [item] = batch;
    item.attempts++;
    item.firstFailedAt ??= Date.now();
    const next = afterRefusal(item.attempts, this.options.writeAttempts);
    if (next.action === 'park') {
      void this.park(item, error);
      return;
    }
    item.retryAt = Date.now() + next.delayMs;
    this.options.logger.warn(
      `call ${item.record.linkedid} refused by the database (attempt ${item.attempts}/${this.options.writeAttempts}): ${errorText(error)}; retrying it alone in ${next.delayMs} ms`,
    );
    this.putBack([item]);
  }

  /** The database is down: everything waits, the failed batch in front. */
  private waitForDatabase(batch: QueuedCall[], error: unknown): void {
    this.putBack(batch);
    this.failures++;
    this.failing = { since: this.failing?.since ?? new Date(), error: errorText(error) };
    const delay = retryDelayMs(this.failures);
    this.options.onDatabaseError();
    this.options.logger.warn(
      `writing ${batch.length} call(s) failed (${ids(batch)}): ${errorText(error)}; ${this.pending} call(s) buffered, retry in ${delay} ms`,
    );
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, delay);
    this.retryTimer.unref();
  }

  private async park(item: QueuedCall, error: unknown): Promise<void> {
    const linkedid = item.record.linkedid;
    const failure: ParkedFailure = {
      error: errorText(error),
      sqlState: sqlState(error),
      attempts: item.attempts,
      firstFailedAt: new Date(item.firstFailedAt ?? Date.now()),
    };
    this.writers++;
    this.inFlight++;
    this.inFlightIds.add(linkedid);
    try {
      await this.target.park(item, failure);
      this.release(item);
      this.options.onParked(item.record);
      this.options.logger.error(
        `call ${linkedid} parked in calls_dead_letter after ${item.attempts} refused attempt(s): ${failure.error}; ` +
          'fix the cause, then `npm run retry-calls` writes it',
      );
    } catch (parkError) {
      // Not even the dead letter could be written: keep it, retried alone later like the others.
      item.retryAt = Date.now() + retryDelayMs(item.attempts);
      this.options.logger.error(`call ${linkedid} could not be parked (${errorText(parkError)}); kept, retried alone`);
      this.putBack([item]);
    } finally {
      this.writers--;
      this.inFlight--;
      this.inFlightIds.delete(linkedid);
      this.pump();
    }
  }

  /** Puts failed calls back in front, unless a newer record of the same call arrived meanwhile. */
  private putBack(batch: QueuedCall[]): void {
    const merged = new Map<string, QueuedCall>();
    for (const item of batch) {
      if (this.queue.has(item.record.linkedid) || this.evicted.has(item.record.linkedid)) this.release(item);
      else merged.set(item.record.linkedid, item);
    }
    for (const [linkedid, item] of this.queue) merged.set(linkedid, item);
    this.queue = merged;
    this.bound();
  }

  /** A newer record of `linkedid` replaces whatever of it waits (in memory or on disk). */
  private supersede(linkedid: string): void {
    const queued = this.queue.get(linkedid);
    if (queued) {
      this.queue.delete(linkedid);
      this.release(queued);
    }
    const evicted = this.evicted.get(linkedid);
    if (evicted) {
      this.evicted.delete(linkedid);
      this.options.spool?.done(evicted.ref);
    }
  }

  private release(item: QueuedCall): void {
    if (item.ref) this.options.spool?.done(item.ref);
    item.ref = null;
  }

  /** Over the in-memory bound: the oldest calls wait on disk only (or, if not on disk, are dropped). */
  private bound(): void {
    while (this.queue.size > this.options.maxInMemory) {
      const oldest = this.queue.values().next().value as QueuedCall;
      const linkedid = oldest.record.linkedid;
      this.queue.delete(linkedid);
      if (oldest.ref) {
        this.evicted.set(linkedid, { linkedid, ref: oldest.ref, alone: oldest.alone, attempts: oldest.attempts, firstFailedAt: oldest.firstFailedAt });
        continue;
      }
      this.options.onDropped(linkedid);
      this.options.logger.error(
        `call ${linkedid} dropped: ${this.options.maxInMemory} calls already buffered, the database is still unreachable and the call is not on disk`,
      );
    }
  }

  /** Calls waiting on disk come back once there is room in memory (oldest first, in front). */
  private readBack(): void {
    const room = Math.floor(this.options.maxInMemory / 2) - this.queue.size;
    if (this.evicted.size === 0 || room <= 0 || !this.options.spool) return;
    const chosen = [...this.evicted.values()].slice(0, room);
    const calls = this.options.spool.read(chosen.map((item) => item.ref));
    const front = new Map<string, QueuedCall>();
    chosen.forEach((item, i) => {
      this.evicted.delete(item.linkedid);
      const call = calls[i];
      if (!call) {
        this.options.spool?.done(item.ref);
        this.options.onDropped(item.linkedid);
        this.options.logger.error(`call ${item.linkedid} lost: its line in the spool could not be read back`);
        return;
      }
      front.set(item.linkedid, { ...call, ref: item.ref, alone: item.alone, attempts: item.attempts, retryAt: 0, firstFailedAt: item.firstFailedAt });
    });
    for (const [linkedid, item] of this.queue) front.set(linkedid, item);
    this.queue = front;
  }

  private wakeAloneAt(at: number): void {
    if (!Number.isFinite(at) || this.stopped) return;
    if (this.aloneTimer) clearTimeout(this.aloneTimer);
    this.aloneTimer = setTimeout(() => {
      this.aloneTimer = null;
      this.pump();
    }, Math.max(0, at - Date.now()));
    this.aloneTimer.unref();
  }
}

function ids(batch: readonly FinalizedCall[]): string {
  const shown = batch.slice(0, 3).map((item) => item.record.linkedid).join(', ');
  return batch.length > 3 ? `${shown}, …` : shown;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
