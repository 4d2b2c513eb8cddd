import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';

/** A recording as a path to a `.ami` file, or inline contents (tests build variants of recordings). */
export type RecordingSource = string | { name: string; data: string | Buffer };

/** One recorded message, byte-exact, without its terminating blank line. */
export interface RecordedBlock {
  text: string;
  /** Its `Timestamp:` (epoch seconds), when it has one. */
  timestamp: number | null;
}

/** A recorded AMI stream: what one AMI client received from Asterisk (see test/fixtures/ami/README.md). */
export interface Recording {
  name: string;
  /** The first line, e.g. `Asterisk Call Manager/11.0.0\r\n`. */
  banner: string;
  /** The capture client's own `Authentication accepted` response, replayed with the new client's ActionID. */
  loginResponse: string | null;
  /** Every message after the login response, in order. */
  blocks: RecordedBlock[];
  /** The first Timestamp of the recording (what "now" maps to when it is replayed with current timestamps). */
  firstTimestamp: number | null;
  /** Seconds from the first Timestamp to the last one. */
  spanSeconds: number;
}

export const CRLF2 = '\r\n\r\n';
export const DEFAULT_BANNER = 'Asterisk Call Manager/11.0.0\r\n';

/** Splits a recording's text into banner, login response and blocks. Pure. */
export function parseRecording(name: string, data: string): Recording {
  const eol = data.indexOf('\r\n');
  const hasBanner = data.startsWith('Asterisk Call Manager/') && eol >= 0;
  const banner = hasBanner ? data.slice(0, eol + 2) : DEFAULT_BANNER;
  const texts = (hasBanner ? data.slice(eol + 2) : data).split(CRLF2).filter((b) => b.trim() !== '');
  const first = texts[0] ?? '';
  const loginResponse = /^Response: Success\r\n/.test(first) && /Authentication accepted/.test(first) ? first : null;
  const blocks = (loginResponse ? texts.slice(1) : texts).map((text) => ({ text, timestamp: timestampOf(text) }));
  const stamps = blocks.map((b) => b.timestamp).filter((t): t is number => t !== null);
  const firstTimestamp = stamps.length > 0 ? stamps[0] : null;
  const spanSeconds = stamps.length > 0 ? Math.max(...stamps) - stamps[0] : 0;
  return { name, banner, loginResponse, blocks, firstTimestamp, spanSeconds };
}

/** Reads a recording (a path, or inline contents). Throws a clear error for a missing file. */
export function loadRecording(source: RecordingSource): Recording {
  if (typeof source !== 'string') return parseRecording(source.name, source.data.toString());
  if (!existsSync(source)) throw new Error(`recording not found: ${source}`);
  return parseRecording(basename(source), readFileSync(source, 'utf8'));
}

/**
 * Where a recording named on the command line is: the path as given, else the file of that name
 * in `recordingsDir` (so `burst1_20_calls.ami` finds the project's own copy). Null if neither exists.
 */
export function findRecording(arg: string, cwd: string, recordingsDir: string): string | null {
  const direct = isAbsolute(arg) ? arg : join(cwd, arg);
  if (existsSync(direct)) return direct;
  const bundled = join(recordingsDir, arg);
  if (!isAbsolute(arg) && existsSync(bundled)) return bundled;
  const withExtension = `${bundled}.ami`;
  if (!isAbsolute(arg) && !arg.endsWith('.ami') && existsSync(withExtension)) return withExtension;
  return null;
}

export function timestampOf(block: string): number | null {
  const match = /^Timestamp: ([0-9.]+)\r?$/m.exec(block);
  return match ? Number(match[1]) : null;
}
