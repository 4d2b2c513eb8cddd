import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Small file helpers for state kept under DATA_DIR. What a `write` has handed to the kernel
 * survives a crash of the process (kill -9); `fsync` makes it survive a crash of the machine.
 */

/** Writes `data` so that `path` holds either its old content or all of `data`: temp file, fsync, rename, fsync of the directory. */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(dirname(path));
}

export function fsyncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes every byte (writeSync may write fewer than asked). */
export function writeAll(fd: number, bytes: Buffer): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * The JSON lines of a file, in order. A last line cut short (the process died in the middle of
 * writing it) or any line that is not JSON is skipped and counted, never thrown.
 */
export function readJsonLines(path: string): { values: unknown[]; skipped: number } {
  const text = readFileSync(path, 'utf8');
  const values: unknown[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      skipped++;
    }
  }
  return { values, skipped };
}
