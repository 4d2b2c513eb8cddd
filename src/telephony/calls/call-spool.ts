import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonLines, writeAll, writeFileAtomic } from '../../common/durable-file';
import type { AmiMessage } from '../ami/ami-frame-parser';
import type { CallRecord } from './call-record';

export interface SpooledCall {
  record: CallRecord;
  events: AmiMessage[];
}

/** Where a call sits on disk: a segment file and its line. */
export interface SpoolRef {
  segment: string;
  line: number;
}

export interface SpoolLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

interface Segment {
  /** Lines not yet written to the database. */
  pending: Set<number>;
  lines: number;
  bytes: number;
}

const SEGMENT_MAX_LINES = 500;
const SEGMENT_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Finished calls on disk until the database has them (`DATA_DIR/calls-spool`): every finished
 * call is appended (one JSON line, one write) before it is queued for the database, and its line
 * is released once written; a segment file whose calls are all written is deleted. So what the
 * process finished is never only in memory: it survives SIGTERM, kill -9 and a full in-memory
 * queue, and the next start reads it back (`recover`). Lines are fsynced every second and at
 * shutdown (a power cut loses at most the last second); at shutdown, segments are rewritten
 * atomically with only their unwritten calls. Disk trouble is logged, never thrown: the call then
 * lives in memory only, as before.
 */
export class CallSpool {
  private readonly segments = new Map<string, Segment>();
  private current: { name: string; fd: number } | null = null;
  private counter = 0;
  private dirty = false;
  private readonly prefix = `calls-${Date.now()}`;

  constructor(
    readonly dir: string,
    private readonly logger: SpoolLogger,
  ) {}

  /** Calls on disk (written or not yet read back), by segment. */
  get pendingCount(): number {
    let n = 0;
    for (const segment of this.segments.values()) n += segment.pending.size;
    return n;
  }

  /** The calls the previous run left unwritten, oldest first, each with its place on disk. */
  recover(): { call: SpooledCall; ref: SpoolRef }[] {
    if (!existsSync(this.dir)) return [];
    const found: { call: SpooledCall; ref: SpoolRef }[] = [];
    for (const name of readdirSync(this.dir).filter((file) => file.endsWith('.jsonl')).sort()) {
      if (this.segments.has(name)) continue;
      let values: unknown[];
      let skipped: number;
      try {
        ({ values, skipped } = readJsonLines(join(this.dir, name)));
      } catch (error) {
        this.logger.error(`call spool ${name} unreadable: ${errorText(error)}`);
        continue;
      }
      if (skipped > 0) this.logger.warn(`call spool ${name}: ${skipped} unreadable line(s) skipped (cut short by a crash?)`);
      const segment: Segment = { pending: new Set(), lines: values.length, bytes: 0 };
      values.forEach((value, line) => {
        if (!isSpooledCall(value)) return;
        segment.pending.add(line);
        found.push({ call: value, ref: { segment: name, line } });
      });
      this.segments.set(name, segment);
      if (segment.pending.size === 0) this.release(name);
    }
    return found;
  }

  /** Appends a call; returns where it is, or null when the disk refused (logged). */
  append(call: SpooledCall): SpoolRef | null {
    try {
      const current = this.open();
      const segment = this.segments.get(current.name) as Segment;
      const bytes = Buffer.from(`${JSON.stringify(call)}\n`, 'utf8');
      writeAll(current.fd, bytes);
      const ref = { segment: current.name, line: segment.lines };
      segment.lines++;
      segment.bytes += bytes.length;
      segment.pending.add(ref.line);
      this.dirty = true;
      if (segment.lines >= SEGMENT_MAX_LINES || segment.bytes >= SEGMENT_MAX_BYTES) this.closeCurrent();
      return ref;
    } catch (error) {
      this.logger.error(`call ${call.record.linkedid} not spooled to ${this.dir}: ${errorText(error)}; it waits in memory only`);
      this.closeCurrent();
      return null;
    }
  }

  /** The call at `ref` is written (or replaced by a newer record, or parked): its line is released. */
  done(ref: SpoolRef): void {
    const segment = this.segments.get(ref.segment);
    if (!segment) return;
    segment.pending.delete(ref.line);
    if (segment.pending.size === 0) this.release(ref.segment);
  }

  /** Reads calls back (those evicted from memory); a line that cannot be read is logged and left out. */
  read(refs: readonly SpoolRef[]): (SpooledCall | null)[] {
    const bySegment = new Map<string, string[]>();
    return refs.map((ref) => {
      let lines = bySegment.get(ref.segment);
      if (!lines) {
        try {
          lines = readFileSync(join(this.dir, ref.segment), 'utf8').split('\n');
        } catch (error) {
          this.logger.error(`call spool ${ref.segment} unreadable: ${errorText(error)}`);
          lines = [];
        }
        bySegment.set(ref.segment, lines);
      }
      try {
        const value: unknown = JSON.parse(lines[ref.line] ?? '');
        return isSpooledCall(value) ? value : null;
      } catch {
        return null;
      }
    });
  }

  /** fsync of what was appended since the last flush. */
  flush(): void {
    if (!this.dirty || !this.current) return;
    try {
      fsyncSync(this.current.fd);
      this.dirty = false;
    } catch (error) {
      this.logger.error(`call spool fsync failed: ${errorText(error)}`);
    }
  }

  /**
   * At shutdown: fsync, then rewrite every segment holding written calls so it holds only the
   * unwritten ones (atomically: temp file, fsync, rename). Returns the segment files left.
   */
  close(): string[] {
    this.flush();
    this.closeCurrent();
    for (const [name, segment] of this.segments) {
      if (segment.pending.size === segment.lines) continue;
      try {
        const lines = readFileSync(join(this.dir, name), 'utf8').split('\n');
        const kept = [...segment.pending].sort((a, b) => a - b).map((line) => lines[line]);
        writeFileAtomic(join(this.dir, name), kept.map((line) => `${line}\n`).join(''));
        this.segments.set(name, { pending: new Set(kept.map((_, i) => i)), lines: kept.length, bytes: 0 });
      } catch (error) {
        this.logger.error(`call spool ${name} not compacted: ${errorText(error)} (its written calls are written again, harmlessly, at the next start)`);
      }
    }
    return [...this.segments.keys()];
  }

  private open(): { name: string; fd: number } {
    if (this.current) return this.current;
    mkdirSync(this.dir, { recursive: true });
    const name = `${this.prefix}-${String(this.counter++).padStart(6, '0')}.jsonl`;
    const fd = openSync(join(this.dir, name), 'a', 0o600);
    this.current = { name, fd };
    this.segments.set(name, { pending: new Set(), lines: 0, bytes: 0 });
    return this.current;
  }

  /** Closes the segment appended to (fsynced, unless it is about to be deleted). */
  private closeCurrent(sync = true): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    try {
      if (this.dirty && sync) fsyncSync(current.fd);
      closeSync(current.fd);
    } catch (error) {
      this.logger.error(`call spool ${current.name} not closed cleanly: ${errorText(error)}`);
    }
    this.dirty = false;
    const segment = this.segments.get(current.name);
    if (segment && segment.pending.size === 0) this.release(current.name);
  }

  /** Deletes a segment whose calls are all written (the current one is closed first). */
  private release(name: string): void {
    if (this.current?.name === name) {
      this.closeCurrent(false);
      return;
    }
    this.segments.delete(name);
    try {
      unlinkSync(join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn(`call spool ${name} not deleted: ${errorText(error)}`);
    }
  }
}

function isSpooledCall(value: unknown): value is SpooledCall {
  if (typeof value !== 'object' || value === null) return false;
  const { record, events } = value as { record?: { linkedid?: unknown }; events?: unknown };
  return typeof record === 'object' && record !== null && typeof record.linkedid === 'string' && Array.isArray(events);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
