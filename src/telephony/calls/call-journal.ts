import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { readJsonLines, writeAll, writeFileAtomic } from '../../common/durable-file';
import type { AmiMessage } from '../ami/ami-frame-parser';

export interface JournalLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

interface JournalLine {
  /** Linkedids of the calls the message was about ('' for a channel-list marker). */
  calls: string[];
  text: string;
}

/** Channel-list start and end markers kept at most (they are tiny; older ones judged calls long gone). */
const MARKERS_KEPT = 50;
const MIN_COMPACT_LINES = 2_000;

/**
 * The AMI messages of the calls in progress, on disk (`DATA_DIR/calls-live.jsonl`), so that a
 * process killed mid-call (kill -9, a crash, a reboot) continues its calls after the restart:
 * every message the tracker read about a call is appended as one JSON line (what was written
 * survives the death of the process; fsync once a second and at shutdown), and the next
 * start feeds them to the tracker again before its first resync (lines are written once per socket
 * read, see append). Lines of calls that are over
 * are dropped when the journal is compacted (rewritten atomically with the live calls' lines).
 * The channel lists of resyncs are kept as well, so a replay decides what the live tracker did.
 * Disk trouble is logged and turns the journal off; it never stops the tracker.
 */
export class CallJournal {
  private fd: number | null = null;
  private lines: JournalLine[] = [];
  private dirty = false;
  private broken = false;
  private compactAt = MIN_COMPACT_LINES;
  private unwritten: string[] = [];
  private unwrittenBytes = 0;
  private writeScheduled = false;

  constructor(
    readonly path: string,
    private readonly logger: JournalLogger,
  ) {}

  /**
   * The messages left by the last run, to be fed to the tracker again (none when the file is older
   * than `maxAgeSeconds`: its calls are over). They stay in the journal until compacted.
   */
  load(maxAgeSeconds: number): AmiMessage[] {
    if (!existsSync(this.path)) return [];
    try {
      const ageSeconds = (Date.now() - statSync(this.path).mtimeMs) / 1000;
      const { values, skipped } = readJsonLines(this.path);
      if (skipped > 0) this.logger.warn(`call journal ${this.path}: ${skipped} unreadable line(s) skipped (cut short by a crash?)`);
      if (ageSeconds > maxAgeSeconds) {
        this.logger.warn(`call journal ${this.path} is ${Math.round(ageSeconds)} s old: its calls are over, not continued`);
        return [];
      }
      const lines = values.filter(isLine);
      this.lines = lines.map((line) => ({ calls: line.c, text: JSON.stringify(line) }));
      return lines.map((line) => line.m);
    } catch (error) {
      this.logger.error(`call journal ${this.path} unreadable: ${errorText(error)}; calls in progress before the restart are rebuilt from the channel list`);
      return [];
    }
  }

  /**
   * Appends a message the tracker read about `calls` (an empty list for channel-list markers).
   * Lines are written together once the messages of one socket read are through (before the next
   * read: what the process read and dropped is no more than what a dead process leaves unread in
   * its socket), or at once past 256 kB.
   */
  append(calls: string[], message: AmiMessage): void {
    if (this.broken) return;
    const text = JSON.stringify({ c: calls, m: message });
    this.lines.push({ calls, text });
    this.unwritten.push(text);
    this.unwrittenBytes += text.length;
    if (this.unwrittenBytes > 256 * 1024) this.write();
    else if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.write());
    }
  }

  /** Writes the lines appended since the last write. */
  write(): void {
    this.writeScheduled = false;
    if (this.unwritten.length === 0 || this.broken) return;
    const text = `${this.unwritten.join('\n')}\n`;
    this.unwritten = [];
    this.unwrittenBytes = 0;
    try {
      writeAll(this.open(), Buffer.from(text, 'utf8'));
      this.dirty = true;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Compacts when the journal has grown past its bound. */
  maybeCompact(live: ReadonlySet<string>): void {
    if (this.lines.length >= this.compactAt) this.compact(live);
  }

  /** Rewrites the journal with only what the calls in `live` need. */
  compact(live: ReadonlySet<string>): void {
    if (this.broken) return;
    let markers = 0;
    const kept: JournalLine[] = [];
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i];
      if (line.calls.length === 0 ? markers++ < MARKERS_KEPT : line.calls.some((id) => live.has(id))) kept.push(line);
    }
    kept.reverse();
    this.unwritten = [];
    this.unwrittenBytes = 0;
    try {
      this.closeFd(false);
      writeFileAtomic(this.path, kept.map((line) => `${line.text}\n`).join(''));
      this.lines = kept;
      this.compactAt = Math.max(MIN_COMPACT_LINES, kept.length * 2);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Forgets every call (another instance took them over). */
  reset(): void {
    this.compact(new Set());
  }

  flush(): void {
    this.write();
    if (!this.dirty || this.fd === null) return;
    try {
      fsyncSync(this.fd);
      this.dirty = false;
    } catch (error) {
      this.fail(error);
    }
  }

  close(): void {
    this.flush();
    this.closeFd(true);
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a', 0o600);
    return this.fd;
  }

  private closeFd(sync: boolean): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      if (sync && this.dirty) fsyncSync(fd);
      closeSync(fd);
    } catch (error) {
      this.logger.warn(`call journal ${this.path} not closed cleanly: ${errorText(error)}`);
    }
    this.dirty = false;
  }

  private fail(error: unknown): void {
    this.broken = true;
    this.closeFd(false);
    this.logger.error(
      `call journal ${this.path} cannot be written (${errorText(error)}): calls in progress are no longer kept on disk; after a crash they are rebuilt from the channel list`,
    );
  }
}

function isLine(value: unknown): value is { c: string[]; m: AmiMessage } {
  if (typeof value !== 'object' || value === null) return false;
  const { c, m } = value as { c?: unknown; m?: unknown };
  return Array.isArray(c) && typeof m === 'object' && m !== null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
